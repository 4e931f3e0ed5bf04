// TensorProto, as TF's Tensor::AsProtoTensorContent writes it and Tensor::FromProto reads it:
//   TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2; int32 version_number = 3;
//     bytes tensor_content = 4; repeated int32 half_val = 13; repeated float float_val = 5;
//     repeated double double_val = 6; repeated int32 int_val = 7; repeated bytes string_val = 8;
//     repeated float scomplex_val = 9; repeated int64 int64_val = 10; repeated bool bool_val = 11;
//     repeated double dcomplex_val = 12; repeated VariantTensorDataProto variant_val = 15;
//     repeated uint32 uint32_val = 16; repeated uint64 uint64_val = 17; }
// Writing: dtype, tensor_shape (always present), then tensor_content (omitted when empty). For
// DT_STRING the content is TF's string list: every length as a varint, then all bytes.
// Reading accepts tensor_content or the typed *_val fields (packed or not); as in TF, fewer typed
// values than elements repeat the last one, and none at all gives zeros.
import {
  DT_BFLOAT16, DT_BOOL, DT_COMPLEX128, DT_COMPLEX64, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32,
  DT_INT64, DT_INT8, DT_STRING, DT_UINT16, DT_UINT32, DT_UINT64, DT_UINT8, DT_VARIANT, dtypeName, dtypeSize,
} from "../core/dtype";
import { checkAlloc } from "../core/limits";
import { fail, INVALID_ARGUMENT, UNIMPLEMENTED } from "../core/status";
import { allocTensor, shapeString, Tensor } from "../core/tensor";
import { Reader, WT_FIXED32, WT_FIXED64, WT_LEN, WT_VARINT } from "../proto/reader";
import { lenFieldSize, tagSize, varintFieldSize, varintSize, Writer } from "../proto/writer";
import { readShapeProto, shapeProtoSize, writeShapeProto } from "./shape";
import {
  COMPRESSED_ELEMENT_TYPE_NAME, CompressedElementValue, compressedElementSize, parseCompressedElement, writeCompressedElement,
} from "./compressed-element";

/** Serialized VariantTensorDataProto of one CompressedElement: {1: type_name, 2: metadata}. */
function variantProtoSize(ce: CompressedElementValue): u64 {
  const meta = compressedElementSize(ce);
  return <u64>lenFieldSize(1, COMPRESSED_ELEMENT_TYPE_NAME.length) + <u64>tagSize(2) + <u64>varintSize(meta) + meta;
}

function writeVariantProto(w: Writer, ce: CompressedElementValue): void {
  w.lenHeader(1, COMPRESSED_ELEMENT_TYPE_NAME.length);
  for (let i = 0; i < COMPRESSED_ELEMENT_TYPE_NAME.length; i++) w.byte(<u8>COMPRESSED_ELEMENT_TYPE_NAME.charCodeAt(i));
  w.lenHeader(2, compressedElementSize(ce));
  writeCompressedElement(w, ce);
}

/**
 * Checks that every value of a variant tensor can be serialized (only CompressedElement can);
 * false with an error recorded otherwise.
 */
export function checkVariants(t: Tensor, what: string): bool {
  const vs = t.variants!;
  for (let i = 0; i < vs.length; i++) {
    if (!(unchecked(vs[i]) instanceof CompressedElementValue)) {
      fail(UNIMPLEMENTED, what + ": variant values other than " + COMPRESSED_ELEMENT_TYPE_NAME + " cannot be encoded");
      return false;
    }
  }
  return true;
}

/**
 * Size of the tensor_content payload of `t`: raw bytes; for DT_STRING the string list; for
 * DT_VARIANT TF's variant list (each VariantTensorDataProto's size as a varint, then the protos).
 */
export function tensorContentSize(t: Tensor): u64 {
  if (t.dtype == DT_VARIANT) {
    const vs = t.variants!;
    let n: u64 = 0;
    for (let i = 0; i < vs.length; i++) {
      const sz = variantProtoSize(changetype<CompressedElementValue>(unchecked(vs[i])));
      n += <u64>varintSize(sz) + sz;
    }
    return n;
  }
  if (t.dtype != DT_STRING) return <u64>t.byteLength;
  let n: u64 = <u64>t.byteLength;
  const count = <i32>t.numElements;
  for (let i = 0; i < count; i++) n += <u64>varintSize(<u64>t.stringLen(i));
  return n;
}

/** Serialized size of `t` as a TensorProto with tensor_content. */
export function tensorProtoSize(t: Tensor): u64 {
  const content = tensorContentSize(t);
  let n: u64 = <u64>varintFieldSize(1, <u64>t.dtype) + <u64>lenFieldSize(2, shapeProtoSize(t.shape));
  if (content > 0) n += <u64>lenFieldSize(4, content);
  return n;
}

/** Writes `t` as a TensorProto body (AsProtoTensorContent layout); variants must pass checkVariants. */
export function writeTensorProto(w: Writer, t: Tensor): void {
  w.varintField(1, <u64>t.dtype);
  w.lenHeader(2, shapeProtoSize(t.shape));
  writeShapeProto(w, t.shape);
  const content = tensorContentSize(t);
  if (content == 0) return;
  w.lenHeader(4, content);
  if (t.dtype == DT_VARIANT) {
    const vs = t.variants!;
    for (let i = 0; i < vs.length; i++) w.varint(variantProtoSize(changetype<CompressedElementValue>(unchecked(vs[i]))));
    for (let i = 0; i < vs.length; i++) writeVariantProto(w, changetype<CompressedElementValue>(unchecked(vs[i])));
    return;
  }
  if (t.dtype == DT_STRING) {
    const count = <i32>t.numElements;
    for (let i = 0; i < count; i++) w.varint(<u64>t.stringLen(i));
  }
  w.raw(t.dataPtr, t.byteLength);
}

/** Ranges of one repeated field's occurrences, gathered while scanning a message. */
class Ranges {
  ptrs: Array<usize> = new Array<usize>();
  lens: Array<i32> = new Array<i32>();
  /** Wire types of the occurrences (WT_LEN = packed). */
  wts: Array<u32> = new Array<u32>();
  /** Scalar values of unpacked occurrences. */
  vals: Array<u64> = new Array<u64>();
}

/** Collected typed-value field: the field number TF uses for a dtype, and its element width. */
function typedField(dtype: i32): u32 {
  switch (dtype) {
    case DT_HALF: case DT_BFLOAT16: return 13;
    case DT_FLOAT: return 5;
    case DT_DOUBLE: return 6;
    case DT_INT32: case DT_INT16: case DT_INT8: case DT_UINT8: case DT_UINT16: return 7;
    case DT_STRING: return 8;
    case DT_COMPLEX64: return 9;
    case DT_INT64: return 10;
    case DT_BOOL: return 11;
    case DT_COMPLEX128: return 12;
    case DT_VARIANT: return 15;
    case DT_UINT32: return 16;
    case DT_UINT64: return 17;
    default: return 0;
  }
}

/** Wire type of one unpacked value of the typed field. */
function scalarWireType(field: u32): u32 {
  if (field == 5 || field == 9) return WT_FIXED32;
  if (field == 6 || field == 12) return WT_FIXED64;
  return WT_VARINT;
}

/** Decodes every typed value into `vals` (u64 bit patterns; floats as their raw bits). */
function collectValues(r: Ranges, field: u32): Array<u64> | null {
  const out = new Array<u64>();
  const swt = scalarWireType(field);
  let v = 0;
  for (let i = 0; i < r.wts.length; i++) {
    if (unchecked(r.wts[i]) != WT_LEN) {
      out.push(unchecked(r.vals[v++]));
      continue;
    }
    const sub = new Reader(unchecked(r.ptrs[i]), unchecked(r.lens[i]));
    while (!sub.done) {
      if (swt == WT_FIXED32) out.push(<u64>sub.fixed32());
      else if (swt == WT_FIXED64) out.push(sub.fixed64());
      else out.push(sub.varint());
    }
    if (sub.bad) {
      fail(INVALID_ARGUMENT, "malformed packed values in TensorProto field " + field.toString());
      return null;
    }
  }
  return out;
}

/** Stores typed value `v` (from field `field`) as element `i` of `t`. */
function storeTyped(t: Tensor, i: i64, v: u64): void {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_FLOAT: store<u32>(p + <usize>(i << 2), <u32>v); break;
    case DT_DOUBLE: store<u64>(p + <usize>(i << 3), v); break;
    case DT_INT32: store<u32>(p + <usize>(i << 2), <u32>v); break;
    case DT_INT16: case DT_UINT16: case DT_HALF: case DT_BFLOAT16: store<u16>(p + <usize>(i << 1), <u16>v); break;
    case DT_INT8: case DT_UINT8: store<u8>(p + <usize>i, <u8>v); break;
    case DT_BOOL: store<u8>(p + <usize>i, v != 0 ? 1 : 0); break;
    case DT_INT64: case DT_UINT64: store<u64>(p + <usize>(i << 3), v); break;
    case DT_UINT32: store<u32>(p + <usize>(i << 2), <u32>v); break;
    case DT_COMPLEX64: store<u32>(p + <usize>(i << 2), <u32>v); break;
    case DT_COMPLEX128: store<u64>(p + <usize>(i << 3), v); break;
  }
}

/** Parses a TensorProto body into a tensor; null with an error when malformed or unsupported. */
export function readTensorProto(r: Reader, what: string): Tensor | null {
  let dtype: i32 = 0;
  let shape: StaticArray<i64> | null = new StaticArray<i64>(0);
  let hasContent = false;
  let contentPtr: usize = 0;
  let contentLen: i32 = 0;
  const typed = new Ranges();
  let typedFieldSeen: u32 = 0;
  let typedMixed = false;
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_VARINT) dtype = <i32>r.varint();
    else if (f == 2 && wt == WT_LEN) {
      shape = readShapeProto(r.sub());
      if (shape == null) return null;
    } else if (f == 4 && wt == WT_LEN) {
      if (!r.bytes()) break;
      hasContent = true;
      contentPtr = r.lenPtr;
      contentLen = r.lenLen;
    } else if ((f >= 5 && f <= 13) || f == 15 || f == 16 || f == 17) {
      if (typedFieldSeen != 0 && typedFieldSeen != f) typedMixed = true;
      typedFieldSeen = f;
      if (wt == WT_LEN) {
        if (!r.bytes()) break;
        typed.ptrs.push(r.lenPtr);
        typed.lens.push(r.lenLen);
        typed.wts.push(WT_LEN);
      } else {
        typed.wts.push(wt);
        if (wt == WT_VARINT) typed.vals.push(r.varint());
        else if (wt == WT_FIXED32) typed.vals.push(<u64>r.fixed32());
        else if (wt == WT_FIXED64) typed.vals.push(r.fixed64());
        else r.skip();
      }
    } else r.skip();
  }
  if (r.bad) {
    fail(INVALID_ARGUMENT, what + ": malformed TensorProto (truncated or invalid protobuf)");
    return null;
  }
  const sh = shape!;
  if (dtype == DT_STRING) return readStrings(sh, hasContent, contentPtr, contentLen, typed, typedFieldSeen, what);
  if (dtype == DT_VARIANT) {
    if (hasContent) return readVariantContent(sh, contentPtr, contentLen, what);
    return readVariants(sh, typed, typedFieldSeen, what);
  }
  const size = dtypeSize(dtype);
  if (size == 0) {
    fail(UNIMPLEMENTED, what + ": TensorProto of dtype " + dtypeName(dtype) + " is not supported");
    return null;
  }
  const t = allocTensor(dtype, sh);
  if (t == null) return null;
  if (hasContent) {
    if (<u64>contentLen != <u64>t.byteLength) {
      fail(INVALID_ARGUMENT, what + ": tensor_content has " + contentLen.toString() + " bytes but a " + dtypeName(dtype) +
        " tensor of shape " + shapeString(sh) + " needs " + t.byteLength.toString());
      return null;
    }
    memory.copy(t.dataPtr, contentPtr, contentLen);
    return t;
  }
  if (typedFieldSeen == 0) return t; // no values: zeros, as TF does
  const want = typedField(dtype);
  if (typedMixed || typedFieldSeen != want) {
    fail(INVALID_ARGUMENT, what + ": a " + dtypeName(dtype) + " TensorProto must carry its values in tensor_content or field " +
      want.toString() + ", found field " + typedFieldSeen.toString());
    return null;
  }
  const vals = collectValues(typed, want);
  if (vals == null) return null;
  const isComplex = dtype == DT_COMPLEX64 || dtype == DT_COMPLEX128;
  const total = isComplex ? t.numElements * 2 : t.numElements;
  if (<i64>vals.length > total) {
    fail(INVALID_ARGUMENT, what + ": TensorProto has " + vals.length.toString() + " values for a tensor of shape " +
      shapeString(sh) + " (" + total.toString() + " values)");
    return null;
  }
  const n = vals.length;
  for (let i = 0; i < n; i++) storeTyped(t, i, unchecked(vals[i]));
  if (n > 0 && <i64>n < total) {
    // Repeat the last value (the last pair for complex numbers).
    if (isComplex) {
      if ((n & 1) != 0) {
        fail(INVALID_ARGUMENT, what + ": complex TensorProto has an odd number of values");
        return null;
      }
      const re = unchecked(vals[n - 2]), im = unchecked(vals[n - 1]);
      for (let i: i64 = n; i < total; i += 2) {
        storeTyped(t, i, re);
        storeTyped(t, i + 1, im);
      }
    } else {
      const last = unchecked(vals[n - 1]);
      for (let i: i64 = n; i < total; i++) storeTyped(t, i, last);
    }
  }
  return t;
}

function readStrings(sh: StaticArray<i64>, hasContent: bool, ptr: usize, len: i32, typed: Ranges, field: u32, what: string): Tensor | null {
  if (hasContent) {
    // String list: numElements varint lengths, then the bytes.
    const probe = allocTensor(DT_STRING, sh, 0);
    if (probe == null) return null;
    const count = <i32>probe.numElements;
    const r = new Reader(ptr, len);
    const offs = probe.offsets!;
    let total: u64 = 0;
    for (let i = 0; i < count; i++) {
      const l = r.varint();
      if (r.bad || l > 0xffffffff) break;
      unchecked(offs[i] = <u32>total);
      total += l;
    }
    if (r.bad || total != <u64>(r.end - r.pos)) {
      fail(INVALID_ARGUMENT, what + ": malformed string tensor_content for shape " + shapeString(sh) +
        " (lengths do not match the bytes)");
      return null;
    }
    if (!checkAlloc(total, what + ": string tensor")) return null;
    const data = new ArrayBuffer(<i32>total);
    memory.copy(changetype<usize>(data), r.pos, <usize>total);
    unchecked(offs[count] = <u32>total);
    probe.data = data;
    return probe;
  }
  if (field != 0 && field != 8) {
    fail(INVALID_ARGUMENT, what + ": a string TensorProto must carry its values in tensor_content or string_val");
    return null;
  }
  const t = allocTensor(DT_STRING, sh, 0);
  if (t == null) return null;
  const count = <i32>t.numElements;
  const n = typed.ptrs.length;
  if (n > count) {
    fail(INVALID_ARGUMENT, what + ": TensorProto has " + n.toString() + " strings for a tensor of shape " + shapeString(sh));
    return null;
  }
  let total: u64 = 0;
  for (let i = 0; i < count; i++) total += <u64>unchecked(typed.lens[i < n ? i : n - 1]);
  if (n == 0) total = 0;
  if (!checkAlloc(total, what + ": string tensor")) return null;
  const data = new ArrayBuffer(<i32>total);
  const offs = t.offsets!;
  let pos: u32 = 0;
  for (let i = 0; i < count; i++) {
    unchecked(offs[i] = pos);
    if (n == 0) continue;
    const j = i < n ? i : n - 1;
    const l = unchecked(typed.lens[j]);
    memory.copy(changetype<usize>(data) + pos, unchecked(typed.ptrs[j]), l);
    pos += <u32>l;
  }
  unchecked(offs[count] = pos);
  t.data = data;
  return t;
}

/** Variant list in tensor_content: numElements varint sizes, then the VariantTensorDataProtos. */
function readVariantContent(sh: StaticArray<i64>, ptr: usize, len: i32, what: string): Tensor | null {
  const t = allocTensor(DT_VARIANT, sh);
  if (t == null) return null;
  const count = <i32>t.numElements;
  const r = new Reader(ptr, len);
  const sizes = new Array<u64>();
  let total: u64 = 0;
  for (let i = 0; i < count; i++) {
    const s = r.varint();
    sizes.push(s);
    total += s;
    if (r.bad || total > <u64>len) break;
  }
  if (r.bad || total != <u64>(r.end - r.pos)) {
    fail(INVALID_ARGUMENT, what + ": malformed variant tensor_content for shape " + shapeString(sh));
    return null;
  }
  const vs = t.variants!;
  let p = r.pos;
  for (let i = 0; i < count; i++) {
    const sz = <usize>unchecked(sizes[i]);
    const ce = readVariantProto(p, sz, what);
    if (ce == null) return null;
    unchecked(vs[i] = ce);
    p += sz;
  }
  return t;
}

/** VariantTensorDataProto { string type_name = 1; bytes metadata = 2; repeated TensorProto tensors = 3; } */
function readVariantProto(ptr: usize, len: usize, what: string): CompressedElementValue | null {
  const r = new Reader(ptr, len);
  let typeName = "";
  let metaPtr: usize = 0;
  let metaLen: i32 = 0;
  while (r.next()) {
    if (r.field == 1 && r.wireType == WT_LEN) {
      if (r.bytes()) typeName = String.UTF8.decodeUnsafe(r.lenPtr, r.lenLen);
    } else if (r.field == 2 && r.wireType == WT_LEN) {
      if (r.bytes()) {
        metaPtr = r.lenPtr;
        metaLen = r.lenLen;
      }
    } else r.skip();
  }
  if (r.bad) {
    fail(INVALID_ARGUMENT, what + ": malformed VariantTensorDataProto");
    return null;
  }
  if (typeName != COMPRESSED_ELEMENT_TYPE_NAME) {
    fail(UNIMPLEMENTED, what + ": variant values of type \"" + typeName + "\" are not supported (only " +
      COMPRESSED_ELEMENT_TYPE_NAME + ")");
    return null;
  }
  return parseCompressedElement(metaPtr, metaLen);
}

function readVariants(sh: StaticArray<i64>, typed: Ranges, field: u32, what: string): Tensor | null {
  const t = allocTensor(DT_VARIANT, sh);
  if (t == null) return null;
  const count = <i32>t.numElements;
  const n = typed.ptrs.length;
  if ((field != 0 && field != 15) || n != count) {
    fail(INVALID_ARGUMENT, what + ": a variant TensorProto needs one variant_val per element (" + count.toString() + "), got " +
      n.toString());
    return null;
  }
  const vs = t.variants!;
  for (let i = 0; i < n; i++) {
    const ce = readVariantProto(unchecked(typed.ptrs[i]), unchecked(typed.lens[i]), what);
    if (ce == null) return null;
    unchecked(vs[i] = ce);
  }
  return t;
}
