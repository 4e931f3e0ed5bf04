// Fast float32 Sum (and Mean's sum) in the exact evaluation order of reduce.ts (TF 2.21's Eigen
// order: 8-lane packets, four interleaved accumulators, the leaf tree, horizontal halves), but on
// float32 values in SIMD registers instead of f64 through the generic reducer. Adding two float32
// in f64 and rounding gives the float32 sum, so every finite or infinite result is bit-identical.
// NaN bits are not: wasm leaves a NaN result's payload open, so a NaN result sends the caller
// back to the generic path, which reproduces x86's NaN propagation.
import { flush } from "./denormal";

const EXPONENT = i32x4.splat(0x7f800000);
const SIGN = i32x4.splat(<i32>0x80000000);
/** Values per packet (Eigen's float32 AVX packet) and packets per tree leaf (reduce.ts). */
const LANES = 8;
const LEAF_PACKETS = 1024;

/** DAZ/FTZ on four lanes: a subnormal becomes a zero of the same sign. */
@inline function flush4(x: v128): v128 {
  const tiny = i32x4.eq(v128.and(x, EXPONENT), i32x4.splat(0));
  return v128.bitselect(v128.and(x, SIGN), x, tiny);
}

/** a + b lane-wise, with subnormal results flushed. */
@inline function add4(a: v128, b: v128): v128 {
  return flush4(f32x4.add(a, b));
}

/** Four values from memory, read through DAZ. */
@inline function load4(p: usize): v128 {
  return flush4(v128.load(p));
}

/** Element `i` of the float32 array at `p`, read through DAZ. */
@inline function ld(p: usize, i: i32): f32 {
  return flush<f32>(load<f32>(p + (<usize>i << 2)));
}

@inline function add(a: f32, b: f32): f32 {
  return flush<f32>(a + b);
}

/** Horizontal sum of an 8-lane packet held as two halves: pairwise halves, as reduce.ts's predux. */
function predux(lo: v128, hi: v128): f32 {
  const q = add4(lo, hi); // lanes i and i+4
  const a = add(f32x4.extract_lane(q, 0), f32x4.extract_lane(q, 2));
  const b = add(f32x4.extract_lane(q, 1), f32x4.extract_lane(q, 3));
  return add(a, b);
}

/** The inner-most leaf: x[first .. first+n) of the array at `p` (reduce.ts leafReduce). */
function leafSum(p: usize, first: i32, n: i32): f32 {
  const z = f32x4.splat(0);
  let a0 = z, a1 = z;
  let start = 0;
  if (n >= 4 * LANES) {
    let b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z;
    const v4 = (n / (4 * LANES)) * (4 * LANES);
    for (let j = 0; j < v4; j += 4 * LANES) {
      const q = p + (<usize>(first + j) << 2);
      a0 = add4(a0, load4(q));
      a1 = add4(a1, load4(q + 16));
      b0 = add4(b0, load4(q + 32));
      b1 = add4(b1, load4(q + 48));
      c0 = add4(c0, load4(q + 64));
      c1 = add4(c1, load4(q + 80));
      d0 = add4(d0, load4(q + 96));
      d1 = add4(d1, load4(q + 112));
    }
    a0 = add4(add4(add4(a0, b0), c0), d0);
    a1 = add4(add4(add4(a1, b1), c1), d1);
    start = v4;
  }
  if (start <= n - LANES) {
    const v = (n / LANES) * LANES;
    for (let j = start; j < v; j += LANES) {
      const q = p + (<usize>(first + j) << 2);
      a0 = add4(a0, load4(q));
      a1 = add4(a1, load4(q + 16));
    }
    start = v;
  }
  let acc: f32 = 0;
  for (let j = start; j < n; j++) acc = add(acc, ld(p, first + j));
  return add(acc, predux(a0, a1));
}

/** The inner-most reduction with the tree split above LANES * LEAF_PACKETS values. */
function innerSum(p: usize, first: i32, n: i32): f32 {
  if (n > LANES * LEAF_PACKETS) {
    const half = (n + 1) >> 1;
    const split = LANES * ((first + half + LANES - 1) / LANES);
    const left = split - first < n ? split - first : n;
    let acc: f32 = add(0, innerSum(p, first, left));
    if (left < n) acc = add(acc, innerSum(p, split, n - left));
    return acc;
  }
  return leafSum(p, first, n);
}

/**
 * Sums the float32 tensor data at `p`, laid out as the collapsed `dims` (alternating reduced and
 * kept runs, the first reduced when `reduceFirst`), into `out` (row-major outputs, as f64).
 * Returns false, with `out` unspecified, when the layout is one this path does not take (more
 * than three runs) or a result is NaN: then the generic path must run.
 */
export function sumF32(p: usize, dims: Array<i64>, reduceFirst: bool, out: StaticArray<f64>): bool {
  const nd = dims.length;
  if (nd == 1) {
    unchecked(out[0] = <f64>innerSum(p, 0, <i32>dims[0]));
  } else if (nd == 2 && !reduceFirst) {
    const rows = <i32>dims[0], cols = <i32>dims[1];
    for (let r = 0; r < rows; r++) unchecked(out[r] = <f64>innerSum(p, r * cols, cols));
  } else if ((nd == 2 && reduceFirst) || (nd == 3 && !reduceFirst)) {
    keptInnerSum(p, nd == 2 ? 1 : <i32>dims[0], nd == 2 ? <i32>dims[0] : <i32>dims[1], nd == 2 ? <i32>dims[1] : <i32>dims[2], out);
  } else if (nd == 3) {
    const A = <i32>dims[0], B = <i32>dims[1], C = <i32>dims[2];
    for (let b = 0; b < B; b++) {
      let s: f32 = 0;
      for (let k = 0; k < C; k++) for (let i = 0; i < A; i++) s = add(s, ld(p, (i * B + b) * C + k));
      unchecked(out[b] = <f64>s);
    }
  } else {
    return false;
  }
  for (let i = 0; i < out.length; i++) if (isNaN(unchecked(out[i]))) return false;
  return true;
}

/**
 * [A, B, C] with B reduced (A = 1 for two runs): packets of 8 consecutive outputs within a row of
 * C, summed down B (four interleaved accumulators from 16 rows on); other outputs row by row.
 */
function keptInnerSum(p: usize, A: i32, B: i32, C: i32, out: StaticArray<f64>): void {
  const total = A * C;
  const done = new StaticArray<bool>(total);
  const z = f32x4.splat(0);
  const rowBytes = <usize>C << 2;
  const lanes = new StaticArray<f32>(LANES);
  for (let g = 0; g + LANES <= total; g += LANES) {
    const cc = g % C;
    if (cc + LANES - 1 >= C) continue;
    const a = g / C;
    let q = p + (<usize>(a * B * C + cc) << 2);
    let a0 = z, a1 = z;
    let j = 0;
    if (B >= 16) {
      let b0 = z, b1 = z, c0 = z, c1 = z, d0 = z, d1 = z;
      const u4 = (B / 4) * 4;
      for (; j < u4; j += 4) {
        a0 = add4(a0, load4(q));
        a1 = add4(a1, load4(q + 16));
        q += rowBytes;
        b0 = add4(b0, load4(q));
        b1 = add4(b1, load4(q + 16));
        q += rowBytes;
        c0 = add4(c0, load4(q));
        c1 = add4(c1, load4(q + 16));
        q += rowBytes;
        d0 = add4(d0, load4(q));
        d1 = add4(d1, load4(q + 16));
        q += rowBytes;
      }
      a0 = add4(add4(add4(a0, b0), c0), d0);
      a1 = add4(add4(add4(a1, b1), c1), d1);
    }
    for (; j < B; j++) {
      a0 = add4(a0, load4(q));
      a1 = add4(a1, load4(q + 16));
      q += rowBytes;
    }
    v128.store(changetype<usize>(lanes), a0);
    v128.store(changetype<usize>(lanes) + 16, a1);
    for (let l = 0; l < LANES; l++) {
      unchecked(out[g + l] = <f64>lanes[l]);
      unchecked(done[g + l] = true);
    }
  }
  for (let o = 0; o < total; o++) {
    if (unchecked(done[o])) continue;
    const a = o / C, cc = o % C;
    let s: f32 = 0;
    for (let j = 0; j < B; j++) s = add(s, ld(p, (a * B + j) * C + cc));
    unchecked(out[o] = <f64>s);
  }
}
