/**
 * Datasets built inside traced functions (the functions of `flatMap` / `interleave`, which return
 * a dataset). TF records such datasets as nodes of the FunctionDef and returns their variant; so
 * do we, by running each dataset's ordinary graph emitter against a `FunctionGraphBuilder`, a
 * `GraphBuilder` that writes into the function being traced with TF's in-function conventions:
 *
 * - nodes named as TF names ops in a function (`RangeDataset`, `RangeDataset_1`), referenced as
 *   `RangeDataset:handle:0`; Consts named after the op input they feed (`start`, `count_1`,
 *   `normalize_element/component_0`), created just before their consumer;
 * - `metadata` attrs are empty; `func` attrs carry `_tf_data_function: true`;
 * - a symbolic tensor passed where a scalar argument goes (`Dataset.range(x)`) is used as is;
 * - TF's automatic control dependencies for stateful ops (the source datasets): each gets a
 *   control input on the previous one, and `finishStatefulFunction` adds the `NoOp` that the
 *   outputs depend on, `is_stateful`, `control_output` and `control_ret`.
 *
 * Emitters support symbolic arguments by emitting them through `scalarInput` (or
 * `GraphBuilder.scalarConst` / `int64Const` with a `SymbolicTensor` value when the builder is a
 * `FunctionGraphBuilder`).
 */
import { create } from "@bufbuild/protobuf";
import { AttrValueSchema, NameAttrListSchema, type AttrValue } from "../../gen/tensorflow/core/framework/attr_value_pb.js";
import type { FunctionDef } from "../../gen/tensorflow/core/framework/function_pb.js";
import { NodeDefSchema, type NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { DType, dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { attrBool, attrBytes, attrShapeList, attrTypeList } from "../../graph/attr-value.js";
import { datasetFullType } from "../../graph/full-type.js";
import { GraphBuilder, type DatasetNodeInit } from "../../graph/graph-builder.js";
import type { ScalarValue } from "../../graph/tensor-value.js";
import { currentGraph, type FuncGraph } from "../../graph/trace/func-graph.js";
import { SymbolicTensor } from "../../graph/trace/symbolic-tensor.js";

/** Dataset ops TF registers as stateful (source datasets and seed generators): they get control dependencies. */
export const STATEFUL_DATASET_OPS: ReadonlySet<string> = new Set([
  "RangeDataset", "TensorDataset", "TensorSliceDataset", "SparseTensorSliceDataset", "ShuffleDatasetV3",
  "DummySeedGenerator", "AnonymousSeedGenerator", "CacheDatasetV2", "GeneratorDataset", "TextLineDataset",
  "TFRecordDataset", "FixedLengthRecordDataset",
]);

/** The name TF gives the Const feeding input `index` of `op` inside a function (its Python argument name). */
function constName(op: string, index: number): string {
  const names: Readonly<Record<string, readonly string[]>> = {
    RangeDataset: ["start", "stop", "step"],
    TakeDataset: ["input_dataset", "count"],
    SkipDataset: ["input_dataset", "count"],
    RepeatDataset: ["input_dataset", "count"],
    ShardDataset: ["input_dataset", "num_shards", "index"],
    PrefetchDataset: ["input_dataset", "buffer_size"],
    BatchDatasetV2: ["input_dataset", "batch_size", "drop_remainder"],
    ShuffleDatasetV3: ["input_dataset", "buffer_size", "seed", "seed2"],
    InterleaveDataset: ["input_dataset", "cycle_length", "block_length"],
    ParallelInterleaveDatasetV4: ["input_dataset", "cycle_length", "block_length", "buffer_output_elements",
      "prefetch_input_elements", "num_parallel_calls"],
    ParallelMapDatasetV2: ["input_dataset", "num_parallel_calls"],
    WindowDataset: ["input_dataset", "size", "shift", "stride", "drop_remainder"],
    RebatchDatasetV2: ["input_dataset", "batch_sizes", "drop_remainder"],
    CacheDatasetV2: ["input_dataset", "filename"],
  };
  return names[op]?.[index] ?? "Const";
}

/** An integer argument: a JS integer, or inside a function being traced a symbolic int64 scalar. */
export type IntArg = number | bigint | SymbolicTensor;

/** True for a symbolic tensor (a value inside a traced function). */
export function isSymbolic(v: unknown): v is SymbolicTensor {
  return v instanceof SymbolicTensor;
}

/**
 * Emits a scalar argument of a dataset op: a `Const`, or, inside a function being traced, the
 * symbolic tensor itself (its dtype must be `dtype`, as TF's `convert_to_tensor(x, dtype)` requires).
 */
export function scalarInput(b: GraphBuilder, dtype: DType, value: ScalarValue | SymbolicTensor): string {
  if (isSymbolic(value)) {
    if (!(b instanceof FunctionGraphBuilder)) {
      throw new TfDataError("InvalidArgument", `symbolic tensor '${value.name}' can only be used inside the function ` +
        "being traced (e.g. as an argument of a dataset the function of flatMap/interleave returns)");
    }
    return b.symbolicInput(value, dtype);
  }
  return b.scalarConst(dtype, value);
}

/**
 * Emits a whole-tensor argument that is a symbolic tensor (e.g. a component of
 * `Dataset.fromTensorSlices(x)` inside a flatMap function): the tensor itself, as TF passes it.
 */
export function tensorInput(b: GraphBuilder, value: SymbolicTensor, dtype?: DType): string {
  if (!(b instanceof FunctionGraphBuilder)) {
    throw new TfDataError("InvalidArgument", `symbolic tensor '${value.name}' can only be used inside the function being traced`);
  }
  return b.symbolicInput(value, dtype);
}

const TEMP = "\u0000tmp";

/** A `GraphBuilder` writing dataset nodes into a function being traced (see the file comment). */
export class FunctionGraphBuilder extends GraphBuilder {
  /** Library functions the datasets need (added to the outer graph by the caller). */
  readonly libraryFunctions: FunctionDef[] = [];
  private readonly pending = new Map<string, NodeDef>();
  private readonly placed = new Map<string, SymbolicTensor>();
  private lastStateful: string | null = null;
  private tmp = 0;

  constructor(readonly graph: FuncGraph) {
    super();
  }

  /** Temporary names; nodes get their real (TF in-function) names when placed in the function. */
  override uniqueName(op: string): string {
    return `${TEMP}/${op}/${this.tmp++}`;
  }

  /** Consts are held until their consumer is added (TF creates them just before it); other nodes are unsupported. */
  override addNode(node: NodeDef): string {
    if (node.op !== "Const") {
      throw new TfDataError("Unimplemented", `a dataset inside a traced function needs a '${node.op}' node, which ` +
        "is not supported there yet");
    }
    this.pending.set(node.name, node);
    return node.name;
  }

  override scalarConst(dtype: DType, value: ScalarValue | SymbolicTensor): string {
    if (isSymbolic(value)) return this.symbolicInput(value, dtype);
    return super.scalarConst(dtype, value);
  }

  override int64Const(value: bigint | number | SymbolicTensor): string {
    if (isSymbolic(value)) return this.symbolicInput(value, DType.int64);
    return super.int64Const(value);
  }

  /** Uses symbolic tensor `t` as an input (checking its dtype); returns a name datasetNode accepts. */
  symbolicInput(t: SymbolicTensor, dtype?: DType): string {
    if (t.graph !== this.graph) {
      throw new TfDataError("InvalidArgument", `tensor '${t.name}' belongs to another traced function; capturing tensors ` +
        "of an enclosing function is not supported");
    }
    if (dtype !== undefined && t.dtype !== dtype) {
      throw new TfDataError("InvalidArgument", `Tensor conversion requested dtype ${dtypeName(dtype)} for Tensor with dtype ` +
        `${dtypeName(t.dtype)}: ${t}`);
    }
    const name = this.uniqueName("Symbolic");
    this.placed.set(name, t);
    return name;
  }

  /** The tensor a name returned by this builder stands for. */
  tensorOf(name: string): SymbolicTensor {
    const t = this.placed.get(name);
    if (!t) throw new TfDataError("Internal", `no tensor for '${name}' in the traced function`);
    return t;
  }

  private resolve(name: string, op: string, index: number, scope: string | null): SymbolicTensor {
    const t = this.placed.get(name);
    if (t) return t;
    const c = this.pending.get(name);
    if (!c) throw new TfDataError("Internal", `input '${name}' of a ${op} node is not in the traced function`);
    this.pending.delete(name);
    const g = this.graph;
    const base = scope !== null ? `${scope}component_${index}` : constName(op, index);
    const nodeName = scope !== null ? base : g.uniqueName(base);
    const value = c.attr.value;
    const proto = value?.value.case === "tensor" ? value.value.value : undefined;
    const dtype = (c.attr.dtype?.value.case === "type" ? c.attr.dtype.value.value : DType.int64) as number as DType;
    const shape = proto?.tensorShape?.unknownRank ? null : (proto?.tensorShape?.dim ?? []).map((d) => Number(d.size));
    const [out] = g.addNode("Const", nodeName, [], { ...c.attr }, [{ dtype, shape, argName: "output", argIndex: 0 }]);
    this.placed.set(name, out);
    return out;
  }

  /** Adds a dataset node to the function; returns a name standing for its variant output. */
  override datasetNode(init: DatasetNodeInit): string {
    const g = this.graph;
    // from_tensors / from_tensor_slices convert their components inside `normalize_element`.
    const scoped = init.op === "TensorDataset" || init.op === "TensorSliceDataset";
    const inputs = scoped
      ? g.nameScope("normalize_element", undefined, (scope) => init.inputs.map((n, i) => this.resolve(n, init.op, i, scope)))
      : init.inputs.map((n, i) => this.resolve(n, init.op, i, null));
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(init.attrs ?? {})) attrs[k] = v.value.case === "func" ? tfDataFunc(v) : v;
    if (!("Toutput_types" in attrs)) attrs.output_types = attrTypeList(init.spec.map((c) => c.dtype));
    attrs.output_shapes = attrShapeList(init.spec.map((c) => c.shape));
    if (init.metadataName !== null) attrs.metadata = attrBytes(new Uint8Array(0));
    const name = g.uniqueName(init.op);
    const [handle] = g.addNode(init.op, name, inputs, attrs, [{ dtype: DType.variant, shape: [], argName: "handle", argIndex: 0 }]);
    const node = g.nodes[g.nodes.length - 1];
    node.experimentalType = datasetFullType(init.spec.map((c) => c.dtype));
    if (STATEFUL_DATASET_OPS.has(init.op)) {
      if (this.lastStateful !== null) node.input.push(`^${this.lastStateful}`);
      this.lastStateful = name;
    }
    const out = this.uniqueName(init.op);
    this.placed.set(out, handle);
    return out;
  }

  override addFunction(fn: FunctionDef): void {
    const name = fn.signature?.name;
    if (!this.libraryFunctions.some((f) => f.signature?.name === name)) this.libraryFunctions.push(fn);
  }
}

/** A `func` attr as TF writes it inside a function: with `_tf_data_function: true`. */
function tfDataFunc(v: AttrValue): AttrValue {
  if (v.value.case !== "func") return v;
  return create(AttrValueSchema, {
    value: { case: "func", value: create(NameAttrListSchema, { name: v.value.value.name, attr: { _tf_data_function: attrBool(true) } }) },
  });
}

let active: FunctionGraphBuilder | null = null;

/**
 * Runs `body` (the user's function of a flatMap/interleave trace) with `b` as the builder that
 * datasets created meanwhile are recorded into.
 */
export function withFunctionBuilder<T>(b: FunctionGraphBuilder, body: () => T): T {
  const saved = active;
  active = b;
  try {
    return body();
  } finally {
    active = saved;
  }
}

/**
 * A dataset's emitter, run at once when the dataset is created inside a dataset-returning
 * function being traced (TF records dataset ops in creation order, interleaved with the tensor
 * ops around them); later calls with that builder return the recorded node.
 */
export function emitEagerlyInTrace(emit: (b: GraphBuilder) => string): (b: GraphBuilder) => string {
  const b = active;
  if (b === null || b.graph !== currentGraphOrNull()) return emit;
  const name = emit(b);
  return (builder) => (builder === b ? name : emit(builder));
}

function currentGraphOrNull(): FuncGraph | null {
  try {
    return currentGraph();
  } catch {
    return null;
  }
}

/**
 * TF's automatic control dependencies at the end of a trace: when the body has stateful ops, a
 * `NoOp` depending on them (sorted by name) is added after the outputs, every output `Identity`
 * depends on it, and the signature lists them as `control_output` (with `control_ret`).
 */
export function finishStatefulFunction(fdef: FunctionDef): void {
  const stateful = fdef.nodeDef.filter((n) => STATEFUL_DATASET_OPS.has(n.op)).map((n) => n.name).sort();
  if (stateful.length === 0) return;
  const used = new Set(fdef.nodeDef.map((n) => n.name));
  let noop = "NoOp";
  for (let i = 1; used.has(noop); i++) noop = `NoOp_${i}`;
  const outputs = new Set(Object.values(fdef.ret).map((r) => r.split(":")[0]));
  for (const n of fdef.nodeDef) if (outputs.has(n.name) && n.op === "Identity") n.input.push(`^${noop}`);
  fdef.nodeDef.push(create(NodeDefSchema, { name: noop, op: "NoOp", input: stateful.map((s) => `^${s}`) }));
  const sig = fdef.signature!;
  sig.isStateful = true;
  sig.controlOutput = stateful;
  for (const s of stateful) fdef.controlRet[s] = s;
}
