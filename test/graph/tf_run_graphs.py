"""Runs dataset GraphDefs built by our TS Dataset in TensorFlow 2.21 and prints their elements.

Why: a graph we build must run on a TF worker. This driver gives TF each graph exactly as a TF
worker gets it (`DatasetFromGraph` on the serialized GraphDef), iterates it, and prints the
elements in the fixtures' component layout, for test/graph/tf-runs-our-graphs.test.ts.

stdin: JSON list of {"name", "graph" (base64 GraphDef), "spec": [{"dtype", "shape"}],
       "compressed": bool (elements are CompressElement variants: uncompress with `spec`)}
stdout: one JSON object {name: elements | {"error": message}}
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.data.experimental.ops import compression_ops  # noqa: E402


def component(value):
    arr = np.asarray(value)
    dtype = tf.as_dtype(arr.dtype).name
    flat = arr.reshape(-1).tolist()
    if dtype in ("int64", "uint64"):
        values = [str(v) for v in flat]
    elif dtype == "bool":
        values = [bool(v) for v in flat]
    else:
        values = list(flat)
    return {"dtype": dtype, "shape": list(arr.shape), "values": values}


def run(case):
    specs = tuple(tf.TensorSpec(None if c["shape"] is None else [None if d < 0 else d for d in c["shape"]],
                                tf.as_dtype(c["dtype"])) for c in case["spec"])
    variant = tf.raw_ops.DatasetFromGraph(graph_def=base64.b64decode(case["graph"]))
    if case["compressed"]:
        ds = tf.data.experimental.from_variant(variant, tf.TensorSpec([], tf.variant))
        ds = ds.map(lambda x: compression_ops.uncompress(x, specs))
    else:
        ds = tf.data.experimental.from_variant(variant, specs if len(specs) > 1 else specs[0])
    out = []
    for el in ds:
        out.append([component(c) for c in tf.nest.flatten(el)])
    return out


def main():
    cases = json.load(sys.stdin)
    result = {}
    for case in cases:
        try:
            result[case["name"]] = run(case)
        except Exception as e:  # pylint: disable=broad-except
            result[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
