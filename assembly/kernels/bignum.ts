// Small arbitrary-precision naturals (little-endian u32 limbs) for exact decimal <-> binary
// conversions: printf-exact float formatting (AsString) and correctly rounded parsing
// (StringToNumber). Sizes stay small: a double needs at most ~2500 bits.

export class Big {
  limbs: Array<u32> = new Array<u32>();

  static fromU64(v: u64): Big {
    const b = new Big();
    while (v != 0) {
      b.limbs.push(<u32>v);
      v >>= 32;
    }
    return b;
  }

  clone(): Big {
    const b = new Big();
    b.limbs = this.limbs.slice(0);
    return b;
  }

  isZero(): bool {
    return this.limbs.length == 0;
  }

  private trim(): void {
    const l = this.limbs;
    while (l.length > 0 && unchecked(l[l.length - 1]) == 0) l.pop();
  }

  /** this = this * k + add. */
  mulAdd(k: u32, add: u32): void {
    const l = this.limbs;
    let carry: u64 = <u64>add;
    for (let i = 0; i < l.length; i++) {
      const v = <u64>unchecked(l[i]) * <u64>k + carry;
      unchecked(l[i] = <u32>v);
      carry = v >> 32;
    }
    if (carry != 0) l.push(<u32>carry);
    this.trim();
  }

  /** this *= 5^n. */
  mulPow5(n: i32): void {
    while (n >= 13) {
      this.mulAdd(1220703125, 0);
      n -= 13;
    }
    let k: u32 = 1;
    for (let i = 0; i < n; i++) k *= 5;
    if (k != 1) this.mulAdd(k, 0);
  }

  /** this *= 10^n. */
  mulPow10(n: i32): void {
    while (n >= 9) {
      this.mulAdd(1000000000, 0);
      n -= 9;
    }
    let k: u32 = 1;
    for (let i = 0; i < n; i++) k *= 10;
    if (k != 1) this.mulAdd(k, 0);
  }

  /** this <<= n bits. */
  shl(n: i32): void {
    if (this.isZero() || n == 0) return;
    const words = n >> 5, bits = n & 31;
    const l = this.limbs;
    const out = new Array<u32>(l.length + words + 1);
    for (let i = 0; i < l.length; i++) {
      const v = <u64>unchecked(l[i]) << <u64>bits;
      unchecked(out[i + words] = out[i + words] | <u32>v);
      unchecked(out[i + words + 1] = <u32>(v >> 32));
    }
    this.limbs = out;
    this.trim();
  }

  bitLength(): i32 {
    const l = this.limbs;
    if (l.length == 0) return 0;
    return (l.length - 1) * 32 + (32 - <i32>clz(unchecked(l[l.length - 1])));
  }

  /** Bit `i` (0 = least significant). */
  bit(i: i32): u32 {
    const w = i >> 5;
    if (w >= this.limbs.length) return 0;
    return (unchecked(this.limbs[w]) >>> <u32>(i & 31)) & 1;
  }

  /** -1, 0, 1 as this <, ==, > o. */
  cmp(o: Big): i32 {
    const a = this.limbs, b = o.limbs;
    if (a.length != b.length) return a.length < b.length ? -1 : 1;
    for (let i = a.length - 1; i >= 0; i--) {
      const x = unchecked(a[i]), y = unchecked(b[i]);
      if (x != y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /** this -= o (requires this >= o). */
  sub(o: Big): void {
    const a = this.limbs, b = o.limbs;
    let borrow: i64 = 0;
    for (let i = 0; i < a.length; i++) {
      let v = <i64>unchecked(a[i]) - borrow - (i < b.length ? <i64>unchecked(b[i]) : 0);
      borrow = 0;
      if (v < 0) {
        v += <i64>1 << 32;
        borrow = 1;
      }
      unchecked(a[i] = <u32>v);
    }
    this.trim();
  }

  /** Divides by a small k in place; returns the remainder. */
  divSmall(k: u32): u32 {
    const l = this.limbs;
    let rem: u64 = 0;
    for (let i = l.length - 1; i >= 0; i--) {
      const cur = (rem << 32) | <u64>unchecked(l[i]);
      unchecked(l[i] = <u32>(cur / <u64>k));
      rem = cur % <u64>k;
    }
    this.trim();
    return <u32>rem;
  }

  /** Decimal digits (most significant first, no leading zeros; empty for zero). */
  toDigits(): Array<u8> {
    const t = this.clone();
    const chunks = new Array<u32>();
    while (!t.isZero()) chunks.push(t.divSmall(1000000000));
    const out = new Array<u8>();
    for (let i = chunks.length - 1; i >= 0; i--) {
      const c = unchecked(chunks[i]);
      let div: u32 = 100000000;
      let started = i != chunks.length - 1;
      for (let j = 0; j < 9; j++) {
        const d = <u8>((c / div) % 10);
        if (d != 0) started = true;
        if (started) out.push(d);
        div /= 10;
      }
    }
    return out;
  }
}

/**
 * floor(num / den) and whether a remainder is left, by binary long division (num, den > 0).
 * Returns the quotient as a u64 (callers size the operands so it fits).
 */
export function divToU64(num: Big, den: Big, inexact: StaticArray<bool>): u64 {
  const r = new Big();
  let q: u64 = 0;
  for (let i = num.bitLength() - 1; i >= 0; i--) {
    r.shl(1);
    if (num.bit(i) != 0) {
      if (r.isZero()) r.limbs.push(1);
      else unchecked(r.limbs[0] = r.limbs[0] | 1);
    }
    q <<= 1;
    if (r.cmp(den) >= 0) {
      r.sub(den);
      q |= 1;
    }
  }
  unchecked(inexact[0] = !r.isZero());
  return q;
}
