// UncompressedElement { repeated TensorProto components = 1; } in TF's layout.
import { checkAlloc } from "../core/limits";
import { DT_VARIANT } from "../core/dtype";
import { fail, INTERNAL, INVALID_ARGUMENT } from "../core/status";
import { Tensor } from "../core/tensor";
import { Reader, WT_LEN } from "../proto/reader";
import { lenFieldSize, Writer } from "../proto/writer";
import { MAX_COMPONENTS } from "./compressed-element";
import { checkVariants, readTensorProto, tensorProtoSize, writeTensorProto } from "./tensor-proto";

/** Serializes `elem` as an UncompressedElement; null with an error recorded past the limits. */
export function encodeUncompressed(elem: Array<Tensor>): ArrayBuffer | null {
  let size: u64 = 0;
  for (let i = 0; i < elem.length; i++) {
    const t = unchecked(elem[i]);
    if (t.dtype == DT_VARIANT && !checkVariants(t, "component " + i.toString())) return null;
    size += <u64>lenFieldSize(1, tensorProtoSize(t));
  }
  if (!checkAlloc(size, "an UncompressedElement")) return null;
  const buf = new ArrayBuffer(<i32>size);
  const w = new Writer(changetype<usize>(buf), <usize>size);
  for (let i = 0; i < elem.length; i++) {
    const t = unchecked(elem[i]);
    w.lenHeader(1, tensorProtoSize(t));
    writeTensorProto(w, t);
  }
  if (w.pos != w.end) {
    fail(INTERNAL, "UncompressedElement size mismatch while encoding");
    return null;
  }
  return buf;
}

/** Parses a serialized UncompressedElement into `out`; returns false with an error recorded. */
export function decodeUncompressed(ptr: usize, len: usize, out: Array<Tensor>): bool {
  out.length = 0;
  const r = new Reader(ptr, len);
  while (r.next()) {
    if (r.field == 1 && r.wireType == WT_LEN) {
      if (out.length >= MAX_COMPONENTS) {
        fail(INVALID_ARGUMENT, "UncompressedElement has more than " + MAX_COMPONENTS.toString() + " components");
        return false;
      }
      const t = readTensorProto(r.sub(), "component " + out.length.toString());
      if (t == null) return false;
      out.push(t);
    } else r.skip();
  }
  if (r.bad) {
    fail(INVALID_ARGUMENT, "malformed UncompressedElement: truncated or invalid protobuf");
    return false;
  }
  return true;
}
