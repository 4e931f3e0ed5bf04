"""TensorFlow 2.21 side of `npm run bench`: one DispatchServer + one WorkerServer on loopback, read
by TF's own client, all in this process. Times only the read loop.

Usage: tf_bench.py CASE [--compression none|AUTO]
  CASE  range          tf.data.Dataset.range(50000), scalars
        images         100 batches of 32x224x224x3 uint8 (from_tensors(zeros).repeat(100))
        range-batch    range(100 * 602112).batch(602112): the stand-in pipeline ours runs when
                       it cannot build uint8 images yet (same element count and bytes, int64)
Prints one JSON line: {"case", "elements", "bytes", "seconds", "first_element_seconds"}.
Exits with its parent (PR_SET_PDEATHSIG).
"""
import argparse
import ctypes
import json
import os
import signal
import sys
import time

IMAGE_SHAPE = (32, 224, 224, 3)
IMAGE_BATCHES = 100
RANGE_N = 50000
STANDIN_BATCH = 32 * 224 * 224 * 3 // 8  # int64 values with the bytes of one uint8 image batch


def die_with_parent():
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main():
    die_with_parent()
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=["range", "images", "range-batch"])
    parser.add_argument("--compression", default="none")
    args = parser.parse_args()
    compression = None if args.compression.lower() == "none" else args.compression

    import tensorflow as tf

    service = tf.data.experimental.service
    dispatcher = service.DispatchServer(service.DispatcherConfig(port=0))
    worker = service.WorkerServer(service.WorkerConfig(
        dispatcher_address=dispatcher.target.split("://")[1], port=0))

    if args.case == "range":
        ds = tf.data.Dataset.range(RANGE_N)
    elif args.case == "images":
        ds = tf.data.Dataset.from_tensors(tf.zeros(IMAGE_SHAPE, tf.uint8)).repeat(IMAGE_BATCHES)
    else:
        ds = tf.data.Dataset.range(IMAGE_BATCHES * STANDIN_BATCH).batch(STANDIN_BATCH)
    ds = ds.apply(service.distribute(processing_mode="parallel_epochs", service=dispatcher.target,
                                     compression=compression))

    elements = 0
    nbytes = 0
    first = None
    started = time.perf_counter()
    for e in ds.as_numpy_iterator():
        if first is None:
            first = time.perf_counter() - started
        elements += 1
        nbytes += e.nbytes
    seconds = time.perf_counter() - started
    sys.stdout.write(json.dumps({"case": args.case, "elements": elements, "bytes": nbytes,
                                 "seconds": seconds, "first_element_seconds": first}) + "\n")
    sys.stdout.flush()
    worker._stop()
    dispatcher._stop()
    os._exit(0)


if __name__ == "__main__":
    main()
