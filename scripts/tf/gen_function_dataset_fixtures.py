"""Write golden fixtures for the function-taking datasets and shuffle, from TensorFlow 2.21.

Why: `map`, `filter`, `flat_map`, `interleave`, `scan` and `shuffle` must build TF's GraphDefs
(FunctionDefs included) and yield TF's elements, and `shuffle` must give TF's exact order for a
fixed seed, epoch after epoch. TF is the oracle. For each pipeline of `CASES` (its TypeScript
twin, same name, is in `test/dataset/functions/cases.ts`) this script records
  * `graph`: `dataset._as_serialized_graph()` (base64; attr maps re-serialized in key order),
  * `spec`: the element spec (nesting: tensor / tuple / dict; dtype and shape, -1 unknown dim),
  * `cardinality`: `dataset.cardinality()`,
  * `epochs`: the elements of two passes over the same dataset object (a reshuffling shuffle
    draws new seeds for the second pass); each element a list of flat components
    `{dtype, shape, data}` (raw little-endian bytes, base64) or `{dtype: "string", shape, strings}`,
  * `order`: "exact", or "multiset" where TF does not fix the order (unseeded shuffle,
    `deterministic=False`; their elements are stored sorted).
Some cases set TF's global seed first (`global_seed`); the TS twin calls `setRandomSeed` alike.
`tfOnly` holds graphs only TF builds (e.g. the fused ShuffleAndRepeatDatasetV2), which must run
in our core; `errors` holds graphs our lowering must reject, naming the op and the node.

Output (small, committed): `test/fixtures/function-datasets/fixtures.json`.

Regenerate (from the repo root):
    .venv-tf/bin/python scripts/tf/gen_function_dataset_fixtures.py
Check that the committed file is what TF writes now (exit 1 if not):
    .venv-tf/bin/python scripts/tf/gen_function_dataset_fixtures.py --check
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import graph_pb2  # noqa: E402

tf.autograph.set_verbosity(0)
tf.get_logger().setLevel("ERROR")

OUT = os.path.join("test", "fixtures", "function-datasets", "fixtures.json")

D = tf.data.Dataset
AUTOTUNE = tf.data.AUTOTUNE

# name -> (builder, options). Options: global_seed (int: tf.random.set_seed before building),
# multiset (TF fixes no order).
CASES = {
    # map
    "map_arith": (lambda: D.range(5).map(lambda x: x * 2 + 1), {}),
    "map_to_tuple": (lambda: D.range(3).map(lambda x: (x, x)), {}),
    "map_tuple_args": (lambda: D.range(4).map(lambda x: (x, x + 1)).map(lambda a, b: a * b), {}),
    "map_to_dict": (lambda: D.range(3).map(lambda x: {"b": x * 10, "a": x}), {}),
    "map_dict_arg": (lambda: D.range(3).map(lambda x: {"a": x, "b": x + 1}).map(lambda d: d["a"] + d["b"]), {}),
    "map_constants": (lambda: D.range(3).map(lambda x: (x, 5, 2.5, True)), {}),
    "map_cast": (lambda: D.range(4).map(lambda x: tf.cast(x, tf.float32) / 2.0), {}),
    "map_parallel": (lambda: D.range(10).map(lambda x: x + 1, num_parallel_calls=2, deterministic=True), {}),
    "map_autotune": (lambda: D.range(10).map(lambda x: x * 3, num_parallel_calls=AUTOTUNE), {}),
    "map_nondeterministic": (lambda: D.range(10).map(lambda x: x - 1, num_parallel_calls=3, deterministic=False),
                             {"multiset": True}),
    "map_batch": (lambda: D.range(7).map(lambda x: x * x).batch(3), {}),
    # filter
    "filter_mod": (lambda: D.range(10).filter(lambda x: tf.math.equal(x % 3, 0)), {}),
    "filter_tuple": (lambda: D.range(6).map(lambda x: (x, x * x)).filter(lambda a, b: b > 4), {}),
    "filter_dict": (lambda: D.range(6).map(lambda x: {"v": x}).filter(lambda d: d["v"] < 3), {}),
    "filter_batch": (lambda: D.range(20).filter(lambda x: tf.math.equal(x % 2, 0)).batch(3), {}),
    "filter_none": (lambda: D.range(5).filter(lambda x: x > 10), {}),
    # flat_map
    "flat_map_range": (lambda: D.range(1, 4).flat_map(lambda x: D.range(x)), {}),
    "flat_map_nested_map": (lambda: D.range(4).flat_map(lambda x: D.range(x).map(lambda y: y * 2)), {}),
    "flat_map_take_batch": (lambda: D.range(5).flat_map(lambda x: D.range(10).take(x).batch(2)), {}),
    "flat_map_start_stop": (lambda: D.range(3).flat_map(lambda x: D.range(x, x + 3)), {}),
    "flat_map_const": (lambda: D.range(3).flat_map(lambda x: D.range(2)), {}),
    "flat_map_nested_flat_map": (lambda: D.range(4).flat_map(lambda x: D.range(x).flat_map(lambda y: D.range(y))), {}),
    "flat_map_of_interleave": (lambda: D.range(1, 3).flat_map(
        lambda x: D.range(x, x + 2).interleave(lambda y: D.range(y), cycle_length=2)), {}),
    "flat_map_two_sources": (lambda: D.range(3).flat_map(lambda x: D.range(x).concatenate(D.range(2))), {}),
    "flat_map_slices": (lambda: D.range(3).map(lambda x: tf.stack([x, x + 1])).flat_map(
        lambda v: D.from_tensor_slices(v)), {}),
    "interleave_from_tensors_repeat": (lambda: D.range(1, 4).interleave(lambda x: D.from_tensors(x).repeat(x),
                                                                        cycle_length=2, block_length=2), {}),
    "flat_map_filter_scan": (lambda: D.range(5).flat_map(lambda x: D.range(x)).filter(lambda x: x > 0).scan(
        np.int64(0), lambda s, x: (s + x, s)), {}),
    # interleave
    "interleave_basic": (lambda: D.range(1, 4).interleave(lambda x: D.range(x), cycle_length=2), {}),
    "interleave_block": (lambda: D.range(3).interleave(lambda x: D.range(x * 10, x * 10 + 4), cycle_length=2,
                                                       block_length=3), {}),
    "interleave_cycle_1": (lambda: D.range(4).interleave(lambda x: D.range(x), cycle_length=1), {}),
    "interleave_wide": (lambda: D.range(1, 6).interleave(lambda x: D.range(x), cycle_length=4, block_length=2), {}),
    "interleave_parallel": (lambda: D.range(5).interleave(lambda x: D.range(x, x + 3), cycle_length=3, block_length=2,
                                                          num_parallel_calls=2, deterministic=True), {}),
    "interleave_parallel_autotune": (lambda: D.range(4).interleave(lambda x: D.range(x), cycle_length=2,
                                                                   num_parallel_calls=AUTOTUNE), {}),
    "interleave_dynamic_batch": (lambda: D.range(1, 4).interleave(lambda x: D.range(10).take(x * 2).batch(x),
                                                                  cycle_length=2), {}),
    "interleave_nondeterministic": (lambda: D.range(4).interleave(lambda x: D.range(x * 5, x * 5 + 3), cycle_length=2,
                                                                  num_parallel_calls=2, deterministic=False),
                                    {"multiset": True}),
    # scan
    "scan_sum": (lambda: D.range(6).scan(np.int64(0), lambda s, x: (s + x, s * x)), {}),
    "scan_tuple_state": (lambda: D.range(5).scan((np.int64(0), np.int64(1)),
                                                 lambda s, x: ((s[0] + x, s[1] * 2), s[0] - s[1])), {}),
    "scan_int32_state": (lambda: D.range(4).scan(0, lambda s, x: (s + 1, tf.cast(x, tf.int32) * s)), {}),
    # shuffle
    "shuffle_seed": (lambda: D.range(20).shuffle(5, seed=42), {}),
    "shuffle_buffer_1": (lambda: D.range(8).shuffle(1, seed=5), {}),
    "shuffle_full": (lambda: D.range(10).shuffle(100, seed=3), {}),
    "shuffle_reshuffle": (lambda: D.range(10).shuffle(4, seed=7), {}),
    "shuffle_no_reshuffle": (lambda: D.range(10).shuffle(4, seed=7, reshuffle_each_iteration=False), {}),
    "shuffle_batch": (lambda: D.range(25).shuffle(8, seed=11).batch(4), {}),
    "shuffle_big_seed": (lambda: D.range(15).shuffle(6, seed=2**40 + 123), {}),
    "shuffle_seed_0": (lambda: D.range(12).shuffle(5, seed=0), {}),
    "shuffle_global_seed": (lambda: D.range(10).shuffle(4), {"global_seed": 1234}),
    "shuffle_global_and_op_seed": (lambda: D.range(10).shuffle(4, seed=5), {"global_seed": 99}),
    "shuffle_map_filter": (lambda: D.range(30).map(lambda x: x * x).shuffle(10, seed=2).filter(
        lambda x: tf.math.equal(x % 2, 0)), {}),
    "shuffle_unseeded": (lambda: D.range(12).shuffle(6), {"multiset": True}),
}


# A sweep over shuffle parameters (input length, buffer size, seed, reshuffling): the order must be
# TF's exactly for each. Named `shuffle_sweep_n<n>_b<buffer>_s<seed>_<r|f>` (r: reshuffle).
for _n, _b, _seed, _r in [(0, 4, 1, True), (1, 3, 2, True), (17, 2, 3, True), (17, 16, 4, False), (17, 17, 5, True),
                          (40, 7, 123456789, True), (40, 64, 2**31 - 2, True), (33, 5, 9, False), (25, 1, 77, True),
                          (50, 13, 31337, True)]:
    CASES[f"shuffle_sweep_n{_n}_b{_b}_s{_seed}_{'r' if _r else 'f'}"] = (
        (lambda n=_n, b=_b, seed=_seed, r=_r: D.range(n).shuffle(b, seed=seed, reshuffle_each_iteration=r)), {})



def _shuffle_and_repeat():
    """The fused op TF's optimizer makes of shuffle(...).repeat(...), built directly."""
    inp = D.range(10)
    variant = tf.raw_ops.ShuffleAndRepeatDatasetV2(
        input_dataset=inp._variant_tensor, buffer_size=4, seed=87654321, seed2=7, count=2,  # pylint: disable=protected-access
        seed_generator=tf.raw_ops.DummySeedGenerator(), output_types=[tf.int64], output_shapes=[[]],
        reshuffle_each_iteration=True)
    return tf.data.experimental.from_variant(variant, tf.TensorSpec([], tf.int64))


_C_VEC = tf.constant([1.5, 2.5])
_C_INT = tf.constant(3, tf.int64)

# Graphs only TF builds (no TS twin): they must lower and run in our core with TF's elements.
# Captured tensors (TF's `Targuments`) only arise from Python closures over tensors; our tracer
# inlines JS values as Consts instead.
TF_ONLY = {
    "tf_only_shuffle_and_repeat": (_shuffle_and_repeat, {}),
    "tf_only_map_captured": (lambda: D.range(3).map(lambda x: (x * _C_INT, _C_VEC)), {}),
    "tf_only_parallel_map_captured": (lambda: D.range(4).map(lambda x: x + _C_INT, num_parallel_calls=2), {}),
    "tf_only_filter_captured": (lambda: D.range(8).filter(lambda x: x > _C_INT), {}),
    "tf_only_flat_map_captured": (lambda: D.range(3).flat_map(lambda x: D.range(x + _C_INT)), {}),
    "tf_only_interleave_captured": (lambda: D.range(3).interleave(lambda x: D.range(_C_INT + x), cycle_length=2), {}),
    "tf_only_scan_captured": (lambda: D.range(4).scan(np.int64(0), lambda s, x: (s + x * _C_INT, s)), {}),
}

# TF graphs our lowering must reject before running, naming the op and the node: name ->
# (builder, the op, a phrase the message must contain).
ERRORS = {
    "unsupported_op_in_function": (lambda: D.range(3).flat_map(lambda x: D.range(x).take_while(lambda y: y < 2)),
                                   "TakeWhileDataset", "Unsupported op 'TakeWhileDataset'"),
    "dynamic_shuffle_buffer": (lambda: D.range(3).flat_map(lambda x: D.range(5).shuffle(x + 1, seed=1)),
                               "ShuffleDatasetV3", "computed from the element at run time"),
    "captured_tensor": (lambda: D.range(3).flat_map(lambda x: D.range(2).map(lambda y: y + x)),
                        "MapDataset", "captures"),
}


def _spec_json(spec):
    if isinstance(spec, tuple):
        return {"tuple": [_spec_json(s) for s in spec]}
    if isinstance(spec, dict):
        return {"dict": {k: _spec_json(spec[k]) for k in sorted(spec)}}
    shape = None if spec.shape.rank is None else [-1 if d is None else d for d in spec.shape.as_list()]
    return {"tensor": {"dtype": spec.dtype.name, "shape": shape}}


def _component(value):
    dtype = value.dtype.name
    arr = np.asarray(value.numpy())
    if dtype == "string":
        return {"dtype": dtype, "shape": list(arr.shape),
                "strings": [base64.b64encode(bytes(v)).decode() for v in arr.reshape(-1)]}
    return {"dtype": dtype, "shape": list(arr.shape), "data": base64.b64encode(arr.astype(arr.dtype.newbyteorder("<")).tobytes()).decode()}


def _epoch(ds, multiset):
    out = [[_component(c) for c in tf.nest.flatten(el)] for el in ds]
    if multiset:
        out.sort(key=lambda e: json.dumps(e, sort_keys=True))
    return out


def _graph(ds):
    g = graph_pb2.GraphDef()
    g.ParseFromString(ds._as_serialized_graph().numpy())  # pylint: disable=protected-access
    return g.SerializeToString(deterministic=True)


def build(name, make, opts):
    if "global_seed" in opts:
        tf.random.set_seed(opts["global_seed"])
    try:
        ds = make()
    finally:
        if "global_seed" in opts:
            tf.random.set_seed(None)
    multiset = bool(opts.get("multiset"))
    return {
        "name": name,
        "graph": base64.b64encode(_graph(ds)).decode(),
        "spec": _spec_json(ds.element_spec),
        "cardinality": int(ds.cardinality().numpy()),
        "order": "multiset" if multiset else "exact",
        "globalSeed": opts.get("global_seed"),
        "epochs": [_epoch(ds, multiset), _epoch(ds, multiset)],
    }


def build_error(name, make, op, phrase):
    graph = _graph(make())
    g = graph_pb2.GraphDef()
    g.ParseFromString(graph)
    nodes = sorted({n.name for f in g.library.function for n in f.node_def if n.op == op} |
                   {n.name for n in g.node if n.op == op})
    if not nodes:
        raise AssertionError(f"error case {name}: op {op} not in TF's graph")
    return {"name": name, "graph": base64.b64encode(graph).decode(), "op": op, "nodes": nodes, "phrase": phrase}


def main(check):
    fixtures = [build(name, make, opts) for name, (make, opts) in CASES.items()]
    errors = [build_error(name, make, op, phrase) for name, (make, op, phrase) in ERRORS.items()]
    tf_only = [build(name, make, opts) for name, (make, opts) in TF_ONLY.items()]
    # One case per line: compact, and regenerating shows which cases changed.
    line = lambda v: json.dumps(v, sort_keys=True, separators=(",", ":"))  # noqa: E731
    body = ("{\"tfVersion\":" + line(tf.__version__) + ",\n\"cases\":[\n" + ",\n".join(map(line, fixtures)) +
            "\n],\n\"tfOnly\":[\n" + ",\n".join(map(line, tf_only)) +
            "\n],\n\"errors\":[\n" + ",\n".join(map(line, errors)) + "\n]}\n")
    if check:
        with open(OUT, encoding="utf8") as f:
            old = json.load(f)
        new = json.loads(body)
        # Graph bytes carry process-wide counters (function uids, metadata ids): compare the rest.
        strip = lambda d: [{k: v for k, v in c.items() if k != "graph"}  # noqa: E731
                           for c in d["cases"] + d["tfOnly"] + d["errors"]]
        if strip(old) != strip(new):
            print(f"{OUT} differs from what TensorFlow {tf.__version__} yields now; regenerate it")
            return 1
        print(f"{OUT} is up to date")
        return 0
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf8") as f:
        f.write(body)
    print(f"wrote {len(fixtures)} cases to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
