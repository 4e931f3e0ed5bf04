"""Write golden dataset GraphDefs from TensorFlow 2.21 for the graph layer's tests.

Why: our TS `Dataset` builder must emit the GraphDefs TensorFlow emits for the same pipeline, and
our lowering must run graphs TensorFlow built. TensorFlow is the oracle: for each pipeline below
this script records
  * `dataset._as_serialized_graph()` (what `DatasetToGraphV2` gives: the graph a TF client ships),
  * for the `registered` cases, the exact `DatasetDef.graph` a TF client registers with a TF
    dispatcher (`register_dataset`, the first half of `distribute`), read back from the
    dispatcher's `work_dir/datasets/<id>` file: with compression "AUTO" it ends with TF's
    `map(CompressElement)`;
  * for the `finalized` cases, the graph after TF's `FinalizeDataset` (the wrappers TF puts around
    a pipeline when it makes an iterator: OptionsDataset, ModelDataset, threading datasets),
  * the elements TF yields, the element spec and the cardinality.

Output (small, committed): `test/fixtures/graphs/tf-graphs.ts`, a TS module (so isomorphic suites
can import it without reading files), and one `<name>.pbtxt` per fixture for human review.

Regenerate (from the repo root):
    .venv-tf/bin/python scripts/tf/gen_graph_fixtures.py
Check that the committed fixtures are what TF writes (exit 1 if not):
    .venv-tf/bin/python scripts/tf/gen_graph_fixtures.py --check
"""

import base64
import json
import os
import struct
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.core.framework import graph_pb2  # noqa: E402
from tensorflow.python.data.experimental.ops import data_service_ops  # noqa: E402

OUT_DIR = os.path.join("test", "fixtures", "graphs")

# name -> (python expression building the dataset, kind). Kinds:
#   "graph":      dataset._as_serialized_graph()
#   "registered": the graph register_dataset sends, compression given after the colon
#   "finalized":  the graph of FinalizeDataset(dataset) (options applied as TF does per iterator)
PIPELINES = [
    ("range_10", "tf.data.Dataset.range(10)", "graph"),
    ("range_2_10", "tf.data.Dataset.range(2, 10)", "graph"),
    ("range_2_10_3", "tf.data.Dataset.range(2, 10, 3)", "graph"),
    ("range_10_0_m3", "tf.data.Dataset.range(10, 0, -3)", "graph"),
    ("range_empty", "tf.data.Dataset.range(5, 2)", "graph"),
    ("range_5_int32", "tf.data.Dataset.range(5, output_type=tf.int32)", "graph"),
    ("range_4_float32", "tf.data.Dataset.range(4, output_type=tf.float32)", "graph"),
    ("range_3_uint8_named", "tf.data.Dataset.range(3, output_type=tf.uint8, name='my_range')", "graph"),
    ("range_10_take_3", "tf.data.Dataset.range(10).take(3)", "graph"),
    ("range_10_take_m1", "tf.data.Dataset.range(10).take(-1)", "graph"),
    ("range_10_batch_3", "tf.data.Dataset.range(10).batch(3)", "graph"),
    ("range_10_batch_3_drop", "tf.data.Dataset.range(10).batch(3, drop_remainder=True)", "graph"),
    ("range_10_take_7_batch_2", "tf.data.Dataset.range(10).take(7).batch(2)", "graph"),
    ("range_10_batch_2_batch_2", "tf.data.Dataset.range(10).batch(2).batch(2)", "graph"),
    ("range_5_int32_batch_2", "tf.data.Dataset.range(5, output_type=tf.int32).batch(2)", "graph"),
    ("range_3_map_identity", "tf.data.Dataset.range(3).map(lambda x: x)", "graph"),
    ("range_3_pmap_identity",
     "tf.data.Dataset.range(3).map(lambda x: x, num_parallel_calls=2, deterministic=True)", "graph"),
    ("range_3_map_pair", "tf.data.Dataset.range(3).map(lambda x: (x, x))", "graph"),
    ("range_10_with_options", "tf.data.Dataset.range(10).with_options(_options_not_deterministic())",
     "graph"),
    ("registered_range_10_auto", "tf.data.Dataset.range(10)", "registered:AUTO"),
    ("registered_range_10_none", "tf.data.Dataset.range(10)", "registered:None"),
    ("registered_range_10_batch_3_auto", "tf.data.Dataset.range(10).batch(3)", "registered:AUTO"),
    ("registered_range_3_map_pair_auto", "tf.data.Dataset.range(3).map(lambda x: (x, x))",
     "registered:AUTO"),
    ("finalized_range_10", "tf.data.Dataset.range(10)", "finalized"),
    ("finalized_range_10_threading", "tf.data.Dataset.range(10).with_options(_options_threading())",
     "finalized"),
]


def _options_not_deterministic():
    o = tf.data.Options()
    o.deterministic = False
    return o


def _options_threading():
    o = tf.data.Options()
    o.threading.private_threadpool_size = 2
    o.threading.max_intra_op_parallelism = 1
    return o


def _parse_graph(data):
    g = graph_pb2.GraphDef()
    g.ParseFromString(data)
    return g


def _read_record(path):
    """One TFRecord record (uint64 length, uint32 crc, data, uint32 crc): the DatasetDef."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    return raw[12:12 + n]


def _dataset_def_graph(dataset_def_bytes):
    """DatasetDef has one field: `GraphDef graph = 1`; take its bytes without a common_pb2."""
    assert dataset_def_bytes[0] == 0x0A, "DatasetDef field 1 expected"
    i, n, shift = 1, 0, 0
    while True:
        c = dataset_def_bytes[i]
        n |= (c & 0x7F) << shift
        shift += 7
        i += 1
        if c < 0x80:
            break
    assert i + n == len(dataset_def_bytes)
    return dataset_def_bytes[i:i + n]


_dispatcher = None
_work_dir = None


def _registered_graph(ds, compression):
    """Registers `ds` with a TF dispatcher and reads back the graph it stored."""
    global _dispatcher, _work_dir
    if _dispatcher is None:
        _work_dir = tempfile.mkdtemp(prefix="tfdata-graphs-")
        _dispatcher = tf.data.experimental.service.DispatchServer(
            tf.data.experimental.service.DispatcherConfig(work_dir=_work_dir, fault_tolerant_mode=False))
    dataset_id = data_service_ops.register_dataset(_dispatcher.target, ds, compression=compression)
    dataset_id = dataset_id.numpy().decode()
    return _dataset_def_graph(_read_record(os.path.join(_work_dir, "datasets", dataset_id)))


def _finalized_graph(ds):
    variant = tf.raw_ops.FinalizeDataset(
        input_dataset=ds._variant_tensor,  # pylint: disable=protected-access
        output_types=ds._flat_types,  # pylint: disable=protected-access
        output_shapes=ds._flat_shapes)  # pylint: disable=protected-access
    return tf.raw_ops.DatasetToGraphV2(input_dataset=variant, external_state_policy=0,
                                      strip_device_assignment=False).numpy()


def _component(value):
    arr = np.asarray(value)
    dtype = tf.as_dtype(arr.dtype).name
    flat = arr.reshape(-1).tolist()
    if dtype in ("int64", "uint64"):
        values = [str(v) for v in flat]  # exact: the TS side reads them as bigint
    elif dtype == "bool":
        values = [bool(v) for v in flat]
    else:
        values = [v for v in flat]
    return {"dtype": dtype, "shape": list(arr.shape), "values": values}


def _spec(ds):
    out = []
    for s in tf.nest.flatten(ds.element_spec):
        shape = None if s.shape.rank is None else [-1 if d is None else d for d in s.shape.as_list()]
        out.append({"dtype": s.dtype.name, "shape": shape})
    return out


def main(check):
    fixtures = []
    files = {}
    for name, expr, kind in PIPELINES:
        ds = eval(expr)  # pylint: disable=eval-used
        if kind == "graph":
            data = ds._as_serialized_graph().numpy()  # pylint: disable=protected-access
        elif kind.startswith("registered:"):
            comp = kind.split(":", 1)[1]
            data = _registered_graph(ds, None if comp == "None" else comp)
        elif kind == "finalized":
            data = _finalized_graph(ds)
        else:
            raise ValueError(kind)
        graph = _parse_graph(data)
        # TF writes attr maps in hash order, which changes from run to run (in the dispatcher's
        # stored graphs too); a deterministic re-serialization keeps the fixtures reproducible.
        # Same message and fields: only the order of map entries, which carries no meaning, differs.
        data = graph.SerializeToString(deterministic=True)
        elements = [[_component(c) for c in tf.nest.flatten(el)] for el in ds]
        fixtures.append({
            "name": name,
            "python": expr,
            "kind": kind,
            "compressed": kind == "registered:AUTO",
            "graph": base64.b64encode(data).decode(),
            "elementSpec": _spec(ds),
            "cardinality": int(ds.cardinality().numpy()),
            "elements": elements,
        })
        files[name + ".pbtxt"] = (
            f"# {expr}  ({kind}); generated by scripts/tf/gen_graph_fixtures.py\n" + str(graph))

    body = json.dumps(fixtures, indent=1)
    files["tf-graphs.ts"] = (
        "// Generated by scripts/tf/gen_graph_fixtures.py from TensorFlow "
        f"{tf.__version__}. Do not edit.\n"
        "// Each entry: a pipeline, the GraphDef TF built for it (base64), the elements TF\n"
        "// yields (int64/uint64 values as decimal strings), its element spec and cardinality.\n"
        "import type { TfGraphFixture } from \"./fixture-types.js\";\n\n"
        "/** TensorFlow's graphs and elements for the pipelines of gen_graph_fixtures.py. */\n"
        f"export const TF_VERSION = {json.dumps(tf.__version__)};\n\n"
        "/** One entry per pipeline, in the generator's order. */\n"
        f"export const TF_GRAPH_FIXTURES: readonly TfGraphFixture[] = {body};\n")
    if _dispatcher is not None:
        _dispatcher._stop()  # pylint: disable=protected-access

    if check:
        stale = []
        for fname, text in files.items():
            path = os.path.join(OUT_DIR, fname)
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(path)
        if stale:
            print("graph fixtures are stale (rerun scripts/tf/gen_graph_fixtures.py): " + ", ".join(stale),
                  file=sys.stderr)
            return 1
        print(f"{len(files)} graph fixture files are current", file=sys.stderr)
        return 0
    os.makedirs(OUT_DIR, exist_ok=True)
    for fname, text in files.items():
        with open(os.path.join(OUT_DIR, fname), "w") as f:
            f.write(text)
    print(f"wrote {len(fixtures)} fixtures to {OUT_DIR}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
