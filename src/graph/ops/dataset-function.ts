/**
 * Lowering of functions that return a dataset (`flat_map`, `interleave`): TF records the dataset
 * ops the function creates as nodes of its FunctionDef (`RangeDataset(start, args_0, step)`,
 * `TensorSliceDataset(args_0)`, ...) and returns their variant. The core cannot run dataset ops
 * as kernels, so the function is split in two:
 *
 * 1. a *template*: the dataset nodes lowered with the ordinary dataset op lowerings (so every
 *    dataset op works inside functions), where an argument computed from the element is left as
 *    a reference to a param (`$stop: 0`, `$components: [1, 2]`, or a `datasetParam` node for a
 *    dataset passed in as a variant);
 * 2. a *params function*: the same FunctionDef with the params as its outputs, lowered by the
 *    ordinary function lowering (so every kernel works).
 *
 * The core runs the params function per element and builds the template with those values
 * (assembly/datasets/template.ts).
 *
 * An argument that is a Const of the body is evaluated at lowering time like a graph Const. An
 * element-dependent argument is supported where `DYNAMIC_ARGS` knows which plan attr receives it.
 */
import { create } from "@bufbuild/protobuf";
import { FunctionDefSchema, type FunctionDef } from "../../gen/tensorflow/core/framework/function_pb.js";
import type { NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { OpDef_ArgDefSchema, OpDefSchema } from "../../gen/tensorflow/core/framework/op_def_pb.js";
import { TensorProtoSchema, type TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema } from "../../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { DType, dtypeName, dtypeSize } from "../../core/dtype.js";
import { TfDataError, type ErrorCode } from "../../core/errors.js";
import type { DatasetPlan, FunctionPlan } from "../../core/plan.js";
import { compatibleSpec, formatSpec, type ComponentSpec } from "../component-spec.js";
import type { GraphOptions } from "../graph-options.js";
import { parseFunctionInput } from "../input-ref.js";
import { lowerFunction } from "../lower-function.js";
import { NodeAttrs } from "../node-attrs.js";
import { readScalar, type ScalarValue } from "../tensor-value.js";
import { bindTrailingArgs } from "./captured.js";
import { UNKNOWN } from "./common.js";
import {
  datasetOp, supportedDatasetOps, valueOp,
  type DatasetLowerContext, type LoweredFunction, type LoweredInput, type LoweredNode,
} from "./registry.js";

/** A dataset-returning function, lowered. */
export interface LoweredDatasetFunction {
  /** Element components -> params. */
  readonly fn: FunctionPlan;
  /** The dataset template (see assembly/datasets/template.ts). */
  readonly body: DatasetPlan;
  /** The element spec of the datasets the function returns. */
  readonly spec: readonly ComponentSpec[];
}

/** Where an element-dependent argument goes in a plan: a scalar attr, or one entry of a tensor-list attr. */
interface DynamicArg {
  readonly attr: string | null;
  readonly list?: boolean;
  /** A valid stand-in value the op's lowering sees in place of the runtime value. */
  readonly placeholder?: ScalarValue;
}

const scalarArg = (attr: string | null, placeholder: ScalarValue = 1n): DynamicArg => ({ attr, placeholder });
const componentsArg: DynamicArg = { attr: "components", list: true };

/**
 * Dataset ops whose inputs may be computed from the element, by input index: the plan attr that
 * receives each (null: the input only tunes performance and is dropped) and the stand-in value.
 */
const DYNAMIC_ARGS: Readonly<Record<string, (index: number) => DynamicArg | undefined>> = {
  RangeDataset: (i) => [scalarArg("start", 0n), scalarArg("stop", 1n), scalarArg("step", 1n)][i],
  TakeDataset: (i) => (i === 1 ? scalarArg("count") : undefined),
  SkipDataset: (i) => (i === 1 ? scalarArg("count") : undefined),
  RepeatDataset: (i) => (i === 1 ? scalarArg("count") : undefined),
  BatchDatasetV2: (i) => [undefined, scalarArg("batchSize"), scalarArg("dropRemainder", false)][i],
  ShardDataset: (i) => [undefined, scalarArg("numShards"), scalarArg("index", 0n)][i],
  PrefetchDataset: (i) => (i === 1 ? scalarArg(null) : undefined),
  TensorDataset: () => componentsArg,
  TensorSliceDataset: () => componentsArg,
};

/** Thrown inside a body lowering when an input is not a constant and the op has no dynamic form. */
class DynamicInputError extends TfDataError {}

/**
 * Lowers library function `name` (which must return one dataset) called with elements of `args`.
 * `declared` is the element spec the calling node declares for the returned datasets; `captured`
 * are the constant values of the function's captured (trailing) arguments.
 */
export function lowerDatasetFunction(ctx: DatasetLowerContext, name: string, args: readonly ComponentSpec[],
  declared: readonly ComponentSpec[], captured: readonly TensorProto[] = []): LoweredDatasetFunction {
  return new BodyLowering(ctx, bindTrailingArgs(ctx.functionDef(name), captured), args, declared).run();
}

interface Param {
  readonly ref: string;
  readonly dtype: DType;
}

class BodyLowering {
  private readonly name: string;
  private readonly body = new Map<string, NodeDef>();
  private readonly argTypes = new Map<string, DType>();
  private readonly params: Param[] = [];
  private readonly done = new Map<string, LoweredInput>();
  private readonly visiting = new Set<string>();

  constructor(readonly outer: DatasetLowerContext, readonly fdef: FunctionDef, readonly args: readonly ComponentSpec[],
    readonly declared: readonly ComponentSpec[]) {
    this.name = fdef.signature?.name ?? "";
  }

  error(code: ErrorCode, message: string): TfDataError {
    return new TfDataError(code, `function '${this.name}' (called by ${this.outer.where}): ${message}`);
  }

  run(): LoweredDatasetFunction {
    const sig = this.fdef.signature;
    if (!sig) throw this.error("InvalidArgument", "has no signature");
    if (sig.outputArg.length !== 1 || (sig.outputArg[0].type as number) !== DType.variant) {
      throw this.error("InvalidArgument", "must return exactly one dataset (a variant), but returns " +
        `[${sig.outputArg.map((a) => dtypeName(a.type)).join(", ")}]`);
    }
    if (sig.inputArg.length !== this.args.length || sig.inputArg.some((a, i) => (a.type as number) !== this.args[i].dtype)) {
      throw this.error("InvalidArgument", `takes arguments [${sig.inputArg.map((a) => dtypeName(a.type)).join(", ")}] but is ` +
        `called with elements ${formatSpec(this.args)}`);
    }
    sig.inputArg.forEach((a) => this.argTypes.set(a.name, a.type as number as DType));
    for (const n of this.fdef.nodeDef) this.body.set(n.name, n);
    const ret = this.fdef.ret[sig.outputArg[0].name];
    if (ret === undefined) throw this.error("InvalidArgument", `output '${sig.outputArg[0].name}' has no entry in 'ret'`);

    const result = this.datasetAt(ret, `the function's output`, this.declared);
    if (!compatibleSpec(result.spec, this.declared)) {
      throw this.error("InvalidArgument", `returns datasets of ${formatSpec(result.spec)}, but ${this.outer.where} declares ` +
        `${formatSpec(this.declared)}`);
    }
    return { fn: this.paramsFunction(), body: result.plan, spec: result.spec };
  }

  /** The params function: this FunctionDef with the params as outputs (dataset nodes are not reached). */
  private paramsFunction(): FunctionPlan {
    const sig = this.fdef.signature!;
    const ret: Record<string, string> = {};
    const outputArg = this.params.map((p, i) => {
      ret[`param_${i}`] = p.ref;
      return create(OpDef_ArgDefSchema, { name: `param_${i}`, type: p.dtype as DataType });
    });
    const synth = create(FunctionDefSchema, {
      signature: create(OpDefSchema, { name: sig.name, inputArg: sig.inputArg, outputArg }),
      nodeDef: this.fdef.nodeDef,
      ret,
    });
    const lowered: LoweredFunction = lowerFunction(synth, this.args, this.outer.where);
    return lowered.plan;
  }

  /** The index of the param carrying `ref`. */
  param(ref: string, dtype: DType): number {
    const i = this.params.findIndex((p) => p.ref === ref);
    if (i >= 0) return i;
    this.params.push({ ref, dtype });
    return this.params.length - 1;
  }

  /** Follows Identity nodes from a FunctionDef input string to the value's origin. */
  origin(input: string, from: string): { kind: "arg"; name: string; ref: string } | { kind: "node"; node: NodeDef; ref: string } {
    let ref = input;
    for (let hops = 0; hops <= this.body.size; hops++) {
      const r = parseFunctionInput(ref);
      if (r === null || r.kind === "control") throw this.error("InvalidArgument", `${from} has malformed reference '${ref}'`);
      if (r.kind === "arg") {
        if (!this.argTypes.has(r.name)) throw this.error("InvalidArgument", `${from} refers to '${r.name}', which is not an argument`);
        return { kind: "arg", name: r.name, ref };
      }
      const node = this.body.get(r.node);
      if (!node) throw this.error("InvalidArgument", `${from} refers to node '${r.node}', which is not in the function`);
      if (node.op !== "Identity") return { kind: "node", node, ref };
      const data = node.input.filter((s) => !s.startsWith("^"));
      if (data.length !== 1) throw this.error("InvalidArgument", `node '${node.name}' (Identity) must have one data input`);
      ref = data[0];
    }
    throw this.error("InvalidArgument", `${from}: Identity nodes form a cycle`);
  }

  /** The dataset at FunctionDef input `input`; `consumerSpec` hints a dataset argument's unknown spec. */
  datasetAt(input: string, from: string, consumerSpec: readonly ComponentSpec[]): LoweredInput {
    const o = this.origin(input, from);
    if (o.kind === "arg") {
      const dtype = this.argTypes.get(o.name)!;
      if (dtype !== DType.variant) {
        throw this.error("InvalidArgument", `${from} must be a dataset, but argument '${o.name}' is a ${dtypeName(dtype)} tensor`);
      }
      const index = this.param(o.ref, DType.variant);
      // The graph does not record a dataset argument's element spec; assume the consumer's dtypes
      // (right for the ops that keep them, e.g. window -> batch) with shapes left open.
      const spec = consumerSpec.map((c) => ({ dtype: c.dtype, shape: null }));
      return { plan: { op: "datasetParam", index }, cardinality: UNKNOWN, spec, node: o.name };
    }
    return this.lowerNode(o.node, from);
  }

  private lowerNode(node: NodeDef, from: string): LoweredInput {
    const cached = this.done.get(node.name);
    if (cached) return cached;
    const def = datasetOp(node.op);
    if (!def) {
      if (valueOp(node.op) || !node.op.endsWith("Dataset")) {
        throw this.error("InvalidArgument", `${from} must be a dataset, but node '${node.name}' (${node.op}) is not one`);
      }
      throw new TfDataError("Unimplemented", `Unsupported op '${node.op}' in node '${node.name}' of function '${this.name}' ` +
        `(called by ${this.outer.where}): this implementation cannot run it yet. Supported ops: ${supportedDatasetOps().join(", ")}`);
    }
    if (this.visiting.has(node.name)) throw this.error("InvalidArgument", `has a cycle through node '${node.name}'`);
    this.visiting.add(node.name);
    try {
      const ctx = new BodyDatasetContext(this, node);
      const lowered = def.lower(ctx);
      const result: LoweredInput = { ...ctx.finish(lowered), spec: ctx.spec, node: node.name };
      this.done.set(node.name, result);
      return result;
    } finally {
      this.visiting.delete(node.name);
    }
  }
}

/** A stand-in tensor for a component computed at run time: zeros of the declared shape (unknown dims 1). */
function placeholderTensor(dtype: DType, shape: readonly number[]): TensorProto {
  const dims = shape.map((d) => (d < 0 ? 1 : d));
  const n = dims.reduce((a, b) => a * b, 1);
  const t = create(TensorProtoSchema, {
    dtype: dtype as DataType,
    tensorShape: create(TensorShapeProtoSchema, { dim: dims.map((size) => ({ size: BigInt(size) })) }),
  });
  if (dtype === DType.string) t.stringVal = Array.from({ length: n }, () => new Uint8Array(0));
  else t.tensorContent = new Uint8Array(n * dtypeSize(dtype));
  return t;
}

/** The lowering context of one dataset node of a function body. */
class BodyDatasetContext implements DatasetLowerContext {
  readonly where: string;
  readonly attrs: NodeAttrs;
  private readonly inputs: string[];
  private readonly scalars: { attr: string; param: number }[] = [];
  private readonly lists = new Map<string, number[]>();
  private specCache: readonly ComponentSpec[] | undefined;

  constructor(private readonly b: BodyLowering, readonly node: NodeDef) {
    this.where = `node '${node.name}' (${node.op}) of function '${b.fdef.signature?.name ?? ""}'`;
    this.attrs = new NodeAttrs(node.attr, this.where);
    this.inputs = node.input.filter((s) => !s.startsWith("^"));
  }

  get inputCount(): number {
    return this.inputs.length;
  }

  /** The outer graph's options; datasets built per element run in one thread (no map rewrite). */
  get options(): GraphOptions {
    return { ...this.b.outer.options, mapParallelization: false };
  }

  get spec(): readonly ComponentSpec[] {
    this.specCache ??= this.attrs.outputSpec();
    return this.specCache;
  }

  error(code: ErrorCode, message: string): TfDataError {
    return new TfDataError(code, `${this.where}: ${message}`);
  }

  expectInputs(min: number, max = min): void {
    const n = this.inputCount;
    if (n < min || n > max) {
      throw this.error("InvalidArgument", `expected ${min === max ? min : `${min} to ${max}`} data inputs, got ${n}`);
    }
  }

  private input(index: number): string {
    const s = this.inputs[index];
    if (s === undefined) throw this.error("InvalidArgument", `has no data input #${index} (it has ${this.inputCount})`);
    return s;
  }

  dataset(index: number): LoweredInput {
    return this.b.datasetAt(this.input(index), `input #${index} of ${this.where}`, this.spec);
  }

  inputNode(index: number): NodeDef {
    const o = this.b.origin(this.input(index), `input #${index} of ${this.where}`);
    if (o.kind === "arg") throw this.error("InvalidArgument", `input #${index} is the function argument '${o.name}', not a node`);
    return o.node;
  }

  /** The Const tensor at input `index`, or null when the input is computed at run time. */
  private constant(index: number): TensorProto | null {
    const o = this.b.origin(this.input(index), `input #${index} of ${this.where}`);
    if (o.kind === "node" && o.node.op === "Const") {
      const where = `node '${o.node.name}' (Const) of function '${this.b.fdef.signature?.name ?? ""}'`;
      return valueOp("Const")!.evaluate({ node: o.node, where, attrs: new NodeAttrs(o.node.attr, where) });
    }
    return null;
  }

  /** Records input `index` as element-dependent; returns its dynamic form (throws if the op has none). */
  private dynamic(index: number, dtype: DType): DynamicArg {
    const arg = DYNAMIC_ARGS[this.node.op]?.(index);
    if (!arg) {
      throw new DynamicInputError("Unimplemented", `${this.where}: input #${index} is computed from the element at run ` +
        `time, which is supported for the arguments of ${Object.keys(DYNAMIC_ARGS).join(", ")}; make it a constant`);
    }
    if (arg.attr !== null) {
      const param = this.b.param(this.input(index), dtype);
      if (arg.list) {
        const l = this.lists.get(arg.attr) ?? [];
        l.push(param);
        this.lists.set(arg.attr, l);
      } else this.scalars.push({ attr: arg.attr, param });
    }
    return arg;
  }

  /** The dtype a computed input has (checked by the params function's lowering). */
  private dynamicType(index: number, dtype: DType | undefined): DType {
    if (dtype !== undefined) return dtype;
    const types = this.attrs.has("Toutput_types") ? this.attrs.types("Toutput_types") : [];
    if (types[index] !== undefined) return types[index];
    throw this.error("Unimplemented", `input #${index} is computed at run time and its dtype is not known`);
  }

  scalar(index: number, dtype?: DType): ScalarValue {
    const t = this.constant(index);
    if (t) {
      if (dtype !== undefined && t.dtype !== dtype) {
        throw this.error("InvalidArgument", `input #${index} must be a ${dtypeName(dtype)} scalar, got ${dtypeName(t.dtype)}`);
      }
      return readScalar(t, this.where);
    }
    return this.dynamic(index, this.dynamicType(index, dtype)).placeholder ?? 1n;
  }

  /** Whether a tensor-list op has any computed input (then all its tensors travel as params). */
  private anyDynamic(): boolean {
    return this.inputs.some((_, i) => this.constant(i) === null);
  }

  tensor(index: number, dtype?: DType): TensorProto {
    const arg = DYNAMIC_ARGS[this.node.op]?.(index);
    const t = arg?.list && this.anyDynamic() ? null : this.constant(index);
    if (t) {
      if (dtype !== undefined && t.dtype !== dtype) {
        throw this.error("InvalidArgument", `input #${index} must be a ${dtypeName(dtype)} tensor, got ${dtypeName(t.dtype)}`);
      }
      return t;
    }
    const d = this.dynamicType(index, dtype);
    this.dynamic(index, d);
    // TensorSliceDataset components have a leading dim over the declared element shape.
    const declared = this.spec[index]?.shape ?? [];
    const shape = this.node.op === "TensorSliceDataset" ? [1, ...(declared ?? [])] : (declared ?? []);
    return placeholderTensor(d, shape);
  }

  int64(index: number): bigint {
    return this.scalar(index, DType.int64) as bigint;
  }

  bool(index: number): boolean {
    return this.scalar(index, DType.bool) as boolean;
  }

  function(name: string, args: readonly ComponentSpec[]): LoweredFunction {
    return this.b.outer.function(name, args);
  }

  functionDef(name: string): FunctionDef {
    return this.b.outer.functionDef(name);
  }

  /** The op's plan with its element-dependent attrs turned into param references. */
  finish(lowered: LoweredNode): LoweredNode {
    if (this.scalars.length === 0 && this.lists.size === 0) return lowered;
    const plan: Record<string, unknown> = { ...lowered.plan };
    for (const { attr, param } of this.scalars) {
      delete plan[attr];
      plan[`$${attr}`] = param;
    }
    for (const [attr, params] of this.lists) {
      delete plan[attr];
      plan[`$${attr}`] = params;
    }
    return { plan: plan as unknown as DatasetPlan, cardinality: UNKNOWN };
  }
}
