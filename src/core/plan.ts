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
  | MapPlan
  | FilterPlan | ShufflePlan | FlatMapPlan | InterleavePlan | ScanPlan | DatasetParamPlan;

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

/** `FilterDataset`: keeps the elements for which `predicate` returns a true scalar bool. */
export interface FilterPlan {
  readonly op: "filter";
  readonly input: DatasetPlan;
  readonly predicate: FunctionPlan;
}

/**
 * `ShuffleDatasetV3` (and V1): TF's shuffle with TF's order. `seed`/`seed2` are the op's inputs,
 * never both 0 (the lowering replaces (0, 0), TF's "random seeds", with random ones).
 */
export interface ShufflePlan {
  readonly op: "shuffle";
  readonly input: DatasetPlan;
  readonly bufferSize: bigint;
  readonly seed: bigint;
  readonly seed2: bigint;
  readonly reshuffleEachIteration: boolean;
}

/**
 * `FlatMapDataset`: `fn` maps an element to the params of `body`, a dataset template (see
 * assembly/datasets/template.ts: attrs `$name` = param index or list of indices, and
 * `datasetParam` nodes); the datasets it builds are concatenated. `templateInput` is 1 (the
 * input index of `body`); `input` must come before `body` in the object.
 */
export interface FlatMapPlan {
  readonly op: "flatMap";
  readonly input: DatasetPlan;
  readonly body: DatasetPlan;
  readonly fn: FunctionPlan;
  readonly templateInput: 1;
}

/** `InterleaveDataset` / `ParallelInterleaveDatasetV4` (deterministic order): as flatMap, interleaved. */
export interface InterleavePlan {
  readonly op: "interleave";
  readonly input: DatasetPlan;
  readonly body: DatasetPlan;
  readonly fn: FunctionPlan;
  readonly templateInput: 1;
  readonly cycleLength: bigint;
  readonly blockLength: bigint;
}

/** `ScanDataset`: `fn(state..., element...)` -> (state..., output...); `initialState` is a serialized UncompressedElement. */
export interface ScanPlan {
  readonly op: "scan";
  readonly input: DatasetPlan;
  readonly fn: FunctionPlan;
  readonly initialState: Uint8Array;
}

/** Inside a dataset template: the dataset held by param `index` (a scalar variant). */
export interface DatasetParamPlan {
  readonly op: "datasetParam";
  readonly index: number;
}
