/**
 * The TypeScript twins of scripts/tf/gen_function_dataset_fixtures.py's `CASES`: the same
 * pipelines, same names, written with our Dataset API. Each builder is called once per use (a
 * fresh dataset, as in the generator); cases with a global seed set it around the build, as the
 * generator does with `tf.random.set_seed`.
 */
import { Dataset } from "../../../src/dataset/index.js";
import { tuple } from "../../../src/dataset/source-values.js";
import { setRandomSeed } from "../../../src/dataset/random-seed.js";
import { stack, type SymbolicTensor as T } from "../../../src/graph/trace/index.js";

/** One case: how to build our twin of TF's pipeline. */
export interface FunctionCase {
  readonly build: () => Dataset;
  readonly globalSeed?: number;
}

const D = Dataset;
const AUTOTUNE = -1;

/** The cases by fixture name. */
export const CASES: Readonly<Record<string, FunctionCase>> = {
  // map
  map_arith: { build: () => D.range(5).map((x: T) => x.mul(2).add(1)) },
  map_to_tuple: { build: () => D.range(3).map((x: T) => [x, x]) },
  map_tuple_args: { build: () => D.range(4).map((x: T) => [x, x.add(1)]).map((a: T, b: T) => a.mul(b)) },
  map_to_dict: { build: () => D.range(3).map((x: T) => ({ b: x.mul(10), a: x })) },
  map_dict_arg: {
    build: () => D.range(3).map((x: T) => ({ a: x, b: x.add(1) })).map((d: Record<string, T>) => d.a.add(d.b)),
  },
  map_constants: { build: () => D.range(3).map((x: T) => [x, 5, 2.5, true]) },
  map_cast: { build: () => D.range(4).map((x: T) => x.cast("float32").div(2)) },
  map_parallel: { build: () => D.range(10).map((x: T) => x.add(1), { numParallelCalls: 2, deterministic: true }) },
  map_autotune: { build: () => D.range(10).map((x: T) => x.mul(3), { numParallelCalls: AUTOTUNE }) },
  map_nondeterministic: {
    build: () => D.range(10).map((x: T) => x.sub(1), { numParallelCalls: 3, deterministic: false }),
  },
  map_batch: { build: () => D.range(7).map((x: T) => x.mul(x)).batch(3) },
  // filter
  filter_mod: { build: () => D.range(10).filter((x: T) => x.floorMod(3).equal(0)) },
  filter_tuple: { build: () => D.range(6).map((x: T) => [x, x.mul(x)]).filter((_a: T, b: T) => b.greater(4)) },
  filter_dict: { build: () => D.range(6).map((x: T) => ({ v: x })).filter((d: Record<string, T>) => d.v.less(3)) },
  filter_batch: { build: () => D.range(20).filter((x: T) => x.floorMod(2).equal(0)).batch(3) },
  filter_none: { build: () => D.range(5).filter((x: T) => x.greater(10)) },
  // flat_map
  flat_map_range: { build: () => D.range(1, 4).flatMap((x: T) => D.range(x)) },
  flat_map_nested_map: { build: () => D.range(4).flatMap((x: T) => D.range(x).map((y: T) => y.mul(2))) },
  flat_map_take_batch: { build: () => D.range(5).flatMap((x: T) => D.range(10).take(x).batch(2)) },
  flat_map_start_stop: { build: () => D.range(3).flatMap((x: T) => D.range(x, x.add(3))) },
  flat_map_const: { build: () => D.range(3).flatMap((_x: T) => D.range(2)) },
  flat_map_nested_flat_map: { build: () => D.range(4).flatMap((x: T) => D.range(x).flatMap((y: T) => D.range(y))) },
  flat_map_of_interleave: {
    build: () => D.range(1, 3).flatMap((x: T) => D.range(x, x.add(2)).interleave((y: T) => D.range(y), { cycleLength: 2 })),
  },
  flat_map_two_sources: { build: () => D.range(3).flatMap((x: T) => D.range(x).concatenate(D.range(2))) },
  flat_map_slices: {
    build: () => D.range(3).map((x: T) => stack([x, x.add(1)])).flatMap((v: T) => D.fromTensorSlices(v)),
  },
  interleave_from_tensors_repeat: {
    build: () => D.range(1, 4).interleave((x: T) => D.fromTensors(x).repeat(x), { cycleLength: 2, blockLength: 2 }),
  },
  flat_map_filter_scan: {
    build: () => D.range(5).flatMap((x: T) => D.range(x)).filter((x: T) => x.greater(0)).scan(0n, (s: T, x: T) => [s.add(x), s]),
  },
  // interleave
  interleave_basic: { build: () => D.range(1, 4).interleave((x: T) => D.range(x), { cycleLength: 2 }) },
  interleave_block: {
    build: () => D.range(3).interleave((x: T) => D.range(x.mul(10), x.mul(10).add(4)), { cycleLength: 2, blockLength: 3 }),
  },
  interleave_cycle_1: { build: () => D.range(4).interleave((x: T) => D.range(x), { cycleLength: 1 }) },
  interleave_wide: { build: () => D.range(1, 6).interleave((x: T) => D.range(x), { cycleLength: 4, blockLength: 2 }) },
  interleave_parallel: {
    build: () => D.range(5).interleave((x: T) => D.range(x, x.add(3)),
      { cycleLength: 3, blockLength: 2, numParallelCalls: 2, deterministic: true }),
  },
  interleave_parallel_autotune: {
    build: () => D.range(4).interleave((x: T) => D.range(x), { cycleLength: 2, numParallelCalls: AUTOTUNE }),
  },
  interleave_dynamic_batch: {
    build: () => D.range(1, 4).interleave((x: T) => D.range(10).take(x.mul(2)).batch(x), { cycleLength: 2 }),
  },
  interleave_nondeterministic: {
    build: () => D.range(4).interleave((x: T) => D.range(x.mul(5), x.mul(5).add(3)),
      { cycleLength: 2, numParallelCalls: 2, deterministic: false }),
  },
  // scan
  scan_sum: { build: () => D.range(6).scan(0n, (s: T, x: T) => [s.add(x), s.mul(x)]) },
  scan_tuple_state: {
    build: () => D.range(5).scan(tuple(0n, 1n), (s: T[], x: T) => [[s[0].add(x), s[1].mul(2)], s[0].sub(s[1])]),
  },
  scan_int32_state: { build: () => D.range(4).scan(0, (s: T, x: T) => [s.add(1), x.cast("int32").mul(s)]) },
  // shuffle
  shuffle_seed: { build: () => D.range(20).shuffle(5, 42) },
  shuffle_buffer_1: { build: () => D.range(8).shuffle(1, 5) },
  shuffle_full: { build: () => D.range(10).shuffle(100, 3) },
  shuffle_reshuffle: { build: () => D.range(10).shuffle(4, 7) },
  shuffle_no_reshuffle: { build: () => D.range(10).shuffle(4, 7, false) },
  shuffle_batch: { build: () => D.range(25).shuffle(8, 11).batch(4) },
  shuffle_big_seed: { build: () => D.range(15).shuffle(6, 2n ** 40n + 123n) },
  shuffle_seed_0: { build: () => D.range(12).shuffle(5, 0) },
  shuffle_global_seed: { build: () => D.range(10).shuffle(4), globalSeed: 1234 },
  shuffle_global_and_op_seed: { build: () => D.range(10).shuffle(4, 5), globalSeed: 99 },
  shuffle_map_filter: {
    build: () => D.range(30).map((x: T) => x.mul(x)).shuffle(10, 2).filter((x: T) => x.floorMod(2).equal(0)),
  },
  shuffle_unseeded: { build: () => D.range(12).shuffle(6) },
};

/** The shuffle sweep cases: `shuffle_sweep_n<n>_b<buffer>_s<seed>_<r|f>`, as the generator names them. */
function sweepCase(name: string): FunctionCase | undefined {
  const m = /^shuffle_sweep_n(\d+)_b(\d+)_s(\d+)_([rf])$/.exec(name);
  if (!m) return undefined;
  return { build: () => D.range(Number(m[1])).shuffle(Number(m[2]), BigInt(m[3]), m[4] === "r") };
}

/** Whether the TS side knows case `name`. */
export function hasCase(name: string): boolean {
  return name in CASES || sweepCase(name) !== undefined;
}

/** Builds case `name` (with its global seed set during the build, then cleared). */
export function buildCase(name: string): Dataset {
  const c = CASES[name] ?? sweepCase(name);
  if (!c) throw new Error(`no TS twin for function-dataset case ${name}`);
  if (c.globalSeed === undefined) return c.build();
  setRandomSeed(c.globalSeed);
  try {
    return c.build();
  } finally {
    setRandomSeed(null);
  }
}
