"""Write golden traced-function fixtures from TensorFlow 2.21 for `src/graph/trace`.

Why: `Dataset.map(fn)` / `filter(fn)` trace the user's function into a TF `FunctionDef`; ours must
equal what TF 2.21 puts in the dataset graph for the same function (TF's op names, attrs, node
names, Const encodings, output shapes), so a graph built in TS runs on a TF worker unchanged.
TensorFlow is the oracle: for each (input dataset, function) pair below this script records
  * `dataset.map(fn)._as_serialized_graph()` (or `.filter(fn)`): the whole GraphDef, whose
    library holds the traced FunctionDef and whose last dataset node carries the map attrs
    (`f`, `Targuments`, `output_types`, `output_shapes`, `use_inter_op_parallelism`, ...);
  * the element structure and spec the function receives (TF's nesting: tuple / dict / tensor);
  * the elements TF yields (for the golden runs of the engine);
  * for the `ERRORS` cases, the exception TF raises while tracing (type and last message line);
  * the `OpDef` of every op that appears in a traced function (`op_def_registry`), so the
    tracer's op table can be checked against TF's registry.

The function source of each case is written twice: here in Python and, in the TS test
(`test/graph/trace/fixtures.test.ts`), with our tracer's API. Each JS call is defined as the
Python spelling used here (`x.add(y)` is `x + y`, `reshape(x, s)` is `tf.reshape(x, s)`, ...).

Output (small, committed): `test/fixtures/trace/tf-trace.ts` (a TS module, so isomorphic suites
can import it) and `test/fixtures/trace/functions.txt` (every FunctionDef, one line per node, for human review).

Regenerate (from the repo root):
    .venv-tf/bin/python scripts/tf/gen_trace_fixtures.py
"""

import base64
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import graph_pb2  # noqa: E402
from tensorflow.python.framework import op_def_registry  # noqa: E402

OUT_DIR = os.path.join("test", "fixtures", "trace")

# The input datasets (python expressions). Small and function-free, so the only library function
# of each graph is the traced one.
INPUTS = {
    "range5": "tf.data.Dataset.range(5)",
    "floats": "tf.data.Dataset.from_tensor_slices(np.array([-2.5, -0.5, 0.0, 1.5, 2.25], np.float32))",
    "matrix": "tf.data.Dataset.from_tensors(np.array([[1., -2., 3.], [4., 5., -6.]], np.float32))",
    "vector": "tf.data.Dataset.from_tensors(np.array([3, -1, 4, 0], np.int32))",
    "batched": "tf.data.Dataset.from_tensor_slices(np.arange(10, dtype=np.int32).reshape(5, 2)).batch(2)",
    "strings": "tf.data.Dataset.from_tensor_slices(['1.5', '-2', '3e2', '0.125'])",
    "pair": "tf.data.Dataset.from_tensors((np.array([1., 2., 3.], np.float32), np.int32(1)))",
    "record": "tf.data.Dataset.from_tensors({'b': np.array([1, 2], np.int32), 'a': np.float32(3.0)})",
    "image": "tf.data.Dataset.from_tensors(np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5)",
    "halfs": "tf.data.Dataset.from_tensors(np.array([0.5, -1.25, 3.0], np.float16))",
    "doubles": "tf.data.Dataset.from_tensors(np.array([0.1, -2.0, 1e10], np.float64))",
    "uint16s": "tf.data.Dataset.from_tensors(np.array([1, 65535, 7], np.uint16))",
    "int8s": "tf.data.Dataset.from_tensors(np.array([-128, 5, 127], np.int8))",
    "bools": "tf.data.Dataset.from_tensors(np.array([True, False, True]))",
    "big": "tf.data.Dataset.from_tensors(np.arange(1000, dtype=np.float32).reshape(20, 50))",
    "indexed": "tf.data.Dataset.from_tensors((np.arange(5, dtype=np.float32), np.int64(2)))",
    "mixed": "tf.data.Dataset.from_tensors((np.array([1, 7], np.uint32), np.uint64(2**40), "
             "np.array([-3, 3], np.int16), tf.constant([1.5, -2.0], tf.bfloat16)))",
    "nested": "tf.data.Dataset.from_tensors({'img': np.ones((2, 2), np.uint8), 'meta': (np.int64(3), 'x')})",
    # Unknown rank: only a generator can declare it (its own functions are in the library too).
    "unranked": "tf.data.Dataset.from_generator(lambda: iter([np.ones((2, 2), np.float32)]), "
                "output_signature=tf.TensorSpec(shape=None, dtype=tf.float32))",
}

# Inputs whose graphs call back into Python (only TF can run them).
PYTHON_INPUTS = {"unranked"}

# (name, input, kind, python function source). Every op of issue 3 section 2 appears at least once.
CASES = [
    ("identity", "range5", "map", "lambda x: x"),
    ("arith_int64", "range5", "map", "lambda x: x * 2 + 1"),
    ("rsub_int64", "range5", "map", "lambda x: 10 - x"),
    ("radd_rmul", "floats", "map", "lambda x: (2.0 + x, 3.0 * x, 1.0 / (x + 4.0))"),
    ("sub_mul_float", "floats", "map", "lambda x: (x - 0.5) * 2.0"),
    ("truediv_float", "floats", "map", "lambda x: x / 4.0"),
    ("truediv_int64", "range5", "map", "lambda x: x / 2"),
    ("truediv_int32", "vector", "map", "lambda x: x / 3"),
    ("floordiv_mod", "range5", "map", "lambda x: (x // 3, x % 3, (x - 3) // 2, (x - 3) % 2)"),
    ("floordiv_mod_float", "floats", "map", "lambda x: (x // 1.5, x % 1.5)"),
    ("pow", "floats", "map", "lambda x: (x ** 2.0, abs(x) ** 0.5, 2.0 ** x)"),
    ("pow_int", "range5", "map", "lambda x: x ** 3"),
    ("unary_float", "floats", "map",
     "lambda x: (-x, abs(x), tf.math.square(x), tf.math.sqrt(abs(x)), tf.math.rsqrt(abs(x) + 1.0), "
     "tf.math.exp(x), tf.math.log(abs(x) + 1.0))"),
    ("unary_int", "vector", "map", "lambda x: (-x, abs(x), tf.math.square(x), tf.math.sign(x))"),
    ("rounding", "floats", "map",
     "lambda x: (tf.math.round(x), tf.math.floor(x), tf.math.ceil(x), tf.math.sign(x))"),
    ("round_int", "range5", "map", "lambda x: tf.math.round(x)"),
    ("max_min", "range5", "map", "lambda x: (tf.math.maximum(x, 2), tf.math.minimum(x, 3), tf.math.maximum(x, x * 2))"),
    ("clip_float", "floats", "map", "lambda x: tf.clip_by_value(x, -1.0, 1.0)"),
    ("clip_int", "vector", "map", "lambda x: tf.clip_by_value(x, 0, 3)"),
    ("compare", "range5", "map",
     "lambda x: (tf.math.equal(x, 2), tf.math.not_equal(x, 2), tf.math.less(x, 2), "
     "tf.math.less_equal(x, 2), tf.math.greater(x, 2), tf.math.greater_equal(x, 2))"),
    ("compare_broadcast", "matrix", "map", "lambda x: (tf.math.greater(x, [0., 1., 2.]), tf.math.equal(x, x))"),
    ("logic", "range5", "map",
     "lambda x: (tf.math.logical_and(x > 1, x < 4), tf.math.logical_or(x < 1, x > 3), "
     "tf.math.logical_not(x > 2))"),
    ("logic_bools", "bools", "map",
     "lambda x: (tf.math.logical_and(x, True), tf.math.logical_or(x, [False, False, True]), tf.math.logical_not(x))"),
    ("where", "range5", "map", "lambda x: (tf.where(x > 2, x, -x), tf.where(x > 2, 1.0, 0.0))"),
    ("where_broadcast", "matrix", "map", "lambda x: tf.where(x > 2.0, x, tf.zeros([3]))"),
    ("cast", "range5", "map",
     "lambda x: (tf.cast(x, tf.float32), tf.cast(x, tf.int64), tf.cast(x > 2, tf.int32), "
     "tf.cast(x, tf.uint8), tf.cast(x, tf.float16), tf.cast(x, tf.bfloat16))"),
    ("reshape", "matrix", "map",
     "lambda x: (tf.reshape(x, [3, 2]), tf.reshape(x, [-1]), tf.reshape(x, [1, -1, 3]), tf.reshape(x, (6,)))"),
    ("reshape_unknown", "batched", "map", "lambda x: (tf.reshape(x, [-1]), tf.reshape(x, [2, -1]), tf.reshape(x, [-1, 1, 2]))"),
    ("reshape_tensor_shape", "batched", "map", "lambda x: (tf.reshape(x, [tf.shape(x)[0] * 2]), tf.reshape(x, tf.concat([[1], tf.shape(x)], 0)))"),
    ("expand_squeeze", "matrix", "map",
     "lambda x: (tf.expand_dims(x, 0), tf.expand_dims(x, -1), tf.squeeze(tf.expand_dims(x, 1)), "
     "tf.squeeze(tf.reshape(x, [1, 6, 1]), axis=[0]), tf.squeeze(tf.reshape(x, [1, 6, 1]), 2))"),
    ("squeeze_unknown", "batched", "map", "lambda x: (tf.squeeze(x), tf.squeeze(tf.expand_dims(x, 1), 1))"),
    ("stack", "vector", "map", "lambda x: (tf.stack([x, x * 2]), tf.stack([x, x], axis=1), tf.stack([x], -1))"),
    ("stack_scalars", "range5", "map", "lambda x: (tf.stack([x, 1, 2]), tf.stack([x, x + 1], axis=0))"),
    ("concat", "matrix", "map", "lambda x: (tf.concat([x, x], 0), tf.concat([x, x * 2.0], axis=-1), tf.concat([x], 0))"),
    ("concat_unknown", "batched", "map", "lambda x: (tf.concat([x, x], 0), tf.concat([x, x], 1))"),
    ("getitem", "matrix", "map",
     "lambda x: (x[0], x[:, 1:], x[..., ::-1], x[tf.newaxis, 0, 1], x[1, -1], x[-1:, :2], x[:, tf.newaxis])"),
    ("getitem_unknown", "batched", "map", "lambda x: (x[0], x[:, 0], x[1:], x[..., 1], x[::2])"),
    ("getitem_tensor", "pair", "map", "lambda v, i: (v[i], v[i:], v[:i + 1])"),
    ("slice", "matrix", "map", "lambda x: (tf.slice(x, [0, 1], [2, 2]), tf.slice(x, [1, 0], [-1, 2]))"),
    ("strided_slice", "matrix", "map",
     "lambda x: (tf.strided_slice(x, [0, 0], [2, 3], [1, 2]), "
     "tf.strided_slice(x, [1, 0], [0, 3], [1, 1], begin_mask=1, shrink_axis_mask=2))"),
    ("gather", "matrix", "map",
     "lambda x: (tf.gather(x, [1, 0]), tf.gather(x, 1, axis=1), tf.gather(x, [[0, 1], [1, 0]]), "
     "tf.gather(x, [2, 0, 1], axis=-1))"),
    ("gather_tensor", "pair", "map", "lambda v, i: (tf.gather(v, i), tf.gather(v, [i, 0]))"),
    ("transpose", "matrix", "map", "lambda x: (tf.transpose(x), tf.transpose(x, [1, 0]), tf.transpose(x, perm=[0, 1]))"),
    ("transpose_unknown", "batched", "map", "lambda x: tf.transpose(x)"),
    ("tile", "matrix", "map", "lambda x: (tf.tile(x, [2, 1]), tf.tile(x, [1, 3]))"),
    ("fill", "range5", "map", "lambda x: (tf.fill([2, 3], x), tf.fill([2], 7), tf.fill([3], 1.5))"),
    ("fill_tensor_dims", "batched", "map", "lambda x: (tf.fill(tf.shape(x), 1.5), tf.fill([tf.size(x)], 0))"),
    ("zeros_ones_like", "matrix", "map",
     "lambda x: (tf.zeros_like(x), tf.ones_like(x), tf.zeros_like(x, dtype=tf.int32), tf.ones_like(x > 0))"),
    ("zeros_ones_like_unknown", "batched", "map",
     "lambda x: (tf.zeros_like(x), tf.ones_like(x), tf.zeros_like(x, dtype=tf.int64), tf.ones_like(x, dtype=tf.float32))"),
    ("range", "range5", "map",
     "lambda x: (tf.range(x), tf.range(1, 5, 2), tf.range(0.5, 2.0), tf.range(x, 10, 3), tf.range(5, dtype=tf.int64))"),
    ("shape_size", "matrix", "map", "lambda x: (tf.shape(x), tf.size(x), tf.shape(x, out_type=tf.int64))"),
    ("shape_size_unknown", "batched", "map", "lambda x: (tf.shape(x), tf.size(x), tf.size(x, out_type=tf.int64))"),
    ("reduce", "matrix", "map",
     "lambda x: (tf.math.reduce_sum(x), tf.math.reduce_sum(x, axis=1, keepdims=True), tf.math.reduce_mean(x, 0), "
     "tf.math.reduce_max(x, [0, 1]), tf.math.reduce_min(x, -1), tf.math.reduce_prod(x, 1))"),
    ("reduce_int", "vector", "map",
     "lambda x: (tf.math.reduce_sum(x), tf.math.reduce_mean(x), tf.math.reduce_prod(x, keepdims=True))"),
    ("reduce_unknown", "batched", "map",
     "lambda x: (tf.math.reduce_sum(x), tf.math.reduce_max(x, 0), tf.math.reduce_min(x, 1, keepdims=True))"),
    ("reduce_all_any", "matrix", "map",
     "lambda x: (tf.math.reduce_all(x > 0), tf.math.reduce_any(x > 4, axis=1), "
     "tf.math.reduce_all(x > -3, axis=0, keepdims=True))"),
    ("argmax_argmin", "matrix", "map",
     "lambda x: (tf.math.argmax(x), tf.math.argmax(x, axis=1), tf.math.argmin(x, 1, output_type=tf.int32), "
     "tf.math.argmin(x, -1))"),
    ("one_hot", "vector", "map",
     "lambda x: (tf.one_hot(x, 5), tf.one_hot(x, 3, on_value=5, off_value=-1, axis=0), "
     "tf.one_hot(x, 4, dtype=tf.int64))"),
    ("string_to_number", "strings", "map",
     "lambda x: (tf.strings.to_number(x), tf.strings.to_number(x, tf.float64))"),
    ("as_string", "floats", "map",
     "lambda x: (tf.strings.as_string(x), tf.strings.as_string(x, precision=2), "
     "tf.strings.as_string(x, scientific=True), tf.strings.as_string(x, shortest=True))"),
    ("as_string_int", "range5", "map",
     "lambda x: (tf.strings.as_string(x), tf.strings.as_string(x, width=4, fill='0'))"),
    ("tuple_input", "pair", "map", "lambda v, i: (v * tf.cast(i, tf.float32), i + 1)"),
    ("dict_io", "record", "map", "lambda d: {'sum': tf.math.reduce_sum(d['b']), 'a2': d['a'] * 2.0}"),
    ("python_const_output", "range5", "map", "lambda x: (x, 5, 2.5)"),
    ("constants", "range5", "map",
     "lambda x: (tf.constant([1, 2, 3]), tf.constant(2.5), tf.constant([[True], [False]]), "
     "tf.constant('hi'), tf.constant(7, dtype=tf.int64), tf.constant(0.0, shape=[2, 2]))"),
    ("broadcast", "matrix", "map", "lambda x: (x + [10., 20., 30.], x * [[1.], [2.]], x - x[0])"),
    ("normalize_image", "image", "map",
     "lambda x: (tf.cast(x, tf.float32) / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]"),
    ("dtypes_half", "halfs", "map", "lambda x: (x * 2.0, x + 1, tf.math.reduce_sum(x))"),
    ("dtypes_double", "doubles", "map", "lambda x: (x * 2.0, x / 3.0, tf.math.sqrt(abs(x)))"),
    ("dtypes_uint16", "uint16s", "map", "lambda x: (x + 1, x // 2, tf.math.maximum(x, 3))"),
    ("dtypes_int8", "int8s", "map", "lambda x: (x - 1, -x, x * 2)"),
    ("reduce_scalar", "range5", "map", "lambda x: (tf.math.reduce_sum(x), tf.math.reduce_max(x, keepdims=True))"),
    ("zeros_ones_large", "big", "map", "lambda x: (tf.zeros_like(x), tf.ones_like(x), tf.zeros([10, 100]), tf.ones([999]))"),
    ("literal_wrap", "image", "map", "lambda x: (x + 300, x + -1)"),
    ("numpy_constants", "range5", "map",
     "lambda x: (x + np.array([1, 2], np.int32), np.array([1.5, 2.5], np.float32), x * np.float32(2))"),
    ("shape_slice_known", "batched", "map",
     "lambda x: (tf.reshape(x, [tf.shape(x)[1], -1]), tf.fill([tf.shape(x)[1]], 1), tf.fill(tf.shape(x)[1:], 0))"),
    ("folded_arith", "range5", "map",
     "lambda x: (tf.range(tf.constant(2) * 3), tf.fill(tf.constant([2, 3]) + 1, x), tf.zeros(tf.stack([2, tf.constant(3) + 1])))"),
    ("nested_output", "range5", "map", "lambda x: ((x, x + 1), {'k': x * 2, 'c': 1})"),
    ("getitem_int64_index", "indexed", "map", "lambda v, i: (v[i], v[i:], v[1:i])"),
    ("mul_bool", "bools", "map", "lambda x: (x * x, tf.cast(x, tf.float32) * 2.0)"),
    ("string_add", "strings", "map", "lambda x: (x + '!', tf.strings.as_string(tf.strings.to_number(x) * 2.0))"),
    ("argmax_vector", "vector", "map", "lambda x: (tf.math.argmax(x), tf.math.argmin(x), tf.one_hot(x, 3, axis=0))"),
    ("clip_broadcast", "matrix", "map", "lambda x: (tf.clip_by_value(x, [0., -1., 0.], 2.0), tf.cast(x, tf.bool))"),
    ("dtypes_misc", "mixed", "map",
     "lambda a, b, c, d: (a + 1, b * 2, c - 3, d * 2.0, tf.constant([1.5, 2.5], tf.bfloat16), "
     "tf.constant([1, 2], tf.uint64), tf.constant(3, tf.uint32) + a)"),
    ("dict_nested_input", "nested", "map",
     "lambda d: {'img': tf.cast(d['img'], tf.float32) / 255.0, 'n': d['meta'][0] + 1, 's': d['meta'][1] + '!'}"),
    ("concat_literal", "matrix", "map",
     "lambda x: (tf.concat([x, [[1., 2., 3.]]], 0), tf.stack([x[0], [7., 8., 9.]], axis=1))"),
    ("gather_int64", "range5", "map",
     "lambda x: (tf.gather(tf.constant([10, 20, 30, 40, 50]), x), tf.one_hot(x, tf.cast(x, tf.int32) + 1))"),
    ("range_tensor_float", "floats", "map", "lambda x: (tf.range(x, 3.0, 0.5), tf.range(tf.cast(x, tf.int32) + 3))"),
    ("reduce_axis_tensor", "matrix", "map",
     "lambda x: (tf.math.reduce_sum(x, tf.constant(1)), tf.math.reduce_mean(x, axis=[-1], keepdims=True))"),
    ("where_scalar_cond", "floats", "map", "lambda x: (tf.where(True, x, 0.0), tf.where(x > 0.0, x, [1.0]))"),
    ("unknown_rank", "unranked", "map",
     "lambda x: (tf.transpose(x), tf.math.reduce_sum(x), x + 1.0, tf.shape(x), tf.size(x), tf.reshape(x, [-1]), "
     "tf.expand_dims(x, 0), tf.squeeze(x), tf.zeros_like(x), tf.concat([x, x], 0), x[0], tf.math.reduce_max(x, 0), "
     "tf.stack([x, x]), tf.gather(x, [0]), tf.tile(x, [1, 2]), tf.math.argmax(x, 1), x[..., 1:])"),
    ("filter_even", "range5", "filter", "lambda x: tf.math.equal(x % 2, 0)"),
    ("filter_tuple", "pair", "filter", "lambda v, i: tf.math.reduce_sum(v) > tf.cast(i, tf.float32)"),
    ("filter_dict", "record", "filter", "lambda d: d['a'] > 2.0"),
]

# Functions TF refuses to trace: (name, input, python function source). Our tracer must refuse
# them too, with the same kind of message.
ERRORS = [
    ("err_float_literal_int", "range5", "lambda x: x + 2.5"),
    ("err_dtype_mismatch", "range5", "lambda x: x + tf.cast(x, tf.int32)"),
    ("err_reshape_size", "matrix", "lambda x: tf.reshape(x, [4, 2])"),
    ("err_concat_axis", "matrix", "lambda x: tf.concat([x, x], 2)"),
    ("err_broadcast", "matrix", "lambda x: x + [1., 2.]"),
    ("err_sqrt_int", "range5", "lambda x: tf.math.sqrt(x)"),
    ("err_reduce_axis", "matrix", "lambda x: tf.math.reduce_sum(x, 2)"),
    ("err_getitem_bounds", "matrix", "lambda x: x[2]"),
    ("err_maximum_literal_first", "range5", "lambda x: tf.math.maximum(3, x)"),
    ("err_logical_int", "range5", "lambda x: tf.math.logical_not(x)"),
    ("err_where_dtype", "range5", "lambda x: tf.where(x > 2, x, 1.5)"),
    ("err_transpose_perm", "matrix", "lambda x: tf.transpose(x, [0, 2])"),
    ("err_expand_dims_axis", "matrix", "lambda x: tf.expand_dims(x, 3)"),
    ("err_squeeze_dim", "matrix", "lambda x: tf.squeeze(x, 0)"),
    ("err_stack_shapes", "matrix", "lambda x: tf.stack([x, x[0]])"),
    ("err_mul_float_literal_uint8", "image", "lambda x: x * 2.0"),
]


# Ops the tracer can emit that no case above happens to use; their OpDefs are dumped too.
EXTRA_OPS = ["Add", "Rank"]


def _parse_graph(data):
    g = graph_pb2.GraphDef()
    g.ParseFromString(data)
    return g


def _spec_json(spec):
    shape = None if spec.shape.rank is None else [-1 if d is None else d for d in spec.shape.as_list()]
    return {"dtype": spec.dtype.name, "shape": shape}


def _structure_json(structure):
    """TF's element structure: tuples, dicts (keys as TF sorts them) and tensor specs."""
    if isinstance(structure, tuple):
        return {"tuple": [_structure_json(s) for s in structure]}
    if isinstance(structure, dict):
        return {"dict": {k: _structure_json(structure[k]) for k in sorted(structure)}}
    return {"tensor": _spec_json(structure)}


def _float_json(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def _component(value):
    dtype = value.dtype.name
    arr = value.numpy()
    if dtype == "bfloat16":
        arr = arr.astype(np.float32)  # exact: every bfloat16 is a float32
    flat = np.asarray(arr).reshape(-1)
    if dtype in ("int64", "uint64"):
        values = [str(int(v)) for v in flat]  # exact: the TS side reads them as bigint
    elif dtype == "bool":
        values = [bool(v) for v in flat]
    elif dtype == "string":
        values = [base64.b64encode(bytes(v)).decode() for v in flat]  # raw bytes
    elif dtype in ("float16", "bfloat16", "float32", "float64"):
        values = [_float_json(float(v)) for v in flat]  # exact: every such value is a double
    else:
        values = [int(v) for v in flat]
    return {"dtype": dtype, "shape": list(np.shape(arr)), "values": values}


def _error_message(e):
    """TF's message without the autograph traceback ("in user code: ... <Type>: <message>")."""
    text = str(e).strip()
    marker = f"{type(e).__name__}: "
    at = text.rfind("\n" + marker)
    if at < 0:
        at = text.rfind(marker)
    body = text[at:].strip() if at >= 0 else text
    if body.startswith(marker):
        body = body[len(marker):]
    return " ".join(ln.strip() for ln in body.split("\n") if ln.strip())


def _json_lines(items):
    """A JSON array with one compact item per line (small diffs, small files)."""
    return "[\n" + ",\n".join(json.dumps(x, separators=(",", ":")) for x in items) + "\n]"


def _attr_text(v):
    """An AttrValue in one short line (`DT_FLOAT`, `-1`, `[1, 2]`, `int32[2] [3 2]`)."""
    kind = v.WhichOneof("value")
    if kind == "type":
        return tf.as_dtype(v.type).name
    if kind == "tensor":
        arr = tf.make_ndarray(v.tensor)
        shape = "x".join(str(d) for d in arr.shape)
        return f"{tf.as_dtype(v.tensor.dtype).name}[{shape}] {np.array2string(arr.reshape(-1), separator=' ')}"
    if kind == "list":
        if v.list.type:
            return "[" + ", ".join(tf.as_dtype(t).name for t in v.list.type) + "]"
        if v.list.shape:
            return "[" + ", ".join(str(tf.TensorShape(sh)) for sh in v.list.shape) + "]"
        return str(list(v.list.i))
    if kind == "s":
        return repr(v.s.decode())
    return str(getattr(v, kind))


def _function_text(fdef):
    """A FunctionDef in a compact, reviewable form: one line per node."""
    sig = fdef.signature
    args = ", ".join(f"{a.name}: {tf.as_dtype(a.type).name}" for a in sig.input_arg)
    outs = ", ".join(f"{a.name}: {tf.as_dtype(a.type).name}" for a in sig.output_arg)
    lines = [f"{sig.name}({args}) -> ({outs})"]
    for n in fdef.node_def:
        attrs = ", ".join(f"{k}={_attr_text(n.attr[k])}" for k in sorted(n.attr))
        lines.append(f"  {n.name} = {n.op}({', '.join(n.input)}) {{{attrs}}}")
    lines.append("  ret " + ", ".join(f"{k}={fdef.ret[k]}" for k in sorted(fdef.ret)))
    return "\n".join(lines)


def _op_names(fn):
    return sorted({n.op for n in fn.node_def})


def main():
    fixtures = []
    pbtxt = []
    ops = set()
    for name, input_key, kind, source in CASES:
        ds = eval(INPUTS[input_key])  # pylint: disable=eval-used
        fn = eval(source)  # pylint: disable=eval-used
        out = ds.map(fn) if kind == "map" else ds.filter(fn)
        graph = _parse_graph(out._as_serialized_graph().numpy())  # pylint: disable=protected-access
        # TF writes proto maps in hash order; re-serialize with sorted keys so the fixture file
        # is reproducible (the same message, byte-stable).
        data = graph.SerializeToString(deterministic=True)
        node = [n for n in graph.node if n.op in ("MapDataset", "FilterDataset")][-1]
        fname = node.attr["f" if kind == "map" else "predicate"].func.name
        fdef = next(f for f in graph.library.function if f.signature.name == fname)
        ops.update(_op_names(fdef))
        elements = [[_component(c) for c in tf.nest.flatten(el)] for el in out]
        fixtures.append({
            "name": name,
            "kind": kind,
            "input": INPUTS[input_key],
            "python": source,
            "inputStructure": _structure_json(ds.element_spec),
            "outputStructure": _structure_json(out.element_spec),
            "function": fdef.signature.name,
            "graph": base64.b64encode(data).decode(),
            # False when the input dataset runs Python code (a generator): such a graph only
            # runs in TF, not on our engine.
            "portable": input_key not in PYTHON_INPUTS,
            "elements": elements,
        })
        pbtxt.append(f"# {name}: {INPUTS[input_key]}.{kind}({source})\n{_function_text(fdef)}\n")

    errors = []
    for name, input_key, source in ERRORS:
        ds = eval(INPUTS[input_key])  # pylint: disable=eval-used
        fn = eval(source)  # pylint: disable=eval-used
        try:
            ds.map(fn)
        except (TypeError, ValueError) as e:
            errors.append({
                "name": name,
                "input": INPUTS[input_key],
                "python": source,
                "inputStructure": _structure_json(ds.element_spec),
                "errorType": type(e).__name__,
                "message": _error_message(e),
            })
        else:
            raise AssertionError(f"{name}: TF traced {source} without error")

    op_defs = {}
    for op in sorted(ops | set(EXTRA_OPS)):
        op_defs[op] = base64.b64encode(op_def_registry.get(op).SerializeToString()).decode()

    old = os.path.join(OUT_DIR, "functions.pbtxt")
    if os.path.exists(old):
        os.remove(old)
    with open(os.path.join(OUT_DIR, "functions.txt"), "w") as f:
        f.write("# Generated by scripts/tf/gen_trace_fixtures.py: the FunctionDef TF traced for each case,\n"
                "# one line per node (`name = Op(inputs) {attrs}`); the exact protos are in tf-trace.ts.\n\n")
        f.write("\n".join(pbtxt))
    with open(os.path.join(OUT_DIR, "tf-trace.ts"), "w") as f:
        f.write("// Generated by scripts/tf/gen_trace_fixtures.py from TensorFlow "
                f"{tf.__version__}. Do not edit.\n")
        f.write("// Each case: an input dataset, a function, the GraphDef TF built for `map`/`filter`\n")
        f.write("// (base64; its library holds the traced FunctionDef), the element structures and the\n")
        f.write("// elements TF yields (int64/uint64 as decimal strings, strings as base64 bytes,\n")
        f.write("// non-finite floats as \"NaN\"/\"Infinity\"/\"-Infinity\").\n")
        f.write("import type { TfTraceFixture, TfTraceError } from \"./fixture-types.js\";\n\n")
        f.write("/** The TensorFlow version that generated this file. */\n")
        f.write(f"export const TF_VERSION = {json.dumps(tf.__version__)};\n\n")
        f.write("/** One entry per traced case, in the generator's order. */\n")
        f.write(f"export const TF_TRACE_FIXTURES: readonly TfTraceFixture[] = {_json_lines(fixtures)};\n\n")
        f.write("/** Functions TF refuses to trace, with TF's error. */\n")
        f.write(f"export const TF_TRACE_ERRORS: readonly TfTraceError[] = {_json_lines(errors)};\n\n")
        f.write("/** Serialized `OpDef` (base64) of every op the traced functions use. */\n")
        f.write(f"export const TF_OP_DEFS: Readonly<Record<string, string>> = {json.dumps(op_defs, indent=1)};\n")
    print(f"wrote {len(fixtures)} cases, {len(errors)} error cases, {len(op_defs)} op defs to {OUT_DIR}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
