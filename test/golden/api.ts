/**
 * The Dataset API the golden corpus is written against, as one typed view of `Dataset`.
 *
 * Why a view: the corpus names every source and transformation of issue 3, and is written while
 * those land one by one. The view types what the corpus calls; at run time it is the real
 * `Dataset` class, so a method that does not exist yet fails its pipeline's tests with a
 * `TypeError` (a failure, never a skip). Once every method has landed the view becomes a plain
 * re-export and the compiler checks the corpus against the real signatures.
 */
import { Dataset } from "../../src/dataset/index.js";
import type { Tensor } from "../../src/core/tensor.js";
import type { SymbolicTensor } from "../../src/graph/trace/index.js";

/** A symbolic tensor inside a traced function. */
export type T = SymbolicTensor;

/** Any value a traced function may return or a source may take. */
type Value = unknown;

/** A user function (arguments are typed at each call site). */
type Fn<R = Value> = (...args: never[]) => R;

/** Options of `map` / `interleave`. */
export interface ParallelOptions {
  readonly numParallelCalls?: number;
  readonly deterministic?: boolean;
  readonly cycleLength?: number;
  readonly blockLength?: number;
}

/** The instance API the corpus uses. */
export interface GoldenDataset {
  readonly elementSpec: Dataset["elementSpec"];
  cardinality(): number;
  toGraphDef(): ReturnType<Dataset["toGraphDef"]>;
  components(): ReturnType<Dataset["components"]>;
  take(count: number | bigint | T): GoldenDataset;
  skip(count: number | bigint | T): GoldenDataset;
  repeat(count?: number | bigint | T): GoldenDataset;
  shard(numShards: number, index: number): GoldenDataset;
  prefetch(bufferSize: number): GoldenDataset;
  cache(): GoldenDataset;
  concatenate(other: GoldenDataset): GoldenDataset;
  enumerate(start?: number | bigint): GoldenDataset;
  batch(size: number, dropRemainder?: boolean | ParallelOptions, options?: ParallelOptions): GoldenDataset;
  paddedBatch(size: number, paddedShapes?: Value, paddingValues?: Value, dropRemainder?: boolean): GoldenDataset;
  unbatch(): GoldenDataset;
  rebatch(size: number, dropRemainder?: boolean): GoldenDataset;
  window(size: number, shift?: number, stride?: number, dropRemainder?: boolean): GoldenDataset;
  shuffle(bufferSize: number, seed?: number, reshuffleEachIteration?: boolean): GoldenDataset;
  apply(fn: (ds: GoldenDataset) => GoldenDataset): GoldenDataset;
  map(fn: Fn, options?: ParallelOptions): GoldenDataset;
  filter(fn: Fn): GoldenDataset;
  flatMap(fn: Fn<GoldenDataset>): GoldenDataset;
  interleave(fn: Fn<GoldenDataset>, options?: ParallelOptions): GoldenDataset;
  scan(initialState: Value, fn: Fn): GoldenDataset;
}

/** The static API the corpus uses. */
export interface GoldenDatasetStatic {
  range(...args: (number | bigint | T | { outputType?: string })[]): GoldenDataset;
  fromTensors(value: Value): GoldenDataset;
  fromTensorSlices(value: Value): GoldenDataset;
  zip(datasets: readonly Value[] | Readonly<Record<string, Value>>): GoldenDataset;
}

/** `Dataset`, typed as the corpus uses it (see the file comment). */
export const D = Dataset as unknown as GoldenDatasetStatic;

/** A TF tuple in a source value (`(a, b)` in Python): a plain JS array is a tensor there. */
export { tuple } from "../../src/dataset/index.js";

/** A core tensor with an explicit dtype (numpy's `np.array(values, dtype)`). */
export type { Tensor };
