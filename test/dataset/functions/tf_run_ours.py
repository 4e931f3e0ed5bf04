"""Runs GraphDefs our Dataset built in TensorFlow 2.21, two passes each, and prints the elements.

Why: a graph we build must run on a TF worker. This driver gives TF each graph as a TF worker
gets it (`DatasetFromGraph` on the serialized GraphDef), wraps it with the element spec
(`from_variant`), iterates the same dataset twice (a reshuffling shuffle re-draws its seeds for
the second pass) and prints the elements in the fixtures' layout, for
test/dataset/functions/ours-on-tf.test.ts.

stdin: JSON list of {"name", "graph" (base64 GraphDef), "spec" (tensor/tuple/dict JSON)}
stdout: one JSON object {name: [epoch1, epoch2] | {"error": message}}
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def spec_of(j):
    if "tuple" in j:
        return tuple(spec_of(s) for s in j["tuple"])
    if "dict" in j:
        return {k: spec_of(v) for k, v in j["dict"].items()}
    t = j["tensor"]
    shape = None if t["shape"] is None else [None if d < 0 else d for d in t["shape"]]
    return tf.TensorSpec(shape, tf.as_dtype(t["dtype"]))


def component(value):
    dtype = value.dtype.name
    arr = np.asarray(value.numpy())
    if dtype == "string":
        return {"dtype": dtype, "shape": list(arr.shape),
                "strings": [base64.b64encode(bytes(v)).decode() for v in arr.reshape(-1)]}
    return {"dtype": dtype, "shape": list(arr.shape),
            "data": base64.b64encode(arr.astype(arr.dtype.newbyteorder("<")).tobytes()).decode()}


def run(case):
    variant = tf.raw_ops.DatasetFromGraph(graph_def=base64.b64decode(case["graph"]))
    ds = tf.data.experimental.from_variant(variant, spec_of(case["spec"]))
    return [[[component(c) for c in tf.nest.flatten(el)] for el in ds] for _ in range(2)]


def main():
    result = {}
    for case in json.load(sys.stdin):
        try:
            result[case["name"]] = run(case)
        except Exception as e:  # pylint: disable=broad-except
            result[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
