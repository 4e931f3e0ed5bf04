"""Runs dataset GraphDefs built by our TS Dataset in TensorFlow 2.21 and prints their elements.

Why: a graph we build must run on a TF worker. This driver gives TF each graph as a TF worker gets
it (`DatasetFromGraph` on the serialized GraphDef), iterates it and prints the elements in the
layout of test/fixtures/datasets (raw little-endian bytes, strings' bytes, base64), for
test/dataset/transformations/tf-runs-ours.test.ts.

stdin: JSON list of {"name", "graph" (base64 GraphDef), "spec": [{"dtype", "shape"}] (flat),
       "limit": max elements or null}
stdout: one JSON object {name: {"elements": [...]} | {"elements": [...], "error": {type, message}}}
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def component(value):
    arr = np.asarray(value)
    dtype = tf.as_dtype(arr.dtype).name
    shape = list(arr.shape)
    if dtype == "string":
        return {"dtype": dtype, "shape": shape,
                "strings": [base64.b64encode(bytes(s)).decode() for s in arr.reshape(-1).tolist()]}
    data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
    return {"dtype": dtype, "shape": shape, "data": base64.b64encode(data).decode()}


def error(e):
    lines = [l for l in str(e).strip().splitlines() if l.strip()]
    msg = lines[0] if lines else ""
    if msg.startswith("{{function_node"):
        msg = msg.split("}} ", 1)[-1]
    return {"type": type(e).__name__, "message": msg.split(" [Op:")[0]}


def run(case):
    specs = tuple(tf.TensorSpec(None if c["shape"] is None else [None if d < 0 else d for d in c["shape"]],
                                tf.as_dtype(c["dtype"])) for c in case["spec"])
    variant = tf.raw_ops.DatasetFromGraph(graph_def=base64.b64decode(case["graph"]))
    ds = tf.data.experimental.from_variant(variant, specs)
    out = []
    limit = case.get("limit")
    try:
        for el in ds:
            out.append([component(c) for c in tf.nest.flatten(el)])
            if limit is not None and len(out) >= limit:
                break
    except Exception as e:  # pylint: disable=broad-except
        return {"elements": out, "error": error(e)}
    return {"elements": out}


def main():
    cases = json.load(sys.stdin)
    result = {}
    for case in cases:
        try:
            result[case["name"]] = run(case)
        except Exception as e:  # pylint: disable=broad-except
            result[case["name"]] = {"elements": [], "error": error(e), "setup": True}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
