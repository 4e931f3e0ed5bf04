// Pow, Exp and Log with TF's special-value behaviour on x86. Eigen evaluates the first
// floor(n/8)*8 elements (float64: 4) with vectorized code (operands read through DAZ, NaN results
// are canonical quiet NaNs; plog answers all-ones NaN bits for negative or NaN input) and the rest
// with glibc (its own NaN propagation; the x86 default NaN, sign bit set, for invalid operations).
// Finite results come from AssemblyScript's libm ports, within 1 ulp of TF's (which itself differs
// by an ulp between its two paths).
import { flush } from "./denormal";
import { CwiseOp } from "./math-ops";

/** glibc checkint: 0 not an integer, 1 odd integer, 2 even integer (y finite). */
@inline function intKind<T>(y: T): i32 {
  if (<T>Math.floor(<f64>y) != y) return 0;
  const big: T = sizeof<T>() == 4 ? <T>16777216.0 : <T>9007199254740992.0;
  const a = y < <T>0 ? -y : y;
  if (a >= big) return 2;
  const h = <f64>a * 0.5;
  return Math.floor(h) != h ? 1 : 2;
}

@inline function quietNaN<T>(neg: bool): T {
  if (sizeof<T>() == 4) return <T>reinterpret<f32>(neg ? 0xffc00000 : 0x7fc00000);
  return <T>reinterpret<f64>(neg ? 0xfff8000000000000 : 0x7ff8000000000000);
}

@inline function allOnesNaN<T>(): T {
  if (sizeof<T>() == 4) return <T>reinterpret<f32>(0xffffffff);
  return <T>reinterpret<f64>(0xffffffffffffffff);
}

@inline function signBit<T>(x: T): bool {
  if (sizeof<T>() == 4) return (reinterpret<u32>(<f32>x) >>> 31) != 0;
  return (reinterpret<u64>(<f64>x) >>> 63) != 0;
}

/** x86 quieting of a NaN operand (sets the quiet bit, keeps sign and payload). */
@inline function quiet<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>reinterpret<f32>(reinterpret<u32>(<f32>x) | 0x00400000);
  return <T>reinterpret<f64>(reinterpret<u64>(<f64>x) | 0x0008000000000000);
}

@inline function libmPow<T>(x: T, y: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.pow(<f32>x, <f32>y);
  return <T>Math.pow(<f64>x, <f64>y);
}

/** C99 pow on finite-or-special operands; `nan` is what an invalid operation returns. */
@inline function c99Pow<T>(x: T, y: T, nanNeg: bool): T {
  if (y == <T>0) return <T>1;
  if (x == <T>1) return <T>1;
  const inf = <T>Infinity;
  const ax = x < <T>0 ? -x : x;
  if (y == inf || y == -inf) {
    if (ax == <T>1) return <T>1;
    return (ax < <T>1) == (y > <T>0) ? <T>0 : inf;
  }
  const k = intKind<T>(y);
  if (x == <T>0) {
    const neg = signBit<T>(x) && k == 1;
    if (y < <T>0) return neg ? -inf : inf;
    return neg ? <T>-0.0 : <T>0;
  }
  if (ax == inf) {
    const neg = x < <T>0 && k == 1;
    if (y < <T>0) return neg ? <T>-0.0 : <T>0;
    return neg ? -inf : inf;
  }
  if (x < <T>0) {
    if (k == 0) return quietNaN<T>(nanNeg);
    const r = libmPow<T>(ax, y);
    return k == 1 ? -r : r;
  }
  return libmPow<T>(x, y);
}

/** Pow, Eigen's vectorized path: DAZ operands, canonical NaN results, FTZ. */
@final @unmanaged export class PowPacketOp extends CwiseOp {
  @inline apply<T>(x: T, y: T): T {
    if (x != x || y != y) {
      if (y == <T>0 || x == <T>1) return <T>1;
      return quietNaN<T>(false);
    }
    return c99Pow<T>(x, y, false);
  }
}

/** Pow, glibc's scalar path: NaN operands propagate as x + y / x * x do on x86, FTZ result. */
@final @unmanaged export class PowTailOp {
  @inline pre<T>(x: T): T {
    return x;
  }

  @inline post<T>(x: T): T {
    return flush<T>(x);
  }

  @inline apply<T>(x: T, y: T): T {
    if (y == <T>0) return <T>1;
    if (x == <T>1) return <T>1;
    const yInfNan = y != y || y == <T>Infinity || y == <T>-Infinity;
    if (yInfNan) {
      if (x != x) return quiet<T>(x);
      if (y != y) return quiet<T>(y);
      return c99Pow<T>(x, y, true);
    }
    if (x != x) {
      // x2 = x * x keeps x's NaN; an odd integer y negates it; 1 / x2 keeps it.
      const q = quiet<T>(x);
      return signBit<T>(x) && intKind<T>(y) == 1 ? -q : q;
    }
    if (x != <T>0 && flush<T>(x) == <T>0) {
      // glibc normalizes a subnormal x by multiplying it by 2^23 (2^52), which DAZ turns into 0;
      // its table lookup then reads every subnormal as 2^-150 (2^-1075).
      const k = intKind<T>(y);
      if (x < <T>0 && k == 0) return quietNaN<T>(true);
      const e: f64 = sizeof<T>() == 4 ? -150 : -1075;
      const r = <T>Math.pow(2.0, e * <f64>y);
      return x < <T>0 && k == 1 ? -r : r;
    }
    return c99Pow<T>(x, y, true);
  }
}

/** Exp (both paths agree on specials): NaN passes through, FTZ. */
@final @unmanaged export class ExpOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (a != a) return a;
    if (sizeof<T>() == 4) return <T>Mathf.exp(<f32>a);
    return <T>Math.exp(<f64>a);
  }
}

@inline function libmLog<T>(x: T): T {
  if (sizeof<T>() == 4) return <T>Mathf.log(<f32>x);
  return <T>Math.log(<f64>x);
}

/** Log, Eigen's vectorized path: DAZ, negative or NaN input gives all-ones NaN bits. */
@final @unmanaged export class LogPacketOp extends CwiseOp {
  @inline apply<T>(a: T): T {
    if (a != a || a < <T>0) return allOnesNaN<T>();
    return libmLog<T>(a);
  }
}

/** Log, glibc's scalar path: NaN passes through; negative input is invalid (float32: -nan; float64: +nan). */
@final @unmanaged export class LogTailOp {
  @inline pre<T>(x: T): T {
    // glibc's logf reads float32 operands itself (no DAZ); float64 log goes through DAZ.
    return sizeof<T>() == 4 ? x : flush<T>(x);
  }

  @inline post<T>(x: T): T {
    return flush<T>(x);
  }

  @inline apply<T>(a: T): T {
    if (a != a) return a;
    if (a < <T>0) return quietNaN<T>(sizeof<T>() == 4);
    // glibc logf scales a subnormal by 2^23 first, which DAZ turns into 0; its table lookup
    // then reads every positive subnormal as 2^-150.
    if (sizeof<T>() == 4 && a > <T>0 && flush<T>(a) == <T>0) return <T><f32>(-150.0 * Math.LN2);
    return libmLog<T>(a);
  }
}
