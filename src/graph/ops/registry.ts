/**
 * The op registry: what the lowering knows about each TF op, one entry per op, registered by the
 * op-family modules in this folder (`ops/all.ts` lists them). The lowering core (`lower.ts`,
 * `lower-function.ts`) only dispatches through this registry, so adding ops never touches it.
 *
 * Three kinds of ops appear in dataset graphs:
 * - dataset ops (`RangeDataset`, `MapDataset`, ...): lowered to a `DatasetPlan` node;
 * - value ops (`Const`): the scalar arguments of dataset ops, evaluated at lowering time;
 * - kernel ops (`Identity`, `CompressElement`, ...): the nodes of `FunctionDef` bodies, lowered
 *   to `Instruction`s the core runs per element.
 */
import type { NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import type { FunctionDef } from "../../gen/tensorflow/core/framework/function_pb.js";
import type { TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import type { DType } from "../../core/dtype.js";
import type { DatasetPlan, FunctionPlan, Instruction } from "../../core/plan.js";
import type { ErrorCode } from "../../core/errors.js";
import type { TfDataError } from "../../core/errors.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphOptions } from "../graph-options.js";
import type { NodeAttrs } from "../node-attrs.js";
import type { ScalarValue } from "../tensor-value.js";

/** What a dataset op's lowering returns: the plan node and the dataset's cardinality. */
export interface LoweredNode {
  readonly plan: DatasetPlan;
  /**
   * The number of elements as TF's `Cardinality()` computes it for this op (same arithmetic,
   * quirks included), `-1n` infinite, `-2n` unknown.
   */
  readonly cardinality: bigint;
}

/** A lowered dataset input: its plan, cardinality and the element spec its node declares. */
export interface LoweredInput extends LoweredNode {
  readonly spec: readonly ComponentSpec[];
  /** The input node's name, for messages. */
  readonly node: string;
}

/** A lowered library function. */
export interface LoweredFunction {
  readonly plan: FunctionPlan;
  /** The function's output components (dtypes from its signature; shapes unknown: rank -1 dims). */
  readonly outputTypes: readonly DType[];
}

/** What a dataset op's lowering can ask about its node. */
export interface DatasetLowerContext {
  /** The node being lowered. */
  readonly node: NodeDef;
  /** `node 'RangeDataset/_3' (RangeDataset)`: how messages name it. */
  readonly where: string;
  /** The node's attrs, typed and validated on access. */
  readonly attrs: NodeAttrs;
  /** Number of data inputs (control inputs `^x` excluded). */
  readonly inputCount: number;
  /** The element spec the node declares (`output_types` / `output_shapes`). */
  readonly spec: readonly ComponentSpec[];
  /** The graph's `tf.data.Options` as they affect how the plan runs (graph-options.ts). */
  readonly options: GraphOptions;
  /** Fails unless the node has `min..max` data inputs (`max` defaults to `min`). */
  expectInputs(min: number, max?: number): void;
  /** Lowers data input `index`, which must be a dataset. */
  dataset(index: number): LoweredInput;
  /** Evaluates data input `index` as a scalar constant; `dtype` is checked when given. */
  scalar(index: number, dtype?: DType): ScalarValue;
  /** Evaluates data input `index` as a constant tensor of any shape; `dtype` is checked when given. */
  tensor(index: number, dtype?: DType): TensorProto;
  /** The node data input `index` reads (for inputs that are neither datasets nor plain constants). */
  inputNode(index: number): NodeDef;
  /** `scalar(index, int64)` as a bigint. */
  int64(index: number): bigint;
  /** `scalar(index, bool)` as a boolean. */
  bool(index: number): boolean;
  /** Lowers library function `name` called with one argument per component of `args`. */
  function(name: string, args: readonly ComponentSpec[]): LoweredFunction;
  /** The library function `name` itself (for ops that lower function bodies their own way). */
  functionDef(name: string): FunctionDef;
  /** An error that names this node. */
  error(code: ErrorCode, message: string): TfDataError;
}

/** A dataset op: lowers its node to a plan node (pass-through ops return their input's plan). */
export interface DatasetOpDef {
  /** The TF op name. */
  readonly op: string;
  /** Lowers the node; throw `ctx.error(...)` for anything invalid or unsupported. */
  lower(ctx: DatasetLowerContext): LoweredNode;
}

/** What a value op's evaluation can ask about its node. */
export interface ValueEvalContext {
  readonly node: NodeDef;
  readonly where: string;
  readonly attrs: NodeAttrs;
}

/** A value op (`Const`): evaluated once at lowering time to a tensor. */
export interface ValueOpDef {
  readonly op: string;
  evaluate(ctx: ValueEvalContext): TensorProto;
}

/** One output argument of a kernel op, as FunctionDef references name it (`node:<name>:<i>`). */
export interface KernelOutputArg {
  readonly name: string;
  readonly dtypes: readonly DType[];
}

/** A kernel op lowered: the instruction's kernel and attrs, its inputs' and outputs' types. */
export interface KernelLowering {
  readonly kernel: string;
  readonly attrs?: Instruction["attrs"];
  /** The dtype each data input must have, when the op fixes it (checked by the lowering). */
  readonly inputTypes?: readonly DType[];
  /** The op's output arguments in order; their dtypes concatenated are the instruction's outputs. */
  readonly outputs: readonly KernelOutputArg[];
}

/** What a kernel op's lowering can ask about its node. */
export interface KernelLowerContext {
  readonly node: NodeDef;
  readonly where: string;
  readonly attrs: NodeAttrs;
  /** Number of data inputs (control inputs excluded). */
  readonly inputCount: number;
  /** The dtypes of the data inputs, in order. */
  readonly inputTypes: readonly DType[];
  error(code: ErrorCode, message: string): TfDataError;
}

/** A kernel op: a node of a function body. */
export interface KernelOpDef {
  readonly op: string;
  lower(ctx: KernelLowerContext): KernelLowering;
}

const datasetOps = new Map<string, DatasetOpDef>();
const valueOps = new Map<string, ValueOpDef>();
const kernelOps = new Map<string, KernelOpDef>();

function add<T extends { op: string }>(kind: string, map: Map<string, T>, def: T): void {
  if (map.has(def.op)) throw new Error(`${kind} op '${def.op}' is registered twice`);
  map.set(def.op, def);
}

/** Registers dataset ops (at module load of an op family). */
export function registerDatasetOps(...defs: DatasetOpDef[]): void {
  for (const d of defs) add("dataset", datasetOps, d);
}

/** Registers value ops. */
export function registerValueOps(...defs: ValueOpDef[]): void {
  for (const d of defs) add("value", valueOps, d);
}

/** Registers kernel ops. */
export function registerKernelOps(...defs: KernelOpDef[]): void {
  for (const d of defs) add("kernel", kernelOps, d);
}

/** The dataset op named `op`, if supported. */
export function datasetOp(op: string): DatasetOpDef | undefined {
  return datasetOps.get(op);
}

/** The value op named `op`, if supported. */
export function valueOp(op: string): ValueOpDef | undefined {
  return valueOps.get(op);
}

/** The kernel op named `op`, if supported. */
export function kernelOp(op: string): KernelOpDef | undefined {
  return kernelOps.get(op);
}

/** Sorted names of the supported dataset ops (for error messages and docs). */
export function supportedDatasetOps(): string[] {
  return [...datasetOps.keys()].sort();
}

/** Sorted names of the supported value ops. */
export function supportedValueOps(): string[] {
  return [...valueOps.keys()].sort();
}

/** Sorted names of the supported kernel ops. */
export function supportedKernelOps(): string[] {
  return [...kernelOps.keys()].sort();
}
