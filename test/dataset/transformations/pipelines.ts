/**
 * The pipelines of `scripts/tf/gen_dataset_fixtures.py`, written with our API under the same
 * names. Spelling: a Python list is a JS array, a Python tuple `tuple(...)`, a dict a plain
 * object; numpy arrays are typed arrays or `Tensor`s of the same dtype; AUTOTUNE is -1.
 */
import { DType } from "../../../src/core/dtype.js";
import { Tensor } from "../../../src/core/tensor.js";
import { Dataset as D, tuple } from "../../../src/dataset/index.js";

const AUTOTUNE = -1;

const raggedInts = () => D.fromTensors([1, 2]).concatenate(D.fromTensors([3, 4, 5])).concatenate(D.fromTensors([6]));
const raggedStrings = () => D.fromTensors(["a"]).concatenate(D.fromTensors(["bb", "c"])).concatenate(D.fromTensors(["d", "e", "f"]));
const raggedMatrices = () => D.fromTensors(Tensor.fromValues([[1, 1]], DType.float32))
  .concatenate(D.fromTensors(Tensor.fromValues([[2], [2]], DType.float32)));

/** name -> pipeline (same names as the Python generator). */
export const PIPELINES: Record<string, () => D> = {
  // --- fromTensors ---
  ft_int: () => D.fromTensors(7),
  ft_float: () => D.fromTensors(2.5),
  ft_bool: () => D.fromTensors(true),
  ft_string: () => D.fromTensors("hello"),
  ft_int64_number: () => D.fromTensors(2 ** 40),
  ft_int64: () => D.fromTensors(-5n),
  ft_matrix: () => D.fromTensors([[1, 2, 3], [4, 5, 6]]),
  ft_mixed_list: () => D.fromTensors([1, 2.5]),
  ft_int_list_big: () => D.fromTensors([1, 2 ** 40]),
  ft_tuple: () => D.fromTensors(tuple(1, 2.5, "a", true)),
  ft_dict: () => D.fromTensors({ b: [1, 2], a: 3.5 }),
  ft_nested: () => D.fromTensors(tuple({ x: [1.5], y: tuple(true, "s") }, [[1], [2]])),
  ft_empty_list: () => D.fromTensors([]),
  ft_uint16: () => D.fromTensors(Uint16Array.of(1, 2, 65535)),
  ft_float16: () => D.fromTensors(Tensor.fromValues([1.5, -2.0, 65504.0], DType.float16)),
  ft_float16_scalar: () => D.fromTensors(Tensor.scalar(0.5, DType.float16)),
  ft_uint64_scalar: () => D.fromTensors(Tensor.scalar(2n ** 64n - 1n, DType.uint64)),
  ft_one_string: () => D.fromTensors(["only"]),
  ft_named: () => D.fromTensors(1, { name: "my_source" }),
  // --- fromTensorSlices ---
  fts_ints: () => D.fromTensorSlices([1, 2, 3, 4]),
  fts_floats: () => D.fromTensorSlices([1.5, -2.0, 3.25]),
  fts_strings: () => D.fromTensorSlices(["a", "bc", "", " d", "\u00e9t\u00e9"]),
  fts_bools: () => D.fromTensorSlices([true, false, true]),
  fts_int64: () => D.fromTensorSlices(BigInt64Array.of(1n, -2n, 2n ** 40n, -(2n ** 62n))),
  fts_matrix: () => D.fromTensorSlices([[1, 2], [3, 4], [5, 6]]),
  fts_tuple: () => D.fromTensorSlices(tuple([1, 2, 3], ["x", "y", "z"])),
  fts_dict: () => D.fromTensorSlices({ label: [0, 1, 0], feat: [[1.5, 2.0], [3.0, 4.5], [5.0, 6.0]] }),
  fts_nested: () => D.fromTensorSlices(tuple({ a: [1, 2], b: tuple([true, false], [3.5, 4.5]) }, ["p", "q"])),
  fts_uint8: () => D.fromTensorSlices(Uint8Array.of(0, 1, 127, 200, 255)),
  fts_float64: () => D.fromTensorSlices(Float64Array.of(0.1, -2.25, 1e300)),
  fts_empty: () => D.fromTensorSlices(new Tensor(DType.float32, [0, 2], new Float32Array(0))),
  fts_string_matrix: () => D.fromTensorSlices([["a", "b"], ["c", "d"], ["e", "f"]]),
  fts_single_row: () => D.fromTensorSlices(["x"]),
  fts_large: () => D.fromTensorSlices(new Tensor(DType.float32, [25, 4], Float32Array.from({ length: 100 }, (_, i) => i))),
  // --- repeat / skip / shard / prefetch / cache ---
  repeat_3: () => D.range(3).repeat(3),
  repeat_forever_take: () => D.range(3).repeat().take(7),
  repeat_forever: () => D.range(2).repeat(),
  repeat_zero: () => D.range(3).repeat(0),
  repeat_empty_forever: () => D.range(0).repeat(),
  repeat_tuple: () => D.fromTensorSlices(tuple([1, 2], ["a", "b"])).repeat(2),
  skip_2: () => D.range(5).skip(2),
  skip_all: () => D.range(5).skip(-1),
  skip_past_end: () => D.range(3).skip(10),
  skip_infinite: () => D.range(3).repeat().skip(4),
  shard_3_1: () => D.range(10).shard(3, 1),
  shard_strings: () => D.fromTensorSlices(["a", "b", "c", "d", "e"]).shard(2, 0),
  shard_more_than_elements: () => D.range(3).shard(5, 4),
  prefetch_2: () => D.range(5).prefetch(2),
  prefetch_autotune: () => D.range(5).prefetch(AUTOTUNE),
  cache_repeat: () => D.range(4).cache().repeat(2),
  cache_dict: () => D.fromTensorSlices({ k: ["x", "y"], v: [1, 2] }).cache(),
  // --- concatenate / zip / enumerate ---
  concat: () => D.range(3).concatenate(D.range(10, 13)),
  concat_shapes: () => D.fromTensors([1, 2]).concatenate(D.fromTensors([1, 2, 3])),
  concat_tuples: () => D.fromTensorSlices(tuple([1, 2], ["a", "b"])).concatenate(D.fromTensors(tuple(3, "c"))),
  concat_infinite: () => D.range(2).concatenate(D.range(5).repeat()).take(6),
  zip_tuple: () => D.zip([D.range(3), D.fromTensorSlices(["a", "b", "c", "d"])]),
  zip_dict: () => D.zip({ y: D.range(3, 6), x: D.range(3) }),
  zip_nested: () => D.zip([D.range(2), [D.fromTensors(1.5).repeat(), D.range(5, 8)]]),
  zip_one_tuple: () => D.zip([D.range(2)]),
  zip_varargs: () => D.zip(D.range(2), D.range(3, 6)),
  zip_structured_inputs: () => D.zip([D.fromTensorSlices({ a: [1, 2] }), D.fromTensorSlices(tuple([1.5, 2.5], ["u", "v"]))]),
  enumerate: () => D.fromTensorSlices(["a", "b", "c"]).enumerate(),
  enumerate_start: () => D.range(3).enumerate(5),
  enumerate_dict: () => D.fromTensorSlices({ v: [1.5, 2.5] }).enumerate(),
  // --- batch with numParallelCalls / paddedBatch / unbatch / rebatch ---
  pbatch: () => D.range(10).batch(3, { numParallelCalls: 2, deterministic: true }),
  pbatch_autotune_drop: () => D.range(10).batch(4, true, { numParallelCalls: AUTOTUNE }),
  pbatch_nondeterministic: () => D.range(7).batch(2, { numParallelCalls: 2, deterministic: false }),
  pbatch_dict: () => D.fromTensorSlices({ a: [1, 2, 3], b: ["x", "y", "z"] }).batch(2, { numParallelCalls: 1 }),
  batch_tuple_strings: () => D.fromTensorSlices(tuple(["a", "b", "c"], [[1.5], [2.5], [3.5]])).batch(2),
  padded: () => raggedInts().paddedBatch(2),
  padded_shapes_values: () => raggedInts().paddedBatch(2, [5], -1),
  padded_drop: () => raggedInts().paddedBatch(2, undefined, undefined, true),
  padded_strings: () => raggedStrings().paddedBatch(3, undefined, "<pad>"),
  padded_matrices: () => raggedMatrices().paddedBatch(2, [null, 3], -1),
  padded_tuple: () => D.zip([raggedInts(), D.fromTensorSlices([1.5, 2.5, 3.5])]).paddedBatch(2, tuple([4], []), tuple(9, 0.0)),
  padded_dict: () => D.zip({ s: raggedStrings(), n: raggedInts() }).paddedBatch(2),
  padded_static: () => D.fromTensorSlices([[1, 2], [3, 4], [5, 6]]).paddedBatch(2),
  unbatch: () => D.fromTensors([[1, 2], [3, 4], [5, 6]]).unbatch(),
  unbatch_known: () => D.range(8).batch(4, true).unbatch(),
  unbatch_unknown: () => D.range(7).batch(3).unbatch(),
  unbatch_tuple: () => D.fromTensorSlices(tuple([[1, 2], [3, 4], [5, 6]], ["a", "b", "c"])).batch(2).unbatch(),
  unbatch_dict: () => D.fromTensors({ b: [1, 2], a: tuple([1.5, 2.5], ["x", "y"]) }).unbatch(),
  rebatch: () => D.range(10).batch(4).rebatch(3),
  rebatch_drop: () => D.range(12).batch(4, true).rebatch(3, true),
  rebatch_list: () => D.range(10).batch(4).rebatch([1, 2]),
  rebatch_static: () => D.range(8).batch(4, true).rebatch(2),
  rebatch_tuple: () => D.fromTensorSlices(tuple(BigInt64Array.from({ length: 10 }, (_, i) => BigInt(i)),
    Array.from({ length: 10 }, (_, i) => String(i)))).batch(3).rebatch(4),
  // --- chains ---
  chain: () => D.range(20).skip(2).shard(2, 1).repeat(2).take(8).prefetch(1),
  chain_nested: () => D.zip([D.range(6), D.fromTensorSlices(["a", "b", "c", "d", "e", "f"])]).batch(2).unbatch()
    .enumerate().cache().repeat(2),
};

/** Pipelines whose elements are datasets (`window`): graph, spec and cardinality are compared. */
export const GRAPH_ONLY_PIPELINES: Record<string, () => D> = {
  window_graph: () => D.range(7).window(3, 2, 1, true),
  window_graph_defaults: () => D.range(5).window(2),
  window_graph_nested: () => D.fromTensorSlices(tuple({ a: [1, 2, 3] }, ["x", "y", "z"])).window(2, { stride: 2 }),
  window_graph_infinite: () => D.range(3).repeat().window(4, 1),
};

/** The `err_*` pipelines: building them must throw, or iterating them must fail, as in TF. */
export const ERROR_PIPELINES: Record<string, () => D> = {
  err_shard_index: () => D.range(4).shard(2, 2),
  err_shard_zero: () => D.range(4).shard(0, 0),
  err_shard_negative: () => D.range(4).shard(2, -1),
  err_slices_scalar: () => D.fromTensorSlices(1),
  err_slices_dims: () => D.fromTensorSlices(tuple([1, 2], [1, 2, 3])),
  err_slices_ragged: () => D.fromTensorSlices([[1, 2], [3]]),
  err_unbatch_scalar: () => D.range(3).unbatch(),
  err_unbatch_static_dims: () => D.fromTensors(tuple([1, 2], [1, 2, 3])).unbatch(),
  err_unbatch_runtime: () => D.zip([raggedInts(), raggedInts().skip(1)]).unbatch(),
  err_padded_too_small: () => raggedInts().paddedBatch(2, [2]),
  err_padded_rank: () => D.range(4).paddedBatch(2, [2]),
  err_padded_static_small: () => D.fromTensors([1, 2, 3]).paddedBatch(2, [2]),
  err_batch_zero: () => D.range(3).batch(0),
  err_prefetch_negative: () => D.range(3).prefetch(-5),
  err_concat_types: () => D.range(3).concatenate(D.fromTensors(1.5)),
  err_concat_structure: () => D.range(3).concatenate(D.zip([D.range(1), D.range(1)])),
  err_empty_tuple: () => D.fromTensorSlices(tuple()),
  err_window_size: () => D.range(3).window(0),
  err_window_shift: () => D.range(3).window(2, 0),
};
