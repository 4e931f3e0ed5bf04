/**
 * The golden corpus, TypeScript side: each pipeline of `scripts/tf/gen_golden_corpus.py`, under
 * the same name, written with our API and the same meaning. The golden suites compare what these
 * build and yield with what TF 2.21 built and yielded for the Python twin (fixtures in
 * `test/fixtures/golden/`).
 *
 * Spelling rules (so both sides build the same graph): each traced call is the TF Python spelling
 * documented in `src/graph/trace/ops/*.ts` (`x.mul(2)` is `x * 2`, `tf.sub(10, x)` is `10 - x`,
 * `x.index(":", "1:")` is `x[:, 1:]`); where Python writes a float literal with no tensor to take
 * its dtype from (`tf.range(0.5, 2.0)`), JS writes `tf.float(2)`; JS arrays of numbers follow
 * Python lists (int32 when all integer-valued, else float32); typed arrays and `Tensor`s follow
 * numpy arrays (their dtype is kept).
 */
import { DType } from "../../src/core/dtype.js";
import { Tensor } from "../../src/core/tensor.js";
import * as tf from "../../src/graph/trace/index.js";
import { D, tuple, type GoldenDataset, type T } from "./api.js";

/** AUTOTUNE, as TF's `tf.data.AUTOTUNE`. */
const AUTOTUNE = -1;

// Shared input values (scripts/tf/gen_golden_corpus.py spells the same values).
const INT8 = (): Int8Array => Int8Array.of(-128, -7, 0, 5, 127, 3);
const INT16 = (): Int16Array => Int16Array.of(-32768, -300, 0, 7, 32767, 12);
const INT32 = (): Int32Array => Int32Array.of(-2147483648, -5, 0, 9, 2147483647, 100);
const INT64 = (): BigInt64Array => BigInt64Array.of(-(2n ** 63n), -5n, 0n, 2n ** 40n + 3n, 2n ** 63n - 1n, 6n);
const UINT8 = (): Uint8Array => Uint8Array.of(0, 1, 127, 200, 255, 9);
const UINT16 = (): Uint16Array => Uint16Array.of(0, 1, 300, 40000, 65535, 8);
const UINT32 = (): Uint32Array => Uint32Array.of(0, 1, 70000, 3000000000, 2 ** 32 - 1, 10);
const UINT64 = (): BigUint64Array => BigUint64Array.of(0n, 1n, 2n ** 40n, 2n ** 63n + 5n, 2n ** 64n - 1n, 11n);
const F16 = (): Tensor => Tensor.fromValues([0, -0, 1.5, -2.25, 65504, 2 ** -24, Infinity, NaN], DType.float16);
const BF16 = (): Tensor => Tensor.fromValues([0, -0, 1.5, -2.25, 2 ** 100, 2 ** -120, -Infinity, NaN], DType.bfloat16);
const F32 = (): Float32Array => Float32Array.of(0, -0, 1.5, -2.25, 3.0e38, 1.0e-30, Infinity, -Infinity, NaN);
const F64 = (): Float64Array => Float64Array.of(0, -0, 0.1, -2.25, 1.7e308, 1.0e-300, Infinity, NaN);
/** Subnormals: TF's CPU kernels run with denormals flushed to zero (FTZ/DAZ), in their own pipelines. */
const SUB32 = (): Float32Array => Float32Array.of(1.0e-45, -1.0e-40, 1.1754942e-38, 1.17549435e-38);
const SUB64 = (): Float64Array => Float64Array.of(5.0e-324, -2.0e-310, 2.2250738585072014e-308);
const SUB_BF16 = (): Tensor => Tensor.fromValues([2 ** -130, -(2 ** -133), 2 ** -126], DType.bfloat16);
/** Small floats whose sums and products are exact in every float dtype. */
const FSMALL = [-2.5, -0.5, 0.0, 1.5, 2.25, 3.0, 0.75, -4.0];
const IMAGE = (): Tensor => Tensor.fromValues(Array.from({ length: 48 }, (_, i) => i * 5), DType.uint8, [4, 4, 3]);
const F32M = (): Tensor => Tensor.fromValues([[1, -2, 3], [4, 5, -6]], DType.float32);
const iota = (n: number, dtype: DType, shape: number[]): Tensor =>
  Tensor.fromValues(Array.from({ length: n }, (_, i) => (dtype === DType.int64 ? BigInt(i) : i)), dtype, shape);

type Dict = Record<string, T>;

/** name -> pipeline, the same names as the Python corpus. */
export const CORPUS: Record<string, () => GoldenDataset> = {
  // --- sources ---------------------------------------------------------------------------------
  src_range: () => D.range(10),
  src_range_args: () => D.range(2, 20, 3),
  src_range_negative_step: () => D.range(10, 0, -3),
  src_range_int32: () => D.range(5, { outputType: "int32" }),
  src_range_float32: () => D.range(4, { outputType: "float32" }),
  src_tensors_int: () => D.fromTensors(7),
  src_tensors_float: () => D.fromTensors(2.5),
  src_tensors_bool: () => D.fromTensors(true),
  src_tensors_string: () => D.fromTensors("hello"),
  src_tensors_bigint: () => D.fromTensors(-(2n ** 40n)),
  src_tensors_matrix: () => D.fromTensors([[1, 2, 3], [4, 5, 6]]),
  src_tensors_tuple: () => D.fromTensors(tuple(1, 2.5, "a", true)),
  src_tensors_dict: () => D.fromTensors({ b: [1, 2], a: 3.5 }),
  src_slices_ints: () => D.fromTensorSlices([1, 2, 3, 4]),
  src_slices_floats: () => D.fromTensorSlices([1.5, -2.0, 3.25]),
  src_slices_bools: () => D.fromTensorSlices([true, false, true]),
  src_slices_strings: () => D.fromTensorSlices(["a", "bc", "", " d", "\u00e9t\u00e9"]),
  src_slices_bigints: () => D.fromTensorSlices([1n, -2n, 2n ** 40n, -(2n ** 62n)]),
  src_slices_matrix: () => D.fromTensorSlices([[1, 2], [3, 4], [5, 6]]),
  src_slices_tuple: () => D.fromTensorSlices(tuple([1, 2, 3], ["x", "y", "z"])),
  src_slices_dict: () => D.fromTensorSlices({ label: [0, 1, 0], feat: [[1.5, 2.0], [3.0, 4.5], [5.0, 6.0]] }),
  src_slices_nested: () => D.fromTensorSlices(tuple({ a: [1, 2], b: tuple([true, false], [3.5, 4.5]) }, ["p", "q"])),
  src_slices_typed_uint8: () => D.fromTensorSlices(UINT8()),
  src_slices_string_matrix: () => D.fromTensorSlices([["a", "b"], ["c", "d"], ["e", "f"]]),

  // --- non-function transformations -------------------------------------------------------------
  tr_take: () => D.range(10).take(3),
  tr_take_all: () => D.range(4).take(-1),
  tr_skip: () => D.range(10).skip(7),
  tr_skip_all: () => D.range(5).skip(-1),
  tr_skip_take: () => D.range(20).skip(3).take(5),
  tr_repeat: () => D.range(3).repeat(3),
  tr_repeat_forever_take: () => D.range(3).repeat().take(10),
  tr_repeat_forever: () => D.range(2).repeat(),
  tr_shard: () => D.range(10).shard(3, 1),
  tr_shard_first: () => D.fromTensorSlices(["a", "b", "c", "d", "e"]).shard(2, 0),
  tr_prefetch: () => D.range(5).prefetch(2),
  tr_prefetch_autotune: () => D.range(5).prefetch(AUTOTUNE),
  tr_cache: () => D.range(4).cache().repeat(2),
  tr_concatenate: () => D.range(3).concatenate(D.range(10, 13)),
  tr_concatenate_tuples: () => D.fromTensorSlices(tuple([1, 2], ["a", "b"])).concatenate(D.fromTensors(tuple(3, "c"))),
  tr_zip_tuple: () => D.zip([D.range(3), D.fromTensorSlices(["a", "b", "c", "d"])]),
  tr_zip_dict: () => D.zip({ y: D.range(3, 6), x: D.range(3) }),
  tr_zip_nested: () => D.zip([D.range(2), [D.fromTensors(1.5).repeat(), D.range(5, 8)]]),
  tr_enumerate: () => D.fromTensorSlices(["a", "b", "c"]).enumerate(),
  tr_enumerate_start: () => D.range(3).enumerate(5),
  tr_batch: () => D.range(10).batch(3),
  tr_batch_drop: () => D.range(10).batch(4, true),
  tr_batch_parallel: () => D.range(10).batch(3, { numParallelCalls: 2, deterministic: true }),
  tr_batch_strings: () => D.fromTensorSlices(["a", "b", "c", "d", "e"]).batch(2),
  tr_batch_dict: () => D.fromTensorSlices({ a: [1, 2, 3], b: [[1.5], [2.5], [3.5]] }).batch(2),
  tr_batch_batch: () => D.range(8).batch(2).batch(2),
  tr_padded_batch: () => D.range(1, 5).map((x: T) => tf.range(x)).paddedBatch(2),
  tr_padded_batch_shapes: () => D.range(1, 5).map((x: T) => tf.range(x)).paddedBatch(3, [5], -1n),
  tr_padded_batch_drop: () => D.range(1, 6).map((x: T) => tf.fill([x], x)).paddedBatch(2, undefined, undefined, true),
  tr_padded_batch_tuple: () => D.range(1, 4).map((x: T) => [tf.fill([x], tf.asString(x)), x.cast("float32")])
    .paddedBatch(2, tuple([null], []), tuple("pad", -1.5)),
  tr_unbatch: () => D.fromTensors([[1, 2], [3, 4], [5, 6]]).unbatch(),
  tr_unbatch_tuple: () => D.range(7).map((x: T) => [x, tf.asString(x)]).batch(3).unbatch(),
  tr_rebatch: () => D.range(10).batch(4).rebatch(2),
  tr_rebatch_drop: () => D.range(12).batch(4, true).rebatch(3, true),
  tr_window: () => D.range(7).window(3, 2, 1, true).flatMap((w: GoldenDataset) => w.batch(3)),
  tr_window_stride: () => D.range(10).window(2, 3, 2).flatMap((w: GoldenDataset) => w.batch(2)),
  tr_apply: () => D.range(10).apply((ds) => ds.skip(2).take(3)),
  tr_shuffle_seed: () => D.range(20).shuffle(5, 42),
  tr_shuffle_no_reshuffle: () => D.range(10).shuffle(4, 7, false).repeat(2),
  tr_shuffle_reshuffle: () => D.range(10).shuffle(4, 7, true).repeat(2),
  tr_shuffle_full: () => D.fromTensorSlices(["a", "b", "c", "d", "e", "f"]).shuffle(100, 3),
  tr_shuffle_unseeded: () => D.range(12).shuffle(6),

  // --- function datasets ------------------------------------------------------------------------
  fn_map: () => D.range(5).map((x: T) => x.mul(2).add(1)),
  fn_map_parallel: () => D.range(20).map((x: T) => x.mul(x), { numParallelCalls: 2, deterministic: true }),
  fn_map_autotune: () => D.range(20).map((x: T) => x.sub(3), { numParallelCalls: AUTOTUNE }),
  fn_map_nondeterministic: () => D.range(20).map((x: T) => x.add(100), { numParallelCalls: 2, deterministic: false }),
  fn_map_tuple_args: () => D.fromTensorSlices(tuple([1, 2, 3], [10, 20, 30])).map((a: T, b: T) => a.mul(b).add(1)),
  fn_map_dict: () => D.fromTensorSlices({ a: [1.5, 2.5], b: [3, 4] })
    .map((d: Dict) => ({ sum: d.a.add(d.b.cast("float32")), b: d.b })),
  fn_map_to_tuple: () => D.range(4).map((x: T) => [x, x.mul(10), x.cast("float64")]),
  fn_map_constants: () => D.range(3).map((x: T) => [x, 5, 2.5, "s"]),
  fn_filter: () => D.range(10).filter((x: T) => tf.equal(x.floorMod(2), 0)),
  fn_filter_tuple: () => D.fromTensorSlices(tuple([1, 5, 2, 8], ["a", "b", "c", "d"])).filter((n: T, _s: T) => n.greater(2)),
  fn_filter_dict: () => D.fromTensorSlices({ k: ["x", "y", "x"], v: [1, 2, 3] }).filter((d: Dict) => tf.equal(d.k, "x")),
  fn_flat_map: () => D.range(1, 4).flatMap((x: T) => D.range(x)),
  fn_flat_map_slices: () => D.fromTensors([[1, 2], [3, 4]]).flatMap((x: T) => D.fromTensorSlices(x)),
  fn_interleave: () => D.range(1, 4).interleave((x: T) => D.fromTensors(x).repeat(x), { cycleLength: 2, blockLength: 1 }),
  fn_interleave_block: () => D.range(3).interleave((x: T) => D.range(x.mul(10), x.mul(10).add(4)),
    { cycleLength: 3, blockLength: 2 }),
  fn_interleave_parallel: () => D.range(4).interleave((x: T) => D.range(x, x.add(3)),
    { cycleLength: 2, numParallelCalls: 2, deterministic: true }),
  fn_interleave_nondeterministic: () => D.range(4).interleave((x: T) => D.range(x.mul(5), x.mul(5).add(3)),
    { cycleLength: 4, numParallelCalls: 2, deterministic: false }),
  fn_scan: () => D.range(6).scan(0n, (s: T, x: T) => [s.add(x), s.mul(x)]),
  fn_scan_tuple_state: () => D.fromTensorSlices([1.5, 2.0, -0.5]).scan(
    tuple(Tensor.scalar(0, DType.float32), Tensor.scalar(0, DType.int32)),
    (st: [T, T], x: T) => [[st[0].add(x), st[1].add(1)], st[0].mul(x)]),

  // --- traced ops -------------------------------------------------------------------------------
  op_arith_int64: () => D.range(6).map((x: T) => [x.add(3), x.sub(10), x.mul(x), tf.sub(10, x)]),
  op_arith_float32: () => D.fromTensorSlices(FSMALL)
    .map((x: T) => [x.add(0.5), x.sub(1.25), x.mul(2), x.div(4), tf.div(1, x.add(8))]),
  op_truediv_ints: () => D.fromTensorSlices(Int32Array.of(-7, 0, 5, 9)).map((x: T) => [x.div(3), x.cast("int16").div(4)]),
  op_floordiv_mod_int: () => D.range(-5, 6, 2).map((x: T) => [x.floorDiv(3), x.floorMod(3), x.floorDiv(-2), x.floorMod(-2)]),
  op_floordiv_mod_float: () => D.fromTensorSlices(FSMALL).map((x: T) => [x.floorDiv(1.5), x.floorMod(1.5), x.floorMod(-0.75)]),
  op_neg_abs: () => D.fromTensorSlices(Int32Array.of(-3, 0, 4))
    .map((x: T) => [x.neg(), x.abs(), x.cast("float32").neg(), x.cast("float64").abs()]),
  op_square_sqrt: () => D.fromTensorSlices([0.0, 2.25, 6.25, 1e-6, 4.0])
    .map((x: T) => [x.square(), x.sqrt(), x.mul(4).cast("int32").square()]),
  op_rsqrt: () => D.fromTensorSlices([0.25, 2.0, 3.0, 100.0]).map((x: T) => x.rsqrt()),
  op_exp_log: () => D.fromTensorSlices([0.0, 0.5, 1.0, -3.25, 10.0])
    .map((x: T) => [x.exp(), x.add(4).log(), x.cast("float64").exp()]),
  op_pow_float: () => D.fromTensorSlices([0.5, 1.5, 2.0, 3.0]).map((x: T) => [x.pow(2), x.pow(0.5), tf.pow(2, x)]),
  op_pow_int: () => D.range(5).map((x: T) => [x.pow(3), x.cast("int32").pow(2)]),
  op_maximum_minimum: () => D.range(6).map((x: T) => [x.maximum(2), x.minimum(3), x.cast("float32").maximum(2.5)]),
  op_round_floor_ceil_sign: () => D.fromTensorSlices([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.75, -0.0])
    .map((x: T) => [x.round(), x.floor(), x.ceil(), x.sign()]),
  op_sign_int: () => D.fromTensorSlices(BigInt64Array.of(-9n, 0n, 4n)).map((x: T) => x.sign()),
  op_clip_by_value: () => D.fromTensorSlices(FSMALL)
    .map((x: T) => [x.clipByValue(tf.float(-1), tf.float(1)), x.cast("int32").clipByValue(0, 2)]),
  op_compare: () => D.range(5).map((x: T) => [x.equal(2), x.notEqual(2), x.less(2), x.lessEqual(2), x.greater(2),
    x.greaterEqual(2)]),
  op_compare_broadcast: () => D.fromTensors(F32M()).map((x: T) => [x.greater([0, 1, 2]), x.equal(x.index(0))]),
  op_logic: () => D.range(5).map((x: T) => [x.greater(1).logicalAnd(x.less(4)), x.less(1).logicalOr(x.greater(3)),
    x.greater(2).logicalNot()]),
  op_where: () => D.range(5).map((x: T) => [tf.where(x.greater(2), x, x.neg()), tf.where(x.greater(2), tf.float(1), tf.float(0))]),
  op_where_broadcast: () => D.fromTensors(F32M()).map((x: T) => tf.where(x.greater(2), x, tf.zeros([3]))),
  op_cast: () => D.fromTensorSlices([-2.75, -0.5, 0.0, 1.5, 200.25]).map((x: T) => [x.cast("int32"), x.cast("int64"),
    x.abs().cast("uint8"), x.cast("float16"), x.cast("bfloat16"), x.cast("float64"), x.cast("bool"),
    x.greater(0).cast("int8")]),
  op_cast_ints: () => D.fromTensorSlices(Int32Array.of(-1, 0, 255, 70000)).map((x: T) => [x.cast("uint8"), x.cast("int16"),
    x.cast("uint32"), x.cast("uint64"), x.cast("float32")]),
  op_reshape: () => D.fromTensors(Int32Array.of(0, 1, 2, 3, 4, 5))
    .map((x: T) => [x.reshape([2, 3]), x.reshape([-1, 2]), x.reshape([1, 6, 1])]),
  op_reshape_dynamic: () => D.fromTensorSlices(iota(12, DType.int32, [6, 2])).batch(4)
    .map((x: T) => [x.reshape([-1]), x.reshape([tf.shape(x).index(0), 1, 2])]),
  op_expand_squeeze: () => D.fromTensors(Tensor.fromValues([[1, 2, 3]], DType.float32))
    .map((x: T) => [x.expandDims(0), x.expandDims(-1), x.squeeze(), x.expandDims(2).squeeze([0, 2])]),
  op_stack: () => D.range(4).map((x: T) => [tf.stack([x, x.mul(2), 7]), tf.stack([tf.fill([2], x), tf.fill([2], x.mul(3))], 1)]),
  op_concat: () => D.fromTensors(Tensor.fromValues([[1n, 2n], [3n, 4n]], DType.int64))
    .map((x: T) => [tf.concat([x, x.mul(10)], 0), tf.concat([x, x], -1)]),
  op_getitem: () => D.fromTensors(F32M()).map((x: T) => [x.index(0), x.index(":", "1:"), x.index(tf.ELLIPSIS, "::-1"),
    x.index(tf.NEW_AXIS, 0, 1), x.index(1, -1), x.index("-1:", ":2")]),
  op_strided_slice: () => D.fromTensors(iota(12, DType.int32, [3, 4])).map((x: T) => [
    tf.stridedSlice(x, [0, 0], [3, 4], [2, 3]),
    tf.stridedSlice(x, [1, 0], [0, 3], [1, 1], { beginMask: 1, shrinkAxisMask: 2 })]),
  op_slice: () => D.fromTensors(iota(12, DType.int32, [3, 4])).map((x: T) => [x.slice([0, 1], [2, 2]), x.slice([1, 0], [-1, 3])]),
  op_gather: () => D.fromTensors(Tensor.fromValues([[1, 2, 3], [4, 5, 6]], DType.float32))
    .map((x: T) => [x.gather([1, 0, 1]), x.gather(2, 1), x.gather([[0, 2], [1, 1]], 1)]),
  op_gather_strings: () => D.range(3).map((i: T) => tf.gather(tf.constant(["a", "b", "c", "d"]), [i, i.add(1)])),
  op_transpose: () => D.fromTensors(iota(24, DType.int16, [2, 3, 4])).map((x: T) => [x.transpose(), x.transpose([1, 0, 2])]),
  op_tile: () => D.fromTensors(Tensor.fromValues([[1, 2], [3, 4]], DType.uint8)).map((x: T) => [x.tile([2, 1]), x.tile([1, 3])]),
  op_fill: () => D.range(3).map((x: T) => [tf.fill([2, 3], x), tf.fill([2], 7), tf.fill([x], 1.5)]),
  op_zeros_ones_like: () => D.fromTensors(Tensor.fromValues([[1, -2], [3, 4]], DType.float32))
    .map((x: T) => [tf.zerosLike(x), tf.onesLike(x), tf.zerosLike(x, "int32"), tf.onesLike(x.greater(0))]),
  op_zeros_ones_like_dynamic: () => D.fromTensorSlices(iota(10, DType.int32, [5, 2])).batch(2)
    .map((x: T) => [tf.zerosLike(x), tf.onesLike(x), tf.zerosLike(x, "int64"), tf.onesLike(x, "float32")]),
  op_range: () => D.range(4).map((x: T) => [tf.range(x), tf.range(1, 8, 3), tf.range(0.5, tf.float(2))]),
  op_shape_size: () => D.fromTensorSlices(iota(10, DType.int32, [5, 2])).batch(2)
    .map((x: T) => [tf.shape(x), tf.size(x), tf.size(x, "int64")]),
  op_reduce_sum_mean: () => D.fromTensors(Tensor.fromValues(FSMALL.slice(0, 6), DType.float32, [2, 3]))
    .map((x: T) => [x.sum(), x.sum(1, true), x.mean(0), x.mean([0, 1], true)]),
  op_reduce_max_min_prod: () => D.fromTensors(Tensor.fromValues([[3, -1, 4], [1, -5, 9]], DType.int32))
    .map((x: T) => [x.max(), x.max(1, true), x.min(0), x.prod(), x.prod(-1)]),
  op_reduce_int_mean: () => D.fromTensors(BigInt64Array.of(3n, -1n, 4n, 1n, -5n, 9n, 2n))
    .map((x: T) => [x.mean(), x.sum(undefined, true)]),
  op_reduce_all_any: () => D.fromTensors(F32M()).map((x: T) => [tf.all(x.greater(0)), tf.any(x.greater(4), 1),
    tf.all(x.greater(-3), 0, true), tf.any(x.greater(10))]),
  op_argmax_argmin: () => D.fromTensors(Tensor.fromValues([[1, 7, 3], [9, 5, 9]], DType.float32))
    .map((x: T) => [tf.argMax(x), tf.argMax(x, 1), tf.argMin(x, 1, "int32"), tf.argMin(x, 0)]),
  op_one_hot: () => D.fromTensorSlices(Int32Array.of(0, 2, -1, 4)).map((x: T) => [tf.oneHot(x, 3),
    tf.oneHot(x, 4, { onValue: 5, offValue: -1 }), tf.oneHot(x, 3, { dtype: "int64", axis: 0 })]),
  op_one_hot_vector: () => D.fromTensors(BigInt64Array.of(1n, 0n, 2n)).map((x: T) => [tf.oneHot(x, 3), tf.oneHot(x, 3, { axis: 0 })]),
  op_string_to_number: () => D.fromTensorSlices(["1.5", "-2", "3e2", "0.125", "7"])
    .map((s: T) => [tf.stringToNumber(s), tf.stringToNumber(s, "float64")]),
  op_string_to_int: () => D.fromTensorSlices(["12", "-7", "2147483647"])
    .map((s: T) => [tf.stringToNumber(s, "int32"), tf.stringToNumber(s, "int64")]),
  op_as_string_float: () => D.fromTensorSlices([-2.5, 0.0, 1.0 / 3.0, 1234567.0, 1e-7]).map((x: T) => [tf.asString(x),
    tf.asString(x, { precision: 2 }), tf.asString(x, { scientific: true }), tf.asString(x, { shortest: true })]),
  op_as_string_int: () => D.range(-2, 12, 5).map((x: T) => [tf.asString(x), tf.asString(x, { width: 4, fill: "0" }),
    tf.asString(x.greater(0))]),
  op_string_concat: () => D.fromTensorSlices(["a", "bc"]).map((s: T) => s.add("_x")),

  // --- dtype coverage ---------------------------------------------------------------------------
  dt_int8: () => D.fromTensorSlices(INT8()).map((x: T) => [x.add(1), x.mul(2), x.neg(), x.maximum(0), x.floorDiv(3),
    x.greater(0), tf.stack([x, x]).sum()]).batch(4),
  dt_int16: () => D.fromTensorSlices(INT16()).map((x: T) => [x.sub(1), x.mul(x), x.abs(), x.minimum(5), x.floorMod(7),
    x.cast("float32")]).batch(4),
  dt_int32: () => D.fromTensorSlices(INT32()).map((x: T) => [x.add(x), x.floorDiv(4), x.floorMod(4), x.sign(), x.equal(0),
    x.cast("int64")]).batch(4),
  dt_int64: () => D.fromTensorSlices(INT64()).map((x: T) => [x.add(1), x.sub(1), x.mul(3), x.floorDiv(7), x.floorMod(7),
    x.maximum(-1), x.cast("int32")]).batch(4),
  dt_uint8: () => D.fromTensorSlices(UINT8()).map((x: T) => [x.add(100), x.mul(2), x.floorDiv(3), x.floorMod(3),
    x.minimum(128), x.greaterEqual(127), x.cast("int8")]).batch(4),
  dt_uint16: () => D.fromTensorSlices(UINT16()).map((x: T) => [x.add(1), x.mul(3), x.floorDiv(2), x.maximum(3), x.less(400),
    x.cast("float16")]).batch(4),
  dt_uint32: () => D.fromTensorSlices(UINT32()).map((x: T) => [x.add(7), x.sub(1), x.mul(2), x.minimum(5000), x.notEqual(1),
    x.cast("float64")]).batch(4),
  dt_uint64: () => D.fromTensorSlices(UINT64()).map((x: T) => [x.add(1), x.mul(2), x.maximum(10), x.greater(2 ** 40),
    x.cast("float32")]).batch(4),
  dt_float16: () => D.fromTensorSlices(F16()).map((x: T) => [x.add(1), x.mul(0.5), x.neg(), x.floor(), x.maximum(1),
    x.greater(0), x.cast("float32")]).batch(3),
  dt_bfloat16: () => D.fromTensorSlices(BF16()).map((x: T) => [x.add(1), x.mul(0.5), x.neg(), x.ceil(), x.minimum(1),
    x.less(0), x.cast("float32")]).batch(3),
  dt_float32: () => D.fromTensorSlices(F32()).map((x: T) => [x.add(1), x.sub(x), x.mul(2), x.div(3), x.abs(), x.round(),
    x.equal(x)]).batch(4),
  dt_float64: () => D.fromTensorSlices(F64()).map((x: T) => [x.add(1), x.mul(x), x.div(7), x.floor(), x.sign(),
    x.cast("float32")]).batch(3),
  dt_bool: () => D.fromTensorSlices([true, false, true, true]).map((x: T) => [x.logicalNot(), x.logicalAnd(false),
    x.cast("float32"), x.equal(true)]).batch(3),
  dt_string: () => D.fromTensorSlices(["x", "", "hello", "\u00fcber"]).map((s: T) => [s, s.equal("x"), tf.stack([s, s]),
    s.reshape([1])]).batch(3),
  dt_subnormal_float32: () => D.fromTensorSlices(SUB32()).map((x: T) => [x, x.mul(2), x.add(0), x.mul(tf.float(1e30)),
    x.neg(), x.abs(), x.sign(), x.greater(0), x.cast("float64")]),
  dt_subnormal_float64: () => D.fromTensorSlices(SUB64()).map((x: T) => [x, x.mul(2), x.mul(tf.float(1e300)), x.sign(),
    x.less(0), x.cast("float32")]),
  dt_subnormal_bfloat16: () => D.fromTensorSlices(SUB_BF16()).map((x: T) => [x, x.mul(2), x.add(0), x.mul(tf.float(2 ** 100)),
    x.cast("float32")]),
  dt_half_reduce: () => D.fromTensors(Tensor.fromValues(FSMALL, DType.float16))
    .map((x: T) => [x.sum(), x.max(), x.mean().cast("float32")]),
  dt_bf16_reduce: () => D.fromTensors(Tensor.fromValues(FSMALL, DType.bfloat16))
    .map((x: T) => [x.sum(), x.min(), x.index(":3").prod()]),
  dt_float64_reduce: () => D.fromTensors(Tensor.fromValues(FSMALL, DType.float64, [2, 4]))
    .map((x: T) => [x.sum(0), x.mean(1), tf.argMax(x, 1)]),

  // --- realistic pipelines ----------------------------------------------------------------------
  pipe_map_filter_batch: () => D.range(100).map((x: T) => x.mul(2).add(1)).filter((x: T) => tf.equal(x.floorMod(3), 0)).batch(8),
  pipe_normalize_image: () => D.fromTensors(IMAGE()).repeat(3)
    .map((x: T) => x.cast("float32").div(255).sub([0.485, 0.456, 0.406]).div([0.229, 0.224, 0.225])).batch(2),
  pipe_slices_shuffle_batch: () => D.fromTensorSlices({
    x: iota(60, DType.float32, [30, 2]), y: iota(30, DType.int64, [30]),
  }).shuffle(10, 11).batch(8),
  pipe_text: () => D.fromTensorSlices(["3", "14", "-1", "5"]).map((s: T) => tf.stringToNumber(s))
    .filter((x: T) => x.greater(0)).map((x: T) => tf.asString(x.mul(2), { precision: 1 })).batch(2),
  pipe_enumerate_zip_batch: () => D.zip([D.range(5), D.range(5).map((x: T) => x.cast("float32").mul(0.5))]).enumerate().batch(2),
  pipe_features: () => D.range(6).map((x: T) => ({
    ids: tf.oneHot(x.floorMod(3), 3), len: tf.size(tf.range(x)), pos: x.cast("float32").div(5),
  })).batch(4),
};

/**
 * Pipelines whose TS side cannot be built yet, with the reason, printed loudly by the suites.
 * Must be empty when issue 3 is done.
 */
export const PENDING: Readonly<Record<string, string>> = {};
