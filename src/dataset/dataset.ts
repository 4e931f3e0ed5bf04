/**
 * `Dataset`: TF's `tf.data.Dataset` in TypeScript. A dataset is an immutable description of a
 * pipeline: sources and transformations return new datasets, and each iteration creates a fresh
 * iterator.
 *
 * A dataset built here is a TF GraphDef in waiting: `toGraphDef()` emits the nodes and attrs
 * TF 2.21 emits for the same pipeline, so it can be registered with a TF tf.data service and run
 * by a TF worker. In-process iteration lowers that graph to a core plan and runs it in the wasm
 * core (no element is computed in TS).
 *
 * Datasets without a graph exist too (`Dataset.fromIteratorFactory`): the tf.data service client
 * uses them for `distribute(...)`, whose elements come from remote workers. As in TF, such a
 * dataset cannot be serialized.
 */
import type { GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import { toBinary } from "@bufbuild/protobuf";
import { GraphDefSchema } from "../gen/tensorflow/core/framework/graph_pb.js";
import { getCore, type Core, type CoreDataset } from "../core/core.js";
import { keptPipeline, pipelineComponents } from "../core/parallel/pipeline.js";
import { DType, dtypeName } from "../core/dtype.js";
import { TfDataError } from "../core/errors.js";
import type { DatasetPlan } from "../core/plan.js";
import type { Tensor } from "../core/tensor.js";
import { NUMERIC_DTYPES } from "../graph/component-spec.js";
import { INFINITE_CARDINALITY, UNKNOWN_CARDINALITY } from "../graph/constants.js";
import { defaultDatasetName, GraphBuilder } from "../graph/graph-builder.js";
import { lower } from "../graph/lower.js";
import { batchCardinality, batchSpec, emitBatch } from "../graph/ops/batch.js";
import { emitRange, rangeCardinality } from "../graph/ops/range.js";
import { emitTake, takeCardinality } from "../graph/ops/take.js";
import { checkName, describe, toInt64, type IntLike } from "./arguments.js";
import { componentValue } from "./element-values.js";
import { flattenSpec, formatElementSpec, packElement, type Element, type ElementSpec } from "./structure.js";
import { TensorSpec, toDType, type DTypeLike } from "./tensor-spec.js";
import { filterDataset, type FilterOptions } from "./transformations/filter.js";
import { flatMapDataset, interleaveDataset, type FlatMapOptions, type InterleaveOptions } from "./transformations/flat-map.js";
import { emitEagerlyInTrace, isSymbolic, type IntArg } from "./transformations/in-function.js";
import { mapDataset, type MapFunction, type MapOptions } from "./transformations/map.js";
import { batchWithTensor, rangeWithTensors, takeWithTensor } from "./transformations/tensor-args.js";
import { scanDataset, type ScanOptions } from "./transformations/scan.js";
import { shuffleDataset, type ShuffleOptions } from "./transformations/shuffle.js";
import { fromTensorSlicesParts, fromTensorsParts, type SourceOptions } from "./sources.js";
import {
  cacheDataset, prefetchDataset, repeatDataset, shardDataset, skipDataset, type CacheOptions, type NameOptions,
} from "./transformations/selection.js";
import { concatenateDataset, enumerateDataset, zipDatasets, type DatasetStructure } from "./transformations/combine.js";
import {
  paddedBatchDataset, parallelBatchDataset, rebatchDataset, restructure, unbatchDataset, type PaddedBatchOptions,
} from "./transformations/batching.js";
import { windowDataset, type WindowOptions } from "./transformations/window.js";

export { INFINITE_CARDINALITY, UNKNOWN_CARDINALITY };

/**
 * `tf.data.AUTOTUNE`: as `numParallelCalls` (map, interleave, batch) or a prefetch's buffer size,
 * lets the runtime choose. Example: `ds.map(f, { numParallelCalls: AUTOTUNE }).prefetch(AUTOTUNE)`.
 */
export const AUTOTUNE = -1;

/** Options of `Dataset.range` (TF: `output_type`, `name`). */
export interface RangeOptions {
  /** The element dtype (TF's `output_type`); default int64. */
  readonly outputType?: DTypeLike;
  /** Alias of `outputType`. */
  readonly dtype?: DTypeLike;
  /** The dataset's name (TF's `name`): recorded in the graph's metadata. */
  readonly name?: string;
}

/** Options of `take`. */
export interface TakeOptions {
  readonly name?: string;
}

/** Options of `batch` (TF: `drop_remainder`, `num_parallel_calls`, `deterministic`, `name`). */
export interface BatchOptions {
  readonly dropRemainder?: boolean;
  /** Not supported yet (TF's ParallelBatchDataset). */
  readonly numParallelCalls?: number;
  /** Not supported yet (TF's ParallelBatchDataset). */
  readonly deterministic?: boolean;
  readonly name?: string;
}

/** Emits a dataset's nodes into a graph being built; returns its output node's name. */
export type GraphEmitter = (b: GraphBuilder) => string;

/**
 * What a graph-defined dataset is made of; transformation modules (`src/dataset/transformations/`)
 * read these from their input (`ds._parts()`) and build their result (`Dataset._fromParts()`).
 * @internal
 */
export interface DatasetParts {
  readonly elementSpec: ElementSpec;
  /** TF's cardinality as a bigint (-1n infinite, -2n unknown). */
  readonly cardinality: bigint;
  readonly emit: GraphEmitter;
}

/** Creates the component iterator of a dataset that has no graph. */
export type IteratorFactory = () => AsyncIterator<Tensor[]> | Promise<AsyncIterator<Tensor[]>>;

interface DatasetInit {
  readonly elementSpec: ElementSpec;
  /** TF's cardinality as a bigint (-1n infinite, -2n unknown). */
  readonly cardinality: bigint;
  readonly emit?: GraphEmitter;
  readonly iteratorFactory?: IteratorFactory;
}

function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A tf.data dataset. */
export class Dataset implements AsyncIterable<Element> {
  /** The type of each element (TF's `element_spec`). */
  readonly elementSpec: ElementSpec;
  readonly #cardinality: bigint;
  readonly #emit: GraphEmitter | undefined;
  readonly #iteratorFactory: IteratorFactory | undefined;
  /** The lowered plan, made on first iteration (the dataset is immutable, so it never changes). */
  #plan: DatasetPlan | undefined;
  /** The plan instantiated in the core, kept so later passes continue its state (reshuffling). */
  #kept: { core: Core; dataset: CoreDataset } | undefined;

  private constructor(init: DatasetInit) {
    this.elementSpec = init.elementSpec;
    this.#cardinality = init.cardinality;
    // Inside a flatMap/interleave function, datasets are recorded when created, as in TF.
    this.#emit = init.emit && emitEagerlyInTrace(init.emit);
    this.#iteratorFactory = init.iteratorFactory;
  }

  /**
   * The integers of Python's `range`: `range(stop)`, `range(start, stop)`,
   * `range(start, stop, step)`, each optionally followed by `{ outputType, name }`.
   * Elements are int64 scalars (bigint) unless `outputType` says otherwise.
   *
   * Example: `Dataset.range(2, 10, 3)` yields 2n, 5n, 8n; `Dataset.range(5, { outputType: "int32" })`
   * yields 0..4 as numbers.
   */
  static range(stop: IntArg, options?: RangeOptions): Dataset;
  static range(start: IntArg, stop: IntArg, options?: RangeOptions): Dataset;
  static range(start: IntArg, stop: IntArg, step: IntArg, options?: RangeOptions): Dataset;
  static range(...args: unknown[]): Dataset {
    // Inside the function of flatMap/interleave, arguments may be symbolic tensors.
    if (args.some(isSymbolic)) return rangeWithTensors(args);
    const options: RangeOptions = args.length > 0 && isOptionsObject(args[args.length - 1])
      ? (args.pop() as RangeOptions) : {};
    if (args.length < 1 || args.length > 3) {
      throw new TfDataError("InvalidArgument", "Invalid `args`. The length of `args` should be between 1 and 3 " +
        `but was ${args.length}.`);
    }
    const ints = args.map((a, i) => toInt64(a, args.length === 1 ? "stop" : ["start", "stop", "step"][i]));
    const [start, stop, step] = ints.length === 1 ? [0n, ints[0], 1n] : [ints[0], ints[1], ints[2] ?? 1n];
    if (step === 0n) throw new TfDataError("InvalidArgument", "step must be a non-zero integer.");
    if (options.outputType !== undefined && options.dtype !== undefined && options.outputType !== options.dtype) {
      throw new TfDataError("InvalidArgument", "give the element dtype once: `outputType` and its alias `dtype` differ");
    }
    const outputType = toDType(options.outputType ?? options.dtype ?? DType.int64, "range outputType");
    if (!NUMERIC_DTYPES.includes(outputType)) {
      throw new TfDataError("InvalidArgument", `range outputType must be a real numeric dtype, got ${dtypeName(outputType)}`);
    }
    const metadataName = checkName(options.name) ?? defaultDatasetName("RangeDataset");
    return new Dataset({
      elementSpec: new TensorSpec([], outputType),
      cardinality: rangeCardinality(start, stop, step),
      emit: (b) => emitRange(b, { start, stop, step, outputType, metadataName }),
    });
  }

  /**
   * Internal hook for datasets whose elements come from elsewhere (the tf.data service client's
   * `distribute`): `factory` is called once per iteration and yields flat component lists of
   * `elementSpec`. Such a dataset has no graph: it cannot be serialized or transformed further.
   */
  static fromIteratorFactory(elementSpec: ElementSpec, factory: IteratorFactory,
    options: { cardinality?: number } = {}): Dataset {
    return new Dataset({
      elementSpec,
      cardinality: BigInt(options.cardinality ?? UNKNOWN_CARDINALITY),
      iteratorFactory: factory,
    });
  }

  /** Whether this dataset has a graph (`toGraphDef()` works, it can be registered with a service). */
  get serializable(): boolean {
    return this.#emit !== undefined;
  }

  /** The flat component specs of the elements, in TF's flattening order. */
  get componentSpecs(): TensorSpec[] {
    return flattenSpec(this.elementSpec);
  }

  /**
   * This dataset's parts, for transformation modules; throws (naming `what`) when it has no graph.
   * @internal
   */
  _parts(what: string): DatasetParts {
    return { elementSpec: this.elementSpec, cardinality: this.#cardinality, emit: this.requireGraph(what) };
  }

  /** A dataset made of `parts` (for transformation modules). @internal */
  static _fromParts(parts: DatasetParts): Dataset {
    return new Dataset(parts);
  }

  private requireGraph(what: string): GraphEmitter {
    if (this.#emit === undefined) {
      throw new TfDataError("Unimplemented", `${what} needs a dataset defined by a graph; this one reads its ` +
        "elements from elsewhere (e.g. the tf.data service) and cannot be serialized or transformed");
    }
    return this.#emit;
  }

  /**
   * At most `count` elements of this dataset; a negative count (TF: -1) takes all of them.
   * Example: `Dataset.range(10).take(3)` yields 0n, 1n, 2n.
   */
  take(count: IntArg, options: TakeOptions = {}): Dataset {
    if (isSymbolic(count)) return takeWithTensor(this, count, options);
    const input = this.requireGraph("take()");
    const n = toInt64(count, "take count");
    const spec = this.componentSpecs.map((s) => s.toComponent());
    const metadataName = checkName(options.name) ?? defaultDatasetName("TakeDataset");
    return new Dataset({
      elementSpec: this.elementSpec,
      cardinality: takeCardinality(this.#cardinality, n),
      emit: (b) => emitTake(b, input(b), { count: n, spec, metadataName }),
    });
  }

  /**
   * Stacks `batchSize` consecutive elements along a new leading axis; the last batch is smaller
   * unless `dropRemainder`. Also `batch(batchSize, { dropRemainder, name })`.
   * Example: `Dataset.range(10).batch(3)` yields [0,1,2], [3,4,5], [6,7,8], [9] (int64 Tensors).
   */
  batch(batchSize: IntArg, dropRemainder?: boolean | BatchOptions, options: BatchOptions = {}): Dataset {
    if (isSymbolic(batchSize)) return batchWithTensor(this, batchSize, dropRemainder, options);
    const input = this.requireGraph("batch()");
    let opts = options;
    let drop = false;
    if (isOptionsObject(dropRemainder)) opts = dropRemainder;
    else if (dropRemainder !== undefined) {
      if (typeof dropRemainder !== "boolean") {
        throw new TfDataError("InvalidArgument", `batch dropRemainder must be a boolean, got ${describe(dropRemainder)}`);
      }
      drop = dropRemainder;
    }
    if (opts.dropRemainder !== undefined) drop = opts.dropRemainder;
    const size = toInt64(batchSize, "batchSize");
    if (size <= 0n) throw new TfDataError("InvalidArgument", `Batch size must be greater than zero. (got ${size})`);
    // With numParallelCalls/deterministic TF builds a ParallelBatchDataset (same elements).
    if (opts.numParallelCalls !== undefined || opts.deterministic !== undefined) return parallelBatchDataset(this, size, drop, opts);
    const inputSpec = this.componentSpecs.map((s) => s.toComponent());
    const outSpec = batchSpec(inputSpec, size, drop);
    const metadataName = checkName(opts.name) ?? defaultDatasetName("BatchDatasetV2");
    return new Dataset({
      elementSpec: restructure(this.elementSpec, outSpec),
      cardinality: batchCardinality(this.#cardinality, size, drop),
      emit: (b) => emitBatch(b, input(b), { batchSize: size, dropRemainder: drop, inputSpec, metadataName }),
    });
  }

  /**
   * A dataset of one element, `value` (TF's `from_tensors`). A JS array is a tensor (like a Python
   * list), `tuple(a, b)` a tuple and a plain object a dict; numbers become int32 when all are
   * integers (int64 past int32) and float32 otherwise, bigints int64, booleans bool, strings
   * string; typed arrays and `Tensor`s keep their dtype (see `source-values.ts`).
   * Example: `Dataset.fromTensors(tuple([1, 2], "a"))` yields one element `[Tensor int32 [2], "a" bytes]`.
   */
  static fromTensors(value: unknown, options?: SourceOptions): Dataset {
    return new Dataset(fromTensorsParts(value, options));
  }

  /**
   * One element per row of `value`'s components, sliced along their leading axis (TF's
   * `from_tensor_slices`); values as in `fromTensors`.
   * Example: `Dataset.fromTensorSlices({ x: [1, 2], y: ["a", "b"] })` yields `{ x: 1, y: "a" bytes }`, ...
   */
  static fromTensorSlices(value: unknown, options?: SourceOptions): Dataset {
    return new Dataset(fromTensorSlicesParts(value, options));
  }

  /**
   * Elements made of one element of each dataset, nested as given: `Dataset.zip([a, b])` (or
   * `Dataset.zip(a, b)`) gives tuples, `Dataset.zip({ x: a, y: b })` dicts; it ends with the
   * shortest dataset. A trailing `{ name }` names the dataset.
   */
  static zip(...datasets: (DatasetStructure | NameOptions)[]): Dataset {
    return zipDatasets(datasets);
  }

  /** The elements `count` times (TF's `repeat`); the default -1 repeats forever. */
  repeat(count?: IntArg, options?: NameOptions): Dataset {
    return repeatDataset(this, count, options);
  }

  /** Without the first `count` elements (TF's `skip`); -1 skips all of them. */
  skip(count: IntArg, options?: NameOptions): Dataset {
    return skipDataset(this, count, options);
  }

  /** Every `numShards`-th element starting at `index` (TF's `shard`). */
  shard(numShards: IntArg, index: IntArg, options?: NameOptions): Dataset {
    return shardDataset(this, numShards, index, options);
  }

  /** TF's `prefetch(bufferSize)` (-1 = AUTOTUNE): same elements; TF workers buffer ahead. */
  prefetch(bufferSize: IntArg, options?: NameOptions): Dataset {
    return prefetchDataset(this, bufferSize, options);
  }

  /** Caches the elements in memory on the first full pass (TF's `cache()`; files are not supported). */
  cache(filename?: string | CacheOptions, options?: NameOptions): Dataset {
    return cacheDataset(this, filename, options);
  }

  /** This dataset's elements, then `other`'s (TF's `concatenate`; same structure and dtypes). */
  concatenate(other: Dataset, options?: NameOptions): Dataset {
    return concatenateDataset(this, other, options);
  }

  /** `[index, element]` pairs, index an int64 from `start` (TF's `enumerate`). */
  enumerate(start?: number | bigint, options?: NameOptions): Dataset {
    return enumerateDataset(this, start, options);
  }

  /**
   * Batches elements of different shapes, padding each component (TF's `padded_batch`):
   * `paddedBatch(batchSize, paddedShapes?, paddingValues?, dropRemainder?)` or
   * `paddedBatch(batchSize, { paddedShapes, paddingValues, dropRemainder, name })`. Shapes use
   * `null` (or -1) for "the largest in the batch"; both follow the element's structure.
   * Example: `Dataset.range(1, 4).map((x) => tf.range(x)).paddedBatch(2)` gives [[0, 0], [0, 1]], [[0, 1, 2]].
   */
  paddedBatch(batchSize: IntLike, paddedShapes?: unknown, paddingValues?: unknown, dropRemainder?: boolean,
    options?: PaddedBatchOptions): Dataset {
    const args = [paddedShapes, paddingValues, dropRemainder, options];
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return paddedBatchDataset(this, batchSize, args);
  }

  /** Splits each element along its leading axis into that many elements (TF's `unbatch`). */
  unbatch(options?: NameOptions): Dataset {
    return unbatchDataset(this, options);
  }

  /**
   * Windows of `size` elements (TF's `window`): `window(size, shift = size, stride = 1,
   * dropRemainder = false)` or `window(size, { shift, stride, dropRemainder, name })`. Each element
   * is a nest of datasets (`DatasetSpec`s), consumed in the graph, e.g. `flatMap((w) => w.batch(size))`.
   */
  window(size: IntLike, shift?: IntLike | WindowOptions, stride?: IntLike, dropRemainder?: boolean, options?: NameOptions): Dataset {
    return windowDataset(this, size, [shift, stride, dropRemainder, options]);
  }

  /** Regroups the rows of batches into batches of `batchSize` (TF's `rebatch`; a list cycles). */
  rebatch(batchSize: IntLike | readonly IntLike[], dropRemainder?: boolean, options?: NameOptions): Dataset {
    return rebatchDataset(this, batchSize, dropRemainder, options);
  }

  /**
   * Applies `fn` to each element (TF's `map`): `fn` is traced once with symbolic tensors (a tuple
   * element is spread into arguments) and may return tensors, JS constants, tuples or dicts.
   * Example: `Dataset.range(5).map((x) => x.mul(2).add(1))`.
   */
  map(fn: MapFunction, options?: MapOptions): Dataset {
    return mapDataset(this, fn, options);
  }

  /** Keeps the elements for which `predicate` returns a true scalar bool (TF's `filter`). */
  filter(predicate: MapFunction, options?: FilterOptions): Dataset {
    return filterDataset(this, predicate, options);
  }

  /** Maps each element to a dataset and concatenates them (TF's `flat_map`). Example: `ds.flatMap((x) => Dataset.range(x))`. */
  flatMap(fn: MapFunction, options?: FlatMapOptions): Dataset {
    return flatMapDataset(this, fn, options);
  }

  /** Maps each element to a dataset and interleaves them (TF's `interleave`). */
  interleave(fn: MapFunction, options?: InterleaveOptions): Dataset {
    return interleaveDataset(this, fn, options);
  }

  /** Carries a state through the elements (TF's `scan`): `fn(state, element)` returns `[newState, output]`. */
  scan(initialState: unknown, fn: MapFunction, options?: ScanOptions): Dataset {
    return scanDataset(this, initialState, fn, options);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements, in TF's exact order for a given seed (TF's
   * `shuffle`): `shuffle(bufferSize, seed?, reshuffleEachIteration?)` or `shuffle(bufferSize, { seed, ... })`.
   */
  shuffle(bufferSize: IntLike, seed?: IntLike | null | ShuffleOptions, reshuffleEachIteration?: boolean): Dataset {
    return shuffleDataset(this, bufferSize, seed, reshuffleEachIteration);
  }

  /**
   * Applies a transformation function: `ds.apply(f)` is `f(ds)` (TF's `apply`), which lets
   * transformations defined elsewhere chain, e.g. `ds.apply(distribute({...}))`.
   */
  apply(transformation: (dataset: Dataset) => Dataset): Dataset {
    const out = transformation(this);
    if (!(out instanceof Dataset)) {
      throw new TfDataError("InvalidArgument", `\`transformation\` must return a Dataset, got ${describe(out)}`);
    }
    return out;
  }

  /**
   * The number of elements, as TF's `cardinality()`: `INFINITE_CARDINALITY` (-1) or
   * `UNKNOWN_CARDINALITY` (-2) when not a count. Numbers past 2^53 lose precision.
   */
  cardinality(): number {
    return Number(this.#cardinality);
  }

  /** The dataset's GraphDef, node for node what TF 2.21 serializes for the same pipeline. */
  toGraphDef(): GraphDef {
    const emit = this.requireGraph("toGraphDef()");
    const b = new GraphBuilder();
    return b.finish(emit(b));
  }

  /** Alias of `toGraphDef()`. */
  graphDef(): GraphDef {
    return this.toGraphDef();
  }

  /** The serialized GraphDef (TF's `_as_serialized_graph()`). */
  serializeGraph(): Uint8Array {
    return toBinary(GraphDefSchema, this.toGraphDef());
  }

  /** Flat component lists, one per element, from a fresh iterator (graph -> core plan, or the factory). */
  async *components(): AsyncGenerator<Tensor[], void, undefined> {
    if (this.#iteratorFactory !== undefined) {
      const it = await this.#iteratorFactory();
      // As `for await`: return() the source only when the consumer stops early, not after it
      // ended or failed by itself.
      let finished = false;
      try {
        for (;;) {
          let r: IteratorResult<Tensor[]>;
          try {
            r = await it.next();
          } catch (e) {
            finished = true;
            throw e;
          }
          if (r.done) {
            finished = true;
            return;
          }
          yield r.value;
        }
      } finally {
        if (!finished) await it.return?.();
      }
    }
    // Lowering validates the whole graph before the first element is produced. In-process, maps
    // run as written: only those given numParallelCalls are parallel (TF's map_parallelization
    // rewrite applies on workers, where per-element RPC work hides the runner's local overhead).
    const plan = (this.#plan ??= lower(this.toGraphDef(), { mapParallelization: false }).plan);
    // A parallel map or a prefetch runs in threads where the runtime has them (src/core/parallel).
    const parallel = await keptPipeline(plan);
    if (parallel !== null) {
      yield* pipelineComponents(parallel);
      return;
    }
    const core = await getCore();
    if (this.#kept?.core !== core) this.#kept = { core, dataset: core.createDataset(plan) };
    const it = this.#kept.dataset.createIterator();
    try {
      for (let c = it.next(); c !== null; c = it.next()) yield c;
    } finally {
      it.close();
    }
  }

  /** Iterates the elements (`for await (const x of ds)`); each loop gets a fresh iterator. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Element, void, undefined> {
    const specs = this.componentSpecs;
    for await (const comps of this.components()) {
      if (comps.length !== specs.length) {
        throw new TfDataError("Internal", `expected elements of ${specs.length} components ` +
          `(${formatElementSpec(this.elementSpec)}), got ${comps.length}`);
      }
      yield packElement(this.elementSpec, comps.map(componentValue));
    }
  }

  /** All elements in an array. Example: `await Dataset.range(3).toArray()` is `[0n, 1n, 2n]`. */
  async toArray(): Promise<Element[]> {
    const out: Element[] = [];
    for await (const e of this) out.push(e);
    return out;
  }

  /** `<Dataset element_spec=TensorSpec(...)>`, as TF prints datasets. */
  toString(): string {
    return `<Dataset element_spec=${formatElementSpec(this.elementSpec)}>`;
  }
}
