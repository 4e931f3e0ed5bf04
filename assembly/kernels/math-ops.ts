// Scalar semantics of the elementwise ops, exactly as TF 2.21's CPU kernels compute them on x86
// (Eigen functors): integer ops wrap, floor division/modulo follow the divisor's sign, Maximum and
// Minimum propagate NaN. Each op is a @final class with an @inline `apply<T>` so the loops in
// elementwise.ts specialize per op and dtype. Integer division by zero and negative integer powers
// are rejected by the kernels before the loops run.

import { flush } from "./denormal";

/**
 * Base of the elementwise ops: operands and results pass `pre`/`post`, TF's DAZ/FTZ
 * (denormal.ts); ops that x86 computes bitwise (Abs, Neg) or in software use RawOp or their
 * own pre/post instead. Ops are @unmanaged singletons: no GC bookkeeping in the inner loops.
 */
@unmanaged export class CwiseOp {
  @inline pre<T>(x: T): T {
    return flush<T>(x);
  }

  @inline post<T>(x: T): T {
    return flush<T>(x);
  }

  /** pre/post on four float32 lanes (only used when SIMD is compiled in). */
  @inline preV(x: v128): v128 {
    return flushF32x4(x);
  }

  @inline postV(x: v128): v128 {
    return flushF32x4(x);
  }
}

/** DAZ/FTZ on four float32 lanes: a lane with a zero exponent keeps only its sign bit. */
@inline export function flushF32x4(x: v128): v128 {
  const zeroExp = i32x4.eq(v128.and(x, i32x4.splat(0x7f800000)), i32x4.splat(0));
  return v128.bitselect(v128.and(x, i32x4.splat(0x80000000)), x, zeroExp);
}

/**
 * An op that sees raw operands and writes raw results (no DAZ/FTZ). Not a subclass of CwiseOp:
 * overriding would make pre/post virtual calls in the loops.
 */
@unmanaged export class RawOp {
  @inline pre<T>(x: T): T {
    return x;
  }

  @inline post<T>(x: T): T {
    return x;
  }

  @inline preV(x: v128): v128 {
    return x;
  }

  @inline postV(x: v128): v128 {
    return x;
  }
}

// ---- binary arithmetic (result type T) ----

// Ops with an `applyF32x4` get a four-lane float32 loop when the core is built with SIMD.

@final @unmanaged export class AddOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    return <T>(a + b);
  }

  @inline applyF32x4(a: v128, b: v128): v128 {
    return f32x4.add(a, b);
  }
}

@final @unmanaged export class SubOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    return <T>(a - b);
  }

  @inline applyF32x4(a: v128, b: v128): v128 {
    return f32x4.sub(a, b);
  }
}

@final @unmanaged export class MulOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    return <T>(a * b);
  }

  @inline applyF32x4(a: v128, b: v128): v128 {
    return f32x4.mul(a, b);
  }
}

/** RealDiv, and TF's Div on floats. Integers: C truncation (TF's Div); b == 0 is checked before. */
@final @unmanaged export class DivOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    if (isFloat<T>()) return <T>(a / b);
    if (isSigned<T>()) {
      if (b == <T>-1) return <T>(<T>0 - a); // INT_MIN / -1 wraps as on x86 instead of trapping
    }
    return <T>(a / b);
  }

  @inline applyF32x4(a: v128, b: v128): v128 {
    return f32x4.div(a, b);
  }
}

/** FloorDiv: floor(a / b) for floats; integer division rounded toward -inf. */
@final @unmanaged export class FloorDivOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    if (isFloat<T>()) {
      // The quotient is flushed (FTZ) before floor, as on x86 with TF's MXCSR.
      if (sizeof<T>() == 4) return <T>Mathf.floor(flush<f32>(<f32>a / <f32>b));
      return <T>Math.floor(flush<f64>(<f64>a / <f64>b));
    }
    if (isSigned<T>()) {
      if (b == <T>-1) return <T>(<T>0 - a);
      const z = <T>(a / b);
      return <T>(z * b) != a && (a < <T>0) != (b < <T>0) ? <T>(z - <T>1) : z;
    }
    return <T>(a / b);
  }
}

/**
 * FloorMod: the remainder with the divisor's sign. For floats fmod runs in software (glibc: no
 * DAZ on its operands or its result); only the sign test and the adjusting add see DAZ/FTZ.
 */
@final @unmanaged export class FloorModOp extends RawOp {
  @inline apply<T>(a: T, b: T): T {
    if (isFloat<T>()) {
      const m = cFmod<T>(a, b);
      const fm = flush<T>(m), fb = flush<T>(b);
      return fm != <T>0 && (fb < <T>0) != (fm < <T>0) ? flush<T>(<T>(fm + fb)) : m;
    }
    if (isSigned<T>()) {
      if (b == <T>-1) return <T>0;
      const m = <T>(a % b);
      return m != <T>0 && (b < <T>0) != (m < <T>0) ? <T>(m + b) : m;
    }
    return <T>(a % b);
  }
}

/**
 * glibc fmod/fmodf on x86 with TF's MXCSR: a NaN operand propagates, x infinite or y zero (or
 * subnormal, read through DAZ) is invalid (the x86 default NaN, sign set); else exact fmod.
 */
@inline export function cFmod<T>(x: T, y: T): T {
  if (x != x) return quietNaNOf<T>(x);
  if (y != y) return quietNaNOf<T>(y);
  if (x == <T>Infinity || x == <T>-Infinity || flush<T>(y) == <T>0) {
    if (sizeof<T>() == 4) return <T>reinterpret<f32>(0xffc00000);
    return <T>reinterpret<f64>(0xfff8000000000000);
  }
  return <T>(x % y);
}

@inline function quietNaNOf<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>reinterpret<f32>(reinterpret<u32>(<f32>x) | 0x00400000);
  return <T>reinterpret<f64>(reinterpret<u64>(<f64>x) | 0x0008000000000000);
}

/** Integer Pow: exponentiation by squaring with wrap-around (b >= 0, checked by the kernel). */
@final @unmanaged export class IntPowOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    return intPow<T>(a, b);
  }
}

function intPow<T>(x: T, y: T): T {
  let r: T = <T>1;
  let base = x;
  let e = y;
  while (e != <T>0) {
    if ((e & <T>1) != <T>0) r = <T>(r * base);
    e = <T>(e >> <T>1);
    if (e != <T>0) base = <T>(base * base);
  }
  return r;
}

/** Maximum as Eigen's scalar path: NaN propagates; ties keep `a`. */
@final @unmanaged export class MaxOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    if (isFloat<T>()) {
      if (a != a) return a;
      if (b != b) return b;
    }
    return a < b ? b : a;
  }
}

/** Maximum as Eigen's packet path (x86 maxps): NaN propagates; ties (±0) give `b`. */
@final @unmanaged export class MaxVecOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    if (a != a) return a;
    if (b != b) return b;
    return a > b ? a : b;
  }
}

/** Maximum of 16-bit floats on Eigen's scalar path: compares through DAZ, returns an operand as is. */
@final @unmanaged export class MaxRawOp extends RawOp {
  @inline apply<T>(a: T, b: T): T {
    if (a != a) return a;
    if (b != b) return b;
    return flush<T>(a) < flush<T>(b) ? b : a;
  }
}

/** Minimum of 16-bit floats on Eigen's scalar path (see MaxRawOp). */
@final @unmanaged export class MinRawOp extends RawOp {
  @inline apply<T>(a: T, b: T): T {
    if (a != a) return a;
    if (b != b) return b;
    return flush<T>(b) < flush<T>(a) ? b : a;
  }
}

/** Minimum as Eigen's scalar path: NaN propagates; ties keep `a`. */
@final @unmanaged export class MinOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    if (isFloat<T>()) {
      if (a != a) return a;
      if (b != b) return b;
    }
    return b < a ? b : a;
  }
}

/** Minimum as Eigen's packet path (x86 minps): NaN propagates; ties (±0) give `b`. */
@final @unmanaged export class MinVecOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): T {
    if (a != a) return a;
    if (b != b) return b;
    return a < b ? a : b;
  }
}

// ---- comparisons and logic (result bool) ----

@final @unmanaged export class EqualOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a == b;
  }
}

@final @unmanaged export class NotEqualOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a != b;
  }
}

@final @unmanaged export class LessOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a < b;
  }
}

@final @unmanaged export class LessEqualOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a <= b;
  }
}

@final @unmanaged export class GreaterOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a > b;
  }
}

@final @unmanaged export class GreaterEqualOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a >= b;
  }
}

@final @unmanaged export class LogicalAndOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a != <T>0 && b != <T>0;
  }
}

@final @unmanaged export class LogicalOrOp extends CwiseOp {
  @inline apply<T>(a: T, b: T): bool {
    return a != <T>0 || b != <T>0;
  }
}

// ---- unary (result type T unless noted) ----

@final @unmanaged export class NegOp extends RawOp {
  @inline apply<T>(a: T): T {
    if (isFloat<T>()) return -a;
    return <T>(<T>0 - a);
  }
}

@final @unmanaged export class AbsOp extends RawOp {
  @inline apply<T>(a: T): T {
    if (isFloat<T>()) {
      if (sizeof<T>() == 4) return <T>Mathf.abs(<f32>a);
      return <T>Math.abs(<f64>a);
    }
    if (isSigned<T>()) return a < <T>0 ? <T>(<T>0 - a) : a;
    return a;
  }
}

@final @unmanaged export class SquareOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    return <T>(a * a);
  }
}

@final @unmanaged export class SqrtOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (sizeof<T>() == 4) return <T>Mathf.sqrt(<f32>a);
    return <T>Math.sqrt(<f64>a);
  }
}

/** Rsqrt: 1 / sqrt(x), two roundings, as Eigen's scalar path. */
@final @unmanaged export class RsqrtOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (sizeof<T>() == 4) return <T>(<f32>1 / Mathf.sqrt(<f32>a));
    return <T>(1.0 / Math.sqrt(<f64>a));
  }
}

/**
 * Round half to even (banker's rounding). TF's integer Round evaluates the float formula
 * floor(x + 0.5) with 0.5 converted to the integer type (0), which always yields 0.
 */
@final @unmanaged export class RoundOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (isFloat<T>()) {
      if (sizeof<T>() == 4) return <T>nearest<f32>(<f32>a);
      return <T>nearest<f64>(<f64>a);
    }
    return <T>0;
  }
}

@final @unmanaged export class FloorOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (sizeof<T>() == 4) return <T>Mathf.floor(<f32>a);
    return <T>Math.floor(<f64>a);
  }
}

@final @unmanaged export class CeilOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (sizeof<T>() == 4) return <T>Mathf.ceil(<f32>a);
    return <T>Math.ceil(<f64>a);
  }
}

/**
 * Sign, Eigen's scalar path: NaN passes through, ±0 (and subnormals, through DAZ) give +0.
 * Integers: -1, 0 or 1.
 */
@final @unmanaged export class SignOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (isFloat<T>()) {
      if (a != a) return a;
      return a > <T>0 ? <T>1 : a < <T>0 ? <T>-1 : <T>0;
    }
    if (isSigned<T>()) return a > <T>0 ? <T>1 : a < <T>0 ? <T>-1 : <T>0;
    return a > <T>0 ? <T>1 : <T>0;
  }
}

/**
 * Sign, Eigen's packet path: |x| > 0 (DAZ) gives ±1; otherwise |x| itself (raw: +0, a positive
 * subnormal, or the NaN with its sign cleared).
 */
@final @unmanaged export class SignVecOp extends RawOp {
  @inline apply<T>(a: T): T {
    const abs = isFloat<T>() ? (sizeof<T>() == 4 ? <T>Mathf.abs(<f32>a) : <T>Math.abs(<f64>a)) : (a < <T>0 ? <T>(<T>0 - a) : a);
    if (flush<T>(abs) > <T>0) return a < <T>0 ? <T>-1 : <T>1;
    return abs;
  }
}

@final @unmanaged export class LogicalNotOp extends CwiseOp {
  @inline apply<T>(a: T): bool {
    return a == <T>0;
  }
}
