"""TensorFlow 2.21 side of `bench/transfer.ts`: TF's servers and TF's client, timed.

Usage:
  tf_transfer.py local CASE        TF dispatcher + TF worker + TF client, all in this process;
                                   prints {"event":"result", ...} and exits.
  tf_transfer.py client CASE --service grpc://HOST:PORT
                                   TF's client reading CASE from someone else's service (ours);
                                   prints {"event":"result", ...} and exits.
  tf_transfer.py cluster           TF dispatcher + TF worker only; prints
                                   {"event":"ready","target":"grpc://localhost:P"} and serves until
                                   stdin closes.
CASE:
  range    tf.data.Dataset.range(50000), scalars
  images   from_tensors(zeros([224,224,3], uint8)).repeat(3200).batch(32): 100 batches of
           32x224x224x3 uint8 (the same pipeline the TS side builds)
  features 2048 images (pixel (i*7)%251) -> map((x/255-mean)/std, mean over H and W;
           num_parallel_calls=AUTOTUNE) -> batch(32) -> prefetch(AUTOTUNE)
Result: {"event":"result","case","elements","bytes","seconds","first_element_seconds"}; only the
read loop is timed. Exits with its parent (PR_SET_PDEATHSIG) and on stdin EOF.
"""
import argparse
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "helpers"))
from json_child import die_with_parent, emit  # noqa: E402

RANGE_N = 50000
IMAGES = 3200
IMAGE_SHAPE = (224, 224, 3)
IMAGE_BATCH = 32
FEATURE_IMAGES = 2048
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def pipeline(tf, case):
    if case == "range":
        return tf.data.Dataset.range(RANGE_N)
    if case == "features":
        import numpy as np
        size = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2]
        pixels = ((np.arange(size, dtype=np.int64) * 7) % 251).astype(np.uint8).reshape(IMAGE_SHAPE)

        def features(x):
            x = (tf.cast(x, tf.float32) / 255 - tf.constant(MEAN)) / tf.constant(STD)
            return tf.reduce_mean(x, axis=[0, 1])

        return (tf.data.Dataset.from_tensors(pixels).repeat(FEATURE_IMAGES)
                .map(features, num_parallel_calls=tf.data.AUTOTUNE)
                .batch(IMAGE_BATCH).prefetch(tf.data.AUTOTUNE))
    image = tf.zeros(IMAGE_SHAPE, tf.uint8)
    return tf.data.Dataset.from_tensors(image).repeat(IMAGES).batch(IMAGE_BATCH)


def read(tf, case, service):
    ds = pipeline(tf, case).apply(tf.data.experimental.service.distribute(
        processing_mode="parallel_epochs", service=service, compression=None))
    elements = 0
    nbytes = 0
    first = None
    started = time.perf_counter()
    for e in ds.as_numpy_iterator():
        if first is None:
            first = time.perf_counter() - started
        elements += 1
        nbytes += e.nbytes
    return {"event": "result", "case": case, "elements": elements, "bytes": nbytes,
            "seconds": time.perf_counter() - started, "first_element_seconds": first}


def main():
    die_with_parent()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["local", "client", "cluster"])
    parser.add_argument("case", nargs="?", choices=["range", "images", "features"], default="range")
    parser.add_argument("--service", default=None)
    args = parser.parse_args()

    import tensorflow as tf

    service = tf.data.experimental.service
    if args.mode == "client":
        emit(read(tf, args.case, args.service))
        os._exit(0)
    dispatcher = service.DispatchServer(service.DispatcherConfig(port=0))
    worker = service.WorkerServer(service.WorkerConfig(
        dispatcher_address=dispatcher.target.split("://")[1], port=0))
    if args.mode == "local":
        emit(read(tf, args.case, dispatcher.target))
    else:
        emit({"event": "ready", "target": dispatcher.target})
        for _ in sys.stdin:
            pass
    worker._stop()
    dispatcher._stop()
    os._exit(0)


if __name__ == "__main__":
    main()
