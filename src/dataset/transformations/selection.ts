/**
 * `repeat`, `skip`, `shard`, `prefetch` and `cache`: transformations that keep the element type
 * and only choose, repeat or buffer elements. Count arguments may be symbolic int64 tensors inside
 * the function of `flatMap` / `interleave` (the cardinality is then unknown).
 */
import { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { UNKNOWN_CARDINALITY } from "../../graph/constants.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { emitCache, nextMemoryCacheName } from "../../graph/ops/cache.js";
import { emitPrefetch } from "../../graph/ops/prefetch.js";
import {
  emitCounted, emitShard, repeatCardinality, shardArgsError, shardCardinality, skipCardinality,
} from "../../graph/ops/selection.js";
import { checkName, toInt64 } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { flattenSpec } from "../structure.js";
import { isSymbolic, scalarInput, type IntArg } from "./in-function.js";

/** Options of these transformations (TF: `name`). */
export interface NameOptions {
  readonly name?: string;
}

const UNKNOWN = BigInt(UNKNOWN_CARDINALITY);

function countArg(v: unknown, what: string): bigint | IntArg {
  return isSymbolic(v) ? v : toInt64(v, what);
}

function componentSpec(ds: Dataset) {
  return flattenSpec(ds.elementSpec).map((s) => s.toComponent());
}

/** `ds.repeat(count)`: the elements `count` times; -1 (the default) forever. */
export function repeatDataset(ds: Dataset, count: IntArg = -1, options: NameOptions = {}): Dataset {
  const input = ds._parts("repeat()");
  const n = countArg(count, "repeat count");
  const spec = componentSpec(ds);
  const metadataName = checkName(options.name) ?? defaultDatasetName("RepeatDataset");
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: typeof n === "bigint" ? repeatCardinality(input.cardinality, n) : UNKNOWN,
    emit: (b) => {
      const node = input.emit(b);
      return emitCounted(b, "RepeatDataset", node, { count: scalarInput(b, DType.int64, n), spec, metadataName });
    },
  });
}

/** `ds.skip(count)`: without the first `count` elements; -1 skips all of them. */
export function skipDataset(ds: Dataset, count: IntArg, options: NameOptions = {}): Dataset {
  const input = ds._parts("skip()");
  const n = countArg(count, "skip count");
  const spec = componentSpec(ds);
  const metadataName = checkName(options.name) ?? defaultDatasetName("SkipDataset");
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: typeof n === "bigint" ? skipCardinality(input.cardinality, n) : UNKNOWN,
    emit: (b) => {
      const node = input.emit(b);
      return emitCounted(b, "SkipDataset", node, { count: scalarInput(b, DType.int64, n), spec, metadataName });
    },
  });
}

/**
 * `ds.shard(numShards, index)`: elements `index`, `index + numShards`, ... Bad arguments fail at
 * once with TF's messages (TF checks them when the dataset is created).
 */
export function shardDataset(ds: Dataset, numShards: IntArg, index: IntArg, options: NameOptions = {}): Dataset {
  const input = ds._parts("shard()");
  const n = countArg(numShards, "shard numShards");
  const i = countArg(index, "shard index");
  if (typeof n === "bigint" && typeof i === "bigint") {
    const bad = shardArgsError(n, i);
    if (bad) throw new TfDataError("InvalidArgument", bad);
  }
  const spec = componentSpec(ds);
  const metadataName = checkName(options.name) ?? defaultDatasetName("ShardDataset");
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: typeof n === "bigint" && typeof i === "bigint" ? shardCardinality(input.cardinality, n, i) : UNKNOWN,
    emit: (b) => {
      const node = input.emit(b);
      const numShardsNode = scalarInput(b, DType.int64, n);
      const indexNode = scalarInput(b, DType.int64, i);
      return emitShard(b, node, { numShards: numShardsNode, index: indexNode, spec, metadataName });
    },
  });
}

/**
 * `ds.prefetch(bufferSize)` (-1 = AUTOTUNE). In-process iteration computes elements on demand, so
 * this changes no element; the node is emitted for TF workers, which do prefetch.
 */
export function prefetchDataset(ds: Dataset, bufferSize: IntArg, options: NameOptions = {}): Dataset {
  const input = ds._parts("prefetch()");
  const n = countArg(bufferSize, "prefetch bufferSize");
  if (typeof n === "bigint" && n < -1n) {
    throw new TfDataError("InvalidArgument", "buffer_size must be >= 0 or set buffer_size to be -1 for auto-tuning");
  }
  const spec = componentSpec(ds);
  const metadataName = checkName(options.name) ?? defaultDatasetName("PrefetchDataset");
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: input.cardinality,
    emit: (b) => {
      const node = input.emit(b);
      const size = scalarInput(b, DType.int64, n);
      return emitPrefetch(b, node, { bufferSize: size, autotune: n === -1n, spec, metadataName });
    },
  });
}

/** Options of `cache` (TF: `filename`, `name`). */
export interface CacheOptions extends NameOptions {
  /** Only "" (in memory) is supported. */
  readonly filename?: string;
}

/**
 * `ds.cache()`: in memory. The first iteration that reaches the end records the elements; later
 * passes within the same iteration (e.g. `cache().repeat(2)`) replay them. Each new iteration of
 * the dataset (`for await`, `toArray()`) starts with an empty cache, as a fresh TF iterator of a
 * graph loaded by a worker does.
 */
export function cacheDataset(ds: Dataset, filenameOrOptions: string | CacheOptions = {}, options: NameOptions = {}): Dataset {
  const input = ds._parts("cache()");
  const opts: CacheOptions = typeof filenameOrOptions === "string" ? { ...options, filename: filenameOrOptions } : filenameOrOptions;
  if (opts.filename !== undefined && opts.filename !== "") {
    throw new TfDataError("Unimplemented", `cache("${opts.filename}"): caching to files is not supported; use cache() ` +
      "(in memory)");
  }
  const spec = componentSpec(ds);
  const metadataName = checkName(opts.name) ?? defaultDatasetName("CacheDatasetV2");
  const cacheName = nextMemoryCacheName();
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: input.cardinality,
    emit: (b) => emitCache(b, input.emit(b), { cacheName, spec, metadataName }),
  });
}
