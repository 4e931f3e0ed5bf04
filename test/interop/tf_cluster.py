"""Hosts TensorFlow 2.21 tf.data service servers for the interop suite.

Protocol (one JSON object per line):
  stdout  {"event":"ready","dispatcher":"localhost:P"|null,"workers":["localhost:Q",...]}
          once the servers named on the command line are up, then one reply per command.
  stdin   {"id":N,"cmd":"dispatcher"}                      -> {"id":N,"event":"dispatcher","dispatcher":"localhost:P"}
          {"id":N,"cmd":"worker","dispatcher":"localhost:P"} -> {"id":N,"event":"worker","worker":"localhost:Q"}
          {"id":N,"cmd":"stop","address":"localhost:P"}      -> {"id":N,"event":"stopped"}
          {"id":N,"cmd":"num_workers","dispatcher":"localhost:P"} -> {"id":N,"event":"num_workers","count":K}
          a failing command answers {"id":N,"event":"error","message":"..."}.
Every server is stopped, and the process exits 0, when stdin closes or on SIGTERM/SIGINT. The
process also dies with its parent (PR_SET_PDEATHSIG), so a crashed test run leaves no server.

Usage: tf_cluster.py [--workers N] [--dispatcher-address HOST:PORT] [--heartbeat-ms MS]
  --dispatcher-address: do not start a dispatcher; register the N workers with that one.
"""
import argparse
import ctypes
import json
import os
import signal
import sys
import threading


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


def main():
    die_with_parent()
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--dispatcher-address", default=None)
    parser.add_argument("--heartbeat-ms", type=int, default=None)
    args = parser.parse_args()

    import tensorflow as tf

    service = tf.data.experimental.service
    servers = {}  # address -> server
    lock = threading.Lock()

    def start_dispatcher():
        d = service.DispatchServer(service.DispatcherConfig(port=0))
        address = d.target.split("://")[1]
        servers[address] = d
        return address

    def start_worker(dispatcher):
        w = service.WorkerServer(service.WorkerConfig(
            dispatcher_address=dispatcher, port=0, heartbeat_interval_ms=args.heartbeat_ms))
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

    dispatcher = args.dispatcher_address or start_dispatcher()
    workers = [start_worker(dispatcher) for _ in range(args.workers)]
    emit({"event": "ready", "dispatcher": None if args.dispatcher_address else dispatcher,
          "workers": workers})

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
                    emit({"id": req.get("id"), "event": "dispatcher", "dispatcher": start_dispatcher()})
                elif cmd == "worker":
                    emit({"id": req.get("id"), "event": "worker", "worker": start_worker(req["dispatcher"])})
                elif cmd == "stop":
                    s = servers.pop(req["address"])
                    s._stop()
                    emit({"id": req.get("id"), "event": "stopped"})
                elif cmd == "num_workers":
                    emit({"id": req.get("id"), "event": "num_workers",
                          "count": servers[req["dispatcher"]]._num_workers()})
                else:
                    raise ValueError("unknown command %r; expected dispatcher, worker, stop or num_workers" % cmd)
        except Exception as e:  # pylint: disable=broad-except
            emit({"id": req.get("id") if isinstance(req, dict) else None, "event": "error",
                  "message": "%s: %s" % (type(e).__name__, e)})

    stop_all()
    emit({"event": "stopped"})
    sys.stdout.flush()
    os._exit(0)  # TF's C++ threads can delay a normal interpreter exit


if __name__ == "__main__":
    main()
