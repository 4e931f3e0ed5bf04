// CompressElement / UncompressElement (CompressedElement version 0), as TF's compression_utils:
// each component contributes bytes to one buffer, compressed with raw snappy:
// - fixed-width dtypes: the raw buffer; uncompressed_bytes = [size] (nothing when empty);
// - DT_STRING: each string's bytes; uncompressed_bytes = one length per string;
// - DT_VARIANT: the component as a TensorProto (tensor_content layout); uncompressed_bytes = [size].
import { DT_STRING, DT_VARIANT, dtypeName, dtypeSize } from "../core/dtype";
import { checkAlloc } from "../core/limits";
import { errorCode, fail, INTERNAL, OK, OUT_OF_RANGE } from "../core/status";
import { allocTensor, shapeString, Tensor } from "../core/tensor";
import { Reader } from "../proto/reader";
import { Writer } from "../proto/writer";
import { maxCompressedLength, snappyCompress } from "../snappy/compress";
import { snappyDecompress, snappyUncompressedLength } from "../snappy/decompress";
import { ComponentMetadata, CompressedElementValue } from "./compressed-element";
import { checkVariants, readTensorProto, tensorProtoSize, writeTensorProto } from "./tensor-proto";

/** Largest uncompressed element snappy can carry (TF's limit: 4 GiB - 1). */
export const MAX_UNCOMPRESSED_BYTES: u64 = 0xffffffff;

/** The only CompressedElement version TF 2.21 writes and reads. */
export const COMPRESSED_ELEMENT_VERSION: i32 = 0;

/** Compresses an element into a CompressedElement value; null with an error recorded. */
export function compressElement(elem: Array<Tensor>): CompressedElementValue | null {
  const ce = new CompressedElementValue();
  let total: u64 = 0;
  const protos = new Array<ArrayBuffer | null>(elem.length);
  for (let i = 0; i < elem.length; i++) {
    const t = unchecked(elem[i]);
    const m = new ComponentMetadata();
    m.dtype = t.dtype;
    m.shape = t.shape;
    if (t.dtype == DT_STRING) {
      const n = <i32>t.numElements;
      const sizes = new StaticArray<u64>(n);
      for (let j = 0; j < n; j++) unchecked(sizes[j] = <u64>t.stringLen(j));
      m.uncompressedBytes = sizes;
      total += <u64>t.byteLength;
    } else if (t.dtype == DT_VARIANT) {
      if (!checkVariants(t, "component " + i.toString())) return null;
      const size = tensorProtoSize(t);
      if (!checkAlloc(size, "a variant component")) return null;
      const buf = new ArrayBuffer(<i32>size);
      writeTensorProto(new Writer(changetype<usize>(buf), <usize>size), t);
      unchecked(protos[i] = buf);
      const sizes = new StaticArray<u64>(1);
      unchecked(sizes[0] = size);
      m.uncompressedBytes = sizes;
      total += size;
    } else if (t.byteLength > 0) {
      const sizes = new StaticArray<u64>(1);
      unchecked(sizes[0] = <u64>t.byteLength);
      m.uncompressedBytes = sizes;
      total += <u64>t.byteLength;
    }
    ce.metadata.push(m);
  }
  if (total > MAX_UNCOMPRESSED_BYTES) {
    fail(OUT_OF_RANGE, "element of " + total.toString() + " bytes is too large to compress (snappy's limit is 4 GiB - 1)");
    return null;
  }
  // One contiguous input: a single component's buffer as is, else the concatenation.
  let src: usize;
  let keep: ArrayBuffer | null = null;
  if (elem.length == 1 && elem[0].dtype != DT_VARIANT) {
    src = elem[0].dataPtr;
  } else {
    if (!checkAlloc(total, "the uncompressed element")) return null;
    keep = new ArrayBuffer(<i32>total);
    src = changetype<usize>(keep);
    let p = src;
    for (let i = 0; i < elem.length; i++) {
      const t = unchecked(elem[i]);
      const proto = unchecked(protos[i]);
      if (proto != null) {
        memory.copy(p, changetype<usize>(proto), proto.byteLength);
        p += proto.byteLength;
      } else {
        memory.copy(p, t.dataPtr, t.byteLength);
        p += t.byteLength;
      }
    }
  }
  const maxLen = maxCompressedLength(<usize>total);
  if (!checkAlloc(<u64>maxLen, "the snappy output")) return null;
  const scratch = heap.alloc(maxLen);
  const n = snappyCompress(src, <usize>total, scratch);
  const data = new ArrayBuffer(<i32>n);
  memory.copy(changetype<usize>(data), scratch, n);
  heap.free(scratch);
  ce.data = data;
  ce.version = COMPRESSED_ELEMENT_VERSION;
  if (keep != null) keep = null;
  return ce;
}

/** Decompresses a CompressedElement into `out`; OK or an error code. */
export function uncompressElement(ce: CompressedElementValue, out: Array<Tensor>): i32 {
  out.length = 0;
  if (ce.version != COMPRESSED_ELEMENT_VERSION) {
    return fail(INTERNAL, "Unsupported compressed element version: " + ce.version.toString());
  }
  let total: u64 = 0;
  for (let i = 0; i < ce.metadata.length; i++) {
    const sizes = unchecked(ce.metadata[i]).uncompressedBytes;
    for (let j = 0; j < sizes.length; j++) {
      total += unchecked(sizes[j]);
      if (total > MAX_UNCOMPRESSED_BYTES) return fail(INTERNAL, "compressed element metadata declares more than 4 GiB");
    }
  }
  const dataPtr = changetype<usize>(ce.data);
  const dataLen = <usize>ce.data.byteLength;
  const declared = snappyUncompressedLength(dataPtr, dataLen);
  if (declared < 0) return errorCode();
  if (<u64>declared != total) {
    return fail(INTERNAL, "Uncompressed size mismatch: snappy header says " + declared.toString() + " bytes, metadata says " +
      total.toString());
  }
  // Fast path: one fixed-width component decompresses straight into its tensor.
  if (ce.metadata.length == 1 && dtypeSize(ce.metadata[0].dtype) != 0) {
    const t = allocComponent(ce.metadata[0], 0);
    if (t == null) return errorCode();
    const st = snappyDecompress(dataPtr, dataLen, t.dataPtr, t.byteLength);
    if (st != OK) return st;
    out.push(t);
    return OK;
  }
  if (!checkAlloc(total, "the uncompressed element")) return errorCode();
  const buf = heap.alloc(<usize>total);
  const st = snappyDecompress(dataPtr, dataLen, buf, <usize>total);
  if (st != OK) {
    heap.free(buf);
    return st;
  }
  let p = buf;
  for (let i = 0; i < ce.metadata.length; i++) {
    const m = unchecked(ce.metadata[i]);
    const what = "component " + i.toString();
    if (m.dtype == DT_STRING) {
      let bytes: u64 = 0;
      for (let j = 0; j < m.uncompressedBytes.length; j++) bytes += unchecked(m.uncompressedBytes[j]);
      const t = allocTensor(DT_STRING, m.shape, bytes);
      if (t == null) {
        heap.free(buf);
        return errorCode();
      }
      if (<i64>m.uncompressedBytes.length != t.numElements) {
        heap.free(buf);
        return fail(INTERNAL, what + ": metadata lists " + m.uncompressedBytes.length.toString() + " string sizes for shape " +
          shapeString(m.shape));
      }
      const offs = t.offsets!;
      let pos: u32 = 0;
      for (let j = 0; j < m.uncompressedBytes.length; j++) {
        unchecked(offs[j] = pos);
        pos += <u32>unchecked(m.uncompressedBytes[j]);
      }
      unchecked(offs[m.uncompressedBytes.length] = pos);
      memory.copy(t.dataPtr, p, <usize>bytes);
      p += <usize>bytes;
      out.push(t);
    } else if (m.dtype == DT_VARIANT) {
      if (m.uncompressedBytes.length != 1) {
        heap.free(buf);
        return fail(INTERNAL, what + ": a variant component needs exactly one uncompressed size");
      }
      const size = <usize>m.uncompressedBytes[0];
      const t = readTensorProto(new Reader(p, size), what);
      p += size;
      if (t == null || t.dtype != DT_VARIANT) {
        heap.free(buf);
        return t == null ? errorCode() : fail(INTERNAL, what + ": variant component decoded to dtype " + dtypeName(t.dtype));
      }
      out.push(t);
    } else {
      const t = allocComponent(m, i);
      if (t == null) {
        heap.free(buf);
        return errorCode();
      }
      memory.copy(t.dataPtr, p, t.byteLength);
      p += t.byteLength;
      out.push(t);
    }
  }
  heap.free(buf);
  return OK;
}

/** Allocates a fixed-width component and checks its declared uncompressed size. */
function allocComponent(m: ComponentMetadata, i: i32): Tensor | null {
  const t = allocTensor(m.dtype, m.shape);
  if (t == null) return null;
  const sizes = m.uncompressedBytes;
  const want = <u64>t.byteLength;
  const got: u64 = sizes.length == 0 ? 0 : unchecked(sizes[0]);
  if (sizes.length > 1 || got != want) {
    fail(INTERNAL, "component " + i.toString() + ": metadata declares " + got.toString() + " bytes but a " + dtypeName(m.dtype) +
      " tensor of shape " + shapeString(m.shape) + " has " + want.toString());
    return null;
  }
  return t;
}
