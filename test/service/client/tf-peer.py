"""A TensorFlow 2.21 tf.data service peer driven over stdin/stdout, for the service tests.

Starts a TF DispatchServer and N TF WorkerServers (N may be 0), prints one JSON line
{"dispatcher": port, "workers": [port, ...]} and then answers one JSON command per stdin line
with one JSON line on stdout. Exits when stdin closes.

Commands:
  {"cmd": "read", "service": "grpc://localhost:P", "compression": "AUTO" | null, "n": 10,
   "refresh_ms": 100}                -> {"values": [...]}   (TF client reads range(n))
  {"cmd": "wait_workers", "n": k}    -> {"num_workers": k}  (TF dispatcher sees >= k workers)
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402
from tensorflow.python.data.experimental.ops import data_service_ops  # noqa: E402

svc = tf.data.experimental.service


def main():
  num_workers = int(sys.argv[1]) if len(sys.argv) > 1 else 0
  heartbeat_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 100
  dispatcher = svc.DispatchServer(svc.DispatcherConfig(port=0))
  address = dispatcher.target.split("://")[1]
  workers = [
      svc.WorkerServer(svc.WorkerConfig(dispatcher_address=address,
                                        heartbeat_interval_ms=heartbeat_ms))
      for _ in range(num_workers)
  ]
  print(json.dumps({
      "dispatcher": int(address.split(":")[1]),
      "workers": [int(w._address.split(":")[1]) for w in workers],
  }), flush=True)
  for line in sys.stdin:
    if not line.strip():
      continue
    req = json.loads(line)
    try:
      if req["cmd"] == "read":
        ds = tf.data.Dataset.range(req.get("n", 10))
        ds = ds.apply(data_service_ops._distribute(
            processing_mode="parallel_epochs",
            service=req.get("service", dispatcher.target),
            compression=req.get("compression", "AUTO"),
            task_refresh_interval_hint_ms=req.get("refresh_ms", 100)))
        out = {"values": [int(v) for v in ds.as_numpy_iterator()]}
      elif req["cmd"] == "wait_workers":
        deadline = time.time() + req.get("timeout_s", 20)
        while dispatcher._num_workers() < req["n"] and time.time() < deadline:
          time.sleep(0.02)
        out = {"num_workers": dispatcher._num_workers()}
      else:
        out = {"error": "unknown command " + req["cmd"]}
    except Exception as e:  # report, keep serving
      out = {"error": f"{type(e).__name__}: {e}"}
    print(json.dumps(out), flush=True)
  for w in workers:
    w.stop()
  dispatcher.stop()


if __name__ == "__main__":
  main()
