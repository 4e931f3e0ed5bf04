// Cast: every pair of bool and real dtypes, with TF's x86 semantics: float -> integer truncates
// toward zero and out-of-range or NaN values give what cvttss2si/cvttsd2si give (INT_MIN, then
// the low bits for narrower types; uint32 goes through int64; uint64 uses the compiler's two-step
// sequence); int -> float rounds to nearest even; float16/bfloat16 go through float32 (so float64
// and int64 are rounded twice, as Eigen does). `Truncate` zeroes the mantissa bits a narrower float
// cannot hold before converting (TF's LSBZeroSetter). String casts are rejected at lowering.
import { f32ToBf16Bits, f32ToF16Bits } from "../core/cast";
import {
  DT_BFLOAT16, DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_UINT16, DT_UINT32,
  DT_UINT64, DT_UINT8, dtypeName,
} from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK, UNIMPLEMENTED } from "../core/status";
import { Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { checkArity, dtypeBit, newTensor, REAL_NUMBER_DTYPES, f16ToF32, bf16ToF32 } from "./helpers";
import { Kernel } from "./kernel";
import { flush } from "./denormal";

/** Dtypes Cast handles (TF also casts complex and to/from nothing else on CPU). */
export const CAST_DTYPES: u32 = REAL_NUMBER_DTYPES | dtypeBit(DT_BOOL);

/** x86 cvttss2si/cvttsd2si to 32 bits: INT_MIN when NaN or out of range. */
@inline function cvtt32<S>(x: S): i32 {
  if (x != x || x >= <S>2147483648.0 || x < <S>-2147483648.0) return i32.MIN_VALUE;
  return <i32>x;
}

/** x86 cvttss2si/cvttsd2si to 64 bits: INT64_MIN when NaN or out of range. */
@inline function cvtt64<S>(x: S): i64 {
  if (x != x || x >= <S>9223372036854775808.0 || x < <S>-9223372036854775808.0) return i64.MIN_VALUE;
  return <i64>x;
}

/** One element, S -> D, for numeric S and D (bool handled by the callers). */
@inline function convert<S, D>(x: S): D {
  if (isFloat<S>() && isInteger<D>()) {
    if (sizeof<D>() == 8) {
      if (isSigned<D>()) return <D>cvtt64<S>(x);
      // Unsigned 64-bit: the compiler's sequence a | (b & (a >> 63)), b converting x - 2^63.
      const a = cvtt64<S>(x);
      const b = cvtt64<S>(<S>(x - <S>9223372036854775808.0));
      return <D>(a | (b & (a >> 63)));
    }
    if (sizeof<D>() == 4 && !isSigned<D>()) return <D>cvtt64<S>(x);
    return <D>cvtt32<S>(x);
  }
  return <D>x;
}

/** One element S -> D with TF's MXCSR: float operands read through DAZ, float results FTZ. */
@inline export function convertFlushed<S, D>(x: S): D {
  if (isFloat<S>() && isFloat<D>()) return flush<D>(<D>flush<S>(x));
  return convert<S, D>(flush<S>(x));
}

function castLoop<S, D>(src: usize, dst: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD && isInteger<S>() && sizeof<S>() == 1 && !isSigned<S>() && isFloat<D>() && sizeof<D>() == 4) {
    // uint8 -> float32 (images), 16 at a time: widen to u16, u32, convert.
    for (; i + 16 <= n; i += 16) {
      const b = v128.load(src + <usize>i);
      const lo = i16x8.extend_low_i8x16_u(b), hi = i16x8.extend_high_i8x16_u(b);
      const o = dst + (<usize>i << 2);
      v128.store(o, f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)));
      v128.store(o + 16, f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)));
      v128.store(o + 32, f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)));
      v128.store(o + 48, f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)));
    }
  }
  for (; i < n; i++) store<D>(dst + <usize>i * sizeof<D>(), convertFlushed<S, D>(load<S>(src + <usize>i * sizeof<S>())));
  if (isFloat<S>() && isInteger<D>()) vectorizedFloatToInt<S, D>(src, dst, n);
}

/**
 * Eigen vectorizes float -> 8/16-bit integer casts 32 elements at a time (cvttps2dq, then packs
 * with saturation: out-of-range and NaN give INT_MIN, which saturates) and float -> uint32 8 at a
 * time (cvttps2dq reinterpreted). The scalar tail keeps the C conversion (wrap-around).
 */
function vectorizedFloatToInt<S, D>(src: usize, dst: usize, n: i32): void {
  if (sizeof<D>() == 8 || (sizeof<D>() == 4 && isSigned<D>())) return;
  const lanes = sizeof<D>() == 4 ? 8 : 32;
  const end = (n / lanes) * lanes;
  for (let i = 0; i < end; i++) {
    const x = flush<S>(load<S>(src + <usize>i * sizeof<S>()));
    if (sizeof<D>() == 4) {
      // uint32: values from 2^31 convert x - 2^31 and set the top bit (NaN takes that path too).
      const r = x < <S>2147483648.0 ? cvtt32<S>(x) : cvtt32<S>(<S>(x - <S>2147483648.0)) | i32.MIN_VALUE;
      store<u32>(dst + <usize>i * 4, <u32>r);
      continue;
    }
    const v = cvtt32<S>(x);
    let r: i32 = v;
    if (sizeof<D>() == 1) {
      if (isSigned<D>()) r = v < -128 ? -128 : v > 127 ? 127 : v;
      else if (sizeof<S>() == 4) {
        // float32: packs_epi32 (int16 saturation), then packus_epi16.
        const w = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
        r = w < 0 ? 0 : w > 255 ? 255 : w;
      } else {
        // float64: packus_epi32 (uint16 saturation) read back as int16, then packus_epi16.
        const w = <i32><i16>(v < 0 ? 0 : v > 65535 ? 65535 : v);
        r = w < 0 ? 0 : w > 255 ? 255 : w;
      }
    } else {
      r = isSigned<D>() ? (v < -32768 ? -32768 : v > 32767 ? 32767 : v) : (v < 0 ? 0 : v > 65535 ? 65535 : v);
    }
    store<D>(dst + <usize>i * sizeof<D>(), <D>r);
  }
}

function castToBool<S>(src: usize, dst: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, flush<S>(load<S>(src + <usize>i * sizeof<S>())) != <S>0 ? 1 : 0);
}

/** Casts from element type S to the numeric (non-16-bit-float) dtype `dst`. */
function castFrom<S>(dst: i32, src: usize, out: usize, n: i32): void {
  switch (dst) {
    case DT_BOOL: castToBool<S>(src, out, n); break;
    case DT_FLOAT: castLoop<S, f32>(src, out, n); break;
    case DT_DOUBLE: castLoop<S, f64>(src, out, n); break;
    case DT_INT32: castLoop<S, i32>(src, out, n); break;
    case DT_INT64: castLoop<S, i64>(src, out, n); break;
    case DT_UINT8: castLoop<S, u8>(src, out, n); break;
    case DT_INT8: castLoop<S, i8>(src, out, n); break;
    case DT_INT16: castLoop<S, i16>(src, out, n); break;
    case DT_UINT16: castLoop<S, u16>(src, out, n); break;
    case DT_UINT32: castLoop<S, u32>(src, out, n); break;
    case DT_UINT64: castLoop<S, u64>(src, out, n); break;
  }
}

/** Casts the buffer of a `from` tensor (not 16-bit float) into `out` of dtype `to` (not 16-bit float). */
function castBuffer(from: i32, to: i32, src: usize, out: usize, n: i32): void {
  switch (from) {
    case DT_BOOL: case DT_UINT8: castFrom<u8>(to, src, out, n); break;
    case DT_FLOAT: castFrom<f32>(to, src, out, n); break;
    case DT_DOUBLE: castFrom<f64>(to, src, out, n); break;
    case DT_INT32: castFrom<i32>(to, src, out, n); break;
    case DT_INT64: castFrom<i64>(to, src, out, n); break;
    case DT_INT8: castFrom<i8>(to, src, out, n); break;
    case DT_INT16: castFrom<i16>(to, src, out, n); break;
    case DT_UINT16: castFrom<u16>(to, src, out, n); break;
    case DT_UINT32: castFrom<u32>(to, src, out, n); break;
    case DT_UINT64: castFrom<u64>(to, src, out, n); break;
  }
}

/** Mantissa bits of a float dtype (0 for others). */
function mantissaBits(d: i32): i32 {
  switch (d) {
    case DT_DOUBLE: return 52;
    case DT_FLOAT: return 23;
    case DT_HALF: return 10;
    case DT_BFLOAT16: return 7;
  }
  return 0;
}

class CastKernel extends Kernel {
  src: i32 = 0;
  dst: i32 = 0;
  /** Low mantissa bits to clear first (Truncate), 0 when none. */
  clearBits: i32 = 0;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const x = unchecked(inputs[0]);
    if (x.dtype != this.src) return fail(INVALID_ARGUMENT, "Cast: input is " + dtypeName(x.dtype) + ", attr SrcT is " + dtypeName(this.src));
    if (this.src == this.dst) {
      outputs.push(x);
      return OK;
    }
    const out = newTensor(this.dst, x.shape);
    if (out == null) return errorCode();
    const n = <i32>x.numElements;
    let from = this.src;
    let src = x.dataPtr;
    let keep: ArrayBuffer | null = null;
    // bfloat16 -> float32 / bool are integer code in TF (no DAZ): shift the bits.
    if (from == DT_BFLOAT16 && (this.dst == DT_FLOAT || this.dst == DT_BOOL)) {
      const o = out.dataPtr;
      for (let i = 0; i < n; i++) {
        const h = load<u16>(src + (<usize>i << 1));
        if (this.dst == DT_FLOAT) store<u32>(o + (<usize>i << 2), <u32>h << 16);
        else store<u8>(o + <usize>i, (h & 0x7fff) != 0 ? 1 : 0);
      }
      outputs.push(out);
      return OK;
    }
    // float16 -> uint8 packs like float64 (uint16 saturation first): stage it as float64.
    if (from == DT_HALF && this.dst == DT_UINT8) {
      const buf = new ArrayBuffer(n << 3);
      const p = changetype<usize>(buf);
      for (let i = 0; i < n; i++) store<f64>(p + (<usize>i << 3), <f64>f16ToF32(load<u16>(src + (<usize>i << 1))));
      castBuffer(DT_DOUBLE, DT_UINT8, p, out.dataPtr, n);
      outputs.push(out);
      return OK;
    }
    // 16-bit floats (and truncation) go through a float32/float64 staging buffer.
    if (from == DT_HALF || from == DT_BFLOAT16) {
      keep = new ArrayBuffer(n << 2);
      const p = changetype<usize>(keep);
      for (let i = 0; i < n; i++) {
        const h = load<u16>(src + (<usize>i << 1));
        store<f32>(p + (<usize>i << 2), from == DT_HALF ? f16ToF32(h) : bf16ToF32(h));
      }
      src = p;
      from = DT_FLOAT;
    }
    if (this.clearBits > 0) {
      const size = from == DT_DOUBLE ? 8 : 4;
      const buf = new ArrayBuffer(n * size);
      const p = changetype<usize>(buf);
      if (size == 8) {
        const mask = ~((<u64>1 << <u64>this.clearBits) - 1);
        for (let i = 0; i < n; i++) {
          const v = load<f64>(src + (<usize>i << 3));
          store<u64>(p + (<usize>i << 3), v != v ? reinterpret<u64>(v) : reinterpret<u64>(v) & mask);
        }
      } else {
        const mask = ~((<u32>1 << <u32>this.clearBits) - 1);
        for (let i = 0; i < n; i++) {
          const v = load<f32>(src + (<usize>i << 2));
          store<u32>(p + (<usize>i << 2), v != v ? reinterpret<u32>(v) : reinterpret<u32>(v) & mask);
        }
      }
      keep = buf;
      src = p;
    }
    const to = this.dst;
    if (to == DT_HALF || to == DT_BFLOAT16) {
      // Everything reaches 16-bit floats through float32.
      let f = src;
      if (from != DT_FLOAT) {
        const buf = new ArrayBuffer(n << 2);
        castBuffer(from, DT_FLOAT, src, changetype<usize>(buf), n);
        keep = buf;
        f = changetype<usize>(buf);
      }
      const o = out.dataPtr;
      // float -> float16 reads its operand through DAZ (half subnormal results stay); the
      // bfloat16 conversion is integer code (no DAZ).
      for (let i = 0; i < n; i++) {
        const v = load<f32>(f + (<usize>i << 2));
        store<u16>(o + (<usize>i << 1), to == DT_HALF ? f32ToF16Bits(flush<f32>(v)) : f32ToBf16Bits(v));
      }
    } else {
      castBuffer(from, to, src, out.dataPtr, n);
    }
    if (keep != null) keep = null;
    outputs.push(out);
    return OK;
  }
}

/** TF's DataTypeString (float, double, half, ...). */
function tfTypeName(d: i32): string {
  if (d == DT_FLOAT) return "float";
  if (d == DT_DOUBLE) return "double";
  if (d == DT_HALF) return "half";
  return dtypeName(d);
}

/** Cast: attrs SrcT, DstT, Truncate (optional). */
export function makeCast(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 1, 1)) return null;
  const src = <i32>ins.attrs.int("SrcT");
  const dst = <i32>ins.attrs.int("DstT");
  if (errorCode() != OK) return null;
  if ((CAST_DTYPES & dtypeBit(src)) == 0 || (CAST_DTYPES & dtypeBit(dst)) == 0) {
    fail(UNIMPLEMENTED, "Cast " + tfTypeName(src) + " to " + tfTypeName(dst) + " is not supported");
    return null;
  }
  const k = new CastKernel();
  k.src = src;
  k.dst = dst;
  // TF's LSBZeroSetter exists for float -> half/bfloat16 and double -> float/half only.
  if (ins.attrs.boolOr("Truncate", false)) {
    const pair = (src == DT_FLOAT && (dst == DT_HALF || dst == DT_BFLOAT16)) || (src == DT_DOUBLE && (dst == DT_FLOAT || dst == DT_HALF));
    if (pair) k.clearBits = mantissaBits(src) - mantissaBits(dst);
  }
  return k;
}
