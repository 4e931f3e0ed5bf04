// The element descriptor the host reads after `iterNext`/`decode`: u32 words in linear memory.
//   [0] number of components n, then per component:
//   dtype, rank, dataPtr, dataLen, offsetsPtr, then rank x (dim lo, dim hi)
// For DT_STRING (and DT_VARIANT, as serialized values) `offsetsPtr` points at numElements + 1 u32
// offsets into the data; otherwise it is 0. Pointers stay valid until the next call into the core.
import { DT_VARIANT, DT_STRING } from "../core/dtype";
import { checkAlloc } from "../core/limits";
import { Tensor } from "../core/tensor";
import { errorCode, OK } from "../core/status";
import { serializeVariants } from "../codec/variant";

let desc = new ArrayBuffer(256);
/** Buffers that must stay alive while the host reads the descriptor. */
const keep = new Array<Object>();

export function descriptorPtr(): usize {
  return changetype<usize>(desc);
}

/** Releases what the last descriptor referenced. */
export function clearDescriptor(): void {
  keep.length = 0;
}

/** Writes the descriptor of `elem`; returns OK or an error code. */
export function describe(elem: Array<Tensor>): i32 {
  keep.length = 0;
  let words = 1;
  for (let i = 0; i < elem.length; i++) words += 5 + 2 * unchecked(elem[i]).rank;
  if (words * 4 > desc.byteLength) {
    if (!checkAlloc(<u64>words * 8, "an element descriptor")) return errorCode();
    desc = new ArrayBuffer(words * 8);
  }
  let p = changetype<usize>(desc);
  store<u32>(p, elem.length);
  p += 4;
  for (let i = 0; i < elem.length; i++) {
    const t = unchecked(elem[i]);
    let dataPtr = t.dataPtr;
    let dataLen = <u32>t.byteLength;
    let offsPtr: usize = 0;
    if (t.dtype == DT_STRING) {
      offsPtr = changetype<usize>(t.offsets!);
    } else if (t.dtype == DT_VARIANT) {
      const ser = serializeVariants(t);
      if (ser == null) return errorCode();
      keep.push(ser);
      dataPtr = ser.dataPtr;
      dataLen = <u32>ser.byteLength;
      offsPtr = changetype<usize>(ser.offsets!);
    }
    store<u32>(p, t.dtype);
    store<u32>(p + 4, t.rank);
    store<u32>(p + 8, <u32>dataPtr);
    store<u32>(p + 12, dataLen);
    store<u32>(p + 16, <u32>offsPtr);
    p += 20;
    for (let d = 0; d < t.rank; d++) {
      const v = unchecked(t.shape[d]);
      store<u32>(p, <u32>v);
      store<u32>(p + 4, <u32>(v >>> 32));
      p += 8;
    }
  }
  return OK;
}

/** Writes the wire descriptor [kind, ptr, len] for an encoded element and keeps `buf` alive. */
export function describeWire(kind: i32, buf: ArrayBuffer): i32 {
  keep.length = 0;
  keep.push(buf);
  const p = changetype<usize>(desc);
  store<u32>(p, kind);
  store<u32>(p + 4, <u32>changetype<usize>(buf));
  store<u32>(p + 8, buf.byteLength);
  return OK;
}

/** Writes raw u32 words as the descriptor. */
export function describeWords(words: StaticArray<u32>): i32 {
  keep.length = 0;
  if (words.length * 4 > desc.byteLength) {
    if (!checkAlloc(<u64>words.length * 8, "a descriptor")) return errorCode();
    desc = new ArrayBuffer(words.length * 8);
  }
  memory.copy(changetype<usize>(desc), changetype<usize>(words), words.length * 4);
  return OK;
}
