"""Write golden fixtures from TensorFlow 2.21 for the sources and function-free transformations.

Why: `Dataset.fromTensors`, `fromTensorSlices`, `repeat`, `skip`, `shard`, `prefetch`, `cache`,
`concatenate`, `zip`, `enumerate`, `batch(numParallelCalls)`, `paddedBatch`, `unbatch` and
`rebatch` must build the GraphDefs TF 2.21 builds and yield TF's elements. TensorFlow is the
oracle: for each pipeline below (each written again with our API in
`test/dataset/transformations/pipelines.ts`, same name) this script records
  * `graph`: `dataset._as_serialized_graph()` re-serialized deterministically (base64);
  * `spec`: the element_spec as a nest (`{"tensor": {dtype, shape}}`, `{"tuple": [...]}`,
    `{"dict": [[key, ...], ...]}` in TF's insertion order), shape -1 = unknown dim;
  * `cardinality`: `dataset.cardinality()`;
  * `elements`: the flat components of each element (`{dtype, shape, data}` with the raw
    little-endian bytes in base64, or `{dtype: "string", shape, strings: [base64...]}`); for an
    infinite dataset the first `PREFIX` elements, with `truncated: true`;
  * for the `ERRORS` cases, the exception TF raises building (`at: "build"`) or iterating
    (`at: "iterate"`, with the elements before the failure) the dataset: class and message.

Output (small, committed): `test/fixtures/datasets/tf-datasets.ts`, a TS module (so isomorphic
suites can import it without reading files). `--pbtxt DIR` also writes every graph as text there,
for human review (not committed: the base64 is the reference).

Regenerate (from the repo root):
    .venv-tf/bin/python scripts/tf/gen_dataset_fixtures.py
Check that the committed fixtures are what TF writes (exit 1 if not):
    .venv-tf/bin/python scripts/tf/gen_dataset_fixtures.py --check
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import graph_pb2  # noqa: E402

OUT_DIR = os.path.join("test", "fixtures", "datasets")
D = tf.data.Dataset
AUTOTUNE = tf.data.AUTOTUNE
# Elements recorded of an infinite dataset.
PREFIX = 8


def ragged_ints():
    """Vectors of lengths 2, 3, 1 (int32, spec (None,)), without map: concatenated from_tensors."""
    return D.from_tensors([1, 2]).concatenate(D.from_tensors([3, 4, 5])).concatenate(D.from_tensors([6]))


def ragged_strings():
    return D.from_tensors(["a"]).concatenate(D.from_tensors(["bb", "c"])).concatenate(D.from_tensors(["d", "e", "f"]))


def ragged_matrices():
    return D.from_tensors(np.ones((1, 2), np.float32)).concatenate(D.from_tensors(np.full((2, 1), 2.0, np.float32)))


# name -> expression. Every transformation appears with tuples and dicts somewhere.
PIPELINES = [
    # --- from_tensors ---
    ("ft_int", "D.from_tensors(7)"),
    ("ft_float", "D.from_tensors(2.5)"),
    ("ft_bool", "D.from_tensors(True)"),
    ("ft_string", "D.from_tensors('hello')"),
    ("ft_int64_number", "D.from_tensors(2**40)"),
    ("ft_int64", "D.from_tensors(np.int64(-5))"),
    ("ft_matrix", "D.from_tensors([[1, 2, 3], [4, 5, 6]])"),
    ("ft_mixed_list", "D.from_tensors([1, 2.5])"),
    ("ft_int_list_big", "D.from_tensors([1, 2**40])"),
    ("ft_tuple", "D.from_tensors((1, 2.5, 'a', True))"),
    ("ft_dict", "D.from_tensors({'b': [1, 2], 'a': 3.5})"),
    ("ft_nested", "D.from_tensors(({'x': [1.5], 'y': (True, 's')}, [[1], [2]]))"),
    ("ft_empty_list", "D.from_tensors([])"),
    ("ft_uint16", "D.from_tensors(np.array([1, 2, 65535], np.uint16))"),
    ("ft_float16", "D.from_tensors(np.array([1.5, -2.0, 65504.0], np.float16))"),
    ("ft_float16_scalar", "D.from_tensors(np.float16(0.5))"),
    ("ft_uint64_scalar", "D.from_tensors(np.uint64(2**64 - 1))"),
    ("ft_one_string", "D.from_tensors(['only'])"),
    ("ft_named", "D.from_tensors(1, name='my_source')"),
    # --- from_tensor_slices ---
    ("fts_ints", "D.from_tensor_slices([1, 2, 3, 4])"),
    ("fts_floats", "D.from_tensor_slices([1.5, -2.0, 3.25])"),
    ("fts_strings", "D.from_tensor_slices(['a', 'bc', '', ' d', '\\u00e9t\\u00e9'])"),
    ("fts_bools", "D.from_tensor_slices([True, False, True])"),
    ("fts_int64", "D.from_tensor_slices(np.array([1, -2, 2**40, -(2**62)], np.int64))"),
    ("fts_matrix", "D.from_tensor_slices([[1, 2], [3, 4], [5, 6]])"),
    ("fts_tuple", "D.from_tensor_slices(([1, 2, 3], ['x', 'y', 'z']))"),
    ("fts_dict", "D.from_tensor_slices({'label': [0, 1, 0], 'feat': [[1.5, 2.0], [3.0, 4.5], [5.0, 6.0]]})"),
    ("fts_nested", "D.from_tensor_slices(({'a': [1, 2], 'b': ([True, False], [3.5, 4.5])}, ['p', 'q']))"),
    ("fts_uint8", "D.from_tensor_slices(np.array([0, 1, 127, 200, 255], np.uint8))"),
    ("fts_float64", "D.from_tensor_slices(np.array([0.1, -2.25, 1e300], np.float64))"),
    ("fts_empty", "D.from_tensor_slices(np.zeros((0, 2), np.float32))"),
    ("fts_string_matrix", "D.from_tensor_slices([['a', 'b'], ['c', 'd'], ['e', 'f']])"),
    ("fts_single_row", "D.from_tensor_slices(['x'])"),
    ("fts_large", "D.from_tensor_slices(np.arange(100, dtype=np.float32).reshape(25, 4))"),
    # --- repeat / skip / shard / prefetch / cache ---
    ("repeat_3", "D.range(3).repeat(3)"),
    ("repeat_forever_take", "D.range(3).repeat().take(7)"),
    ("repeat_forever", "D.range(2).repeat()"),
    ("repeat_zero", "D.range(3).repeat(0)"),
    ("repeat_empty_forever", "D.range(0).repeat()"),
    ("repeat_tuple", "D.from_tensor_slices(([1, 2], ['a', 'b'])).repeat(2)"),
    ("skip_2", "D.range(5).skip(2)"),
    ("skip_all", "D.range(5).skip(-1)"),
    ("skip_past_end", "D.range(3).skip(10)"),
    ("skip_infinite", "D.range(3).repeat().skip(4)"),
    ("shard_3_1", "D.range(10).shard(3, 1)"),
    ("shard_strings", "D.from_tensor_slices(['a', 'b', 'c', 'd', 'e']).shard(2, 0)"),
    ("shard_more_than_elements", "D.range(3).shard(5, 4)"),
    ("prefetch_2", "D.range(5).prefetch(2)"),
    ("prefetch_autotune", "D.range(5).prefetch(AUTOTUNE)"),
    ("cache_repeat", "D.range(4).cache().repeat(2)"),
    ("cache_dict", "D.from_tensor_slices({'k': ['x', 'y'], 'v': [1, 2]}).cache()"),
    # --- concatenate / zip / enumerate ---
    ("concat", "D.range(3).concatenate(D.range(10, 13))"),
    ("concat_shapes", "D.from_tensors([1, 2]).concatenate(D.from_tensors([1, 2, 3]))"),
    ("concat_tuples", "D.from_tensor_slices(([1, 2], ['a', 'b'])).concatenate(D.from_tensors((3, 'c')))"),
    ("concat_infinite", "D.range(2).concatenate(D.range(5).repeat()).take(6)"),
    ("zip_tuple", "D.zip((D.range(3), D.from_tensor_slices(['a', 'b', 'c', 'd'])))"),
    ("zip_dict", "D.zip({'y': D.range(3, 6), 'x': D.range(3)})"),
    ("zip_nested", "D.zip((D.range(2), (D.from_tensors(1.5).repeat(), D.range(5, 8))))"),
    ("zip_one_tuple", "D.zip((D.range(2),))"),
    ("zip_varargs", "D.zip(D.range(2), D.range(3, 6))"),
    ("zip_structured_inputs", "D.zip((D.from_tensor_slices({'a': [1, 2]}), D.from_tensor_slices(([1.5, 2.5], ['u', 'v']))))"),
    ("enumerate", "D.from_tensor_slices(['a', 'b', 'c']).enumerate()"),
    ("enumerate_start", "D.range(3).enumerate(start=5)"),
    ("enumerate_dict", "D.from_tensor_slices({'v': [1.5, 2.5]}).enumerate()"),
    # --- batch with num_parallel_calls / padded_batch / unbatch / rebatch ---
    ("pbatch", "D.range(10).batch(3, num_parallel_calls=2, deterministic=True)"),
    ("pbatch_autotune_drop", "D.range(10).batch(4, drop_remainder=True, num_parallel_calls=AUTOTUNE)"),
    ("pbatch_nondeterministic", "D.range(7).batch(2, num_parallel_calls=2, deterministic=False)"),
    ("pbatch_dict", "D.from_tensor_slices({'a': [1, 2, 3], 'b': ['x', 'y', 'z']}).batch(2, num_parallel_calls=1)"),
    ("batch_tuple_strings", "D.from_tensor_slices((['a', 'b', 'c'], [[1.5], [2.5], [3.5]])).batch(2)"),
    ("padded", "ragged_ints().padded_batch(2)"),
    ("padded_shapes_values", "ragged_ints().padded_batch(2, padded_shapes=[5], padding_values=-1)"),
    ("padded_drop", "ragged_ints().padded_batch(2, drop_remainder=True)"),
    ("padded_strings", "ragged_strings().padded_batch(3, padding_values='<pad>')"),
    ("padded_matrices", "ragged_matrices().padded_batch(2, padded_shapes=[None, 3], padding_values=np.float32(-1))"),
    ("padded_tuple", "D.zip((ragged_ints(), D.from_tensor_slices([1.5, 2.5, 3.5]))).padded_batch("
                     "2, padded_shapes=([4], []), padding_values=(9, 0.0))"),
    ("padded_dict", "D.zip({'s': ragged_strings(), 'n': ragged_ints()}).padded_batch(2)"),
    ("padded_static", "D.from_tensor_slices([[1, 2], [3, 4], [5, 6]]).padded_batch(2)"),
    ("unbatch", "D.from_tensors([[1, 2], [3, 4], [5, 6]]).unbatch()"),
    ("unbatch_known", "D.range(8).batch(4, drop_remainder=True).unbatch()"),
    ("unbatch_unknown", "D.range(7).batch(3).unbatch()"),
    ("unbatch_tuple", "D.from_tensor_slices(([[1, 2], [3, 4], [5, 6]], ['a', 'b', 'c'])).batch(2).unbatch()"),
    ("unbatch_dict", "D.from_tensors({'b': [1, 2], 'a': ([1.5, 2.5], ['x', 'y'])}).unbatch()"),
    ("rebatch", "D.range(10).batch(4).rebatch(3)"),
    ("rebatch_drop", "D.range(12).batch(4, drop_remainder=True).rebatch(3, drop_remainder=True)"),
    ("rebatch_list", "D.range(10).batch(4).rebatch([1, 2])"),
    ("rebatch_static", "D.range(8).batch(4, drop_remainder=True).rebatch(2)"),
    ("rebatch_tuple", "D.from_tensor_slices((np.arange(10), [str(i) for i in range(10)])).batch(3).rebatch(4)"),
    # --- chains ---
    ("chain", "D.range(20).skip(2).shard(2, 1).repeat(2).take(8).prefetch(1)"),
    ("chain_nested", "D.zip((D.range(6), D.from_tensor_slices(['a', 'b', 'c', 'd', 'e', 'f']))).batch(2).unbatch()"
                     ".enumerate().cache().repeat(2)"),
]

# Pipelines our API cannot spell yet (`window` elements are datasets, which element specs cannot
# hold): only TF's graph is checked, run in our core (`tfOnly: true`).
TF_ONLY = [
    ("window_flat_map", "D.range(7).window(3, shift=2, stride=1, drop_remainder=True).flat_map(lambda w: w.batch(3))"),
    ("window_stride_partial", "D.range(10).window(2, shift=3, stride=2).flat_map(lambda w: w.batch(2))"),
    ("window_shift_past_buffer", "D.range(10).window(2, shift=5).flat_map(lambda w: w)"),
    ("window_tuple", "D.from_tensor_slices(([1, 2, 3, 4, 5], ['a', 'b', 'c', 'd', 'e'])).window(2, shift=2)"
                     ".flat_map(lambda a, b: D.zip((a.batch(2), b.batch(2))))"),
]

# Pipelines whose elements are datasets (`window`): graph, spec and cardinality only (`graphOnly`).
GRAPH_ONLY = [
    ("window_graph", "D.range(7).window(3, shift=2, stride=1, drop_remainder=True)"),
    ("window_graph_defaults", "D.range(5).window(2)"),
    ("window_graph_nested", "D.from_tensor_slices(({'a': [1, 2, 3]}, ['x', 'y', 'z'])).window(2, stride=2)"),
    ("window_graph_infinite", "D.range(3).repeat().window(4, shift=1)"),
]

# Pipelines TF rejects: (name, expression). TF's exception is recorded, when building or iterating.
ERRORS = [
    ("err_shard_index", "D.range(4).shard(2, 2)"),
    ("err_shard_zero", "D.range(4).shard(0, 0)"),
    ("err_shard_negative", "D.range(4).shard(2, -1)"),
    ("err_slices_scalar", "D.from_tensor_slices(1)"),
    ("err_slices_dims", "D.from_tensor_slices(([1, 2], [1, 2, 3]))"),
    ("err_slices_ragged", "D.from_tensor_slices([[1, 2], [3]])"),
    ("err_unbatch_scalar", "D.range(3).unbatch()"),
    ("err_unbatch_static_dims", "D.from_tensors(([1, 2], [1, 2, 3])).unbatch()"),
    ("err_unbatch_runtime", "D.zip((ragged_ints(), ragged_ints().skip(1))).unbatch()"),
    ("err_padded_too_small", "ragged_ints().padded_batch(2, padded_shapes=[2])"),
    ("err_padded_rank", "D.range(4).padded_batch(2, padded_shapes=[2])"),
    ("err_padded_static_small", "D.from_tensors([1, 2, 3]).padded_batch(2, padded_shapes=[2])"),
    ("err_batch_zero", "D.range(3).batch(0)"),
    ("err_prefetch_negative", "D.range(3).prefetch(-5)"),
    ("err_concat_types", "D.range(3).concatenate(D.from_tensors(1.5))"),
    ("err_concat_structure", "D.range(3).concatenate(D.zip((D.range(1), D.range(1))))"),
    ("err_empty_tuple", "D.from_tensor_slices(())"),
    ("err_window_size", "D.range(3).window(0)"),
    ("err_window_shift", "D.range(3).window(2, shift=0)"),
]


def _component(value):
    arr = np.asarray(value)
    dtype = tf.as_dtype(arr.dtype).name
    shape = list(arr.shape)
    if dtype == "string":
        return {"dtype": dtype, "shape": shape,
                "strings": [base64.b64encode(bytes(s)).decode() for s in arr.reshape(-1).tolist()]}
    data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
    return {"dtype": dtype, "shape": shape, "data": base64.b64encode(data).decode()}


def _spec(s):
    if isinstance(s, tf.data.DatasetSpec):
        return {"dataset": _spec(s.element_spec)}
    if isinstance(s, tf.TensorSpec):
        shape = None if s.shape.rank is None else [-1 if d is None else d for d in s.shape.as_list()]
        return {"tensor": {"dtype": s.dtype.name, "shape": shape}}
    if isinstance(s, tuple):
        return {"tuple": [_spec(x) for x in s]}
    if isinstance(s, dict):
        return {"dict": [[k, _spec(v)] for k, v in s.items()]}
    raise TypeError(f"unsupported element spec {s!r}")


def _graph(ds):
    """The dataset's GraphDef, attr maps in sorted order (TF writes hash order, which varies by run)."""
    graph = graph_pb2.GraphDef()
    graph.ParseFromString(ds._as_serialized_graph().numpy())  # pylint: disable=protected-access
    return graph_pb2.GraphDef.FromString(graph.SerializeToString(deterministic=True))


def _elements(ds, limit):
    out = []
    it = iter(ds)
    while limit is None or len(out) < limit:
        try:
            el = next(it)
        except StopIteration:
            break
        out.append([_component(c) for c in tf.nest.flatten(el)])
    return out


def _error(e):
    lines = [l for l in str(e).strip().splitlines() if l.strip()]
    msg = lines[0] if lines else ""
    # Drop TF's "{{function_node ...}} " prefix and " [Op:...]" suffix: they name TF internals.
    if msg.startswith("{{function_node"):
        msg = msg.split("}} ", 1)[-1]
    msg = msg.split(" [Op:")[0]
    return {"type": type(e).__name__, "message": msg}


def main(check, pbtxt_dir):
    fixtures = []
    pbtxt = []
    env = dict(globals())
    for name, expr in PIPELINES + TF_ONLY:
        ds = eval(expr, env)  # pylint: disable=eval-used
        graph = _graph(ds)
        card = int(ds.cardinality().numpy())
        elements = _elements(ds, PREFIX if card == -1 else None)
        fixtures.append({
            "name": name,
            "python": expr,
            "graph": base64.b64encode(graph.SerializeToString(deterministic=True)).decode(),
            "spec": _spec(ds.element_spec),
            "cardinality": card,
            "elements": elements,
            "truncated": card == -1,
            **({"tfOnly": True} if (name, expr) in TF_ONLY else {}),
        })
        pbtxt.append(f"# {name}: {expr}\n{graph}")
    for name, expr in GRAPH_ONLY:
        ds = eval(expr, env)  # pylint: disable=eval-used
        graph = _graph(ds)
        fixtures.append({
            "name": name,
            "python": expr,
            "graph": base64.b64encode(graph.SerializeToString(deterministic=True)).decode(),
            "spec": _spec(ds.element_spec),
            "cardinality": int(ds.cardinality().numpy()),
            "graphOnly": True,
        })
        pbtxt.append(f"# {name}: {expr}\n{graph}")
    for name, expr in ERRORS:
        entry = {"name": name, "python": expr}
        try:
            ds = eval(expr, env)  # pylint: disable=eval-used
        except Exception as e:  # pylint: disable=broad-except
            entry.update({"at": "build", **_error(e)})
        else:
            graph = _graph(ds)
            entry["graph"] = base64.b64encode(graph.SerializeToString(deterministic=True)).decode()
            entry["spec"] = _spec(ds.element_spec)
            got = []
            try:
                it = iter(ds)
                while True:
                    got.append([_component(c) for c in tf.nest.flatten(next(it))])
            except StopIteration:
                raise RuntimeError(f"{name}: TF iterated {expr} without an error")  # pylint: disable=raise-missing-from
            except Exception as e:  # pylint: disable=broad-except
                entry.update({"at": "iterate", "elements": got, **_error(e)})
            pbtxt.append(f"# {name}: {expr}\n{graph}")
        fixtures.append(entry)

    body = json.dumps(fixtures, indent=1, ensure_ascii=True)
    files = {
        "tf-datasets.ts": (
            "// Generated by scripts/tf/gen_dataset_fixtures.py from TensorFlow "
            f"{tf.__version__}. Do not edit.\n"
            "import type { TfDatasetFixture } from \"./fixture-types.js\";\n\n"
            "/** TensorFlow's graphs, specs, cardinalities and elements (or errors) per pipeline. */\n"
            f"export const TF_DATASET_FIXTURES: readonly TfDatasetFixture[] = {body};\n"),
    }
    if pbtxt_dir:
        os.makedirs(pbtxt_dir, exist_ok=True)
        with open(os.path.join(pbtxt_dir, "dataset-graphs.pbtxt"), "w") as f:
            f.write("".join(f"{p}\n" for p in pbtxt))
    if check:
        stale = [f for f, text in files.items()
                 if not os.path.exists(os.path.join(OUT_DIR, f)) or open(os.path.join(OUT_DIR, f)).read() != text]
        if stale:
            print("dataset fixtures are stale (rerun scripts/tf/gen_dataset_fixtures.py): " + ", ".join(stale),
                  file=sys.stderr)
            return 1
        print(f"{len(files)} dataset fixture files are current", file=sys.stderr)
        return 0
    os.makedirs(OUT_DIR, exist_ok=True)
    for fname, text in files.items():
        with open(os.path.join(OUT_DIR, fname), "w") as f:
            f.write(text)
    print(f"wrote {len(fixtures)} fixtures to {OUT_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main("--check" in args, args[args.index("--pbtxt") + 1] if "--pbtxt" in args else None))
