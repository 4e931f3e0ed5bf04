// The CompressedElement variant value and its protobuf form:
//   CompressedElement { bytes data = 1; repeated CompressedComponentMetadata component_metadata = 2;
//                       int32 version = 3; }
//   CompressedComponentMetadata { DataType dtype = 1; TensorShapeProto tensor_shape = 2;
//                                 repeated uint64 uncompressed_bytes = 4; }
import { checkAlloc } from "../core/limits";
import { fail, INVALID_ARGUMENT } from "../core/status";
import { VariantValue } from "../core/tensor";
import { Reader, WT_LEN, WT_VARINT } from "../proto/reader";
import { lenFieldSize, tagSize, varintFieldSize, varintSize, Writer } from "../proto/writer";
import { readShapeProto, shapeProtoSize, writeShapeProto } from "./shape";

/** TF's type name for this variant. */
export const COMPRESSED_ELEMENT_TYPE_NAME = "tensorflow.data.CompressedElement";

/** Most components of one element. */
export const MAX_COMPONENTS: i32 = 1 << 16;

export class ComponentMetadata {
  dtype: i32 = 0;
  shape: StaticArray<i64> = new StaticArray<i64>(0);
  uncompressedBytes: StaticArray<u64> = new StaticArray<u64>(0);
}

export class CompressedElementValue extends VariantValue {
  /** Raw snappy bytes (varint length preamble + block). */
  data: ArrayBuffer = new ArrayBuffer(0);
  metadata: Array<ComponentMetadata> = new Array<ComponentMetadata>();
  version: i32 = 0;

  typeName(): string {
    return COMPRESSED_ELEMENT_TYPE_NAME;
  }
}

function packedSize(vals: StaticArray<u64>): i32 {
  let n = 0;
  for (let i = 0; i < vals.length; i++) n += varintSize(unchecked(vals[i]));
  return n;
}

function metadataSize(m: ComponentMetadata): i32 {
  let n = varintFieldSize(1, <u64>m.dtype) + lenFieldSize(2, shapeProtoSize(m.shape));
  if (m.uncompressedBytes.length > 0) n += lenFieldSize(4, packedSize(m.uncompressedBytes));
  return n;
}

/** Serialized size of a CompressedElement. */
export function compressedElementSize(ce: CompressedElementValue): u64 {
  let n: u64 = 0;
  if (ce.data.byteLength > 0) n += <u64>lenFieldSize(1, ce.data.byteLength);
  for (let i = 0; i < ce.metadata.length; i++) n += <u64>lenFieldSize(2, metadataSize(unchecked(ce.metadata[i])));
  if (ce.version != 0) n += <u64>varintFieldSize(3, <u64>ce.version);
  return n;
}

/** Writes a CompressedElement in field order, as TF's serializer does. */
export function writeCompressedElement(w: Writer, ce: CompressedElementValue): void {
  if (ce.data.byteLength > 0) {
    w.lenHeader(1, ce.data.byteLength);
    w.raw(changetype<usize>(ce.data), ce.data.byteLength);
  }
  for (let i = 0; i < ce.metadata.length; i++) {
    const m = unchecked(ce.metadata[i]);
    w.lenHeader(2, metadataSize(m));
    w.varintField(1, <u64>m.dtype);
    w.lenHeader(2, shapeProtoSize(m.shape));
    writeShapeProto(w, m.shape);
    if (m.uncompressedBytes.length > 0) {
      w.lenHeader(4, packedSize(m.uncompressedBytes));
      for (let j = 0; j < m.uncompressedBytes.length; j++) w.varint(unchecked(m.uncompressedBytes[j]));
    }
  }
  if (ce.version != 0) w.varintField(3, <u64>ce.version);
}

/** Serializes into a new buffer, or null (error recorded) past the limits. */
export function serializeCompressedElement(ce: CompressedElementValue): ArrayBuffer | null {
  const size = compressedElementSize(ce);
  if (!checkAlloc(size, "a serialized CompressedElement")) return null;
  const buf = new ArrayBuffer(<i32>size);
  const w = new Writer(changetype<usize>(buf), <usize>size);
  writeCompressedElement(w, ce);
  return buf;
}

function readMetadata(r: Reader): ComponentMetadata | null {
  const m = new ComponentMetadata();
  const sizes = new Array<u64>();
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_VARINT) m.dtype = <i32>r.varint();
    else if (f == 2 && wt == WT_LEN) {
      const s = readShapeProto(r.sub());
      if (s == null) return null;
      m.shape = s;
    } else if (f == 4 && wt == WT_LEN) {
      const p = r.sub();
      while (!p.done) sizes.push(p.varint());
      if (p.bad) r.bad = true;
    } else if (f == 4 && wt == WT_VARINT) sizes.push(r.varint());
    else r.skip();
  }
  if (r.bad) {
    fail(INVALID_ARGUMENT, "malformed CompressedComponentMetadata");
    return null;
  }
  m.uncompressedBytes = StaticArray.fromArray<u64>(sizes);
  return m;
}

/** Parses a serialized CompressedElement (fields in any order, unknown fields skipped). */
export function parseCompressedElement(ptr: usize, len: usize): CompressedElementValue | null {
  const r = new Reader(ptr, len);
  const ce = new CompressedElementValue();
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_LEN) {
      if (!r.bytes()) break;
      if (!checkAlloc(<u64>r.lenLen, "compressed element data")) return null;
      const d = new ArrayBuffer(r.lenLen);
      memory.copy(changetype<usize>(d), r.lenPtr, r.lenLen);
      ce.data = d;
    } else if (f == 2 && wt == WT_LEN) {
      if (ce.metadata.length >= MAX_COMPONENTS) {
        fail(INVALID_ARGUMENT, "CompressedElement has more than " + MAX_COMPONENTS.toString() + " components");
        return null;
      }
      const m = readMetadata(r.sub());
      if (m == null) return null;
      ce.metadata.push(m);
    } else if (f == 3 && wt == WT_VARINT) ce.version = <i32>r.varint();
    else r.skip();
  }
  if (r.bad) {
    fail(INVALID_ARGUMENT, "malformed CompressedElement: truncated or invalid protobuf");
    return null;
  }
  return ce;
}

/** Tag size helper re-exported for callers sizing enclosing messages. */
export function fieldTagSize(field: u32): i32 {
  return tagSize(field);
}
