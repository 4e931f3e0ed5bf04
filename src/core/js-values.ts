/**
 * Conversions between tensor buffers and plain JS values: int64/uint64 -> bigint, bool -> boolean,
 * float16/bfloat16 (stored as raw bits) -> number, complex -> `{ re, im }`, DT_STRING -> JS string
 * (UTF-8 decoded), DT_VARIANT -> the serialized value bytes. Rank >= 1 gives nested arrays.
 */
import { DType, dtypeName } from "./dtype.js";
import { TfDataError } from "./errors.js";

/** A complex number as `toJS()` returns it. */
export interface Complex {
  re: number;
  im: number;
}

/** One element of a tensor as a plain JS value. */
export type JSScalar = number | bigint | boolean | string | Uint8Array | Complex;

/** A tensor as plain JS values: a scalar, or nested arrays for rank >= 1. */
export type JSValue = JSScalar | JSValue[];

/** The typed-array buffer of a fixed-width tensor. */
export type NumericData =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array;

/** The data of a tensor: a typed array (fixed width) or one byte string per element (DT_STRING, DT_VARIANT). */
export type TensorData = NumericData | readonly Uint8Array[];

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Decodes IEEE binary16 bits. */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** IEEE binary16 bits of `x`, rounded to nearest even (via float32, as TF converts). */
export function numberToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let bits = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && bits & 1)) bits++;
  return sign | bits;
}

/** Decodes bfloat16 bits. */
export function bf16BitsToNumber(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

/** bfloat16 bits of `x`, rounded to nearest even (NaN stays NaN). */
export function numberToBf16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

const utf8Decoder = new TextDecoder("utf-8");
const utf8Encoder = new TextEncoder();

/** Element `i` of a tensor's data as a JS scalar. */
export function elementToJS(dtype: number, data: TensorData, i: number): JSScalar {
  switch (dtype) {
    case DType.string:
      return utf8Decoder.decode((data as readonly Uint8Array[])[i]);
    case DType.variant:
      return (data as readonly Uint8Array[])[i];
    case DType.bool:
      return (data as Uint8Array)[i] !== 0;
    case DType.float16:
      return f16BitsToNumber((data as Uint16Array)[i]);
    case DType.bfloat16:
      return bf16BitsToNumber((data as Uint16Array)[i]);
    case DType.complex64:
    case DType.complex128: {
      const d = data as Float32Array | Float64Array;
      return { re: d[2 * i], im: d[2 * i + 1] };
    }
    default:
      return (data as NumericData)[i];
  }
}

/** The whole tensor as a JS value: a scalar for rank 0, nested arrays otherwise. */
export function tensorDataToJS(dtype: number, shape: readonly number[], data: TensorData): JSValue {
  if (shape.length === 0) return elementToJS(dtype, data, 0);
  let pos = 0;
  const build = (axis: number): JSValue[] => {
    const n = shape[axis];
    const out: JSValue[] = new Array(n);
    if (axis === shape.length - 1) {
      for (let k = 0; k < n; k++) out[k] = elementToJS(dtype, data, pos++);
    } else {
      for (let k = 0; k < n; k++) out[k] = build(axis + 1);
    }
    return out;
  };
  return build(0);
}

/** Allocates the typed array for `n` elements of a fixed-width dtype. */
export function allocNumeric(dtype: number, n: number): NumericData {
  switch (dtype) {
    case DType.bool: case DType.uint8: return new Uint8Array(n);
    case DType.int8: return new Int8Array(n);
    case DType.int16: return new Int16Array(n);
    case DType.uint16: case DType.float16: case DType.bfloat16: return new Uint16Array(n);
    case DType.int32: return new Int32Array(n);
    case DType.uint32: return new Uint32Array(n);
    case DType.int64: return new BigInt64Array(n);
    case DType.uint64: return new BigUint64Array(n);
    case DType.float32: return new Float32Array(n);
    case DType.float64: return new Float64Array(n);
    case DType.complex64: return new Float32Array(2 * n);
    case DType.complex128: return new Float64Array(2 * n);
    default:
      throw new TfDataError("InvalidArgument", `${dtypeName(dtype)} is not a fixed-width dtype`);
  }
}

/** A typed-array view of `dtype` over `bytes` (`bytes.byteOffset` must be aligned). */
export function viewNumeric(dtype: number, buffer: ArrayBufferLike, byteOffset: number, byteLength: number): NumericData {
  switch (dtype) {
    case DType.bool: case DType.uint8: return new Uint8Array(buffer, byteOffset, byteLength);
    case DType.int8: return new Int8Array(buffer, byteOffset, byteLength);
    case DType.int16: return new Int16Array(buffer, byteOffset, byteLength / 2);
    case DType.uint16: case DType.float16: case DType.bfloat16: return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case DType.int32: return new Int32Array(buffer, byteOffset, byteLength / 4);
    case DType.uint32: return new Uint32Array(buffer, byteOffset, byteLength / 4);
    case DType.int64: return new BigInt64Array(buffer, byteOffset, byteLength / 8);
    case DType.uint64: return new BigUint64Array(buffer, byteOffset, byteLength / 8);
    case DType.float32: case DType.complex64: return new Float32Array(buffer, byteOffset, byteLength / 4);
    case DType.float64: case DType.complex128: return new Float64Array(buffer, byteOffset, byteLength / 8);
    default:
      throw new TfDataError("InvalidArgument", `${dtypeName(dtype)} is not a fixed-width dtype`);
  }
}

function badValue(dtype: number, v: unknown): TfDataError {
  return new TfDataError("InvalidArgument", `cannot convert ${typeof v === "bigint" ? `${v}n` : JSON.stringify(v) ?? String(v)} to ${dtypeName(dtype)}`);
}

/** Writes JS scalar `v` as element `i` of `data` (dtype `dtype`). Throws InvalidArgument on a mismatch. */
export function setElementFromJS(dtype: number, data: NumericData, i: number, v: unknown): void {
  switch (dtype) {
    case DType.bool:
      if (typeof v !== "boolean") throw badValue(dtype, v);
      (data as Uint8Array)[i] = v ? 1 : 0;
      return;
    case DType.int64: case DType.uint64: {
      let b: bigint;
      if (typeof v === "bigint") b = v;
      else if (typeof v === "number" && Number.isSafeInteger(v)) b = BigInt(v);
      else throw badValue(dtype, v);
      const lo = dtype === DType.int64 ? -(1n << 63n) : 0n;
      const hi = dtype === DType.int64 ? (1n << 63n) - 1n : (1n << 64n) - 1n;
      if (b < lo || b > hi) throw new TfDataError("InvalidArgument", `${b} is out of range for ${dtypeName(dtype)}`);
      (data as BigInt64Array | BigUint64Array)[i] = b;
      return;
    }
    case DType.complex64: case DType.complex128: {
      let re: number, im: number;
      if (typeof v === "number") { re = v; im = 0; }
      else if (v !== null && typeof v === "object" && typeof (v as Complex).re === "number" && typeof (v as Complex).im === "number") {
        re = (v as Complex).re; im = (v as Complex).im;
      } else throw badValue(dtype, v);
      (data as Float32Array)[2 * i] = re;
      (data as Float32Array)[2 * i + 1] = im;
      return;
    }
  }
  let x: number;
  if (typeof v === "number") x = v;
  else if (typeof v === "bigint") x = Number(v);
  else if (typeof v === "boolean") x = v ? 1 : 0;
  else throw badValue(dtype, v);
  switch (dtype) {
    case DType.float16: (data as Uint16Array)[i] = numberToF16Bits(x); return;
    case DType.bfloat16: (data as Uint16Array)[i] = numberToBf16Bits(x); return;
    case DType.float32: case DType.float64: (data as Float64Array)[i] = x; return;
  }
  if (!Number.isInteger(x)) throw new TfDataError("InvalidArgument", `${x} is not an integer, as ${dtypeName(dtype)} needs`);
  const [lo, hi] = intRange(dtype);
  if (x < lo || x > hi) throw new TfDataError("InvalidArgument", `${x} is out of range for ${dtypeName(dtype)} (${lo}..${hi})`);
  (data as Int32Array)[i] = x;
}

function intRange(dtype: number): [number, number] {
  switch (dtype) {
    case DType.int8: return [-128, 127];
    case DType.uint8: return [0, 255];
    case DType.int16: return [-32768, 32767];
    case DType.uint16: return [0, 65535];
    case DType.int32: return [-2147483648, 2147483647];
    case DType.uint32: return [0, 4294967295];
    default: throw new TfDataError("InvalidArgument", `${dtypeName(dtype)} is not an integer dtype`);
  }
}

/** UTF-8 bytes of a JS string (or the bytes themselves) for a DT_STRING element. */
export function stringElementFromJS(v: unknown): Uint8Array {
  if (typeof v === "string") return utf8Encoder.encode(v);
  if (v instanceof Uint8Array) return v;
  throw badValue(DType.string, v);
}

/** Shape of nested arrays (throws InvalidArgument when ragged). */
export function inferShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

/** Flattens nested arrays of `shape` in row-major order (throws InvalidArgument when ragged). */
export function flatten(value: unknown, shape: readonly number[]): unknown[] {
  const out: unknown[] = [];
  const walk = (v: unknown, axis: number): void => {
    if (axis === shape.length) {
      if (Array.isArray(v)) throw new TfDataError("InvalidArgument", `nested value is deeper than shape [${shape.join(",")}]`);
      out.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new TfDataError("InvalidArgument", `nested value does not match shape [${shape.join(",")}] at axis ${axis} (ragged input)`);
    }
    for (const x of v) walk(x, axis + 1);
  };
  walk(value, 0);
  return out;
}
