// TF runs its CPU kernels with the x86 MXCSR flags FTZ and DAZ set (port::ScopedFlushDenormal in
// every executor thread): subnormal float32/float64 operands of arithmetic and comparisons read as
// zero (sign kept) and subnormal results are written as zero. Data movement, Abs and Neg (bitwise
// on x86) and bfloat16 rounding (integer code) are not affected. The kernels apply the same rule.

/** DAZ/FTZ: a subnormal float becomes a zero of the same sign; other values (and integers) pass. */
@inline export function flush<T>(x: T): T {
  if (isFloat<T>()) {
    if (sizeof<T>() == 4) {
      const b = reinterpret<u32>(<f32>x);
      return (b & 0x7f800000) == 0 ? <T>reinterpret<f32>(b & 0x80000000) : x;
    }
    const b = reinterpret<u64>(<f64>x);
    return (b & 0x7ff0000000000000) == 0 ? <T>reinterpret<f64>(b & 0x8000000000000000) : x;
  }
  return x;
}

/** flush<f32> for a float32 carried in f64 (reductions compute in f64 then round). */
@inline export function flushF32InF64(x: f64): f64 {
  const a = Math.abs(x);
  return a < 1.1754943508222875e-38 && a != 0 ? (x < 0 ? -0.0 : 0.0) : x;
}
