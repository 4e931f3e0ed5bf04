#!/usr/bin/env python3
"""Golden element encodings from real TensorFlow 2.21 (the oracle for the wasm core's codecs).

Two modes:

  gen [OUT_DIR]   (default test/fixtures/elements)
      Starts a TF DispatchServer + WorkerServer in this process, registers one dataset per
      fixture element (`Dataset.from_tensors(element)`), once with compression=None and once with
      compression="AUTO", and reads the element with raw gRPC calls to the worker's GetElement.
      The bytes of GetElementResponse.uncompressed / .compressed are exactly what a TF worker puts
      on the wire (UncompressedElement via AsProtoTensorContent; CompressedElement v0 with raw
      snappy), so they are written verbatim as <name>.uncompressed.bin / <name>.compressed.bin.
      index.json lists every element's components (dtype number, shape, raw little-endian data or
      the strings, base64; a SHA-256 instead of data over 4 KiB; for a variant component the
      components of the CompressedElement it holds, as `variant_of`).

  check
      Reads JSON lines from stdin: {"id", "kind": "compressed"|"uncompressed", "bytes": base64,
      "dtypes": [int], "shapes": [[int]]}. Decodes each with TF's own kernels (UncompressElement
      for compressed, ParseTensor per component for uncompressed) and answers one JSON line per
      request: {"id", "ok": true, "components": [{dtype, shape, data|strings}]} or
      {"id", "ok": false, "error"}. Also answers {"snappy": base64} requests with TF's
      CompressElement of a single uint8 vector (its raw snappy bytes), for byte-equality checks.
"""
import base64
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESCRIPTORS = os.environ.get(
    "TFDATA_TF_DESCRIPTORS", "/work/shared/reference/tf-2.21-descriptors.binpb")


def b64(b):
    return base64.b64encode(bytes(b)).decode("ascii")


def elements():
    """name -> tuple of tensors. Small on purpose: the fixture set stays well under 1 MB."""
    rng = np.random.default_rng(20261127)
    e = {}
    scalars = [
        ("bool", tf.constant(True)),
        ("int8", tf.constant(-5, tf.int8)),
        ("int16", tf.constant(-300, tf.int16)),
        ("int32", tf.constant(-70000, tf.int32)),
        ("int64", tf.constant(-(2 ** 40), tf.int64)),
        ("uint8", tf.constant(200, tf.uint8)),
        ("uint16", tf.constant(60000, tf.uint16)),
        ("uint32", tf.constant(4000000000, tf.uint32)),
        ("uint64", tf.constant(2 ** 64 - 2, tf.uint64)),
        ("float16", tf.constant(1.5, tf.float16)),
        ("bfloat16", tf.constant(-2.25, tf.bfloat16)),
        ("float32", tf.constant(3.25, tf.float32)),
        ("float64", tf.constant(-1e300, tf.float64)),
        ("complex64", tf.constant(1.5 - 2j, tf.complex64)),
        ("complex128", tf.constant(-0.5 + 4j, tf.complex128)),
        ("string", tf.constant(b"hello")),
    ]
    for name, t in scalars:
        e["scalar_" + name] = (t,)
    e["int32_2x3"] = (tf.constant(np.arange(6, dtype=np.int32).reshape(2, 3) - 3),)
    e["int64_vec"] = (tf.constant([-1, 2 ** 62, -(2 ** 63), 0], tf.int64),)
    e["uint64_vec"] = (tf.constant([0, 2 ** 64 - 1, 2 ** 63], tf.uint64),)
    e["uint32_vec"] = (tf.constant([0, 2 ** 32 - 1, 7], tf.uint32),)
    e["int8_vec"] = (tf.constant([-128, 127, 0, -1], tf.int8),)
    e["uint16_vec"] = (tf.constant([0, 65535, 256], tf.uint16),)
    e["int16_2x2"] = (tf.constant([[-32768, 32767], [1, -1]], tf.int16),)
    e["bool_vec"] = (tf.constant([True, False, True]),)
    e["float16_vec"] = (tf.constant(np.array([0.5, -1.0, 65504.0, np.inf, 1e-7], np.float16)),)
    e["bfloat16_vec"] = (tf.constant([1.0, -3.5, 1e30], tf.bfloat16),)
    e["float32_2x2"] = (tf.constant([[1.0, -2.5], [np.inf, 1e-40]], tf.float32),)
    e["float64_vec"] = (tf.constant([np.pi, -0.0, 1e-310], tf.float64),)
    e["complex64_vec"] = (tf.constant([1 + 2j, -3.5j], tf.complex64),)
    e["complex128_2x1"] = (tf.constant([[1e200 - 1j], [0.25 + 0.5j]], tf.complex128),)
    e["string_2x2"] = (tf.constant([[b"", b"a"], ["\u00e9t\u00e9".encode(), b"x" * 200]]),)
    e["string_many"] = (tf.constant([("s%d" % i).encode() * (i % 7) for i in range(150)]),)
    e["empty_float32_0"] = (tf.zeros([0], tf.float32),)
    e["empty_int64_2x0"] = (tf.zeros([2, 0], tf.int64),)
    e["empty_string_0"] = (tf.constant([], tf.string),)
    e["empty_string_scalar"] = (tf.constant(b""),)
    e["multi"] = (
        tf.constant(7, tf.int64),
        tf.constant([b"ab", b"cde"]),
        tf.constant([0.5, 1.5, -2.0], tf.float32),
        tf.constant(False),
        tf.zeros([0, 3], tf.int32),
    )
    pattern = (np.arange(300 * 300) * 7 % 13).astype(np.uint8).reshape(300, 300)
    pattern[100:120] = 0
    e["large_compressible"] = (tf.constant(pattern),)
    e["zeros_f32"] = (tf.zeros([20000], tf.float32),)
    e["incompressible"] = (tf.constant(rng.integers(0, 256, 20000, dtype=np.uint8)),)
    e["image_like"] = (tf.constant((np.add.outer(np.arange(32), np.arange(32))[:, :, None]
                                    + rng.integers(0, 4, (32, 32, 3))).astype(np.uint8)),)
    return e


# Component data larger than this goes into index.json as a SHA-256 only (the .bin files hold it).
INLINE_DATA_LIMIT = 4096


def describe(t, inline_limit=None):
    t = tf.convert_to_tensor(t)
    d = {"dtype": int(t.dtype.as_datatype_enum), "shape": [int(x) for x in t.shape]}
    if t.dtype == tf.string:
        d["strings"] = [b64(s) for s in np.array(t.numpy(), dtype=object).reshape(-1).tolist()]
    elif t.dtype == tf.bfloat16:
        d["data"] = b64(tf.bitcast(t, tf.uint16).numpy().astype("<u2").tobytes())
    else:
        d["data"] = b64(np.ascontiguousarray(t.numpy()).tobytes())
    if inline_limit is not None and "data" in d and len(d["data"]) * 3 // 4 > inline_limit:
        import hashlib
        d["sha256"] = hashlib.sha256(base64.b64decode(d.pop("data"))).hexdigest()
    return d


class Rpc:
    """Raw gRPC calls with messages built from TF's own descriptors."""

    def __init__(self):
        import grpc
        self.grpc = grpc
        fds = descriptor_pb2.FileDescriptorSet()
        with open(DESCRIPTORS, "rb") as f:
            fds.ParseFromString(f.read())
        self.pool = descriptor_pool.DescriptorPool()
        pending = list(fds.file)
        have = {f.name for f in pending}
        # Dependencies the descriptor set leaves out come from TF's own compiled protos.
        default = descriptor_pool.Default()
        missing = [d for f in fds.file for d in f.dependency if d not in have]
        while missing:
            name = missing.pop()
            if name in have:
                continue
            fdp = descriptor_pb2.FileDescriptorProto()
            default.FindFileByName(name).CopyToProto(fdp)
            pending.append(fdp)
            have.add(name)
            missing.extend(d for d in fdp.dependency if d not in have)
        added = set()
        while pending:  # add files after their dependencies
            progress = False
            for fd in list(pending):
                if all(d in added for d in fd.dependency):
                    self.pool.Add(fd)
                    added.add(fd.name)
                    pending.remove(fd)
                    progress = True
            if not progress:
                raise RuntimeError("unresolvable proto deps: %s" % [f.name for f in pending])

    def msg(self, name, **fields):
        cls = message_factory.GetMessageClass(self.pool.FindMessageTypeByName(name))
        return cls(**fields)

    def call(self, address, service, method, request, response_type):
        ch = self.grpc.insecure_channel(address)
        try:
            fn = ch.unary_unary("/tensorflow.data.%s/%s" % (service, method),
                                request_serializer=lambda m: m.SerializeToString(),
                                response_deserializer=lambda b: b)
            raw = fn(request, timeout=30)
        finally:
            ch.close()
        resp = self.msg(response_type)
        resp.ParseFromString(raw)
        return resp, raw


def top_level_field(raw, field):
    """Raw bytes of length-delimited field `field` at the top level of a serialized message."""
    pos = 0

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            b = raw[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7

    while pos < len(raw):
        tag = varint()
        f, wt = tag >> 3, tag & 7
        if wt == 0:
            varint()
        elif wt == 1:
            pos += 8
        elif wt == 5:
            pos += 4
        elif wt == 2:
            n = varint()
            if f == field:
                return raw[pos:pos + n]
            pos += n
        else:
            raise ValueError("bad wire type %d" % wt)
    return None


def fetch_element(rpc, dispatcher, dataset_id, job_name):
    """The raw GetElementResponse of the first element of a fresh parallel_epochs job."""
    job, _ = rpc.call(dispatcher, "DispatcherService", "GetOrCreateJob", rpc.msg(
        "tensorflow.data.GetOrCreateJobRequest", dataset_id=dataset_id, job_name=job_name,
        processing_mode_def=rpc.msg("tensorflow.data.ProcessingModeDef", sharding_policy=0)),
        "tensorflow.data.GetOrCreateJobResponse")
    it, _ = rpc.call(dispatcher, "DispatcherService", "GetOrCreateIteration", rpc.msg(
        "tensorflow.data.GetOrCreateIterationRequest", job_id=job.job_id, repetition=0),
        "tensorflow.data.GetOrCreateIterationResponse")
    deadline = time.time() + 60
    while True:
        hb, _ = rpc.call(dispatcher, "DispatcherService", "ClientHeartbeat", rpc.msg(
            "tensorflow.data.ClientHeartbeatRequest", iteration_client_id=it.iteration_client_id),
            "tensorflow.data.ClientHeartbeatResponse")
        if hb.task_info:
            break
        if time.time() > deadline:
            raise RuntimeError("no task for job " + job_name)
        time.sleep(0.05)
    task = hb.task_info[0]
    while True:
        try:
            resp, raw = rpc.call(task.worker_address, "WorkerService", "GetElement", rpc.msg(
                "tensorflow.data.GetElementRequest", task_id=task.task_id),
                "tensorflow.data.GetElementResponse")
        except rpc.grpc.RpcError as e:
            if e.code() == rpc.grpc.StatusCode.UNAVAILABLE and time.time() < deadline:
                time.sleep(0.05)
                continue
            raise
        if resp.end_of_sequence:
            raise RuntimeError("end of sequence before an element for " + job_name)
        rpc.call(dispatcher, "DispatcherService", "ReleaseIterationClient", rpc.msg(
            "tensorflow.data.ReleaseIterationClientRequest", iteration_client_id=it.iteration_client_id),
            "tensorflow.data.ReleaseIterationClientResponse")
        return raw


def gen(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    svc = tf.data.experimental.service
    dispatcher = svc.DispatchServer()
    address = dispatcher.target.split("://")[1]
    worker = svc.WorkerServer(svc.WorkerConfig(dispatcher_address=address))
    rpc = Rpc()
    index = {"generator": "scripts/tf/gen_element_fixtures.py", "tensorflow": tf.__version__, "elements": []}
    cases = [(name, tf.data.Dataset.from_tensors(comps), [describe(c, INLINE_DATA_LIMIT) for c in comps])
             for name, comps in elements().items()]
    # A variant component (a CompressedElement) next to a plain one: TF's variant-list layout in
    # tensor_content, and a variant serialized as a TensorProto inside a CompressedElement.
    inner = tf.constant(5, tf.int64)
    cases.append(("variant_pair",
                  tf.data.Dataset.from_tensors((inner,)).map(
                      lambda x: (tf.raw_ops.CompressElement(components=[x]), x)),
                  [{"dtype": tf.variant.as_datatype_enum, "shape": [], "variant_of": [describe(inner)]},
                   describe(inner)]))
    for name, ds, components in cases:
        entry = {"name": name, "components": components}
        for kind, compression, field in (("uncompressed", None, 5), ("compressed", "AUTO", 3)):
            dataset_id = svc.register_dataset(dispatcher.target, ds, compression=compression)
            raw = fetch_element(rpc, address, dataset_id.numpy().decode(), "%s-%s" % (name, kind))
            body = top_level_field(raw, field)
            if body is None:
                raise RuntimeError("%s: response has no %s element" % (name, kind))
            fname = "%s.%s.bin" % (name, kind)
            with open(os.path.join(out_dir, fname), "wb") as f:
                f.write(body)
            entry[kind] = fname
        index["elements"].append(entry)
        print(name, file=sys.stderr)
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        f.write(json.dumps({k: v for k, v in index.items() if k != "elements"})[:-1] + ', "elements": [\n')
        f.write(",\n".join(json.dumps(e) for e in index["elements"]))
        f.write("\n]}\n")
    worker.stop()
    dispatcher.stop()


def check():
    tf_dtype = tf.dtypes.as_dtype
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        rid = req.get("id")
        try:
            if "snappy" in req:
                data = np.frombuffer(base64.b64decode(req["snappy"]), np.uint8)
                variant = tf.raw_ops.CompressElement(components=[tf.constant(data)])
                from tensorflow.core.framework import tensor_pb2
                tp = tensor_pb2.TensorProto()
                tp.ParseFromString(tf.io.serialize_tensor(variant).numpy())
                if tp.variant_val:
                    vp = tp.variant_val[0]
                else:  # tensor_content holds TF's variant list: varint size, then the proto
                    content = tp.tensor_content
                    size, pos, shift = 0, 0, 0
                    while True:
                        b = content[pos]
                        pos += 1
                        size |= (b & 0x7F) << shift
                        shift += 7
                        if b < 0x80:
                            break
                    vp = tensor_pb2.VariantTensorDataProto()
                    vp.ParseFromString(content[pos:pos + size])
                print(json.dumps({"id": rid, "ok": True, "compressed": b64(vp.metadata),
                                  "type_name": vp.type_name}), flush=True)
                continue
            raw = base64.b64decode(req["bytes"])
            dtypes = [tf_dtype(d) for d in req["dtypes"]]
            if req["kind"] == "compressed":
                from tensorflow.core.framework import tensor_pb2
                tp = tensor_pb2.TensorProto(dtype=tf.variant.as_datatype_enum)
                tp.tensor_shape.SetInParent()
                v = tp.variant_val.add()
                v.type_name = "tensorflow.data.CompressedElement"
                v.metadata = raw
                variant = tf.io.parse_tensor(tp.SerializeToString(), tf.variant)
                comps = tf.raw_ops.UncompressElement(
                    compressed=variant, output_types=dtypes,
                    output_shapes=[tf.TensorShape(s) for s in req["shapes"]])
            else:
                from tensorflow.core.framework import dataset_pb2
                ue = dataset_pb2.UncompressedElement()
                ue.ParseFromString(raw)
                comps = [tf.io.parse_tensor(c.SerializeToString(), dtypes[i])
                         for i, c in enumerate(ue.components)]
            print(json.dumps({"id": rid, "ok": True, "components": [describe(c) for c in comps]}), flush=True)
        except Exception as e:  # noqa: BLE001 - report any TF failure to the test
            print(json.dumps({"id": rid, "ok": False, "error": "%s: %s" % (type(e).__name__, e)}), flush=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "gen"
    if mode == "gen":
        gen(sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test", "fixtures", "elements"))
    elif mode == "check":
        check()
    else:
        sys.exit("usage: gen_element_fixtures.py gen [OUT_DIR] | check")
