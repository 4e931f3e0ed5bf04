// Generic elementwise loops. An op is a small @final class whose @inline `apply<T>` the loops call,
// so every (op, dtype) pair compiles to its own tight loop over linear memory. Binary loops have fast
// paths for equal shapes and for a single-element operand; other broadcasts walk rows (see
// broadcast.ts), each row being one of those fast loops.
import { Tensor } from "../core/tensor";
import { geometry, rowOffsets } from "./broadcast";

/** One row (not inlined: one copy per op and dtype keeps the module small): `n` outputs from operands that advance (`sa`/`sb` true) or repeat their first element. */
function binaryRow<T, R, Op>(op: Op, pa: usize, sa: bool, pb: usize, sb: bool, po: usize, n: i32): void {
  // Operands pass op.pre and results op.post: DAZ/FTZ for most ops (see math-ops.ts, denormal.ts).
  let i = 0;
  if (ASC_FEATURE_SIMD && isFloat<T>() && sizeof<T>() == 4 && isFloat<R>() && sizeof<R>() == 4 && isDefined(op.applyF32x4)) {
    // Four float32 lanes at a time; the scalar loops below finish the row.
    if (sa && sb) {
      for (; i + 4 <= n; i += 4) {
        const off = <usize>i << 2;
        v128.store(po + off, op.postV(op.applyF32x4(op.preV(v128.load(pa + off)), op.preV(v128.load(pb + off)))));
      }
    } else if (sb || sa) {
      const c = op.preV(v128.load32_splat(sb ? pa : pb));
      const pv = sb ? pb : pa;
      for (; i + 4 <= n; i += 4) {
        const off = <usize>i << 2;
        const v = op.preV(v128.load(pv + off));
        v128.store(po + off, op.postV(sb ? op.applyF32x4(c, v) : op.applyF32x4(v, c)));
      }
    }
  }
  // Scalar loop: each operand advances by its element size or stays (stride 0).
  const da: usize = sa ? sizeof<T>() : 0, db: usize = sb ? sizeof<T>() : 0;
  let qa = pa + <usize>i * da, qb = pb + <usize>i * db, qo = po + <usize>i * sizeof<R>();
  for (; i < n; i++) {
    store<R>(qo, op.post<R>(<R>op.apply<T>(op.pre<T>(load<T>(qa)), op.pre<T>(load<T>(qb)))));
    qa += da;
    qb += db;
    qo += sizeof<R>();
  }
}

/**
 * How to walk a broadcast binary op as rows: row r reads operand a from element `offA[r]`
 * (advancing when `stepA`), b likewise (from `tiled` instead of b's data when set), and writes
 * `len[r]` outputs from element `offO[r]`. Built by non-generic code so each (op, dtype) pair
 * only compiles the small loop of `binaryLoop`.
 */
class BinaryWalk {
  rows: i32 = 0;
  stepA: bool = true;
  stepB: bool = true;
  offA: StaticArray<i32> = new StaticArray<i32>(0);
  offB: StaticArray<i32> = new StaticArray<i32>(0);
  offO: StaticArray<i32> = new StaticArray<i32>(0);
  len: StaticArray<i32> = new StaticArray<i32>(0);
  /** Replacement data for operand a / b (a tiled block), or 0. */
  ptrA: usize = 0;
  ptrB: usize = 0;
  keep: ArrayBuffer | null = null;
}

function oneRow(w: BinaryWalk, n: i32, stepA: bool, stepB: bool): BinaryWalk {
  w.rows = 1;
  w.stepA = stepA;
  w.stepB = stepB;
  w.offA = new StaticArray<i32>(1);
  w.offB = new StaticArray<i32>(1);
  w.offO = new StaticArray<i32>(1);
  w.len = new StaticArray<i32>(1);
  unchecked(w.len[0] = n);
  return w;
}

/** The walk of `out = op(a, b)`; `size` is the operands' element size in bytes. */
function planBinary(a: Tensor, b: Tensor, out: Tensor, size: i32): BinaryWalk {
  const w = new BinaryWalk();
  const n = <i32>out.numElements;
  const na = a.numElements, nb = b.numElements;
  if (na == n && nb == n) return oneRow(w, n, true, true);
  if (na == 1 && nb == n) return oneRow(w, n, false, true);
  if (nb == 1 && na == n) return oneRow(w, n, true, false);
  // One operand full-size, the other a trailing block that repeats (x[224,224,3] - mean[3]):
  // tile the block into a long row so the loop runs over long contiguous rows.
  const tileA = nb == n && isTrailingBlock(a.shape, out.shape);
  if ((na == n && isTrailingBlock(b.shape, out.shape)) || tileA) {
    const m = <i32>(tileA ? na : nb);
    const reps = m >= TILE_ROW ? 1 : TILE_ROW / m;
    const len = m * reps;
    const row = new ArrayBuffer(len * size);
    const pr = changetype<usize>(row);
    const src = tileA ? a.dataPtr : b.dataPtr;
    for (let r = 0; r < reps; r++) memory.copy(pr + <usize>r * <usize>m * <usize>size, src, <usize>m * <usize>size);
    w.keep = row;
    if (tileA) w.ptrA = pr;
    else w.ptrB = pr;
    const rows = (n + len - 1) / len;
    w.rows = rows;
    w.offA = new StaticArray<i32>(rows);
    w.offB = new StaticArray<i32>(rows);
    w.offO = new StaticArray<i32>(rows);
    w.len = new StaticArray<i32>(rows);
    for (let r = 0; r < rows; r++) {
      const off = r * len;
      unchecked(w.offO[r] = off);
      unchecked(w.len[r] = n - off < len ? n - off : len);
      if (tileA) unchecked(w.offB[r] = off);
      else unchecked(w.offA[r] = off);
    }
    return w;
  }
  const shapes = new Array<StaticArray<i64>>(2);
  unchecked(shapes[0] = a.shape);
  unchecked(shapes[1] = b.shape);
  const g = geometry(shapes, out.shape);
  const inner = g.inner;
  const rows = <i32>g.rows;
  w.rows = rows;
  w.stepA = g.innerStep(0);
  w.stepB = g.innerStep(1);
  const offs = rowOffsets(g);
  w.offA = new StaticArray<i32>(rows);
  w.offB = new StaticArray<i32>(rows);
  w.offO = new StaticArray<i32>(rows);
  w.len = new StaticArray<i32>(rows);
  for (let r = 0; r < rows; r++) {
    unchecked(w.offA[r] = offs[2 * r]);
    unchecked(w.offB[r] = offs[2 * r + 1]);
    unchecked(w.offO[r] = r * inner);
    unchecked(w.len[r] = inner);
  }
  return w;
}

/**
 * `out = op(a, b)` with broadcasting; `out` already has the broadcast shape. T is the operands'
 * element type, R the output's.
 */
export function binaryLoop<T, R, Op>(op: Op, a: Tensor, b: Tensor, out: Tensor): void {
  const n = out.numElements;
  if (n == 0) return;
  const pa = a.dataPtr, pb = b.dataPtr, po = out.dataPtr;
  // Fast paths (no walk object): equal sizes, or one single-element operand.
  const na = a.numElements, nb = b.numElements;
  if (na == n && nb == n) {
    binaryRow<T, R, Op>(op, pa, true, pb, true, po, <i32>n);
    return;
  }
  if ((na == 1 && nb == n) || (nb == 1 && na == n)) {
    binaryRow<T, R, Op>(op, pa, na != 1, pb, nb != 1, po, <i32>n);
    return;
  }
  const w = planBinary(a, b, out, sizeof<T>());
  const ba = w.ptrA != 0 ? w.ptrA : pa, bb = w.ptrB != 0 ? w.ptrB : pb;
  for (let r = 0; r < w.rows; r++) {
    binaryRow<T, R, Op>(op, ba + <usize>unchecked(w.offA[r]) * sizeof<T>(), w.stepA, bb + <usize>unchecked(w.offB[r]) * sizeof<T>(),
      w.stepB, po + <usize>unchecked(w.offO[r]) * sizeof<R>(), unchecked(w.len[r]));
  }
}

/** Elements a tiled block row spans (a multiple of the block). */
const TILE_ROW: i32 = 4096;

/** True when `small`'s elements are the trailing dims of `out` (leading dims 1 or absent). */
function isTrailingBlock(small: StaticArray<i64>, out: StaticArray<i64>): bool {
  const r = out.length, k = small.length;
  if (k > r) return false;
  let i = 0;
  while (i < k && unchecked(small[i]) == 1) i++;
  for (let j = i; j < k; j++) if (unchecked(small[j]) != unchecked(out[r - k + j])) return false;
  return true;
}

/** `out = op(a)` elementwise (operands through op.pre, results op.post); T input, R output type. */
export function unaryLoop<T, R, Op>(op: Op, a: Tensor, out: Tensor): void {
  const n = <i32>out.numElements;
  const pa = a.dataPtr, po = out.dataPtr;
  for (let i = 0; i < n; i++) {
    store<R>(po + <usize>i * sizeof<R>(), op.post<R>(<R>op.apply<T>(op.pre<T>(load<T>(pa + <usize>i * sizeof<T>())))));
  }
}

/**
 * The element index of operand `k` feeding output element `i` under the broadcast of `shapes` to
 * `outShape` (slow; for a handful of elements such as vector-path tails).
 */
export function sourceIndex(shape: StaticArray<i64>, outShape: StaticArray<i64>, i: i64): i64 {
  const r = outShape.length;
  const off = r - shape.length;
  let idx: i64 = 0;
  let stride: i64 = 1;
  let rem = i;
  for (let d = r - 1; d >= 0; d--) {
    const n = unchecked(outShape[d]);
    const q = n == 0 ? 0 : rem / n;
    const c = rem - q * n;
    rem = q;
    if (d >= off) {
      const sd = unchecked(shape[d - off]);
      if (sd != 1) idx += c * stride;
      stride *= sd;
    }
  }
  return idx;
}
