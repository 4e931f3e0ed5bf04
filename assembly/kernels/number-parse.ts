// Parsing numbers the way TF's StringToNumber does (strings::safe_strto* over double-conversion):
// surrounding whitespace allowed; floats accept decimal and hex ("0x1.8p3") forms, "inf",
// "infinity" and "nan" in any case, overflow to ±inf and underflow to 0, correctly rounded
// straight to the target precision; integers are decimal with an optional sign ('-' only for
// signed types) and fail on overflow.
import { Big, divToU64 } from "./bignum";

@inline function isSpace(c: u32): bool {
  return c == 32 || (c >= 9 && c <= 13);
}

@inline function lower(c: u32): u32 {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

function matchWord(p: usize, i: i32, end: i32, word: string): bool {
  if (end - i < word.length) return false;
  for (let k = 0; k < word.length; k++) if (lower(<u32>load<u8>(p + <usize>(i + k))) != <u32>word.charCodeAt(k)) return false;
  return true;
}

/** 2^e exactly as a double (e in -1074..1023; outside, 0 or inf). */
function pow2(e: i32): f64 {
  if (e > 1023) return Infinity;
  if (e >= -1022) return reinterpret<f64>(<u64>(e + 1023) << 52);
  if (e >= -1074) return reinterpret<f64>(<u64>1 << <u64>(e + 1074));
  return 0;
}

/**
 * num/den x 2^binExp rounded to nearest even with `p` mantissa bits, exponents of the leading
 * bit in [emin, emax] (subnormals below emin, inf above emax). num > 0, den > 0.
 */
function roundRatio(num: Big, den: Big, binExp: i32, p: i32, emin: i32, emax: i32): f64 {
  // Quick exponent bounds keep the big numbers small.
  const approx = num.bitLength() - den.bitLength() + binExp;
  if (approx > emax + 2) return Infinity;
  if (approx < emin - p - 2) return 0;
  let s = p - num.bitLength() + den.bitLength() + 1;
  const n = num.clone(), d = den.clone();
  if (s >= 0) n.shl(s);
  else d.shl(-s);
  const inexact = new StaticArray<bool>(1);
  let q = divToU64(n, d, inexact);
  let sticky = unchecked(inexact[0]);
  if ((q >> <u64>(p + 1)) != 0) {
    sticky = sticky || (q & 1) != 0;
    q >>= 1;
    s--;
  }
  let e = p - s + binExp; // exponent of the leading bit
  if (e > emax) return Infinity;
  if (e < emin) {
    const shift = emin - e;
    if (shift > p + 1) {
      sticky = sticky || q != 0;
      q = 0;
    } else {
      sticky = sticky || (q & ((<u64>1 << <u64>shift) - 1)) != 0;
      q >>= <u64>shift;
    }
    e = emin;
  }
  const round = (q & 1) != 0;
  let mant = q >> 1;
  if (round && (sticky || (mant & 1) != 0)) mant++;
  if (mant >> <u64>p != 0 && e == emax) return Infinity;
  // mant x 2^(e - (p - 1)), exact: split the scaling so no intermediate underflows.
  const k = e - (p - 1);
  if (k < -1000) return (<f64>mant * pow2(k + 600)) * pow2(-600);
  return <f64>mant * pow2(k);
}

@inline function hexDigit(c: u32): i32 {
  if (c >= 48 && c <= 57) return <i32>c - 48;
  const l = lower(c);
  if (l >= 97 && l <= 102) return <i32>l - 87;
  return -1;
}

/**
 * Parses bytes [p, p+len) as a float, rounded for float32 (`toF32`) or float64. `ok[0]` tells
 * whether the whole text (surrounding whitespace aside) was a number.
 */
export function parseFloatBytes(p: usize, len: i32, toF32: bool, ok: StaticArray<bool>): f64 {
  unchecked(ok[0] = false);
  let i = 0, end = len;
  while (i < end && isSpace(<u32>load<u8>(p + <usize>i))) i++;
  while (end > i && isSpace(<u32>load<u8>(p + <usize>(end - 1)))) end--;
  if (i >= end) return 0;
  let neg = false;
  const c0 = <u32>load<u8>(p + <usize>i);
  if (c0 == 43 || c0 == 45) {
    neg = c0 == 45;
    i++;
  }
  if (i >= end) return 0;
  const sgn: f64 = neg ? -1 : 1;
  if (matchWord(p, i, end, "infinity") && end - i == 8) {
    unchecked(ok[0] = true);
    return sgn * Infinity;
  }
  if (matchWord(p, i, end, "inf") && end - i == 3) {
    unchecked(ok[0] = true);
    return sgn * Infinity;
  }
  if (matchWord(p, i, end, "nan") && end - i == 3) {
    unchecked(ok[0] = true);
    return neg ? reinterpret<f64>(0xfff8000000000000) : reinterpret<f64>(0x7ff8000000000000);
  }
  const p0 = toF32 ? 24 : 53, emin = toF32 ? -126 : -1022, emax = toF32 ? 127 : 1023;
  // Hex: 0x<hex digits>[.<hex digits>][p[+-]<decimal>]
  if (end - i >= 2 && load<u8>(p + <usize>i) == 48 && lower(<u32>load<u8>(p + <usize>(i + 1))) == 120) {
    let j = i + 2;
    const h = new Big();
    let any = false, frac = 0, seenDot = false;
    for (; j < end; j++) {
      const c = <u32>load<u8>(p + <usize>j);
      if (c == 46 && !seenDot) {
        seenDot = true;
        continue;
      }
      const v = hexDigit(c);
      if (v < 0) break;
      any = true;
      h.mulAdd(16, <u32>v);
      if (seenDot) frac++;
      if (h.bitLength() > 2200) return 0; // absurdly long; TF's 32-char limit applies before
    }
    if (!any) return 0;
    let pexp: i64 = 0;
    if (j < end && lower(<u32>load<u8>(p + <usize>j)) == 112) {
      j++;
      let eneg = false;
      if (j < end && (load<u8>(p + <usize>j) == 43 || load<u8>(p + <usize>j) == 45)) {
        eneg = load<u8>(p + <usize>j) == 45;
        j++;
      }
      let digits = false;
      for (; j < end; j++) {
        const c = <u32>load<u8>(p + <usize>j);
        if (c < 48 || c > 57) break;
        digits = true;
        if (pexp < 100000) pexp = pexp * 10 + <i64>(c - 48);
      }
      if (!digits) return 0;
      if (eneg) pexp = -pexp;
    }
    if (j != end) return 0;
    unchecked(ok[0] = true);
    if (h.isZero()) return neg ? -0.0 : 0.0;
    const r = roundRatio(h, Big.fromU64(1), <i32>pexp - 4 * frac, p0, emin, emax);
    return neg ? -r : r;
  }
  // Decimal: digits [. digits] [e [+-] digits], at least one mantissa digit.
  const d = new Big();
  let any = false, seenDot = false;
  let exp10: i64 = 0;
  let sig = 0;
  let j = i;
  for (; j < end; j++) {
    const c = <u32>load<u8>(p + <usize>j);
    if (c == 46 && !seenDot) {
      seenDot = true;
      continue;
    }
    if (c < 48 || c > 57) break;
    any = true;
    if (sig < 800) {
      if (!(d.isZero() && c == 48)) sig++;
      d.mulAdd(10, c - 48);
      if (seenDot) exp10--;
    } else if (!seenDot) exp10++;
  }
  if (!any) return 0;
  if (j < end && lower(<u32>load<u8>(p + <usize>j)) == 101) {
    j++;
    let eneg = false;
    if (j < end && (load<u8>(p + <usize>j) == 43 || load<u8>(p + <usize>j) == 45)) {
      eneg = load<u8>(p + <usize>j) == 45;
      j++;
    }
    let digits = false;
    let e: i64 = 0;
    for (; j < end; j++) {
      const c = <u32>load<u8>(p + <usize>j);
      if (c < 48 || c > 57) break;
      digits = true;
      if (e < 100000) e = e * 10 + <i64>(c - 48);
    }
    if (!digits) return 0;
    exp10 += eneg ? -e : e;
  }
  if (j != end) return 0;
  unchecked(ok[0] = true);
  if (d.isZero()) return neg ? -0.0 : 0.0;
  let r: f64;
  const digitsLen = <i64>sig;
  if (exp10 + digitsLen > 400) r = Infinity;
  else if (exp10 + digitsLen < -400) r = 0;
  else if (exp10 >= 0) {
    d.mulPow10(<i32>exp10);
    r = roundRatio(d, Big.fromU64(1), 0, p0, emin, emax);
  } else {
    const den = Big.fromU64(1);
    den.mulPow10(<i32>-exp10);
    r = roundRatio(d, den, 0, p0, emin, emax);
  }
  return neg ? -r : r;
}

/** parseFloatBytes over an AssemblyScript string (ASCII). */
export function parseFloatExact(s: string, toF32: bool, ok: StaticArray<bool>): f64 {
  const buf = String.UTF8.encode(s);
  return parseFloatBytes(changetype<usize>(buf), buf.byteLength, toF32, ok);
}

/**
 * Parses a decimal integer in [min, max] (signed) or [0, umax] (unsigned, no '-').
 * `ok[0]` false on junk or overflow.
 */
export function parseIntBytes(p: usize, len: i32, unsigned: bool, bits: i32, ok: StaticArray<bool>): i64 {
  unchecked(ok[0] = false);
  let i = 0, end = len;
  while (i < end && isSpace(<u32>load<u8>(p + <usize>i))) i++;
  while (end > i && isSpace(<u32>load<u8>(p + <usize>(end - 1)))) end--;
  if (i >= end) return 0;
  let neg = false;
  const c0 = <u32>load<u8>(p + <usize>i);
  if (c0 == 43 || c0 == 45) {
    if (c0 == 45 && unsigned) return 0;
    neg = c0 == 45;
    i++;
  }
  if (i >= end) return 0;
  // Magnitude limit: 2^(bits-1) for negative signed, 2^(bits-1)-1 positive signed, 2^bits-1 unsigned.
  const limit: u64 = unsigned ? (bits == 64 ? u64.MAX_VALUE : (<u64>1 << <u64>bits) - 1)
    : neg ? <u64>1 << <u64>(bits - 1) : (<u64>1 << <u64>(bits - 1)) - 1;
  let v: u64 = 0;
  for (; i < end; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (c < 48 || c > 57) return 0;
    const dgt = <u64>(c - 48);
    if (v > (limit - dgt) / 10) return 0;
    v = v * 10 + dgt;
  }
  unchecked(ok[0] = true);
  return neg ? <i64>(0 - v) : <i64>v;
}
