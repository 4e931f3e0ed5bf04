"""TensorFlow tf.data service client for the interop suites.

Reads a dataset through distribute(processing_mode=..., service=...) with TF's own client and
prints the elements as JSON.

One-shot:  tf_client.py --service grpc://localhost:P [--range 10] [--compression none|AUTO|SNAPPY]
           prints {"event":"result","elements":[...],"seconds":S} and exits 0.
Serve:     tf_client.py --serve   prints {"event":"ready","version":"2.21.0"} once TF is imported,
           then answers one JSON command per stdin line (each carries an "id" echoed back):

  {"cmd":"read","service":"grpc://...","range":10,"compression":null,
   "processing_mode":"parallel_epochs","job_name":null,"batch":null}
      reads tf.data.Dataset.range(range)[.batch(batch)] to the end
      -> {"event":"result","elements":[...],"seconds":S}  (elements as .tolist())

  Sessions (any dataset; reads run on a thread, so a stalled read answers instead of hanging):
  {"cmd":"open","session":"s1","dataset":DATASET,"service":...,"processing_mode":...,
   "compression":null|"AUTO"|"SNAPPY","refresh_ms":50|null,"max_outstanding_requests":null|K,
   "job_name":null}                                       -> {"event":"opened"}
  {"cmd":"take","session":"s1","count":K,"timeout_s":T}    reads K more elements
  {"cmd":"drain","session":"s1","timeout_s":T}             reads to the end of the dataset
      -> {"event":"elements","elements":[...new ones...],"total":N,"done":bool,"timed_out":bool,
          "error":null|"Type: message","seconds":S}  (a failed read still returns what it got)
  {"cmd":"close","session":"s1"}                           -> {"event":"closed"} (a stalled
      read's thread is abandoned: TF's iterator cannot be interrupted from Python)
  {"cmd":"read_dataset", ...open fields..., "timeout_s":T} open + drain + close in one command
      -> {"event":"elements",...}

  DATASET: {"corpus": NAME} (a pipeline of scripts/tf/gen_golden_corpus.py) or {"range": N}.
  Elements of sessions are lists of flat components (tf.nest order) in the golden fixtures'
  layout: {"dtype","shape","data": base64 little-endian bytes} or {"dtype":"string","shape",
  "strings": [base64...]}.

Exits 0 when stdin closes. Dies with its parent (PR_SET_PDEATHSIG).
"""
import argparse
import base64
import importlib.util
import json
import os
import re
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from json_child import die_with_parent, emit  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def error_text(e):
    """`Type: message` without TF's op-context noise ({{function_node ...}}, [[...]], [Op:...])."""
    msg = str(e)
    msg = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", msg)
    msg = re.sub(r"\s*\[\[\{\{node [^]]*\]\]", "", msg)
    msg = re.sub(r"\s*\[Op:[^\]]*\]( name: \S*)?", "", msg)
    return "%s: %s" % (type(e).__name__, msg.strip())


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


_corpus = None


def corpus():
    """The Python golden corpus (name -> pipeline factory), loaded once."""
    global _corpus
    if _corpus is None:
        path = os.path.join(REPO_ROOT, "scripts", "tf", "gen_golden_corpus.py")
        spec = importlib.util.spec_from_file_location("gen_golden_corpus", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _corpus = module.CORPUS
    return _corpus


def component(tf, value):
    import numpy as np
    dtype = value.dtype.name
    arr = np.asarray(value.numpy())
    if dtype == "string":
        return {"dtype": dtype, "shape": list(arr.shape),
                "strings": [base64.b64encode(bytes(v)).decode() for v in arr.reshape(-1)]}
    if arr.dtype.byteorder == ">":
        arr = arr.byteswap().view(arr.dtype.newbyteorder("<"))
    return {"dtype": dtype, "shape": list(arr.shape), "data": base64.b64encode(arr.tobytes(order="C")).decode()}


def make_dataset(tf, spec):
    if "corpus" in spec:
        make = corpus().get(spec["corpus"])
        if make is None:
            raise ValueError("no pipeline %r in scripts/tf/gen_golden_corpus.py" % spec["corpus"])
        return make()
    if "range" in spec:
        return tf.data.Dataset.range(int(spec["range"]))
    raise ValueError("dataset must be {\"corpus\": NAME} or {\"range\": N}, got %r" % (spec,))


def distributed(tf, req):
    from tensorflow.python.data.experimental.ops import data_service_ops
    ds = make_dataset(tf, req["dataset"])
    kwargs = dict(processing_mode=req.get("processing_mode", "parallel_epochs"), service=req["service"],
                  job_name=req.get("job_name"), compression=parse_compression(req.get("compression")),
                  max_outstanding_requests=req.get("max_outstanding_requests"))
    if req.get("refresh_ms"):
        # Private in TF (the client heartbeat / task refresh period, default 1 s); it also bounds how
        # soon the client sees that an iteration finished.
        try:
            return ds.apply(data_service_ops._distribute(  # pylint: disable=protected-access
                task_refresh_interval_hint_ms=int(req["refresh_ms"]), **kwargs))
        except TypeError:
            pass  # a TF version without the private argument
    return ds.apply(tf.data.experimental.service.distribute(**kwargs))


class Session:
    """One iterator read on its own thread, in steps the commands ask for."""

    def __init__(self, tf, req):
        self.tf = tf
        self.iterator = iter(distributed(tf, req))
        self.elements = []
        self.sent = 0
        self.target = 0
        self.done = False
        self.error = None
        self.closed = False
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while True:
            with self.cond:
                while len(self.elements) >= self.target and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                iterator = self.iterator
            try:
                el = next(iterator)
                flat = [component(self.tf, c) for c in self.tf.nest.flatten(el)]
            except StopIteration:
                with self.cond:
                    self.done = True
                    self.cond.notify_all()
                return
            except Exception as e:  # pylint: disable=broad-except
                with self.cond:
                    self.error = error_text(e)
                    self.cond.notify_all()
                return
            with self.cond:
                self.elements.append(flat)
                self.cond.notify_all()

    def read(self, count, timeout_s):
        """Waits for `count` more elements (None: all), the end, an error or the deadline."""
        started = time.perf_counter()
        deadline = time.monotonic() + float(timeout_s)
        with self.cond:
            goal = float("inf") if count is None else self.sent + int(count)
            self.target = max(self.target, goal)
            self.cond.notify_all()
            while len(self.elements) < goal and not self.done and self.error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            before = self.sent
            end = len(self.elements) if count is None else min(len(self.elements), goal)
            new = self.elements[before:end]
            self.sent = end
            done = self.done and self.sent == len(self.elements)
            short = count is None or len(new) < int(count)
            return {"event": "elements", "elements": new, "total": self.sent, "done": done,
                    "error": self.error, "timed_out": bool(short and not done and self.error is None),
                    "seconds": time.perf_counter() - started}

    def close(self):
        # A thread blocked in next() cannot be interrupted; it is a daemon and is abandoned.
        with self.cond:
            self.closed = True
            self.iterator = None  # releases the iteration (unless a next() still holds it)
            self.cond.notify_all()


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
    tf.get_logger().setLevel("ERROR")
    tf.autograph.set_verbosity(0)

    if not args.serve:
        if not args.service:
            parser.error("--service is required without --serve")
        emit(read(tf, {"service": args.service, "range": args.range, "batch": args.batch,
                       "compression": args.compression, "processing_mode": args.processing_mode,
                       "job_name": args.job_name}))
        os._exit(0)

    sessions = {}
    emit({"event": "ready", "version": tf.__version__})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = {}
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            if cmd == "read":
                out = read(tf, req)
            elif cmd == "open":
                if req["session"] in sessions:
                    raise ValueError("session %r is open already" % req["session"])
                sessions[req["session"]] = Session(tf, req)
                out = {"event": "opened"}
            elif cmd in ("take", "drain"):
                s = sessions.get(req.get("session"))
                if s is None:
                    raise ValueError("no open session %r" % req.get("session"))
                out = s.read(req["count"] if cmd == "take" else None, req.get("timeout_s", 60))
            elif cmd == "close":
                s = sessions.pop(req.get("session"), None)
                if s is not None:
                    s.close()
                out = {"event": "closed"}
            elif cmd == "read_dataset":
                try:
                    s = Session(tf, req)
                except Exception as e:  # pylint: disable=broad-except
                    # Creating the iterator already talks to the service (register, job, iteration).
                    out = {"event": "elements", "elements": [], "total": 0, "done": False, "timed_out": False,
                           "error": error_text(e), "seconds": 0.0}
                else:
                    try:
                        out = s.read(None, req.get("timeout_s", 60))
                    finally:
                        s.close()
            else:
                raise ValueError("unknown command %r; expected read, open, take, drain, close or read_dataset" % cmd)
            out["id"] = req.get("id")
            emit(out)
        except Exception as e:  # pylint: disable=broad-except
            emit({"id": req.get("id") if isinstance(req, dict) else None, "event": "error",
                  "message": error_text(e)})
    os._exit(0)


if __name__ == "__main__":
    main()
