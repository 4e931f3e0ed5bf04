"""Runs the golden corpus' GraphDefs built by our TS Dataset in TensorFlow 2.21 (golden suite (c)).

Why: a graph our Dataset builds must run on a TF worker and yield what TF yields for the same
pipeline built in Python. This driver gives TF each graph exactly as a TF worker gets it
(`DatasetFromGraph` on the serialized GraphDef), wraps the variant with the element structure
(`tf.data.experimental.from_variant`), iterates it, and prints the elements in the fixtures'
component layout (see scripts/tf/gen_golden_corpus.py), for test/golden/ours-on-tf.test.ts.

One process for the whole corpus (TF's import costs seconds).

stdin:  JSON list of {"name", "graph" (base64 GraphDef), "spec" (structure JSON: {"tensor":
        {"dtype", "shape"}} | {"tuple": [...]} | {"dict": {...}}), "limit" (most elements to read)}
stdout: one JSON object {name: {"elements": [...]} | {"error": message}}
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def structure(spec):
    if "tuple" in spec:
        return tuple(structure(s) for s in spec["tuple"])
    if "dict" in spec:
        return {k: structure(v) for k, v in spec["dict"].items()}
    t = spec["tensor"]
    shape = None if t["shape"] is None else [None if d < 0 else d for d in t["shape"]]
    return tf.TensorSpec(shape, tf.as_dtype(t["dtype"]))


def component(value):
    dtype = value.dtype.name
    arr = np.asarray(value.numpy())
    if dtype == "string":
        return {"dtype": dtype, "shape": list(arr.shape),
                "strings": [base64.b64encode(bytes(v)).decode() for v in arr.reshape(-1)]}
    if arr.dtype.byteorder == ">":
        arr = arr.byteswap().view(arr.dtype.newbyteorder("<"))
    return {"dtype": dtype, "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes(order="C")).decode()}


def run(case):
    variant = tf.raw_ops.DatasetFromGraph(graph_def=base64.b64decode(case["graph"]))
    ds = tf.data.experimental.from_variant(variant, structure(case["spec"]))
    out = []
    limit = case["limit"]
    for el in ds:
        if len(out) >= limit:
            break
        out.append([component(c) for c in tf.nest.flatten(el)])
    return out


def main():
    cases = json.load(sys.stdin)
    result = {}
    for case in cases:
        try:
            result[case["name"]] = {"elements": run(case)}
        except Exception as e:  # pylint: disable=broad-except
            result[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
