"""TensorFlow 2.21 client for the read-mode interop suite: coordinated reads and the
cross-trainer cache, read with TF's own `distribute`, against any dispatcher.

Usage: tf_read_modes.py STEPS_JSON
  STEPS_JSON is a list of steps, run in order in one process (TF's import costs seconds):
    {"op": "coordinated", "service": "grpc://...", "consumers": N, "count": K, "job": "test",
     "range": R, "finite": false}
        N consumers (consumer_index 0..N-1, num_consumers N) of range(R).repeat() (range(R) when
        finite), read as TF's
        test base does (parallel interleave, cycle_length N); the first K elements.
    {"op": "cache", "service": "grpc://...", "trainer": "T", "count": K, "job": "job"}
        range(10000000).repeat() with CrossTrainerCache(T); the first K elements.
  prints one line per step: {"event":"result","values":[...]} or {"event":"error","error":"Type: msg"},
  then {"event":"done"}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "helpers"))
from json_child import emit  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
from tensorflow.python.data.experimental.ops import data_service_ops  # noqa: E402


def distribute(ds, step, **kwargs):
    # The private `_distribute` takes TF's test-base refresh interval (20 ms).
    return ds.apply(data_service_ops._distribute(
        processing_mode="parallel_epochs", service=step["service"], job_name=step.get("job", "job"),
        task_refresh_interval_hint_ms=20, **kwargs))


def coordinated(step):
    n = step["consumers"]
    ds = tf.data.Dataset.range(step.get("range", 1000))
    if not step.get("finite"):
        ds = ds.repeat()
    consumers = [distribute(ds, step, consumer_index=i, num_consumers=n) for i in range(n)]
    out = tf.data.Dataset.from_tensor_slices(consumers).interleave(
        lambda x: x, cycle_length=n, num_parallel_calls=n)
    return [int(v) for v in out.take(step["count"]).as_numpy_iterator()]


def cache(step):
    ds = tf.data.Dataset.range(10000000).repeat()
    ds = distribute(ds, step, cross_trainer_cache=data_service_ops.CrossTrainerCache(step["trainer"]))
    return [int(v) for v in ds.take(step["count"]).as_numpy_iterator()]


def main():
    for step in json.loads(sys.argv[1]):
        try:
            values = coordinated(step) if step["op"] == "coordinated" else cache(step)
            emit({"event": "result", "values": values})
        except Exception as e:  # noqa: BLE001 - reported to the test
            emit({"event": "error", "error": "%s: %s" % (type(e).__name__, str(e).strip())})
    emit({"event": "done"})


if __name__ == "__main__":
    main()
