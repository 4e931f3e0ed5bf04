"""Hosts TensorFlow 2.21 tf.data service servers for the interop suite.

Protocol (one JSON object per line):
  stdout  {"event":"ready","dispatcher":"localhost:P"|null,"workers":["localhost:Q",...]}
          once the servers named on the command line are up, then one reply per command.
  stdin   {"id":N,"cmd":"dispatcher"[,"config":{...}]} -> {"id":N,"event":"dispatcher","dispatcher":"localhost:P"}
              config: DispatcherConfig proto fields (port, worker_timeout_ms, client_timeout_ms,
              job_gc_check_interval_ms, job_gc_timeout_ms, ...), so the proto-only ones can be set.
          {"id":N,"cmd":"worker","dispatcher":"localhost:P"[,"heartbeat_ms":MS][,"port":P]
              [,"worker_address":"host:port"]}             -> {"id":N,"event":"worker","worker":"localhost:Q"}
              (TF's WorkerServer.start() binds, then blocks until registered, holding the GIL: the
              whole process waits, and answers once the worker registered. A test that talks to a
              bound-but-unregistered worker sends this command to a cluster process of its own.)
          {"id":N,"cmd":"stop","address":"localhost:P"}      -> {"id":N,"event":"stopped"}
          {"id":N,"cmd":"num_workers","dispatcher":"localhost:P"} -> {"id":N,"event":"num_workers","count":K}
          {"id":N,"cmd":"version"}                           -> {"id":N,"event":"version","version":"2.21.0"}
          a failing command answers {"id":N,"event":"error","message":"..."}.
Every server is stopped, and the process exits 0, when stdin closes or on SIGTERM/SIGINT. The
process also dies with its parent (PR_SET_PDEATHSIG), so a crashed test run leaves no server.

Usage: tf_cluster.py [--workers N] [--dispatcher-address HOST:PORT | --no-dispatcher] [--heartbeat-ms MS]
                     [--worker-port P] [--worker-address HOST:PORT]
  --dispatcher-address: do not start a dispatcher; register the N workers with that one.
  --no-dispatcher: start nothing; servers come from commands.
  --worker-port / --worker-address: port and advertised address of the (single) worker.
"""
import argparse
import json
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "helpers"))
from json_child import die_with_parent, emit  # noqa: E402


def main():
    die_with_parent()
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--dispatcher-address", default=None)
    parser.add_argument("--heartbeat-ms", type=int, default=None)
    parser.add_argument("--no-dispatcher", action="store_true")
    parser.add_argument("--worker-port", type=int, default=0)
    parser.add_argument("--worker-address", default=None)
    args = parser.parse_args()

    import tensorflow as tf
    from tensorflow.core.protobuf import service_config_pb2

    service = tf.data.experimental.service
    servers = {}  # address -> server
    lock = threading.Lock()

    def start_dispatcher(config=None):
        fields = {"port": 0, "protocol": "grpc"}
        fields.update(config or {})
        d = service.DispatchServer(service_config_pb2.DispatcherConfig(**fields))
        address = d.target.split("://")[1]
        servers[address] = d
        return address

    def start_worker(dispatcher, heartbeat_ms=None, port=0, worker_address=None):
        heartbeat_ms = heartbeat_ms if heartbeat_ms is not None else args.heartbeat_ms
        w = service.WorkerServer(service_config_pb2.WorkerConfig(
            dispatcher_address=dispatcher, port=port or 0, protocol="grpc",
            worker_address=worker_address or "localhost:%port%",
            heartbeat_interval_ms=heartbeat_ms or 0))
        address = w._address
        servers[address] = w
        return address

    def stop_all():
        with lock:
            # Workers first, so they do not spin on a vanished dispatcher.
            for address, s in sorted(servers.items(), key=lambda kv: isinstance(kv[1], service.DispatchServer)):
                try:
                    s._stop()
                except Exception:  # pylint: disable=broad-except
                    pass
            servers.clear()

    def on_signal(signum, _frame):
        stop_all()
        emit({"event": "stopped", "signal": signum})
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    if args.no_dispatcher:
        dispatcher = None
        workers = []
    else:
        dispatcher = args.dispatcher_address or start_dispatcher()
        if args.workers > 1 and (args.worker_port or args.worker_address):
            parser.error("--worker-port / --worker-address need --workers 1")
        workers = [start_worker(dispatcher, port=args.worker_port, worker_address=args.worker_address)
                   for _ in range(args.workers)]
    emit({"event": "ready", "dispatcher": None if args.dispatcher_address else dispatcher,
          "workers": workers, "version": tf.__version__})

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = {}
        try:
            req = json.loads(line)
            cmd = req.get("cmd")
            with lock:
                if cmd == "dispatcher":
                    emit({"id": req.get("id"), "event": "dispatcher",
                          "dispatcher": start_dispatcher(req.get("config"))})
                elif cmd == "worker":
                    emit({"id": req.get("id"), "event": "worker", "worker": start_worker(
                        req["dispatcher"], heartbeat_ms=req.get("heartbeat_ms"), port=req.get("port") or 0,
                        worker_address=req.get("worker_address"))})
                elif cmd == "version":
                    emit({"id": req.get("id"), "event": "version", "version": tf.__version__})
                elif cmd == "stop":
                    s = servers.pop(req["address"])
                    s._stop()
                    emit({"id": req.get("id"), "event": "stopped"})
                elif cmd == "num_workers":
                    emit({"id": req.get("id"), "event": "num_workers",
                          "count": servers[req["dispatcher"]]._num_workers()})
                else:
                    raise ValueError("unknown command %r; expected dispatcher, worker, stop, num_workers or version" % cmd)
        except Exception as e:  # pylint: disable=broad-except
            emit({"id": req.get("id") if isinstance(req, dict) else None, "event": "error",
                  "message": "%s: %s" % (type(e).__name__, e)})

    stop_all()
    emit({"event": "stopped"})
    sys.stdout.flush()
    os._exit(0)  # TF's C++ threads can delay a normal interpreter exit


if __name__ == "__main__":
    main()
