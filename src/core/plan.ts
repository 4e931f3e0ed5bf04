/**
 * The compact, runtime-neutral description of a dataset pipeline that `src/graph` lowers a
 * TensorFlow `GraphDef` into and that the WebAssembly core instantiates as an iterator tree.
 *
 * A plan is plain data (JSON-able apart from bigints), so the same plan can be instantiated in
 * several wasm instances (worker threads) without re-lowering the graph.
 *
 * Elements are flat lists of components: nested structures (tuples, dicts) are flattened by the
 * Dataset layer exactly as TensorFlow flattens them, and the core only sees component lists.
 */
import type { DType } from "./dtype.js";

/** A shape with `-1` for an unknown dimension; `null` for unknown rank. */
export type PlanShape = number[] | null;

/** One node of the dataset iterator tree. */
export type DatasetPlan =
  | RangePlan
  | TakePlan
  | BatchPlan
  | MapPlan;

/** `RangeDataset`: start, stop, step as in Python's range; output dtype per TF's `output_types`. */
export interface RangePlan {
  readonly op: "range";
  readonly start: bigint;
  readonly stop: bigint;
  readonly step: bigint;
  readonly dtype: DType;
}

/** `TakeDataset`: at most `count` elements; `count < 0` means all. */
export interface TakePlan {
  readonly op: "take";
  readonly input: DatasetPlan;
  readonly count: bigint;
}

/** `BatchDatasetV2`: stacks `batchSize` consecutive elements along a new leading axis. */
export interface BatchPlan {
  readonly op: "batch";
  readonly input: DatasetPlan;
  readonly batchSize: bigint;
  readonly dropRemainder: boolean;
}

/** `MapDataset` / `ParallelMapDatasetV2`: applies `fn` to each element. */
export interface MapPlan {
  readonly op: "map";
  readonly input: DatasetPlan;
  readonly fn: FunctionPlan;
}

/**
 * A traced function lowered to straight-line code over numbered value slots. Slots
 * `0 .. numArgs-1` hold the element's components on entry; each instruction appends its
 * outputs as new slots in order; `outputs` names the slots that form the result element.
 */
export interface FunctionPlan {
  readonly numArgs: number;
  readonly instructions: readonly Instruction[];
  readonly outputs: readonly number[];
}

/** One kernel call inside a function. */
export interface Instruction {
  /** The kernel, named by the TF op it implements (`CompressElement`, `AddV2`, ...). */
  readonly kernel: string;
  /** Input slots. */
  readonly inputs: readonly number[];
  /** Number of output slots the kernel produces. */
  readonly numOutputs: number;
  /** Kernel attributes already resolved by the lowering (dtypes, shapes, flags). */
  readonly attrs?: Readonly<Record<string, number | bigint | boolean | string | readonly number[] | Uint8Array>>;
}
