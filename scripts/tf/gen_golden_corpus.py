"""Write the golden corpus fixtures: what TensorFlow 2.21 builds and yields for ~100 pipelines.

Why: issue 3 asks the engine to be equal to TF 2.21, element by element, over every source,
transformation, traced op and dtype it supports. Each pipeline of `CORPUS` below is written a
second time, with the same meaning, in TypeScript (`test/golden/corpus.ts`, same name); the golden
suites (`test/golden/*.test.ts`) check, per pipeline, that
  (a) our Dataset yields TF's elements and builds TF's GraphDef,
  (b) TF's GraphDef, lowered by us, runs in our core and yields TF's elements,
  (c) our GraphDef runs in TF (`DatasetFromGraph`) and yields TF's elements.
This script is the TF side: for each pipeline it records
  * `graph`: `dataset._as_serialized_graph()` (base64), the graph a TF client ships (re-serialized
    with protobuf's deterministic map order: the same message, stable bytes),
  * `spec`: the element_spec (nesting: tuple / dict / tensor; dtype and shape, -1 = unknown dim),
  * `cardinality`: `dataset.cardinality()` (-1 infinite, -2 unknown),
  * `elements`: one list of flat components per element (TF's `tf.nest` order); a component is
    `{dtype, shape, data}` with `data` the raw little-endian bytes (base64; bool as one byte,
    float16/bfloat16 as their 16-bit patterns), or `{dtype: "string", shape, strings}` with each
    string's bytes in base64,
  * `ulp`: float results involve transcendental ops (exp, log, pow, rsqrt): compare within 1 ulp,
  * `order`: "exact", or "multiset" where TF itself does not fix the order (unseeded shuffle,
    `deterministic=False`).
Plus `unsupported.json`: TF graphs using ops the engine lacks, with the op and node an error
must name.

Output (small, committed): `test/fixtures/golden/<name>.json` and `test/fixtures/golden/index.json`.

Regenerate (from the repo root):
    .venv-tf/bin/python scripts/tf/gen_golden_corpus.py
Check that the committed fixtures are what TF writes now (exit 1 if not):
    .venv-tf/bin/python scripts/tf/gen_golden_corpus.py --check
"""

import base64
import json
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import graph_pb2  # noqa: E402

# Autograph cannot read the source of several lambdas on one line and says so, loudly; the
# functions trace the same without it (none has Python control flow).
tf.autograph.set_verbosity(0)
tf.get_logger().setLevel("ERROR")

OUT_DIR = os.path.join("test", "fixtures", "golden")

D = tf.data.Dataset
AUTOTUNE = tf.data.AUTOTUNE
BF16 = tf.bfloat16.as_numpy_dtype

# ---------------------------------------------------------------------------------------------
# Shared input values (the TS corpus spells the same values; keep them in sync).

INT8 = np.array([-128, -7, 0, 5, 127, 3], np.int8)
INT16 = np.array([-32768, -300, 0, 7, 32767, 12], np.int16)
INT32 = np.array([-2147483648, -5, 0, 9, 2147483647, 100], np.int32)
INT64 = np.array([-2**63, -5, 0, 2**40 + 3, 2**63 - 1, 6], np.int64)
UINT8 = np.array([0, 1, 127, 200, 255, 9], np.uint8)
UINT16 = np.array([0, 1, 300, 40000, 65535, 8], np.uint16)
UINT32 = np.array([0, 1, 70000, 3000000000, 2**32 - 1, 10], np.uint32)
UINT64 = np.array([0, 1, 2**40, 2**63 + 5, 2**64 - 1, 11], np.uint64)
F16 = np.array([0.0, -0.0, 1.5, -2.25, 65504.0, 2.0**-24, np.inf, np.nan], np.float16)
BF16V = np.array([0.0, -0.0, 1.5, -2.25, 2.0**100, 2.0**-120, -np.inf, np.nan], BF16)
F32 = np.array([0.0, -0.0, 1.5, -2.25, 3.0e38, 1.0e-30, np.inf, -np.inf, np.nan], np.float32)
F64 = np.array([0.0, -0.0, 0.1, -2.25, 1.7e308, 1.0e-300, np.inf, np.nan], np.float64)
# Subnormals: TF's CPU kernels run with denormals flushed to zero (FTZ/DAZ), in their own pipelines.
SUB32 = np.array([1.0e-45, -1.0e-40, 1.1754942e-38, 1.17549435e-38], np.float32)
SUB64 = np.array([5.0e-324, -2.0e-310, 2.2250738585072014e-308], np.float64)
SUB_BF16 = np.array([2.0**-130, -(2.0**-133), 2.0**-126], BF16)
# Small finite values whose sums and products are exact in every float dtype (reductions then do
# not depend on the summation order).
FSMALL = [-2.5, -0.5, 0.0, 1.5, 2.25, 3.0, 0.75, -4.0]
IMAGE = (np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5)


def f16(values):
    return tf.constant(np.array(values, np.float16))


def bf16(values):
    return tf.constant(np.array(values, np.float32).astype(BF16))


# ---------------------------------------------------------------------------------------------
# The corpus: name -> lambda building the dataset. Names are unique and shared with corpus.ts.
# Prefixes: src_ sources, tr_ transformations, fn_ function datasets, op_ traced ops,
# dt_ dtype coverage, pipe_ realistic pipelines.

CORPUS = {
    # --- sources -----------------------------------------------------------------------------
    "src_range": lambda: D.range(10),
    "src_range_args": lambda: D.range(2, 20, 3),
    "src_range_negative_step": lambda: D.range(10, 0, -3),
    "src_range_int32": lambda: D.range(5, output_type=tf.int32),
    "src_range_float32": lambda: D.range(4, output_type=tf.float32),
    "src_tensors_int": lambda: D.from_tensors(7),
    "src_tensors_float": lambda: D.from_tensors(2.5),
    "src_tensors_bool": lambda: D.from_tensors(True),
    "src_tensors_string": lambda: D.from_tensors("hello"),
    "src_tensors_bigint": lambda: D.from_tensors(np.int64(-(2**40))),
    "src_tensors_matrix": lambda: D.from_tensors([[1, 2, 3], [4, 5, 6]]),
    "src_tensors_tuple": lambda: D.from_tensors((1, 2.5, "a", True)),
    "src_tensors_dict": lambda: D.from_tensors({"b": [1, 2], "a": 3.5}),
    "src_slices_ints": lambda: D.from_tensor_slices([1, 2, 3, 4]),
    "src_slices_floats": lambda: D.from_tensor_slices([1.5, -2.0, 3.25]),
    "src_slices_bools": lambda: D.from_tensor_slices([True, False, True]),
    "src_slices_strings": lambda: D.from_tensor_slices(["a", "bc", "", " d", "\u00e9t\u00e9"]),
    "src_slices_bigints": lambda: D.from_tensor_slices(np.array([1, -2, 2**40, -(2**62)], np.int64)),
    "src_slices_matrix": lambda: D.from_tensor_slices([[1, 2], [3, 4], [5, 6]]),
    "src_slices_tuple": lambda: D.from_tensor_slices(([1, 2, 3], ["x", "y", "z"])),
    "src_slices_dict": lambda: D.from_tensor_slices({"label": [0, 1, 0], "feat": [[1.5, 2.0], [3.0, 4.5], [5.0, 6.0]]}),
    "src_slices_nested": lambda: D.from_tensor_slices(
        ({"a": [1, 2], "b": ([True, False], [3.5, 4.5])}, ["p", "q"])),
    "src_slices_typed_uint8": lambda: D.from_tensor_slices(UINT8),
    "src_slices_string_matrix": lambda: D.from_tensor_slices([["a", "b"], ["c", "d"], ["e", "f"]]),

    # --- non-function transformations ---------------------------------------------------------
    "tr_take": lambda: D.range(10).take(3),
    "tr_take_all": lambda: D.range(4).take(-1),
    "tr_skip": lambda: D.range(10).skip(7),
    "tr_skip_all": lambda: D.range(5).skip(-1),
    "tr_skip_take": lambda: D.range(20).skip(3).take(5),
    "tr_repeat": lambda: D.range(3).repeat(3),
    "tr_repeat_forever_take": lambda: D.range(3).repeat().take(10),
    "tr_repeat_forever": lambda: D.range(2).repeat(),  # infinite: only a prefix is compared
    "tr_shard": lambda: D.range(10).shard(3, 1),
    "tr_shard_first": lambda: D.from_tensor_slices(["a", "b", "c", "d", "e"]).shard(2, 0),
    "tr_prefetch": lambda: D.range(5).prefetch(2),
    "tr_prefetch_autotune": lambda: D.range(5).prefetch(AUTOTUNE),
    "tr_cache": lambda: D.range(4).cache().repeat(2),
    "tr_concatenate": lambda: D.range(3).concatenate(D.range(10, 13)),
    "tr_concatenate_tuples": lambda: D.from_tensor_slices(([1, 2], ["a", "b"])).concatenate(
        D.from_tensors((3, "c"))),
    "tr_zip_tuple": lambda: D.zip((D.range(3), D.from_tensor_slices(["a", "b", "c", "d"]))),
    "tr_zip_dict": lambda: D.zip({"y": D.range(3, 6), "x": D.range(3)}),
    "tr_zip_nested": lambda: D.zip((D.range(2), (D.from_tensors(1.5).repeat(), D.range(5, 8)))),
    "tr_enumerate": lambda: D.from_tensor_slices(["a", "b", "c"]).enumerate(),
    "tr_enumerate_start": lambda: D.range(3).enumerate(start=5),
    "tr_batch": lambda: D.range(10).batch(3),
    "tr_batch_drop": lambda: D.range(10).batch(4, drop_remainder=True),
    "tr_batch_parallel": lambda: D.range(10).batch(3, num_parallel_calls=2, deterministic=True),
    "tr_batch_strings": lambda: D.from_tensor_slices(["a", "b", "c", "d", "e"]).batch(2),
    "tr_batch_dict": lambda: D.from_tensor_slices({"a": [1, 2, 3], "b": [[1.5], [2.5], [3.5]]}).batch(2),
    "tr_batch_batch": lambda: D.range(8).batch(2).batch(2),
    "tr_padded_batch": lambda: D.range(1, 5).map(lambda x: tf.range(x)).padded_batch(2),
    "tr_padded_batch_shapes": lambda: D.range(1, 5).map(lambda x: tf.range(x)).padded_batch(
        3, padded_shapes=[5], padding_values=np.int64(-1)),
    "tr_padded_batch_drop": lambda: D.range(1, 6).map(lambda x: tf.fill([x], x)).padded_batch(
        2, drop_remainder=True),
    "tr_padded_batch_tuple": lambda: D.range(1, 4).map(
        lambda x: (tf.fill([x], tf.strings.as_string(x)), tf.cast(x, tf.float32))).padded_batch(
        2, padded_shapes=([None], []), padding_values=("pad", -1.5)),
    "tr_unbatch": lambda: D.from_tensors([[1, 2], [3, 4], [5, 6]]).unbatch(),
    "tr_unbatch_tuple": lambda: D.range(7).map(lambda x: (x, tf.strings.as_string(x))).batch(3).unbatch(),
    "tr_rebatch": lambda: D.range(10).batch(4).rebatch(2),
    "tr_rebatch_drop": lambda: D.range(12).batch(4, drop_remainder=True).rebatch(3, drop_remainder=True),
    "tr_window": lambda: D.range(7).window(3, shift=2, stride=1, drop_remainder=True).flat_map(
        lambda w: w.batch(3)),
    "tr_window_stride": lambda: D.range(10).window(2, shift=3, stride=2).flat_map(lambda w: w.batch(2)),
    "tr_apply": lambda: D.range(10).apply(lambda ds: ds.skip(2).take(3)),
    "tr_shuffle_seed": lambda: D.range(20).shuffle(5, seed=42),
    "tr_shuffle_no_reshuffle": lambda: D.range(10).shuffle(4, seed=7, reshuffle_each_iteration=False).repeat(2),
    "tr_shuffle_reshuffle": lambda: D.range(10).shuffle(4, seed=7, reshuffle_each_iteration=True).repeat(2),
    "tr_shuffle_full": lambda: D.from_tensor_slices(["a", "b", "c", "d", "e", "f"]).shuffle(100, seed=3),
    "tr_shuffle_unseeded": lambda: D.range(12).shuffle(6),

    # --- function datasets --------------------------------------------------------------------
    "fn_map": lambda: D.range(5).map(lambda x: x * 2 + 1),
    "fn_map_parallel": lambda: D.range(20).map(lambda x: x * x, num_parallel_calls=2, deterministic=True),
    "fn_map_autotune": lambda: D.range(20).map(lambda x: x - 3, num_parallel_calls=AUTOTUNE),
    "fn_map_nondeterministic": lambda: D.range(20).map(lambda x: x + 100, num_parallel_calls=2,
                                                         deterministic=False),
    "fn_map_tuple_args": lambda: D.from_tensor_slices(([1, 2, 3], [10, 20, 30])).map(lambda a, b: a * b + 1),
    "fn_map_dict": lambda: D.from_tensor_slices({"a": [1.5, 2.5], "b": [3, 4]}).map(
        lambda d: {"sum": d["a"] + tf.cast(d["b"], tf.float32), "b": d["b"]}),
    "fn_map_to_tuple": lambda: D.range(4).map(lambda x: (x, x * 10, tf.cast(x, tf.float64))),
    "fn_map_constants": lambda: D.range(3).map(lambda x: (x, 5, 2.5, "s")),
    "fn_filter": lambda: D.range(10).filter(lambda x: tf.math.equal(x % 2, 0)),
    "fn_filter_tuple": lambda: D.from_tensor_slices(([1, 5, 2, 8], ["a", "b", "c", "d"])).filter(
        lambda n, s: n > 2),
    "fn_filter_dict": lambda: D.from_tensor_slices({"k": ["x", "y", "x"], "v": [1, 2, 3]}).filter(
        lambda d: tf.math.equal(d["k"], "x")),
    "fn_flat_map": lambda: D.range(1, 4).flat_map(lambda x: D.range(x)),
    "fn_flat_map_slices": lambda: D.from_tensors([[1, 2], [3, 4]]).flat_map(lambda x: D.from_tensor_slices(x)),
    "fn_interleave": lambda: D.range(1, 4).interleave(lambda x: D.from_tensors(x).repeat(x),
                                                       cycle_length=2, block_length=1),
    "fn_interleave_block": lambda: D.range(3).interleave(lambda x: D.range(x * 10, x * 10 + 4),
                                                          cycle_length=3, block_length=2),
    "fn_interleave_parallel": lambda: D.range(4).interleave(lambda x: D.range(x, x + 3), cycle_length=2,
                                                             num_parallel_calls=2, deterministic=True),
    "fn_interleave_nondeterministic": lambda: D.range(4).interleave(
        lambda x: D.range(x * 5, x * 5 + 3), cycle_length=4, num_parallel_calls=2, deterministic=False),
    "fn_scan": lambda: D.range(6).scan(np.int64(0), lambda s, x: (s + x, s * x)),
    "fn_scan_tuple_state": lambda: D.from_tensor_slices([1.5, 2.0, -0.5]).scan(
        (np.float32(0.0), np.int32(0)), lambda st, x: ((st[0] + x, st[1] + 1), st[0] * x)),

    # --- traced ops --------------------------------------------------------------------------
    "op_arith_int64": lambda: D.range(6).map(lambda x: (x + 3, x - 10, x * x, 10 - x)),
    "op_arith_float32": lambda: D.from_tensor_slices(FSMALL).map(
        lambda x: (x + 0.5, x - 1.25, x * 2.0, x / 4.0, 1.0 / (x + 8.0))),
    "op_truediv_ints": lambda: D.from_tensor_slices(np.array([-7, 0, 5, 9], np.int32)).map(
        lambda x: (x / 3, tf.cast(x, tf.int16) / 4)),
    "op_floordiv_mod_int": lambda: D.range(-5, 6, 2).map(lambda x: (x // 3, x % 3, x // -2, x % -2)),
    "op_floordiv_mod_float": lambda: D.from_tensor_slices(FSMALL).map(lambda x: (x // 1.5, x % 1.5, x % -0.75)),
    "op_neg_abs": lambda: D.from_tensor_slices(np.array([-3, 0, 4], np.int32)).map(
        lambda x: (-x, abs(x), -tf.cast(x, tf.float32), abs(tf.cast(x, tf.float64)))),
    "op_square_sqrt": lambda: D.from_tensor_slices([0.0, 2.25, 6.25, 1e-6, 4.0]).map(
        lambda x: (tf.math.square(x), tf.math.sqrt(x), tf.math.square(tf.cast(x * 4.0, tf.int32)))),
    "op_rsqrt": lambda: D.from_tensor_slices([0.25, 2.0, 3.0, 100.0]).map(lambda x: tf.math.rsqrt(x)),
    "op_exp_log": lambda: D.from_tensor_slices([0.0, 0.5, 1.0, -3.25, 10.0]).map(
        lambda x: (tf.math.exp(x), tf.math.log(x + 4.0), tf.math.exp(tf.cast(x, tf.float64)))),
    "op_pow_float": lambda: D.from_tensor_slices([0.5, 1.5, 2.0, 3.0]).map(lambda x: (x ** 2.0, x ** 0.5, 2.0 ** x)),
    "op_pow_int": lambda: D.range(5).map(lambda x: (x ** 3, tf.cast(x, tf.int32) ** 2)),
    "op_maximum_minimum": lambda: D.range(6).map(
        lambda x: (tf.math.maximum(x, 2), tf.math.minimum(x, 3), tf.math.maximum(tf.cast(x, tf.float32), 2.5))),
    "op_round_floor_ceil_sign": lambda: D.from_tensor_slices([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.75, -0.0]).map(
        lambda x: (tf.math.round(x), tf.math.floor(x), tf.math.ceil(x), tf.math.sign(x))),
    "op_sign_int": lambda: D.from_tensor_slices(np.array([-9, 0, 4], np.int64)).map(lambda x: tf.math.sign(x)),
    "op_clip_by_value": lambda: D.from_tensor_slices(FSMALL).map(
        lambda x: (tf.clip_by_value(x, -1.0, 1.0), tf.clip_by_value(tf.cast(x, tf.int32), 0, 2))),
    "op_compare": lambda: D.range(5).map(
        lambda x: (tf.math.equal(x, 2), tf.math.not_equal(x, 2), tf.math.less(x, 2),
                   tf.math.less_equal(x, 2), tf.math.greater(x, 2), tf.math.greater_equal(x, 2))),
    "op_compare_broadcast": lambda: D.from_tensors(np.array([[1., -2., 3.], [4., 5., -6.]], np.float32)).map(
        lambda x: (tf.math.greater(x, [0., 1., 2.]), tf.math.equal(x, x[0]))),
    "op_logic": lambda: D.range(5).map(
        lambda x: (tf.math.logical_and(x > 1, x < 4), tf.math.logical_or(x < 1, x > 3), tf.math.logical_not(x > 2))),
    "op_where": lambda: D.range(5).map(lambda x: (tf.where(x > 2, x, -x), tf.where(x > 2, 1.0, 0.0))),
    "op_where_broadcast": lambda: D.from_tensors(np.array([[1., -2., 3.], [4., 5., -6.]], np.float32)).map(
        lambda x: tf.where(x > 2.0, x, tf.zeros([3]))),
    "op_cast": lambda: D.from_tensor_slices([-2.75, -0.5, 0.0, 1.5, 200.25]).map(
        lambda x: (tf.cast(x, tf.int32), tf.cast(x, tf.int64), tf.cast(abs(x), tf.uint8), tf.cast(x, tf.float16),
                   tf.cast(x, tf.bfloat16), tf.cast(x, tf.float64), tf.cast(x, tf.bool), tf.cast(x > 0, tf.int8))),
    "op_cast_ints": lambda: D.from_tensor_slices(np.array([-1, 0, 255, 70000], np.int32)).map(
        lambda x: (tf.cast(x, tf.uint8), tf.cast(x, tf.int16), tf.cast(x, tf.uint32), tf.cast(x, tf.uint64),
                   tf.cast(x, tf.float32))),
    "op_reshape": lambda: D.from_tensors(np.arange(6, dtype=np.int32)).map(
        lambda x: (tf.reshape(x, [2, 3]), tf.reshape(x, [-1, 2]), tf.reshape(x, [1, 6, 1]))),
    "op_reshape_dynamic": lambda: D.from_tensor_slices(np.arange(12, dtype=np.int32).reshape(6, 2)).batch(4).map(
        lambda x: (tf.reshape(x, [-1]), tf.reshape(x, [tf.shape(x)[0], 1, 2]))),
    "op_expand_squeeze": lambda: D.from_tensors(np.array([[1., 2., 3.]], np.float32)).map(
        lambda x: (tf.expand_dims(x, 0), tf.expand_dims(x, -1), tf.squeeze(x), tf.squeeze(tf.expand_dims(x, 2), [0, 2]))),
    "op_stack": lambda: D.range(4).map(
        lambda x: (tf.stack([x, x * 2, 7]), tf.stack([tf.fill([2], x), tf.fill([2], x * 3)], axis=1))),
    "op_concat": lambda: D.from_tensors(np.array([[1, 2], [3, 4]], np.int64)).map(
        lambda x: (tf.concat([x, x * 10], 0), tf.concat([x, x], axis=-1))),
    "op_getitem": lambda: D.from_tensors(np.array([[1., -2., 3.], [4., 5., -6.]], np.float32)).map(
        lambda x: (x[0], x[:, 1:], x[..., ::-1], x[tf.newaxis, 0, 1], x[1, -1], x[-1:, :2])),
    "op_strided_slice": lambda: D.from_tensors(np.arange(12, dtype=np.int32).reshape(3, 4)).map(
        lambda x: (tf.strided_slice(x, [0, 0], [3, 4], [2, 3]),
                   tf.strided_slice(x, [1, 0], [0, 3], [1, 1], begin_mask=1, shrink_axis_mask=2))),
    "op_slice": lambda: D.from_tensors(np.arange(12, dtype=np.int32).reshape(3, 4)).map(
        lambda x: (tf.slice(x, [0, 1], [2, 2]), tf.slice(x, [1, 0], [-1, 3]))),
    "op_gather": lambda: D.from_tensors(np.array([[1., 2., 3.], [4., 5., 6.]], np.float32)).map(
        lambda x: (tf.gather(x, [1, 0, 1]), tf.gather(x, 2, axis=1), tf.gather(x, [[0, 2], [1, 1]], axis=1))),
    "op_gather_strings": lambda: D.range(3).map(lambda i: tf.gather(tf.constant(["a", "b", "c", "d"]), [i, i + 1])),
    "op_transpose": lambda: D.from_tensors(np.arange(24, dtype=np.int16).reshape(2, 3, 4)).map(
        lambda x: (tf.transpose(x), tf.transpose(x, [1, 0, 2]))),
    "op_tile": lambda: D.from_tensors(np.array([[1, 2], [3, 4]], np.uint8)).map(
        lambda x: (tf.tile(x, [2, 1]), tf.tile(x, [1, 3]))),
    "op_fill": lambda: D.range(3).map(lambda x: (tf.fill([2, 3], x), tf.fill([2], 7), tf.fill([x], 1.5))),
    "op_zeros_ones_like": lambda: D.from_tensors(np.array([[1., -2.], [3., 4.]], np.float32)).map(
        lambda x: (tf.zeros_like(x), tf.ones_like(x), tf.zeros_like(x, dtype=tf.int32), tf.ones_like(x > 0))),
    "op_zeros_ones_like_dynamic": lambda: D.from_tensor_slices(np.arange(10, dtype=np.int32).reshape(5, 2)).batch(2).map(
        lambda x: (tf.zeros_like(x), tf.ones_like(x), tf.zeros_like(x, dtype=tf.int64), tf.ones_like(x, dtype=tf.float32))),
    "op_range": lambda: D.range(4).map(lambda x: (tf.range(x), tf.range(1, 8, 3), tf.range(0.5, 2.0))),
    "op_shape_size": lambda: D.from_tensor_slices(np.arange(10, dtype=np.int32).reshape(5, 2)).batch(2).map(
        lambda x: (tf.shape(x), tf.size(x), tf.size(x, out_type=tf.int64))),
    "op_reduce_sum_mean": lambda: D.from_tensors(np.array(FSMALL[:6], np.float32).reshape(2, 3)).map(
        lambda x: (tf.math.reduce_sum(x), tf.math.reduce_sum(x, axis=1, keepdims=True), tf.math.reduce_mean(x, 0),
                   tf.math.reduce_mean(x, axis=[0, 1], keepdims=True))),
    "op_reduce_max_min_prod": lambda: D.from_tensors(np.array([[3, -1, 4], [1, -5, 9]], np.int32)).map(
        lambda x: (tf.math.reduce_max(x), tf.math.reduce_max(x, 1, keepdims=True), tf.math.reduce_min(x, 0),
                   tf.math.reduce_prod(x), tf.math.reduce_prod(x, -1))),
    "op_reduce_int_mean": lambda: D.from_tensors(np.array([3, -1, 4, 1, -5, 9, 2], np.int64)).map(
        lambda x: (tf.math.reduce_mean(x), tf.math.reduce_sum(x, keepdims=True))),
    "op_reduce_all_any": lambda: D.from_tensors(np.array([[1., -2., 3.], [4., 5., -6.]], np.float32)).map(
        lambda x: (tf.math.reduce_all(x > 0), tf.math.reduce_any(x > 4, axis=1),
                   tf.math.reduce_all(x > -3, axis=0, keepdims=True), tf.math.reduce_any(x > 10))),
    "op_argmax_argmin": lambda: D.from_tensors(np.array([[1., 7., 3.], [9., 5., 9.]], np.float32)).map(
        lambda x: (tf.math.argmax(x), tf.math.argmax(x, axis=1), tf.math.argmin(x, 1, output_type=tf.int32),
                   tf.math.argmin(x, 0))),
    "op_one_hot": lambda: D.from_tensor_slices(np.array([0, 2, -1, 4], np.int32)).map(
        lambda x: (tf.one_hot(x, 3), tf.one_hot(x, 4, on_value=5, off_value=-1),
                   tf.one_hot(x, 3, dtype=tf.int64, axis=0))),
    "op_one_hot_vector": lambda: D.from_tensors(np.array([1, 0, 2], np.int64)).map(
        lambda x: (tf.one_hot(x, 3), tf.one_hot(x, 3, axis=0))),
    "op_string_to_number": lambda: D.from_tensor_slices(["1.5", "-2", "3e2", "0.125", "7"]).map(
        lambda s: (tf.strings.to_number(s), tf.strings.to_number(s, tf.float64))),
    "op_string_to_int": lambda: D.from_tensor_slices(["12", "-7", "2147483647"]).map(
        lambda s: (tf.strings.to_number(s, tf.int32), tf.strings.to_number(s, tf.int64))),
    "op_as_string_float": lambda: D.from_tensor_slices([-2.5, 0.0, 1.0 / 3.0, 1234567.0, 1e-7]).map(
        lambda x: (tf.strings.as_string(x), tf.strings.as_string(x, precision=2),
                   tf.strings.as_string(x, scientific=True), tf.strings.as_string(x, shortest=True))),
    "op_as_string_int": lambda: D.range(-2, 12, 5).map(
        lambda x: (tf.strings.as_string(x), tf.strings.as_string(x, width=4, fill="0"),
                   tf.strings.as_string(x > 0))),
    "op_string_concat": lambda: D.from_tensor_slices(["a", "bc"]).map(lambda s: s + "_x"),

    # --- dtype coverage: source + batch + ops the TF kernels have for the dtype ----------------
    "dt_int8": lambda: D.from_tensor_slices(INT8).map(
        lambda x: (x + 1, x * 2, -x, tf.math.maximum(x, 0), x // 3, x > 0, tf.math.reduce_sum(tf.stack([x, x])))).batch(4),
    "dt_int16": lambda: D.from_tensor_slices(INT16).map(
        lambda x: (x - 1, x * x, abs(x), tf.math.minimum(x, 5), x % 7, tf.cast(x, tf.float32))).batch(4),
    "dt_int32": lambda: D.from_tensor_slices(INT32).map(
        lambda x: (x + x, x // 4, x % 4, tf.math.sign(x), tf.math.equal(x, 0), tf.cast(x, tf.int64))).batch(4),
    "dt_int64": lambda: D.from_tensor_slices(INT64).map(
        lambda x: (x + 1, x - 1, x * 3, x // 7, x % 7, tf.math.maximum(x, -1), tf.cast(x, tf.int32))).batch(4),
    "dt_uint8": lambda: D.from_tensor_slices(UINT8).map(
        lambda x: (x + 100, x * 2, x // 3, x % 3, tf.math.minimum(x, 128), x >= 127, tf.cast(x, tf.int8))).batch(4),
    "dt_uint16": lambda: D.from_tensor_slices(UINT16).map(
        lambda x: (x + 1, x * 3, x // 2, tf.math.maximum(x, 3), x < 400, tf.cast(x, tf.float16))).batch(4),
    "dt_uint32": lambda: D.from_tensor_slices(UINT32).map(
        lambda x: (x + 7, x - 1, x * 2, tf.math.minimum(x, 5000), tf.math.not_equal(x, 1), tf.cast(x, tf.float64))).batch(4),
    "dt_uint64": lambda: D.from_tensor_slices(UINT64).map(
        lambda x: (x + 1, x * 2, tf.math.maximum(x, 10), x > 2**40, tf.cast(x, tf.float32))).batch(4),
    "dt_float16": lambda: D.from_tensor_slices(F16).map(
        lambda x: (x + 1.0, x * 0.5, -x, tf.math.floor(x), tf.math.maximum(x, 1.0), x > 0.0, tf.cast(x, tf.float32))).batch(3),
    "dt_bfloat16": lambda: D.from_tensor_slices(BF16V).map(
        lambda x: (x + 1.0, x * 0.5, -x, tf.math.ceil(x), tf.math.minimum(x, 1.0), x < 0.0, tf.cast(x, tf.float32))).batch(3),
    "dt_float32": lambda: D.from_tensor_slices(F32).map(
        lambda x: (x + 1.0, x - x, x * 2.0, x / 3.0, abs(x), tf.math.round(x), tf.math.equal(x, x))).batch(4),
    "dt_float64": lambda: D.from_tensor_slices(F64).map(
        lambda x: (x + 1.0, x * x, x / 7.0, tf.math.floor(x), tf.math.sign(x), tf.cast(x, tf.float32))).batch(3),
    "dt_bool": lambda: D.from_tensor_slices([True, False, True, True]).map(
        lambda x: (tf.math.logical_not(x), tf.math.logical_and(x, False), tf.cast(x, tf.float32),
                   tf.math.equal(x, True))).batch(3),
    "dt_string": lambda: D.from_tensor_slices(["x", "", "hello", "\u00fcber"]).map(
        lambda s: (s, tf.math.equal(s, "x"), tf.stack([s, s]), tf.reshape(s, [1]))).batch(3),
    "dt_subnormal_float32": lambda: D.from_tensor_slices(SUB32).map(
        lambda x: (x, x * 2.0, x + 0.0, x * 1e30, -x, abs(x), tf.math.sign(x), x > 0.0, tf.cast(x, tf.float64))),
    "dt_subnormal_float64": lambda: D.from_tensor_slices(SUB64).map(
        lambda x: (x, x * 2.0, x * 1e300, tf.math.sign(x), x < 0.0, tf.cast(x, tf.float32))),
    "dt_subnormal_bfloat16": lambda: D.from_tensor_slices(SUB_BF16).map(
        lambda x: (x, x * 2.0, x + 0.0, x * 2.0**100, tf.cast(x, tf.float32))),
    "dt_half_reduce": lambda: D.from_tensors(np.array(FSMALL, np.float16)).map(
        lambda x: (tf.math.reduce_sum(x), tf.math.reduce_max(x), tf.cast(tf.math.reduce_mean(x), tf.float32))),
    "dt_bf16_reduce": lambda: D.from_tensors(bf16(FSMALL)).map(
        lambda x: (tf.math.reduce_sum(x), tf.math.reduce_min(x), tf.math.reduce_prod(x[:3]))),
    "dt_float64_reduce": lambda: D.from_tensors(np.array(FSMALL, np.float64).reshape(2, 4)).map(
        lambda x: (tf.math.reduce_sum(x, 0), tf.math.reduce_mean(x, 1), tf.math.argmax(x, 1))),

    # --- realistic pipelines ------------------------------------------------------------------
    "pipe_map_filter_batch": lambda: D.range(100).map(lambda x: x * 2 + 1).filter(
        lambda x: tf.math.equal(x % 3, 0)).batch(8),
    "pipe_normalize_image": lambda: D.from_tensors(IMAGE).repeat(3).map(
        lambda x: (tf.cast(x, tf.float32) / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]).batch(2),
    "pipe_slices_shuffle_batch": lambda: D.from_tensor_slices(
        {"x": np.arange(60, dtype=np.float32).reshape(30, 2), "y": np.arange(30, dtype=np.int64)}).shuffle(
        10, seed=11).batch(8),
    "pipe_text": lambda: D.from_tensor_slices(["3", "14", "-1", "5"]).map(lambda s: tf.strings.to_number(s)).filter(
        lambda x: x > 0.0).map(lambda x: tf.strings.as_string(x * 2.0, precision=1)).batch(2),
    "pipe_enumerate_zip_batch": lambda: D.zip((D.range(5), D.range(5).map(lambda x: tf.cast(x, tf.float32) * 0.5))).enumerate().batch(2),
    "pipe_features": lambda: D.range(6).map(
        lambda x: {"ids": tf.one_hot(x % 3, 3), "len": tf.size(tf.range(x)), "pos": tf.cast(x, tf.float32) / 5.0}).batch(4),
}

# Pipelines whose float results involve transcendental ops: compare within 1 ulp.
ULP = {"op_rsqrt", "op_exp_log", "op_pow_float"}

# Pipelines whose order TF does not fix: compare as multisets.
MULTISET = {"tr_shuffle_unseeded", "fn_map_nondeterministic", "fn_interleave_nondeterministic"}

# Infinite pipelines: how many leading elements to record and compare.
PREFIX = {"tr_repeat_forever": 7}

# TF graphs using ops the engine does not implement: lowering must fail naming the op and the node.
UNSUPPORTED = {
    "regex_full_match": (lambda: D.range(3).map(
        lambda x: tf.strings.regex_full_match(tf.strings.as_string(x), "1")), "StaticRegexFullMatch"),
    "tanh": (lambda: D.range(3).map(lambda x: tf.math.tanh(tf.cast(x, tf.float32)) * 2.0), "Tanh"),
    "take_while": (lambda: D.range(10).take_while(lambda x: x < 4), "TakeWhileDataset"),
}

# ---------------------------------------------------------------------------------------------


def _spec_json(spec):
    if isinstance(spec, tuple):
        return {"tuple": [_spec_json(s) for s in spec]}
    if isinstance(spec, dict):
        return {"dict": {k: _spec_json(spec[k]) for k in sorted(spec)}}
    if not isinstance(spec, tf.TensorSpec):
        raise TypeError(f"unsupported element spec {spec!r} (only tensors, tuples and dicts)")
    shape = None if spec.shape.rank is None else [-1 if d is None else d for d in spec.shape.as_list()]
    return {"tensor": {"dtype": spec.dtype.name, "shape": shape}}


def _component(value):
    """A tensor as the fixtures store it (raw little-endian bytes; strings one by one)."""
    dtype = value.dtype.name
    arr = np.asarray(value.numpy())
    if dtype == "string":
        flat = arr.reshape(-1)
        return {"dtype": dtype, "shape": list(arr.shape),
                "strings": [base64.b64encode(bytes(v)).decode() for v in flat]}
    if arr.dtype.byteorder == ">":
        arr = arr.byteswap().view(arr.dtype.newbyteorder("<"))
    return {"dtype": dtype, "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes(order="C")).decode()}


def _elements(ds, limit=None):
    out = []
    for el in ds:
        out.append([_component(c) for c in tf.nest.flatten(el)])
        if limit is not None and len(out) >= limit:
            break
    return out


def _graph(ds):
    """`_as_serialized_graph()`, re-serialized deterministically: the same GraphDef message, but
    attr maps in key order instead of TF's hash order, so regenerating does not churn the bytes."""
    data = ds._as_serialized_graph().numpy()  # pylint: disable=protected-access
    return _parse(data).SerializeToString(deterministic=True)


def _parse(data):
    g = graph_pb2.GraphDef()
    g.ParseFromString(data)
    return g


def _ops(graph):
    """Dataset-level ops and function-body ops of a GraphDef."""
    dataset_ops = sorted({n.op for n in graph.node})
    fn_ops = sorted({n.op for f in graph.library.function for n in f.node_def})
    return dataset_ops, fn_ops


def build_fixture(name, make):
    ds = make()
    data = _graph(ds)
    graph = _parse(data)
    dataset_ops, fn_ops = _ops(graph)
    limit = PREFIX.get(name)
    elements = _elements(ds, limit)
    if name in MULTISET:
        # TF fixes no order: store a canonical one, so regenerating does not churn the file.
        elements.sort(key=lambda e: json.dumps(e, sort_keys=True))
    return {
        "name": name,
        "graph": base64.b64encode(data).decode(),
        "spec": _spec_json(ds.element_spec),
        "cardinality": int(ds.cardinality().numpy()),
        "ulp": name in ULP,
        "order": "multiset" if name in MULTISET else "exact",
        "prefix": limit,
        "datasetOps": dataset_ops,
        "functionOps": fn_ops,
        "elements": elements,
    }


def build_unsupported(name, make, op):
    ds = make()
    data = _graph(ds)
    graph = _parse(data)
    nodes = sorted({n.name for f in graph.library.function for n in f.node_def if n.op == op} |
                   {n.name for n in graph.node if n.op == op})
    if not nodes:
        raise AssertionError(f"unsupported case {name}: op {op} not in TF's graph")
    return {"name": name, "graph": base64.b64encode(data).decode(), "op": op, "nodes": nodes}


def build_all():
    fixtures = {name: build_fixture(name, make) for name, make in CORPUS.items()}
    unsupported = [build_unsupported(name, make, op) for name, (make, op) in UNSUPPORTED.items()]
    index = {
        "tfVersion": tf.__version__,
        "names": list(CORPUS),
        "unsupported": unsupported,
    }
    return fixtures, index


def _dump(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False) + "\n"


_FN_SUFFIX = re.compile(rb"(__inference_[A-Za-z0-9_<>]*?_)\d+")


def _normalized_graph(b64):
    """Graph bytes with TF's process counters (function names, dataset metadata names) blanked and
    map order made deterministic, so --check compares meaning, not counter values."""
    g = _parse(base64.b64decode(b64))
    data = g.SerializeToString(deterministic=True)
    data = _FN_SUFFIX.sub(rb"\1#", data)
    return re.sub(rb"([A-Za-z0-9]+):\d+", rb"\1:*", data)


def _comparable(fixture):
    out = dict(fixture)
    if "graph" in out:
        out["graph"] = _normalized_graph(out["graph"])
    if out.get("order") == "multiset":
        out["elements"] = sorted(out["elements"], key=lambda e: json.dumps(e, sort_keys=True))
    return out


def write(fixtures, index):
    os.makedirs(OUT_DIR, exist_ok=True)
    for stale in os.listdir(OUT_DIR):
        if stale.endswith(".json") and stale[:-5] not in fixtures and stale != "index.json":
            os.remove(os.path.join(OUT_DIR, stale))
    for name, fx in fixtures.items():
        with open(os.path.join(OUT_DIR, f"{name}.json"), "w") as f:
            f.write(_dump(fx))
    with open(os.path.join(OUT_DIR, "index.json"), "w") as f:
        f.write(json.dumps(index, indent=1) + "\n")


def check(fixtures, index):
    problems = []
    try:
        with open(os.path.join(OUT_DIR, "index.json")) as f:
            old_index = json.load(f)
    except FileNotFoundError:
        return ["index.json is missing"]
    if old_index.get("names") != index["names"]:
        problems.append("the pipeline names differ")
    if [(_comparable(u)) for u in old_index.get("unsupported", [])] != [_comparable(u) for u in index["unsupported"]]:
        problems.append("the unsupported-op cases differ")
    for name, fx in fixtures.items():
        path = os.path.join(OUT_DIR, f"{name}.json")
        try:
            with open(path) as f:
                old = json.load(f)
        except FileNotFoundError:
            problems.append(f"{name}: missing")
            continue
        if _comparable(old) != _comparable(fx):
            keys = sorted(k for k in set(old) | set(fx) if _comparable(old).get(k) != _comparable(fx).get(k))
            problems.append(f"{name}: differs in {', '.join(keys)}")
    extra = sorted(f[:-5] for f in os.listdir(OUT_DIR) if f.endswith(".json") and f != "index.json" and f[:-5] not in fixtures)
    problems += [f"{n}: stale fixture (no such pipeline)" for n in extra]
    return problems


def main(argv):
    fixtures, index = build_all()
    if "--check" in argv:
        problems = check(fixtures, index)
        if problems:
            print("golden fixtures are not current (run scripts/tf/gen_golden_corpus.py):", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
            return 1
        print(f"golden fixtures are current ({len(fixtures)} pipelines)", file=sys.stderr)
        return 0
    write(fixtures, index)
    size = sum(os.path.getsize(os.path.join(OUT_DIR, f)) for f in os.listdir(OUT_DIR))
    print(f"wrote {len(fixtures)} pipelines + {len(index['unsupported'])} unsupported-op cases to {OUT_DIR} "
          f"({size / 1024:.0f} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
