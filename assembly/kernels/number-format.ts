// printf-style formatting of numbers exactly as glibc does it (TF's AsString calls snprintf):
// conversions d/u (64-bit), f/e/g for doubles from the exact binary value, rounded half-to-even,
// flags '-', '+', ' ', '0', '#', width and precision; "inf"/"nan" with their sign ("-nan").
import { Big } from "./bignum";
import { parseFloatExact } from "./number-parse";

/** printf flags. */
export class FormatSpec {
  left: bool = false;
  plus: bool = false;
  space: bool = false;
  zero: bool = false;
  alt: bool = false;
  width: i32 = -1;
  precision: i32 = -1;
}

/** Exact decimal expansion of a positive finite double: 0.d0d1d2... x 10^point. */
class Decimal {
  digits: Array<u8> = new Array<u8>();
  point: i32 = 0;
}

function exactDecimal(v: f64): Decimal {
  const bits = reinterpret<u64>(v) & 0x7fffffffffffffff;
  const ef = <i32>(bits >> 52);
  let m = bits & 0xfffffffffffff;
  let e: i32;
  if (ef == 0) e = -1074;
  else {
    m |= <u64>1 << 52;
    e = ef - 1075;
  }
  const d = new Decimal();
  if (m == 0) return d;
  const tz = <i32>ctz(m);
  m >>= <u64>tz;
  e += tz;
  const b = Big.fromU64(m);
  if (e >= 0) {
    b.shl(e);
    d.digits = b.toDigits();
    d.point = d.digits.length;
  } else {
    b.mulPow5(-e);
    d.digits = b.toDigits();
    d.point = d.digits.length + e;
  }
  while (d.digits.length > 0 && d.digits[d.digits.length - 1] == 0) d.digits.pop();
  return d;
}

/** Rounds `d` to keep `keep` leading digits (half to even on the exact value); may bump `point`. */
function roundDigits(d: Decimal, keep: i32): void {
  const ds = d.digits;
  const n = ds.length;
  if (keep >= n) return;
  if (keep < 0) {
    d.digits = new Array<u8>();
    return;
  }
  const next = unchecked(ds[keep]);
  let up = false;
  if (next > 5) up = true;
  else if (next == 5) {
    let rest = false;
    for (let i = keep + 1; i < n; i++) {
      if (unchecked(ds[i]) != 0) {
        rest = true;
        break;
      }
    }
    up = rest || (keep > 0 && (unchecked(ds[keep - 1]) & 1) != 0);
  }
  ds.length = keep;
  if (up) {
    let i = keep - 1;
    while (i >= 0 && unchecked(ds[i]) == 9) {
      unchecked(ds[i] = 0);
      i--;
    }
    if (i >= 0) unchecked(ds[i] = ds[i] + 1);
    else {
      ds.unshift(1);
      d.point++;
    }
  }
  while (ds.length > 0 && ds[ds.length - 1] == 0) ds.pop();
}

@inline function digitAt(d: Decimal, i: i32): i32 {
  return i >= 0 && i < d.digits.length ? <i32>unchecked(d.digits[i]) : 0;
}

/** %f body (no sign) with `prec` decimals. */
function fixedBody(v: f64, prec: i32, alt: bool): string {
  const d = exactDecimal(v);
  roundDigits(d, d.point + prec);
  let s = "";
  if (d.point <= 0 || d.digits.length == 0) s = "0";
  else for (let i = 0; i < d.point; i++) s += String.fromCharCode(48 + digitAt(d, i));
  if (prec > 0 || alt) s += ".";
  for (let i = 0; i < prec; i++) s += String.fromCharCode(48 + digitAt(d, d.point + i));
  return s;
}

function expSuffix(x: i32): string {
  let s = x < 0 ? "e-" : "e+";
  const a = x < 0 ? -x : x;
  if (a < 10) s += "0";
  return s + a.toString();
}

/** %e body (no sign) with `prec` decimals. */
function expBody(v: f64, prec: i32, alt: bool): string {
  const d = exactDecimal(v);
  if (d.digits.length == 0) {
    let s = "0";
    if (prec > 0 || alt) s += ".";
    for (let i = 0; i < prec; i++) s += "0";
    return s + "e+00";
  }
  roundDigits(d, prec + 1);
  let s = String.fromCharCode(48 + digitAt(d, 0));
  if (prec > 0 || alt) s += ".";
  for (let i = 1; i <= prec; i++) s += String.fromCharCode(48 + digitAt(d, i));
  return s + expSuffix(d.point - 1);
}

function stripZeros(s: string): string {
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) == 48) end--;
  if (end > 0 && s.charCodeAt(end - 1) == 46) end--;
  return s.substring(0, end);
}

/** %g body (no sign). */
function generalBody(v: f64, prec: i32, alt: bool): string {
  const p = prec == 0 ? 1 : prec;
  const d = exactDecimal(v);
  let x = 0;
  if (d.digits.length > 0) {
    roundDigits(d, p);
    x = d.point - 1;
  }
  if (x < p && x >= -4) {
    const s = fixedBody(v, p - 1 - x, alt);
    return alt ? s : stripZeros(s);
  }
  const s = expBody(v, p - 1, alt);
  if (alt) return s;
  const e = s.indexOf("e");
  return stripZeros(s.substring(0, e)) + s.substring(e);
}

function pad(body: string, sign: string, spec: FormatSpec, zeroOk: bool): string {
  const len = body.length + sign.length;
  if (spec.width <= len) return sign + body;
  const fill = spec.width - len;
  if (spec.left) return sign + body + " ".repeat(fill);
  if (spec.zero && zeroOk) return sign + "0".repeat(fill) + body;
  return " ".repeat(fill) + sign + body;
}

/** Formats `v` like printf with conversion `conv` ('f', 'e' or 'g'). */
export function formatDouble(v: f64, conv: i32, spec: FormatSpec): string {
  const neg = (reinterpret<u64>(v) >> 63) != 0;
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  const a = Math.abs(v);
  if (v != v) return pad("nan", sign, spec, false);
  if (a == Infinity) return pad("inf", sign, spec, false);
  const prec = spec.precision < 0 ? 6 : spec.precision;
  let body: string;
  if (conv == 102) body = fixedBody(a, prec, spec.alt);
  else if (conv == 101) body = expBody(a, prec, spec.alt);
  else body = generalBody(a, prec, spec.alt);
  return pad(body, sign, spec, true);
}

/** Formats an integer like printf %d (signed) or %u. */
export function formatInteger(v: i64, unsigned: bool, spec: FormatSpec): string {
  let neg = false;
  let body: string;
  if (unsigned) body = (<u64>v).toString();
  else {
    neg = v < 0;
    body = neg ? (v == i64.MIN_VALUE ? "9223372036854775808" : (-v).toString()) : v.toString();
  }
  const sign = neg ? "-" : spec.plus && !unsigned ? "+" : spec.space && !unsigned ? " " : "";
  return pad(body, sign, spec, true);
}

/** Pads a string like printf %s (spaces only, '-' left-justifies). */
export function formatString(s: string, spec: FormatSpec): string {
  return pad(s, "", spec, false);
}

/**
 * How TF's StrCat prints a double in messages: the shortest of "%.15g" / "%.17g" that reads
 * back to the same value.
 */
export function formatNumber(v: f64): string {
  const spec = new FormatSpec();
  spec.precision = 15;
  const s = formatDouble(v, 103, spec);
  if (v != v || Math.abs(v) == Infinity) return s;
  const ok = new StaticArray<bool>(1);
  const back = parseFloatExact(s, false, ok);
  if (unchecked(ok[0]) && back == v) return s;
  spec.precision = 17;
  return formatDouble(v, 103, spec);
}
