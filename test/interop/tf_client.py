"""TensorFlow 2.21 tf.data service client for the interop suite.

Reads tf.data.Dataset.range(N) through distribute(processing_mode=..., service=...) with TF's own
client and prints the elements as JSON.

One-shot:  tf_client.py --service grpc://localhost:P [--range 10] [--compression none|AUTO|SNAPPY]
           prints {"event":"result","elements":[...],"seconds":S} and exits 0.
Serve:     tf_client.py --serve   prints {"event":"ready"} once TF is imported, then answers each
           stdin line {"id":N,"cmd":"read","service":"grpc://...","range":10,"compression":null,
           "processing_mode":"parallel_epochs","job_name":null,"batch":null}
           with {"id":N,"event":"result","elements":[...],"seconds":S} or {"id":N,"event":"error",...}.
           Exits 0 when stdin closes. Dies with its parent (PR_SET_PDEATHSIG).
"""
import argparse
import ctypes
import json
import os
import signal
import sys
import time


def die_with_parent():
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() == 1:
        os._exit(1)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def parse_compression(value):
    if value is None or str(value).lower() == "none":
        return None
    return value


def read(tf, req):
    ds = tf.data.Dataset.range(int(req.get("range", 10)))
    if req.get("batch"):
        ds = ds.batch(int(req["batch"]))
    ds = ds.apply(tf.data.experimental.service.distribute(
        processing_mode=req.get("processing_mode", "parallel_epochs"),
        service=req["service"],
        job_name=req.get("job_name"),
        compression=parse_compression(req.get("compression"))))
    started = time.perf_counter()
    elements = [e.tolist() for e in ds.as_numpy_iterator()]
    return {"event": "result", "elements": elements, "seconds": time.perf_counter() - started}


def main():
    die_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--service")
    parser.add_argument("--range", type=int, default=10)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--compression", default="none")
    parser.add_argument("--processing-mode", default="parallel_epochs")
    parser.add_argument("--job-name", default=None)
    args = parser.parse_args()

    import tensorflow as tf

    if not args.serve:
        if not args.service:
            parser.error("--service is required without --serve")
        emit(read(tf, {"service": args.service, "range": args.range, "batch": args.batch,
                       "compression": args.compression, "processing_mode": args.processing_mode,
                       "job_name": args.job_name}))
        os._exit(0)

    emit({"event": "ready"})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = {}
        try:
            req = json.loads(line)
            if req.get("cmd") != "read":
                raise ValueError("unknown command %r; expected read" % req.get("cmd"))
            out = read(tf, req)
            out["id"] = req.get("id")
            emit(out)
        except Exception as e:  # pylint: disable=broad-except
            emit({"id": req.get("id") if isinstance(req, dict) else None, "event": "error",
                  "message": "%s: %s" % (type(e).__name__, e)})
    os._exit(0)


if __name__ == "__main__":
    main()
