"""Dump the protobuf descriptors TensorFlow 2.21 itself carries into a FileDescriptorSet fixture.

Why: our `.proto` files under `proto/` must be wire-identical to TF's. TF embeds the serialized
FileDescriptorProto of every proto it ships: the framework/protobuf ones in its Python `*_pb2`
modules, and the data service ones (dispatcher, worker, common, journal), which have no Python
module, in the C++ library `libtensorflow_cc.so.2` (protoc's generated C++ keeps each file's
descriptor as one serialized byte string). Collecting those plus their import closure gives an
authoritative, offline copy of TF's schema. `scripts/proto-from-descriptors.ts` renders our
`proto/` sources from it, and `test/proto/wire-schema.test.ts` checks the generated TypeScript
against it.

Regenerate (from the repo root):
    .venv-tf/bin/python scripts/tf/dump_descriptors.py \
      && node --import tsx scripts/proto-from-descriptors.ts \
      && npm run build:proto

Usage: dump_descriptors.py [OUT]          write the set (default: test/fixtures/proto/tf-2.21-descriptors.binpb)
       dump_descriptors.py --check [OUT]  exit 1 if OUT differs from what would be written
"""

import glob
import importlib
import importlib.util
import mmap
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from google.protobuf import descriptor_pb2, descriptor_pool  # noqa: E402

# Root files; their imports are added by walking dependencies.
ROOT_FILES = [
    "tensorflow/core/data/service/dispatcher.proto",
    "tensorflow/core/data/service/worker.proto",
    "tensorflow/core/data/service/common.proto",
    "tensorflow/core/data/service/journal.proto",
    "tensorflow/core/protobuf/data_service.proto",
    "tensorflow/core/protobuf/service_config.proto",
    "tensorflow/core/protobuf/snapshot.proto",
    "tensorflow/core/protobuf/struct.proto",
    "tensorflow/core/framework/dataset.proto",
    "tensorflow/core/framework/dataset_options.proto",
    "tensorflow/core/framework/dataset_metadata.proto",
    "tensorflow/core/framework/graph.proto",
]

# Python modules that register TF's protos in the default descriptor pool. Importing the module
# of a file registers its imports too.
PY_MODULES = [
    "tensorflow.core.protobuf.data_service_pb2",
    "tensorflow.core.protobuf.service_config_pb2",
    "tensorflow.core.protobuf.snapshot_pb2",
    "tensorflow.core.protobuf.struct_pb2",
    "tensorflow.core.framework.dataset_pb2",
    "tensorflow.core.framework.dataset_options_pb2",
    "tensorflow.core.framework.dataset_metadata_pb2",
    "tensorflow.core.framework.graph_pb2",
    "tensorflow.core.framework.graph_debug_info_pb2",
    "tensorflow.compiler.xla.tsl.protobuf.status_pb2",
    "tensorflow.compiler.xla.tsl.protobuf.error_codes_pb2",
]

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "proto", "tf-2.21-descriptors.binpb")


def _varint(buf, pos):
    """Decode a base-128 varint at pos; return (value, next_pos)."""
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _encode_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _message_end(buf, start):
    """End offset of a serialized message starting at start: fields are read until a byte that
    is not a valid FileDescriptorProto tag (the C string literal ends with NUL, tag 0)."""
    pos = start
    while pos < len(buf):
        tag, nxt = _varint(buf, pos)
        field, wire = tag >> 3, tag & 7
        if field < 1 or field > 15 or wire not in (0, 2):
            return pos
        if wire == 0:
            _, pos = _varint(buf, nxt)
        else:
            length, nxt = _varint(buf, nxt)
            pos = nxt + length
    return pos


class NativeLibs:
    """Finds serialized FileDescriptorProtos inside TF's shared libraries."""

    def __init__(self):
        import tensorflow  # noqa: F401  (only to locate the package directory)
        tf_dir = os.path.dirname(importlib.util.find_spec("tensorflow").origin)
        self.maps = []
        for path in sorted(glob.glob(os.path.join(tf_dir, "*.so*"))):
            with open(path, "rb") as f:
                self.maps.append((path, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)))

    def find(self, name):
        encoded = name.encode()
        pattern = b"\n" + _encode_varint(len(encoded)) + encoded + b"\x12"
        found = []
        for path, m in self.maps:
            i = m.find(pattern)
            while i != -1:
                end = _message_end(m, i)
                proto = descriptor_pb2.FileDescriptorProto()
                proto.ParseFromString(m[i:end])
                # protoc writes canonical bytes; a clean round trip means we cut the right span.
                if proto.SerializeToString() == m[i:end]:
                    found.append((path, proto))
                i = m.find(pattern, i + 1)
        if not found:
            raise LookupError("descriptor for %s not found in TF's libraries" % name)
        first = found[0][1]
        for path, other in found[1:]:
            if other != first:
                raise ValueError("conflicting descriptors for %s in %s" % (name, path))
        return found[0]


def collect():
    """Return (FileDescriptorProtos in dependency order, {file name: source})."""
    for mod in PY_MODULES:
        importlib.import_module(mod)
    pool = descriptor_pool.Default()
    native = None
    ordered, sources, seen = [], {}, set()

    def load(name):
        nonlocal native
        try:
            fd = pool.FindFileByName(name)
            proto = descriptor_pb2.FileDescriptorProto()
            fd.CopyToProto(proto)
            return proto, "python"
        except KeyError:
            if native is None:
                native = NativeLibs()
            path, proto = native.find(name)
            return proto, os.path.basename(path)

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        proto, source = load(name)
        for dep in proto.dependency:
            visit(dep)
        # Options (go_package, java_*, cc_enable_arenas) and source info do not affect the wire.
        proto.ClearField("source_code_info")
        proto.ClearField("options")
        ordered.append(proto)
        sources[name] = source

    for name in ROOT_FILES:
        visit(name)
    return ordered, sources


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    out = os.path.normpath(args[0] if args else DEFAULT_OUT)
    files, sources = collect()
    fds = descriptor_pb2.FileDescriptorSet()
    fds.file.extend(files)
    data = fds.SerializeToString(deterministic=True)
    if check:
        with open(out, "rb") as f:
            same = f.read() == data
        print(("up to date: " if same else "STALE: ") + out)
        return 0 if same else 1
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "wb") as f:
        f.write(data)
    print("wrote %s (%d files, %d bytes)" % (os.path.relpath(out, REPO), len(files), len(data)))
    for f in files:
        print("  %-50s from %s" % (f.name, sources[f.name]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
