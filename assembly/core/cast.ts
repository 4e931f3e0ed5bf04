// Conversions used to write numbers into tensors of any numeric dtype.
import {
  DT_BFLOAT16, DT_BOOL, DT_COMPLEX128, DT_COMPLEX64, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16,
  DT_INT32, DT_INT64, DT_INT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_UINT8,
} from "./dtype";

/** IEEE binary16 bits of `f`, rounded to nearest even (overflow to inf, NaN kept quiet). */
export function f32ToF16Bits(f: f32): u16 {
  const x = reinterpret<u32>(f);
  const sign = <u16>((x >>> 16) & 0x8000);
  const exp = <i32>((x >>> 23) & 0xff);
  let mant = x & 0x7fffff;
  if (exp == 0xff) return sign | 0x7c00 | (mant != 0 ? 0x200 | <u16>(mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = <u32>(14 - e);
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = <u32>1 << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
    return sign | <u16>half;
  }
  let bits = (<u32>e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (bits & 1) != 0)) bits++;
  return sign | <u16>bits;
}

/** bfloat16 bits of `f`, rounded to nearest even as TF does. */
export function f32ToBf16Bits(f: f32): u16 {
  const x = reinterpret<u32>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return <u16>((x >>> 16) | 0x40);
  return <u16>((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
}

/** Writes integer `v` as element `i` of a buffer of `dtype` at `ptr` (C-style cast). */
export function storeI64As(dtype: i32, ptr: usize, i: usize, v: i64): void {
  switch (dtype) {
    case DT_INT64: case DT_UINT64: store<i64>(ptr + (i << 3), v); break;
    case DT_INT32: case DT_UINT32: store<i32>(ptr + (i << 2), <i32>v); break;
    case DT_INT16: case DT_UINT16: store<i16>(ptr + (i << 1), <i16>v); break;
    case DT_INT8: case DT_UINT8: store<i8>(ptr + i, <i8>v); break;
    case DT_BOOL: store<u8>(ptr + i, v != 0 ? 1 : 0); break;
    case DT_FLOAT: store<f32>(ptr + (i << 2), <f32>v); break;
    case DT_DOUBLE: store<f64>(ptr + (i << 3), <f64>v); break;
    case DT_HALF: store<u16>(ptr + (i << 1), f32ToF16Bits(<f32>v)); break;
    case DT_BFLOAT16: store<u16>(ptr + (i << 1), f32ToBf16Bits(<f32>v)); break;
    case DT_COMPLEX64: store<f32>(ptr + (i << 3), <f32>v); store<f32>(ptr + (i << 3) + 4, 0); break;
    case DT_COMPLEX128: store<f64>(ptr + (i << 4), <f64>v); store<f64>(ptr + (i << 4) + 8, 0); break;
  }
}
