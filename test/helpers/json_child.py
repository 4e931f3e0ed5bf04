"""The Python side of test/helpers/json-child.ts: a child process that reports in JSON lines on
stdout and dies with its parent. The TensorFlow drivers of the tests and the bench import it:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), <up>, "helpers"))
    from json_child import die_with_parent, emit, to_json
"""
import ctypes
import json
import os
import signal
import sys
import threading

_emit_lock = threading.Lock()


def die_with_parent():
    """Has the kernel SIGKILL this process when its parent dies (PR_SET_PDEATHSIG); exits now if
    the parent is already gone (a test runner killed mid-start must not leave TF servers behind)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if os.getppid() == 1:
        os._exit(1)


def emit(obj):
    """Writes `obj` as one JSON line on stdout, whole even when several threads emit."""
    with _emit_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def to_json(x):
    """TF and numpy values as JSON-able Python: tuples and lists as lists, dicts kept, tensors and
    arrays through .tolist(), byte strings as UTF-8 text."""
    if isinstance(x, (tuple, list)):
        return [to_json(v) for v in x]
    if isinstance(x, dict):
        return {k: to_json(v) for k, v in x.items()}
    if hasattr(x, "numpy"):
        x = x.numpy()
    if isinstance(x, bytes):
        return x.decode("utf-8")
    if hasattr(x, "tolist"):
        return to_json(x.tolist())
    return x
