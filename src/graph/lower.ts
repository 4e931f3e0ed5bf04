/**
 * Lowers a dataset GraphDef (built by our `Dataset` or by TensorFlow) into the `DatasetPlan` the
 * wasm core runs. Everything is validated here, before any element is produced: an op we do not
 * support, a bad attr, a mistyped function or a cycle is reported with the node it is in.
 *
 * The core of the lowering knows no op: each node is dispatched to its entry in the op registry
 * (`ops/registry.ts`), which the op-family modules fill.
 */
import type { GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import type { NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import type { FunctionDef } from "../gen/tensorflow/core/framework/function_pb.js";
import type { TensorProto } from "../gen/tensorflow/core/framework/tensor_pb.js";
import { DType, dtypeName } from "../core/dtype.js";
import { TfDataError, type ErrorCode } from "../core/errors.js";
import type { DatasetPlan } from "../core/plan.js";
import type { ComponentSpec } from "./component-spec.js";
import { MAX_DATASET_DEPTH } from "./constants.js";
import { describeNode, GraphIndex } from "./graph-index.js";
import { graphOptions, type GraphOptions } from "./graph-options.js";
import { parseGraphInput, type GraphInputRef } from "./input-ref.js";
import { lowerFunction } from "./lower-function.js";
import { NodeAttrs } from "./node-attrs.js";
import { ensureBuiltinOps } from "./ops/all.js";
import {
  datasetOp,
  supportedDatasetOps,
  supportedValueOps,
  valueOp,
  type DatasetLowerContext,
  type LoweredFunction,
  type LoweredInput,
} from "./ops/registry.js";
import { readScalar, type ScalarValue } from "./tensor-value.js";

/** A lowered dataset graph. */
export interface LoweredGraph {
  /** The plan to hand to `Core.createIterator`. */
  readonly plan: DatasetPlan;
  /** The element spec the output node declares. */
  readonly elementSpec: readonly ComponentSpec[];
  /** The name of the output dataset node. */
  readonly outputNode: string;
  /** TF's cardinality of the output dataset: `-1n` infinite, `-2n` unknown. */
  readonly cardinality: bigint;
}

/** The error for an op the registry does not know, naming op, node and what is supported. */
export function unsupportedOpError(node: NodeDef, supported: readonly string[], context = ""): TfDataError {
  return new TfDataError("Unimplemented",
    `Unsupported op '${node.op}' in node '${node.name}'${context}: this implementation cannot run it yet. ` +
    `Supported ops: ${supported.join(", ")}`);
}

/**
 * Lowers `graph` (its `_Retval` output and everything it reads) to a plan. `options` override
 * what the graph's `OptionsDataset` nodes say (e.g. `{ mapParallelization: false }` to run maps
 * as written).
 */
export function lower(graph: GraphDef, options: Partial<GraphOptions> = {}): LoweredGraph {
  ensureBuiltinOps();
  const index = new GraphIndex(graph);
  const output = index.outputNode();
  const lowering = new Lowering(index, { ...graphOptions(index, output), ...options });
  const lowered = lowering.dataset(output, `the graph's ${describeNode(index.retval())}`, 0);
  return { plan: lowered.plan, elementSpec: lowered.spec, outputNode: output.name, cardinality: lowered.cardinality };
}

class Lowering {
  private readonly done = new Map<string, LoweredInput>();
  private readonly visiting = new Set<string>();
  private readonly functions = new Map<string, LoweredFunction>();

  constructor(readonly index: GraphIndex, readonly options: GraphOptions) {}

  dataset(node: NodeDef, from: string, depth: number): LoweredInput {
    const cached = this.done.get(node.name);
    if (cached) return cached;
    if (this.visiting.has(node.name)) {
      throw new TfDataError("InvalidArgument", `dataset graph has a cycle through ${describeNode(node)}`);
    }
    if (depth > MAX_DATASET_DEPTH) {
      throw new TfDataError("InvalidArgument",
        `dataset graph nests more than ${MAX_DATASET_DEPTH} datasets (at ${describeNode(node)})`);
    }
    const def = datasetOp(node.op);
    if (!def) {
      if (valueOp(node.op)) {
        throw new TfDataError("InvalidArgument",
          `${from} needs a dataset, but ${describeNode(node)} produces a tensor`);
      }
      throw unsupportedOpError(node, supportedDatasetOps());
    }
    this.visiting.add(node.name);
    try {
      const ctx = new DatasetContext(this, node, depth);
      const { plan, cardinality } = def.lower(ctx);
      const lowered: LoweredInput = { plan, cardinality, spec: ctx.spec, node: node.name };
      this.done.set(node.name, lowered);
      return lowered;
    } finally {
      this.visiting.delete(node.name);
    }
  }

  function(name: string, args: readonly ComponentSpec[], user: string): LoweredFunction {
    const key = `${name}(${args.map((a) => a.dtype).join(",")})`;
    const cached = this.functions.get(key);
    if (cached) return cached;
    const fdef = this.index.functions.get(name);
    if (!fdef) {
      throw new TfDataError("InvalidArgument", `${user} calls function '${name}', which is not in the graph's library`);
    }
    const lowered = lowerFunction(fdef, args, user);
    this.functions.set(key, lowered);
    return lowered;
  }
}

class DatasetContext implements DatasetLowerContext {
  readonly where: string;
  readonly attrs: NodeAttrs;
  readonly inputs: GraphInputRef[];
  private specCache: readonly ComponentSpec[] | undefined;

  constructor(private readonly lowering: Lowering, readonly node: NodeDef, private readonly depth: number) {
    this.where = describeNode(node);
    this.attrs = new NodeAttrs(node.attr, this.where);
    this.inputs = node.input.map(parseGraphInput).filter((r) => !r.control);
    // Control inputs carry no data, but must name real nodes.
    for (const r of node.input.map(parseGraphInput)) if (r.control) lowering.index.node(r.node, this.where);
  }

  get inputCount(): number {
    return this.inputs.length;
  }

  get options(): GraphOptions {
    return this.lowering.options;
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
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw this.error("InvalidArgument", `expected ${want} data inputs, got ${n} ([${this.node.input.join(", ")}])`);
    }
  }

  private input(index: number): { ref: GraphInputRef; node: NodeDef } {
    const ref = this.inputs[index];
    if (!ref) throw this.error("InvalidArgument", `has no data input #${index} (it has ${this.inputCount})`);
    return { ref, node: this.lowering.index.node(ref.node, this.where) };
  }

  dataset(index: number): LoweredInput {
    const { ref, node } = this.input(index);
    if (ref.index !== 0) {
      throw this.error("InvalidArgument", `input #${index} reads output ${ref.index} of '${ref.node}'; datasets have one output`);
    }
    return this.lowering.dataset(node, `input #${index} of ${this.where}`, this.depth + 1);
  }

  scalar(index: number, dtype?: DType): ScalarValue {
    const tensor = this.constant(index, dtype, "scalar");
    return readScalar(tensor, describeNode(this.inputNode(index)));
  }

  inputNode(index: number): NodeDef {
    return this.input(index).node;
  }

  tensor(index: number, dtype?: DType): TensorProto {
    return this.constant(index, dtype, "tensor");
  }

  private constant(index: number, dtype: DType | undefined, kind: "scalar" | "tensor"): TensorProto {
    const { ref, node } = this.input(index);
    const def = valueOp(node.op);
    if (!def) {
      if (datasetOp(node.op)) {
        throw this.error("InvalidArgument", `input #${index} must be a ${kind === "scalar" ? "scalar " : ""}tensor, but ${describeNode(node)} is a dataset`);
      }
      throw unsupportedOpError(node, supportedValueOps(), ` (input #${index} of ${this.where})`);
    }
    if (ref.index !== 0) throw this.error("InvalidArgument", `input #${index} reads output ${ref.index} of '${ref.node}'`);
    const where = describeNode(node);
    const tensor = def.evaluate({ node, where, attrs: new NodeAttrs(node.attr, where) });
    if (dtype !== undefined && tensor.dtype !== dtype) {
      throw this.error("InvalidArgument", `input #${index} (${describeNode(node)}) must be a ${dtypeName(dtype)} ${kind}, ` +
        `got ${dtypeName(tensor.dtype)}`);
    }
    return tensor;
  }

  int64(index: number): bigint {
    return this.scalar(index, DType.int64) as bigint;
  }

  bool(index: number): boolean {
    return this.scalar(index, DType.bool) as boolean;
  }

  function(name: string, args: readonly ComponentSpec[]): LoweredFunction {
    return this.lowering.function(name, args, this.where);
  }

  functionDef(name: string): FunctionDef {
    const fdef = this.lowering.index.functions.get(name);
    if (!fdef) throw this.error("InvalidArgument", `calls function '${name}', which is not in the graph's library`);
    return fdef;
  }
}
