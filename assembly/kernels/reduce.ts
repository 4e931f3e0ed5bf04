// Reductions: Sum, Mean, Prod, Max, Min, All, Any over `reduction_indices` (scalar or vector,
// negative allowed) with keep_dims. Integer and bool results do not depend on the order of
// evaluation. Float results do, so they follow TF 2.21's CPU kernel exactly: TF first collapses
// the dims into alternating reduced/kept runs (ReductionHelper) and then Eigen evaluates, with
// 8-wide float32 (4-wide float64) packets:
//  - reducing innermost elements: a tree (halves split at packet boundaries above 1024 packets,
//    200 for float16, 128 for bfloat16) over leaves summed in four interleaved packet
//    accumulators, a scalar tail and a horizontal packet sum;
//  - keeping the innermost dim: packets of 8 outputs each summed over the reduced rows (four
//    interleaved accumulators from 16 rows on), other outputs summed row by row;
//  - reducing the first and last of three runs: a plain loop, last reduced dim outermost;
//  - anything else: transposed so the reduced dims come last, then rows as above.
// Every step rounds to the dtype (float16 sums round per add; bfloat16 sums run in float32, as
// TF's casting specializations do). Mean divides the sum by the count in the dtype (integers in
// 64 bits, truncating).
import { f32ToBf16Bits, f32ToF16Bits } from "../core/cast";
import {
  DT_BFLOAT16, DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_UINT16, DT_UINT32,
  DT_UINT64, DT_UINT8, dtypeName,
} from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { stridesOf } from "./broadcast";
import {
  bf16ToF32, checkArity, dtypeAttr, f16ToF32, intElement, isIndexTensor, newTensor, REAL_NUMBER_DTYPES, reshaped, scratchOk,
} from "./helpers";
import { Kernel } from "./kernel";
import { flush } from "./denormal";
import { sumF32 } from "./reduce-f32";

const SUM: i32 = 1, MEAN: i32 = 2, PROD: i32 = 3, MAX: i32 = 4, MIN: i32 = 5, ALL: i32 = 6, ANY: i32 = 7;

// ---- float arithmetic of one dtype, carried in f64 (rounding after each op is exact) ----

/** Rounds an f64 to the precision of float `dtype` (returned as f64). */
function rnd(x: f64, dtype: i32): f64 {
  // With FTZ: a subnormal float32/float64 result is zero (float16 steps run in float32, where
  // half values are never subnormal).
  switch (dtype) {
    case DT_FLOAT: return <f64>flush<f32>(<f32>x);
    case DT_HALF: return <f64>f16ToF32(f32ToF16Bits(<f32>x));
    case DT_BFLOAT16: return <f64>bf16ToF32(f32ToBf16Bits(flush<f32>(<f32>x)));
  }
  return flush<f64>(x);
}

function quietF64(x: f64): f64 {
  return reinterpret<f64>(reinterpret<u64>(x) | 0x0008000000000000);
}

class FloatReducer {
  op: i32 = SUM;
  dtype: i32 = DT_FLOAT;
  lanes: i32 = 8;
  leaf: i32 = 1024;

  init(): f64 {
    if (this.op == PROD) return 1;
    if (this.op == MAX) return -Infinity;
    if (this.op == MIN) return Infinity;
    return 0;
  }

  /**
   * acc (op) x as x86 computes it: a NaN operand propagates (the first one, quieted), an invalid
   * operation gives the default NaN (sign set). Explicit, since a JIT may reorder operands.
   */
  arith(acc: f64, x: f64): f64 {
    // 16-bit float products take the new operand first (as TF's compiled code does: its NaN wins).
    if (this.op == PROD && (this.dtype == DT_HALF || this.dtype == DT_BFLOAT16)) {
      if (x != x) return quietF64(x);
      if (acc != acc) return quietF64(acc);
    }
    if (acc != acc) return quietF64(acc);
    if (x != x) return quietF64(x);
    const r = this.op == PROD ? acc * x : acc + x;
    return r != r ? reinterpret<f64>(0xfff8000000000000) : rnd(r, this.dtype);
  }

  /** Scalar reduce step: acc (op) x. 16-bit floats compare as floats but keep their own bits. */
  step(acc: f64, x: f64): f64 {
    const op = this.op;
    if (op == MAX) {
      if (acc != acc) return acc;
      if (x != x) return x;
      return this.cmp(acc) < this.cmp(x) ? x : acc;
    }
    if (op == MIN) {
      if (acc != acc) return acc;
      if (x != x) return x;
      return this.cmp(x) < this.cmp(acc) ? x : acc;
    }
    return this.arith(acc, x);
  }

  /** Packet-lane reduce step (x86 max/min give the new value on ties). */
  vstep(acc: f64, x: f64): f64 {
    const op = this.op;
    if (op == MAX) {
      if (acc != acc) return acc;
      if (x != x) return x;
      return this.cmp(acc) > this.cmp(x) ? acc : x;
    }
    if (op == MIN) {
      if (acc != acc) return acc;
      if (x != x) return x;
      return this.cmp(acc) < this.cmp(x) ? acc : x;
    }
    return this.arith(acc, x);
  }

  /** The value a comparison sees (DAZ). */
  @inline cmp(v: f64): f64 {
    return this.dtype == DT_DOUBLE ? flush<f64>(v) : <f64>flush<f32>(<f32>v);
  }

  /** Horizontal reduction of packet lanes (pairwise halves; float16 lanes sum in float32). */
  predux(p: StaticArray<f64>): f64 {
    let n = p.length;
    const tmp = new StaticArray<f64>(n);
    for (let i = 0; i < n; i++) unchecked(tmp[i] = p[i]);
    const widen = this.dtype == DT_HALF || this.dtype == DT_BFLOAT16;
    while (n > 1) {
      const h = n >> 1;
      for (let i = 0; i < h; i++) {
        const a = unchecked(tmp[i]), b = unchecked(tmp[i + h]);
        let v: f64;
        if (this.op == MAX || this.op == MIN) v = this.step(a, b);
        else if (widen) {
          const r = this.op == PROD ? a * b : a + b;
          v = a != a ? quietF64(a) : b != b ? quietF64(b) : r != r ? reinterpret<f64>(0xfff8000000000000) : rnd(r, DT_FLOAT);
        } else v = this.arith(a, b);
        unchecked(tmp[i] = v);
      }
      n = h;
    }
    return widen ? rnd(unchecked(tmp[0]), this.dtype) : unchecked(tmp[0]);
  }

  /** Eigen's vectorized inner-most reduction of x[first .. first+n) (no tree). */
  leafReduce(x: StaticArray<f64>, first: i32, n: i32): f64 {
    const P = this.lanes;
    const p0 = new StaticArray<f64>(P);
    const init = this.init();
    for (let l = 0; l < P; l++) unchecked(p0[l] = init);
    let start = 0;
    if (n >= 4 * P) {
      const p1 = new StaticArray<f64>(P), p2 = new StaticArray<f64>(P), p3 = new StaticArray<f64>(P);
      for (let l = 0; l < P; l++) {
        unchecked(p1[l] = init);
        unchecked(p2[l] = init);
        unchecked(p3[l] = init);
      }
      const v4 = (n / (4 * P)) * (4 * P);
      for (let j = 0; j < v4; j += 4 * P) {
        const b = first + j;
        for (let l = 0; l < P; l++) {
          unchecked(p0[l] = this.vstep(p0[l], x[b + l]));
          unchecked(p1[l] = this.vstep(p1[l], x[b + P + l]));
          unchecked(p2[l] = this.vstep(p2[l], x[b + 2 * P + l]));
          unchecked(p3[l] = this.vstep(p3[l], x[b + 3 * P + l]));
        }
      }
      for (let l = 0; l < P; l++) {
        unchecked(p0[l] = this.vstep(p0[l], p1[l]));
        unchecked(p0[l] = this.vstep(p0[l], p2[l]));
        unchecked(p0[l] = this.vstep(p0[l], p3[l]));
      }
      start = v4;
    }
    if (start <= n - P) {
      const v = (n / P) * P;
      for (let j = start; j < v; j += P) {
        for (let l = 0; l < P; l++) unchecked(p0[l] = this.vstep(p0[l], x[first + j + l]));
      }
      start = v;
    }
    let acc = init;
    for (let j = start; j < n; j++) acc = this.step(acc, unchecked(x[first + j]));
    // finalizeBoth: the scalar accumulator with the horizontal packet result (for products the
    // packet result comes first, which decides which NaN survives).
    const pv = this.predux(p0);
    return this.op == PROD ? this.step(pv, acc) : this.step(acc, pv);
  }

  /** Eigen's inner-most reduction with the tree split above `lanes * leaf` values. */
  innerReduce(x: StaticArray<f64>, first: i32, n: i32): f64 {
    const P = this.lanes;
    if (n > P * this.leaf) {
      const half = (n + 1) >> 1;
      const split = P * ((first + half + P - 1) / P);
      const left = split - first < n ? split - first : n;
      let acc = this.init();
      acc = this.step(acc, this.innerReduce(x, first, left));
      if (left < n) acc = this.step(acc, this.innerReduce(x, split, n - left));
      return acc;
    }
    return this.leafReduce(x, first, n);
  }
}

/** TF's ReductionHelper: collapsed dims, whether the first run is reduced. */
class Collapsed {
  dims: Array<i64> = new Array<i64>();
  reduceFirst: bool = false;
}

function collapse(shape: StaticArray<i64>, reduced: StaticArray<bool>): Collapsed {
  const c = new Collapsed();
  const r = shape.length;
  const bitmap = new StaticArray<bool>(r);
  for (let i = 0; i < r; i++) unchecked(bitmap[i] = reduced[i]);
  let i = 0;
  while (i < r && shape[i] == 1) i++;
  if (i >= r) {
    c.reduceFirst = true;
    return c;
  }
  c.reduceFirst = unchecked(bitmap[i]);
  c.dims.push(shape[i]);
  i++;
  for (; i < r; i++) {
    const size = shape[i];
    if (size == 1) unchecked(bitmap[i] = bitmap[i - 1]);
    if (unchecked(bitmap[i - 1]) != unchecked(bitmap[i])) c.dims.push(size);
    else c.dims[c.dims.length - 1] = c.dims[c.dims.length - 1] * size;
  }
  return c;
}

/** Reduces float values `x` (already in the collapsed layout) into `out` (row-major output order). */
function floatReduce(fr: FloatReducer, x: StaticArray<f64>, c: Collapsed, out: StaticArray<f64>): void {
  const nd = c.dims.length;
  const P = fr.lanes;
  if (nd == 1) {
    unchecked(out[0] = fr.innerReduce(x, 0, x.length));
    return;
  }
  if (nd == 2 && !c.reduceFirst) {
    const rows = <i32>c.dims[0], cols = <i32>c.dims[1];
    for (let r = 0; r < rows; r++) unchecked(out[r] = fr.innerReduce(x, r * cols, cols));
    return;
  }
  if ((nd == 2 && c.reduceFirst) || (nd == 3 && !c.reduceFirst)) {
    const A = nd == 2 ? 1 : <i32>c.dims[0];
    const B = nd == 2 ? <i32>c.dims[0] : <i32>c.dims[1];
    const C = nd == 2 ? <i32>c.dims[1] : <i32>c.dims[2];
    const total = A * C;
    const done = new StaticArray<bool>(total);
    const acc = new StaticArray<f64>(4 * P);
    for (let g = 0; g + P <= total; g += P) {
      const cc = g % C;
      if (cc + P - 1 >= C) continue;
      const a = g / C;
      const base = a * B * C + cc;
      const init = fr.init();
      for (let k = 0; k < 4 * P; k++) unchecked(acc[k] = init);
      if (B >= 16) {
        const u4 = (B / 4) * 4;
        for (let j = 0; j < u4; j += 4) {
          for (let q = 0; q < 4; q++) {
            const row = base + (j + q) * C;
            for (let l = 0; l < P; l++) unchecked(acc[q * P + l] = fr.vstep(acc[q * P + l], x[row + l]));
          }
        }
        for (let q = 1; q < 4; q++) for (let l = 0; l < P; l++) unchecked(acc[l] = fr.vstep(acc[l], acc[q * P + l]));
        for (let j = u4; j < B; j++) {
          const row = base + j * C;
          for (let l = 0; l < P; l++) unchecked(acc[l] = fr.vstep(acc[l], x[row + l]));
        }
      } else {
        for (let j = 0; j < B; j++) {
          const row = base + j * C;
          for (let l = 0; l < P; l++) unchecked(acc[l] = fr.vstep(acc[l], x[row + l]));
        }
      }
      for (let l = 0; l < P; l++) {
        unchecked(out[g + l] = acc[l]);
        unchecked(done[g + l] = true);
      }
    }
    for (let o = 0; o < total; o++) {
      if (unchecked(done[o])) continue;
      const a = o / C, cc = o % C;
      let s = fr.init();
      for (let j = 0; j < B; j++) s = fr.step(s, unchecked(x[(a * B + j) * C + cc]));
      unchecked(out[o] = s);
    }
    return;
  }
  if (nd == 3 && c.reduceFirst) {
    const A = <i32>c.dims[0], B = <i32>c.dims[1], C = <i32>c.dims[2];
    for (let b = 0; b < B; b++) {
      let s = fr.init();
      for (let k = 0; k < C; k++) for (let i = 0; i < A; i++) s = fr.step(s, unchecked(x[(i * B + b) * C + k]));
      unchecked(out[b] = s);
    }
    return;
  }
  // General: transpose kept runs first, reduced runs last, then reduce rows.
  const keptDims = new Array<i32>(), redDims = new Array<i32>();
  for (let i = 0; i < nd; i++) {
    const isReduced = (i % 2 == 0) == c.reduceFirst;
    if (isReduced) redDims.push(i);
    else keptDims.push(i);
  }
  const dimsArr = new StaticArray<i64>(nd);
  for (let i = 0; i < nd; i++) unchecked(dimsArr[i] = c.dims[i]);
  const strides = stridesOf(dimsArr);
  const perm = keptDims.concat(redDims);
  const n = x.length;
  const t = new StaticArray<f64>(n);
  const pd = new StaticArray<i64>(nd), ps = new StaticArray<i64>(nd);
  for (let i = 0; i < nd; i++) {
    unchecked(pd[i] = dimsArr[perm[i]]);
    unchecked(ps[i] = strides[perm[i]]);
  }
  const idx = new StaticArray<i64>(nd);
  let off: i64 = 0;
  for (let k = 0; k < n; k++) {
    unchecked(t[k] = x[<i32>off]);
    for (let d = nd - 1; d >= 0; d--) {
      const v = unchecked(idx[d]) + 1;
      if (v < unchecked(pd[d])) {
        unchecked(idx[d] = v);
        off += unchecked(ps[d]);
        break;
      }
      off -= unchecked(ps[d]) * unchecked(idx[d]);
      unchecked(idx[d] = 0);
    }
  }
  const rows = out.length;
  const cols = rows == 0 ? 0 : n / rows;
  for (let r = 0; r < rows; r++) unchecked(out[r] = fr.innerReduce(t, r * cols, cols));
}

/** Element i as f64, read through DAZ. */
function loadFloat(t: Tensor, i: i32): f64 {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_FLOAT: return <f64>flush<f32>(load<f32>(p + (<usize>i << 2)));
    case DT_DOUBLE: return flush<f64>(load<f64>(p + (<usize>i << 3)));
    case DT_HALF: return <f64>f16ToF32(load<u16>(p + (<usize>i << 1)));
    case DT_BFLOAT16: return <f64>flush<f32>(bf16ToF32(load<u16>(p + (<usize>i << 1))));
  }
  return 0;
}

function storeFloat(t: Tensor, i: i32, v: f64): void {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_FLOAT: store<f32>(p + (<usize>i << 2), <f32>v); break;
    case DT_DOUBLE: store<f64>(p + (<usize>i << 3), v); break;
    case DT_HALF: store<u16>(p + (<usize>i << 1), f32ToF16Bits(<f32>v)); break;
    case DT_BFLOAT16: store<u16>(p + (<usize>i << 1), f32ToBf16Bits(<f32>v)); break;
  }
}

@inline function isFloatDtype(d: i32): bool {
  return d == DT_FLOAT || d == DT_DOUBLE || d == DT_HALF || d == DT_BFLOAT16;
}

@inline function isUnsigned(d: i32): bool {
  return d == DT_UINT8 || d == DT_UINT16 || d == DT_UINT32 || d == DT_UINT64 || d == DT_BOOL;
}

/** Stores integer `v` (wrapping) as element `i` of `t`. */
function storeInt(t: Tensor, i: i32, v: i64): void {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_INT64: case DT_UINT64: store<i64>(p + (<usize>i << 3), v); break;
    case DT_INT32: case DT_UINT32: store<i32>(p + (<usize>i << 2), <i32>v); break;
    case DT_INT16: case DT_UINT16: store<i16>(p + (<usize>i << 1), <i16>v); break;
    default: store<u8>(p + <usize>i, <u8>v);
  }
}

/** The smallest and largest values of an integer dtype, as i64 bit patterns (uint64 max is -1). */
function intLowest(d: i32): i64 {
  switch (d) {
    case DT_INT8: return -128;
    case DT_INT16: return -32768;
    case DT_INT32: return i32.MIN_VALUE;
    case DT_INT64: return i64.MIN_VALUE;
  }
  return 0;
}

function intHighest(d: i32): i64 {
  switch (d) {
    case DT_INT8: return 127;
    case DT_INT16: return 32767;
    case DT_INT32: return i32.MAX_VALUE;
    case DT_INT64: return i64.MAX_VALUE;
    case DT_UINT8: case DT_BOOL: return 255;
    case DT_UINT16: return 65535;
    case DT_UINT32: return 4294967295;
    case DT_UINT64: return -1;
  }
  return 0;
}

class ReduceKernel extends Kernel {
  op: i32 = SUM;
  dtype: i32 = 0;
  keepDims: bool = false;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]), axesT = unchecked(inputs[1]);
    if (t.dtype != this.dtype) return fail(INVALID_ARGUMENT, this.name + ": input is " + dtypeName(t.dtype) + ", attr T is " + dtypeName(this.dtype));
    if (!isIndexTensor(axesT)) return fail(INVALID_ARGUMENT, this.name + ": reduction_indices must be int32 or int64, got " + dtypeName(axesT.dtype));
    const r = t.rank;
    const reduced = new StaticArray<bool>(r);
    const na = <i32>axesT.numElements;
    for (let i = 0; i < na; i++) {
      const a0 = intElement(axesT, i);
      if (a0 < -<i64>r || a0 >= <i64>r) {
        return fail(INVALID_ARGUMENT, "Invalid reduction dimension (" + a0.toString() + " for input with " + r.toString() + " dimension(s)");
      }
      const a = <i32>(a0 < 0 ? a0 + r : a0);
      if (unchecked(reduced[a])) return fail(INVALID_ARGUMENT, "Invalid reduction arguments: Axes contains duplicate dimension: " + a.toString());
      unchecked(reduced[a] = true);
    }
    const outDims = new Array<i64>();
    let outN: i64 = 1;
    let redN: i64 = 1;
    for (let i = 0; i < r; i++) {
      if (!unchecked(reduced[i])) {
        outDims.push(t.shape[i]);
        outN *= t.shape[i];
      } else {
        redN *= t.shape[i];
        if (this.keepDims) outDims.push(1);
      }
    }
    const shape = StaticArray.fromArray<i64>(outDims);
    const c = collapse(t.shape, reduced);
    const nd = c.dims.length;
    // TF copies the input when nothing is reduced.
    if (nd == 0 || (nd == 1 && !c.reduceFirst)) {
      outputs.push(reshaped(t, shape));
      return OK;
    }
    const d = this.dtype;
    const out = newTensor(d, shape);
    if (out == null) return errorCode();
    const n = <i32>outN;
    if (outN == 0) {
      outputs.push(out);
      return OK;
    }
    if (t.numElements == 0) {
      this.fillIdentity(out, n);
      outputs.push(out);
      return OK;
    }
    if (isFloatDtype(d)) {
      if (this.runFloat(t, c, out, redN) != OK) return errorCode();
    } else this.runInt(t, reduced, out, redN);
    outputs.push(out);
    return OK;
  }

  fillIdentity(out: Tensor, n: i32): void {
    const d = this.dtype, op = this.op;
    for (let i = 0; i < n; i++) {
      if (isFloatDtype(d)) {
        const v: f64 = op == PROD ? 1 : op == MAX ? -Infinity : op == MIN ? Infinity : op == MEAN ? NaN : 0;
        storeFloat(out, i, v);
      } else if (op == ALL) storeInt(out, i, 1);
      else if (op == ANY) storeInt(out, i, 0);
      else if (op == PROD) storeInt(out, i, 1);
      else if (op == MAX) storeInt(out, i, intLowest(d));
      else if (op == MIN) storeInt(out, i, intHighest(d));
      else storeInt(out, i, 0);
    }
  }

  runFloat(t: Tensor, c: Collapsed, out: Tensor, count: i64): i32 {
    const d = this.dtype;
    const fr = new FloatReducer();
    fr.op = this.op == MEAN ? SUM : this.op;
    // bfloat16 sums (and means) run in float32 (TF's casting specialization).
    const viaF32 = d == DT_BFLOAT16 && (this.op == SUM || this.op == MEAN);
    fr.dtype = viaF32 ? DT_FLOAT : d;
    fr.lanes = fr.dtype == DT_DOUBLE ? 4 : 8;
    // Eigen's tree leaves: 200 packets for float16 sums, 128 for bfloat16, else 1024.
    fr.leaf = this.op == PROD ? 1024 : fr.dtype == DT_HALF ? 200 : fr.dtype == DT_BFLOAT16 ? 128 : 1024;
    // The values are copied to f64 (twice for the general transposed layout).
    if (!scratchOk(t.numElements * (c.dims.length > 3 ? 2 : 1) + out.numElements, 8, this.name + " over " + t.numElements.toString() +
      " values")) return errorCode();
    const res = new StaticArray<f64>(<i32>out.numElements);
    // float32 sums take the SIMD path (same order, same bits) unless a result is NaN.
    if (!(d == DT_FLOAT && fr.op == SUM && sumF32(t.dataPtr, c.dims, c.reduceFirst, res))) {
      const n = <i32>t.numElements;
      const x = new StaticArray<f64>(n);
      // bfloat16 Max/Min return their operands' own bits (comparisons alone see DAZ).
      const raw = d == DT_BFLOAT16 && (this.op == MAX || this.op == MIN);
      for (let i = 0; i < n; i++) unchecked(x[i] = raw ? <f64>bf16ToF32(load<u16>(t.dataPtr + (<usize>i << 1))) : loadFloat(t, i));
      floatReduce(fr, x, c, res);
    }
    for (let i = 0; i < res.length; i++) {
      let v = unchecked(res[i]);
      if (this.op == MEAN) {
        // Divide in the dtype: float16 divides by half(count), which rounds large counts.
        const cnt = rnd(<f64>count, fr.dtype);
        v = rnd(v / cnt, fr.dtype);
      }
      storeFloat(out, i, v);
    }
    // bfloat16 sums and means are cast back by Eigen in packets of 8 (NaN -> 0x7fc0), the rest
    // by scalar code (NaN keeps its sign).
    if (viaF32) {
      for (let i = 0; i < (res.length / 8) * 8; i++) {
        const b = load<u16>(out.dataPtr + (<usize>i << 1));
        if ((b & 0x7fff) > 0x7f80) store<u16>(out.dataPtr + (<usize>i << 1), 0x7fc0);
      }
    }
    return OK;
  }

  runInt(t: Tensor, reduced: StaticArray<bool>, out: Tensor, count: i64): void {
    const d = this.dtype, op = this.op;
    const r = t.rank;
    const n = <i32>out.numElements;
    const unsigned = isUnsigned(d);
    const acc = new StaticArray<i64>(n);
    const init: i64 = op == PROD || op == ALL ? 1 : op == MAX ? intLowest(d) : op == MIN ? intHighest(d) : 0;
    for (let i = 0; i < n; i++) unchecked(acc[i] = init);
    // Output strides (0 along reduced dims), walking the input in order.
    const os = new StaticArray<i64>(r);
    let s: i64 = 1;
    for (let i = r - 1; i >= 0; i--) {
      if (unchecked(reduced[i])) unchecked(os[i] = 0);
      else {
        unchecked(os[i] = s);
        s *= t.shape[i];
      }
    }
    const idx = new StaticArray<i64>(r);
    let o: i64 = 0;
    const total = <i32>t.numElements;
    for (let k = 0; k < total; k++) {
      const v = intElement(t, k);
      const j = <i32>o;
      const a = unchecked(acc[j]);
      let nv: i64;
      switch (op) {
        case PROD: nv = a * v; break;
        case MAX: nv = unsigned ? (<u64>v > <u64>a ? v : a) : (v > a ? v : a); break;
        case MIN: nv = unsigned ? (<u64>v < <u64>a ? v : a) : (v < a ? v : a); break;
        case ALL: nv = a != 0 && v != 0 ? 1 : 0; break;
        case ANY: nv = a != 0 || v != 0 ? 1 : 0; break;
        default: nv = a + v;
      }
      unchecked(acc[j] = nv);
      for (let dd = r - 1; dd >= 0; dd--) {
        const nvv = unchecked(idx[dd]) + 1;
        if (nvv < t.shape[dd]) {
          unchecked(idx[dd] = nvv);
          o += unchecked(os[dd]);
          break;
        }
        o -= unchecked(os[dd]) * unchecked(idx[dd]);
        unchecked(idx[dd] = 0);
      }
    }
    for (let i = 0; i < n; i++) {
      let v = unchecked(acc[i]);
      if (op == MEAN) v = unsigned ? <i64>(<u64>v / <u64>count) : v / count;
      storeInt(out, i, v);
    }
  }
}

/** Sum, Mean, Prod, Max, Min (attr T), All, Any (bool); inputs input, reduction_indices; attr keep_dims. */
export function makeReduce(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  const k = new ReduceKernel();
  const name = ins.kernel;
  k.op = name == "Sum" ? SUM : name == "Mean" ? MEAN : name == "Prod" ? PROD : name == "Max" ? MAX : name == "Min" ? MIN : name == "All" ? ALL : ANY;
  if (k.op == ALL || k.op == ANY) k.dtype = DT_BOOL;
  else {
    const d = dtypeAttr(ins, "T", REAL_NUMBER_DTYPES);
    if (d < 0) return null;
    k.dtype = d;
  }
  k.keepDims = ins.attrs.boolOr("keep_dims", false);
  return k;
}

/** Kernel names makeReduce handles. */
export const REDUCE_KERNELS: string[] = ["Sum", "Mean", "Prod", "Max", "Min", "All", "Any"];
