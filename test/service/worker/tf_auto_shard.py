"""Runs TensorFlow 2.21's own auto-shard rewrite on dataset GraphDefs and prints each shard.

Why: our worker's static sharding (src/graph/auto-shard.ts) must shard as a TF worker does. A TF
tf.data service worker applies grappler's AutoShard with the task's num_workers / worker_index and
num_replicas = 1; `_AutoShardDataset` runs that same rewrite on a dataset. This driver gives TF
each graph as a TF worker gets it (`DatasetFromGraph`), sets the policy in the dataset's options,
shards it, iterates it, and prints the elements (or the error) for
test/service/worker/static-auto-shard.test.ts.

stdin: JSON list of {"name", "graph" (base64 GraphDef), "spec": [{"dtype", "shape"}], "policy"
       ("FILE" | "DATA" | "AUTO" | "HINT"), "num_workers", "index"}
stdout: one JSON object {name: [[component...]...] | {"error": class, "message": text}}
"""

import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.data.experimental.ops import distribute  # noqa: E402


def component(value):
    arr = np.asarray(value)
    flat = arr.reshape(-1).tolist()
    if arr.dtype.kind in ("S", "O"):
        values = [v.decode() if isinstance(v, bytes) else str(v) for v in flat]
    else:
        values = [str(v) for v in flat]
    return {"shape": list(arr.shape), "values": values}


def run(case):
    specs = tuple(tf.TensorSpec(None if c["shape"] is None else [None if d < 0 else d for d in c["shape"]],
                                tf.as_dtype(c["dtype"])) for c in case["spec"])
    variant = tf.raw_ops.DatasetFromGraph(graph_def=base64.b64decode(case["graph"]))
    ds = tf.data.experimental.from_variant(variant, specs if len(specs) > 1 else specs[0])
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = getattr(tf.data.experimental.AutoShardPolicy, case["policy"])
    ds = ds.with_options(options)
    ds = distribute._AutoShardDataset(ds, case["num_workers"], case["index"], num_replicas=1)  # pylint: disable=protected-access
    return [[component(c) for c in tf.nest.flatten(el)] for el in ds]


def main():
    result = {}
    for case in json.load(sys.stdin):
        try:
            result[case["name"]] = run(case)
        except Exception as e:  # pylint: disable=broad-except
            result[case["name"]] = {"error": type(e).__name__, "message": str(e)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
