"""TensorFlow 2.21 side of `bench/datasets.ts`: the in-process tf.data pipelines of issue 3 §7,
timed in this process (no service). Only the read loop is timed, after a warm-up epoch.

Usage: tf_datasets.py CONFIG_JSON
  CONFIG_JSON  {"cases": ["range", "images", "slices"], "minSeconds": 1, "trials": 3,
                "variants": ["defaults", "sequential"], "range": {...}, "images": {...},
                "slices": {...}}  (the parameters, chosen by bench/datasets.ts so that all three
                sides run the same pipelines on the same input)
With "dumpGraphs": true it only prints {"event": "graph", "case", "pipeline", "graph": base64 of
`_as_serialized_graph()`} per case (ours runs those while its Dataset API lacks a method).
Otherwise it prints one JSON line per (case, variant):
  {"event": "result", "case", "impl", "variant", "pipeline", "elements", "outputs", "bytes",
   "seconds", "trials": [elements/s per trial], "checksum"}
then {"event": "done"}. Exits with its parent (PR_SET_PDEATHSIG).

Variants: "defaults" is tf.data as users get it (default static optimizations, autotune, TF's
thread pool: TF may run map work on both cores); "sequential" turns those off and pins a private
pool of one thread, the closest TF gets to our single-threaded in-process iterator.
"""
import os
import json
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "helpers"))
from json_child import die_with_parent, emit  # noqa: E402


def image_array(np, n, h, w, c):
    """The deterministic images every side builds: ((k*131 + y*17 + x*7 + ch*59) ^ (x*y)) & 255."""
    k = np.arange(n, dtype=np.int64).reshape(n, 1, 1, 1)
    y = np.arange(h, dtype=np.int64).reshape(1, h, 1, 1)
    x = np.arange(w, dtype=np.int64).reshape(1, 1, w, 1)
    ch = np.arange(c, dtype=np.int64).reshape(1, 1, 1, c)
    return (((k * 131 + y * 17 + x * 7 + ch * 59) ^ (x * y)) & 255).astype(np.uint8)


def rows_array(np, n, cols):
    """Row i, column j holds i + j/8 (exact in float32 for i < 2^20)."""
    i = np.arange(n, dtype=np.float64).reshape(n, 1)
    j = np.arange(cols, dtype=np.float64).reshape(1, cols)
    return (i + j / 8.0).astype(np.float32)


def build(tf, np, case, cfg):
    """(dataset, pipeline text, consume(batch) -> (outputs, bytes, checksum), source elements/epoch)."""
    if case == "range":
        p = cfg["range"]
        ds = (tf.data.Dataset.range(p["n"])
              .map(lambda x: x * 2 + 1)
              .filter(lambda x: x % 3 == 0)
              .batch(p["batch"]))
        text = f"range({p['n']}).map(x*2+1).filter(x%3==0).batch({p['batch']})"

        def consume(b):
            return b.shape[0], b.nbytes, float(b[0])
        return ds, text, consume, p["n"]
    if case == "images":
        p = cfg["images"]
        h, w, c = p["shape"]
        imgs = image_array(np, p["distinct"], h, w, c)
        mean = tf.constant(p["mean"], tf.float32)
        std = tf.constant(p["std"], tf.float32)
        ds = (tf.data.Dataset.from_tensor_slices(imgs)
              .repeat(p["repeat"])
              .map(lambda x: (tf.cast(x, tf.float32) / 255.0 - mean) / std)
              .batch(p["batch"]))
        text = (f"from_tensor_slices(uint8[{p['distinct']},{h},{w},{c}]).repeat({p['repeat']})"
                f".map((cast(x,f32)/255-mean)/std).batch({p['batch']})")
        probe = tuple(p["probe"])

        def consume(b):
            return b.shape[0], b.nbytes, float(b[(0,) + probe])
        return ds, text, consume, p["distinct"] * p["repeat"]
    if case == "slices":
        p = cfg["slices"]
        rows = rows_array(np, p["n"], p["cols"])
        ds = (tf.data.Dataset.from_tensor_slices(rows)
              .shuffle(p["buffer"], seed=p["seed"])
              .batch(p["batch"]))
        text = (f"from_tensor_slices(f32[{p['n']},{p['cols']}]).shuffle({p['buffer']}, seed={p['seed']})"
                f".batch({p['batch']})")

        def consume(b):
            return b.shape[0], b.nbytes, float(b[:, 0].sum(dtype=np.float64))
        return ds, text, consume, p["n"]
    raise ValueError(f"unknown case {case!r}; expected range, images or slices")


def with_variant(tf, ds, variant):
    if variant == "defaults":
        return ds
    if variant == "sequential":
        opts = tf.data.Options()
        opts.experimental_optimization.apply_default_optimizations = False
        opts.autotune.enabled = False
        opts.threading.private_threadpool_size = 1
        return ds.with_options(opts)
    raise ValueError(f"unknown variant {variant!r}; expected defaults or sequential")


def epoch(ds, consume):
    outputs = 0
    nbytes = 0
    checksum = 0.0
    batches = 0
    for b in ds.as_numpy_iterator():
        o, n, s = consume(b)
        outputs += o
        nbytes += n
        checksum += s
        batches += 1
    return outputs, nbytes, checksum, batches


def measure(ds, consume, source_n, min_seconds, trials):
    """Best of `trials`; each trial runs whole epochs until `min_seconds` have passed."""
    ref = epoch(ds, consume)  # warm-up (also the reference outputs/checksum)
    best = None
    rates = []
    for _ in range(trials):
        epochs = 0
        started = time.perf_counter()
        while True:
            got = epoch(ds, consume)
            epochs += 1
            if got[0] != ref[0] or got[3] != ref[3]:
                raise RuntimeError(f"epochs differ: {got} vs {ref}")
            seconds = time.perf_counter() - started
            if seconds >= min_seconds:
                break
        rate = epochs * source_n / seconds
        rates.append(rate)
        if best is None or rate > best[0]:
            best = (rate, epochs, seconds)
    _, epochs, seconds = best
    return {
        "elements": epochs * source_n, "outputs": epochs * ref[0], "batches": epochs * ref[3],
        "bytes": epochs * ref[1], "seconds": seconds, "trials": rates, "checksum": ref[2],
        "epochs": epochs,
    }


def dump_graphs(tf, np, cfg):
    """Emits TF's serialized GraphDef of each case (what a TF client would ship), untimed."""
    import base64
    for case in cfg["cases"]:
        ds, text, _, _ = build(tf, np, case, cfg)
        data = ds._as_serialized_graph().numpy()  # pylint: disable=protected-access
        emit({"event": "graph", "case": case, "pipeline": text, "graph": base64.b64encode(data).decode()})
    emit({"event": "done"})


def main():
    die_with_parent()
    cfg = json.loads(sys.argv[1])
    import numpy as np
    import tensorflow as tf
    tf.autograph.set_verbosity(0)
    if cfg.get("dumpGraphs"):
        dump_graphs(tf, np, cfg)
        return
    for case in cfg["cases"]:
        for variant in cfg.get("variants", ["defaults"]):
            ds, text, consume, source_n = build(tf, np, case, cfg)
            ds = with_variant(tf, ds, variant)
            try:
                r = measure(ds, consume, source_n, cfg["minSeconds"], cfg["trials"])
                emit({"event": "result", "case": case, "impl": "TF " + tf.__version__, "variant": variant,
                      "pipeline": text, **r})
            except Exception as e:  # report and go on with the other cases
                emit({"event": "result", "case": case, "impl": "TF " + tf.__version__, "variant": variant,
                      "pipeline": text, "error": f"{type(e).__name__}: {e}"})
    emit({"event": "done"})


if __name__ == "__main__":
    main()
