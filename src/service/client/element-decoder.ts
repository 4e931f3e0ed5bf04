/**
 * The reading client's element decoder. An `UncompressedElement` whose components are all
 * fixed-width tensors carried in `tensor_content` (what TF and our workers send for numeric data)
 * is decoded here, in JS: a large component becomes a typed-array view over the received buffer
 * (no copy), a small one a copy of its few bytes (so a kept scalar does not pin a whole response).
 * Anything else (compressed elements, strings, variants, values in `*_val` fields, malformed
 * input) goes to the core's decoder, which also owns every error message.
 */
import type { ElementKind } from "../../core/core.js";
import { dtypeSize } from "../../core/dtype.js";
import { viewNumeric } from "../../core/js-values.js";
import { Tensor } from "../../core/tensor.js";

/**
 * Components at least this large are returned as views over the received buffer; smaller ones
 * are copied (a view would keep the whole response message, possibly many elements, alive).
 */
export const ZERO_COPY_MIN_BYTES = 64 * 1024;
/** Most components the fast path handles in one element (more go to the core). */
const MAX_FAST_COMPONENTS = 1024;
/** Highest tensor rank the fast path handles (more go to the core). */
const MAX_FAST_RANK = 254;

/** Field numbers (tensor.proto, tensor_shape.proto, dataset.proto). */
const UNCOMPRESSED_COMPONENTS = 1;
const TENSOR_DTYPE = 1;
const TENSOR_SHAPE = 2;
const TENSOR_VERSION = 3;
const TENSOR_CONTENT = 4;
const SHAPE_DIM = 2;
const SHAPE_UNKNOWN_RANK = 3;
const DIM_SIZE = 1;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Signals "not the fast path's case": the core decodes the element instead. */
const NOT_FAST = null;

/** A cursor over protobuf wire bytes; every read returns -1 on malformed input. */
class Cursor {
  constructor(readonly buf: Uint8Array, public pos: number, readonly end: number) {}

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10 && this.pos < this.end; i++) {
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value <= Number.MAX_SAFE_INTEGER ? value : -1;
      scale *= 128;
    }
    return -1;
  }

  /** Skips a field's value of `wireType`; false when malformed or of a group wire type. */
  skip(wireType: number): boolean {
    switch (wireType) {
      case WIRE_VARINT:
        return this.varint() >= 0;
      case WIRE_I64:
        this.pos += 8;
        return this.pos <= this.end;
      case WIRE_I32:
        this.pos += 4;
        return this.pos <= this.end;
      case WIRE_LEN: {
        const n = this.varint();
        if (n < 0) return false;
        this.pos += n;
        return this.pos <= this.end;
      }
      default:
        return false;
    }
  }
}

/** Decodes with the fast path where it applies, else with `coreDecode`. */
export function createElementDecoder(
  coreDecode: (kind: ElementKind, bytes: Uint8Array) => Tensor[],
): (kind: ElementKind, bytes: Uint8Array) => Tensor[] {
  return (kind, bytes) => (kind === "uncompressed" ? decodeUncompressedFast(bytes) : NOT_FAST) ?? coreDecode(kind, bytes);
}

/** The fast path: the components, or null when the element is not all plain numeric tensors. */
export function decodeUncompressedFast(bytes: Uint8Array): Tensor[] | null {
  const c = new Cursor(bytes, 0, bytes.length);
  const out: Tensor[] = [];
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag < 0) return NOT_FAST;
    if (tag >>> 3 !== UNCOMPRESSED_COMPONENTS || (tag & 7) !== WIRE_LEN) {
      if (!c.skip(tag & 7)) return NOT_FAST;
      continue;
    }
    const len = c.varint();
    if (len < 0 || c.pos + len > c.end || out.length >= MAX_FAST_COMPONENTS) return NOT_FAST;
    const t = decodeTensor(new Cursor(bytes, c.pos, c.pos + len));
    if (!t) return NOT_FAST;
    out.push(t);
    c.pos += len;
  }
  return out;
}

function decodeTensor(c: Cursor): Tensor | null {
  let dtype = 0;
  let shape: number[] | null = null;
  let contentStart = -1;
  let contentLen = 0;
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag < 0) return NOT_FAST;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === TENSOR_DTYPE && wire === WIRE_VARINT) {
      dtype = c.varint();
    } else if (field === TENSOR_SHAPE && wire === WIRE_LEN) {
      const len = c.varint();
      if (len < 0 || c.pos + len > c.end) return NOT_FAST;
      shape = decodeShape(new Cursor(c.buf, c.pos, c.pos + len));
      if (!shape) return NOT_FAST;
      c.pos += len;
    } else if (field === TENSOR_CONTENT && wire === WIRE_LEN) {
      contentLen = c.varint();
      if (contentLen < 0 || c.pos + contentLen > c.end) return NOT_FAST;
      contentStart = c.pos;
      c.pos += contentLen;
    } else if (field === TENSOR_VERSION) {
      if (!c.skip(wire)) return NOT_FAST;
    } else {
      return NOT_FAST; // values in *_val fields, a resource handle, ...: the core's job
    }
  }
  const size = dtypeSize(dtype);
  if (size === 0 || shape === null) return NOT_FAST;
  let n = 1;
  for (const d of shape) n *= d;
  if (n === 0 || contentStart < 0 || contentLen !== n * size) return NOT_FAST;
  const buf = c.buf;
  const offset = buf.byteOffset + contentStart;
  let data;
  if (contentLen >= ZERO_COPY_MIN_BYTES && offset % size === 0) {
    data = viewNumeric(dtype, buf.buffer, offset, contentLen);
  } else {
    // An explicit copy: `slice` on a Node Buffer (what a runtime may hand us) is a view.
    const copy = new Uint8Array(contentLen);
    copy.set(buf.subarray(contentStart, contentStart + contentLen));
    data = viewNumeric(dtype, copy.buffer, 0, contentLen);
  }
  return Tensor.fromCore(dtype as Tensor["dtype"], shape, data);
}

function decodeShape(c: Cursor): number[] | null {
  const dims: number[] = [];
  while (c.pos < c.end) {
    const tag = c.varint();
    if (tag < 0) return NOT_FAST;
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === SHAPE_DIM && wire === WIRE_LEN) {
      const len = c.varint();
      if (len < 0 || c.pos + len > c.end || dims.length >= MAX_FAST_RANK) return NOT_FAST;
      const d = new Cursor(c.buf, c.pos, c.pos + len);
      let size = 0;
      while (d.pos < d.end) {
        const dt = d.varint();
        if (dt < 0) return NOT_FAST;
        if (dt >>> 3 === DIM_SIZE && (dt & 7) === WIRE_VARINT) size = d.varint(); // unknown (-1) reads as -1
        else if (!d.skip(dt & 7)) return NOT_FAST; // the dim's name, or a field we do not know
      }
      if (size < 0) return NOT_FAST;
      dims.push(size);
      c.pos += len;
    } else if (field === SHAPE_UNKNOWN_RANK) {
      return NOT_FAST;
    } else if (!c.skip(wire)) {
      return NOT_FAST;
    }
  }
  return dims;
}
