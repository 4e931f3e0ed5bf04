/**
 * `Dataset.shuffle(bufferSize, seed, reshuffleEachIteration)`: TF's `shuffle`, node
 * `ShuffleDatasetV3` with the seeds TF derives (`random-seed.ts`) and the element order TF gives
 * for them (Philox, see assembly/datasets/shuffle.ts). Also `shuffle(bufferSize, { seed,
 * reshuffleEachIteration, name })`.
 */
import { TfDataError } from "../../core/errors.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { emitShuffle, nextSeedGeneratorName } from "../../graph/ops/shuffle.js";
import { checkName, describe, toInt64, type IntLike } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { datasetSeeds } from "../random-seed.js";

/** Options of `shuffle` (TF: `seed`, `reshuffle_each_iteration`, `name`). */
export interface ShuffleOptions {
  /** The op seed (with the global seed of `setRandomSeed`, TF's rules). */
  readonly seed?: IntLike | null;
  /** Draw a new order for every pass over the dataset (default true). */
  readonly reshuffleEachIteration?: boolean;
  readonly name?: string;
}

function isOptions(v: unknown): v is ShuffleOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `ds.shuffle(bufferSize, seed?, reshuffleEachIteration?)` or `ds.shuffle(bufferSize, options)`. */
export function shuffleDataset(ds: Dataset, bufferSize: IntLike, seedOrOptions?: IntLike | null | ShuffleOptions,
  reshuffleEachIteration?: boolean, options: ShuffleOptions = {}): Dataset {
  const opts: ShuffleOptions = isOptions(seedOrOptions)
    ? seedOrOptions
    : { ...options, seed: seedOrOptions ?? options.seed, reshuffleEachIteration: reshuffleEachIteration ?? options.reshuffleEachIteration };
  const input = ds._parts("shuffle()");
  const size = toInt64(bufferSize, "shuffle bufferSize");
  if (size <= 0n) throw new TfDataError("InvalidArgument", `buffer_size must be greater than zero, got ${size}.`);
  const reshuffle = opts.reshuffleEachIteration ?? true;
  if (typeof reshuffle !== "boolean") {
    throw new TfDataError("InvalidArgument", `shuffle reshuffleEachIteration must be a boolean, got ${describe(reshuffle)}`);
  }
  const opSeed = opts.seed === undefined || opts.seed === null ? null : toInt64(opts.seed, "shuffle seed");
  const [seed, seed2] = datasetSeeds(opSeed);
  const seedGenerator = nextSeedGeneratorName();
  const spec = ds.componentSpecs.map((s) => s.toComponent());
  const metadataName = checkName(opts.name) ?? defaultDatasetName("ShuffleDatasetV3");
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: input.cardinality,
    emit: (b) => emitShuffle(b, input.emit(b), {
      bufferSize: size, seed, seed2, reshuffleEachIteration: reshuffle, seedGenerator, spec, metadataName,
    }),
  });
}
