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
  | FilterPlan | ShufflePlan | FlatMapPlan | InterleavePlan | ScanPlan | DatasetParamPlan
  | TensorPlan | TensorSlicePlan | RepeatPlan | SkipPlan | ShardPlan | ConcatenatePlan | ZipPlan | CachePlan
  | PaddedBatchPlan | UnbatchPlan | RebatchPlan | WindowPlan
  | PrefetchPlan | ChannelPlan
  | SplitSourcePlan;

/** `RangeDataset`: start, stop, step as in Python's range; output dtype per TF's `output_types`. */
export interface RangePlan {
  readonly op: "range";
  readonly start: bigint;
  readonly stop: bigint;
  readonly step: bigint;
  readonly dtype: DType;
  /** TF's `replicate_on_split`: under DYNAMIC sharding every worker reads it whole (e.g. `enumerate`'s counter). */
  readonly replicateOnSplit?: boolean;
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
  /**
   * `ParallelMapDatasetV2`'s `num_parallel_calls` (-1n AUTOTUNE); absent for `MapDataset`. A hint
   * for the parallel runner (src/core/parallel), ignored by the core.
   */
  readonly numParallelCalls?: bigint;
  /** `ParallelMapDatasetV2`'s `deterministic`: false lets outputs come in completion order. */
  readonly deterministic?: boolean;
}

/**
 * `PrefetchDataset`: the input's elements; `bufferSize` (-1n AUTOTUNE) elements may be computed
 * ahead. The core passes it through; the parallel runner may run its input in another thread.
 */
export interface PrefetchPlan {
  readonly op: "prefetch";
  readonly input: DatasetPlan;
  readonly bufferSize: bigint;
}

/**
 * Elements put in from outside the plan (assembly/datasets/channel.ts): the parallel runner's
 * seam between threads. `id` is a channel opened in the same core instance.
 */
export interface ChannelPlan {
  readonly op: "channel";
  readonly id: number;
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

/** `TensorDataset`: one element, the given components (a serialized UncompressedElement). */
export interface TensorPlan {
  readonly op: "tensor";
  readonly components: Uint8Array;
}

/** `TensorSliceDataset`: one element per row of the components (a serialized UncompressedElement). */
export interface TensorSlicePlan {
  readonly op: "tensorSlice";
  readonly components: Uint8Array;
  /** TF's `replicate_on_split`: under DYNAMIC sharding every worker reads it whole. */
  readonly replicateOnSplit?: boolean;
}

/** `RepeatDataset`: the input `count` times; `count < 0` forever. */
export interface RepeatPlan {
  readonly op: "repeat";
  readonly input: DatasetPlan;
  readonly count: bigint;
  /**
   * Set by the DYNAMIC source rewrite (src/graph/split-sources.ts) when the input reads splits:
   * an empty pass then does not end an endless repeat (TF's behaviour with split providers).
   */
  readonly splitFed?: boolean;
}

/** `SkipDataset`: drops the first `count` elements; `count < 0` drops all. */
export interface SkipPlan {
  readonly op: "skip";
  readonly input: DatasetPlan;
  readonly count: bigint;
}

/** `ShardDataset`: elements `index`, `index + numShards`, ... */
export interface ShardPlan {
  readonly op: "shard";
  readonly input: DatasetPlan;
  readonly numShards: bigint;
  readonly index: bigint;
  readonly requireNonEmpty: boolean;
}

/** `ConcatenateDataset`: `input`'s elements, then `other`'s. */
export interface ConcatenatePlan {
  readonly op: "concatenate";
  readonly input: DatasetPlan;
  readonly other: DatasetPlan;
}

/** `ZipDataset`: one element of each input, components concatenated. */
export interface ZipPlan {
  readonly op: "zip";
  readonly inputs: readonly DatasetPlan[];
}

/** `CacheDatasetV2` (in memory): the first complete pass is recorded and replayed. */
export interface CachePlan {
  readonly op: "cache";
  readonly input: DatasetPlan;
}

/** `PaddedBatchDatasetV2`: batches, padding each component (see assembly/datasets/padded-batch.ts). */
export interface PaddedBatchPlan {
  readonly op: "paddedBatch";
  readonly input: DatasetPlan;
  readonly batchSize: bigint;
  readonly dropRemainder: boolean;
  /** Per component `[rank, ...dims]`, concatenated; `-1` dims pad to the batch's largest. */
  readonly paddedShapes: readonly number[];
  /** One scalar per component (a serialized UncompressedElement). */
  readonly paddingValues: Uint8Array;
}

/** `UnbatchDataset`: splits each element along its leading axis. */
export interface UnbatchPlan {
  readonly op: "unbatch";
  readonly input: DatasetPlan;
}

/** `RebatchDatasetV2`: regroups the rows of input batches into batches of `batchSizes` (cycled). */
export interface RebatchPlan {
  readonly op: "rebatch";
  readonly input: DatasetPlan;
  readonly batchSizes: readonly number[];
  readonly dropRemainder: boolean;
  /** Output dtypes and shapes (`[rank, ...dims]` per component, rank -1 unknown): empty batches for size 0. */
  readonly dtypes: readonly number[];
  readonly shapes: readonly number[];
}

/** `WindowDataset`: windows of `size` elements `stride` apart, every `shift`; elements are datasets. */
export interface WindowPlan {
  readonly op: "window";
  readonly input: DatasetPlan;
  readonly size: bigint;
  readonly shift: bigint;
  readonly stride: bigint;
  readonly dropRemainder: boolean;
}

/**
 * A source (`range`, `tensorSlice` or `tensor`) whose elements come from the splits of split
 * provider `provider` (an id from `Core.openSplitProvider`, in the same core instance) instead of
 * its own positions: DYNAMIC sharding (src/core/splits.ts).
 */
export interface SplitSourcePlan {
  readonly op: "splitSource";
  readonly input: DatasetPlan;
  readonly provider: number;
}
