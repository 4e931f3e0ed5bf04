// Generic elementwise loops. An op is a small @final class whose @inline `apply<T>` the loops call,
// so every (op, dtype) pair compiles to its own tight loop over linear memory. Binary loops have fast
// paths for equal shapes and for a single-element operand; other broadcasts walk rows (see
// broadcast.ts), each row being one of those fast loops.
import { Tensor } from "../core/tensor";
import { geometry, Geometry, rowOffsets } from "./broadcast";

/** One row: `n` outputs from operands that advance (`sa`/`sb` true) or repeat their first element. */
@inline function binaryRow<T, R, Op>(op: Op, pa: usize, sa: bool, pb: usize, sb: bool, po: usize, n: i32): void {
  // Operands pass op.pre and results op.post: DAZ/FTZ for most ops (see math-ops.ts, denormal.ts).
  if (sa && sb) {
    for (let i = 0; i < n; i++) {
      const x = op.pre<T>(load<T>(pa + <usize>i * sizeof<T>())), y = op.pre<T>(load<T>(pb + <usize>i * sizeof<T>()));
      store<R>(po + <usize>i * sizeof<R>(), op.post<R>(<R>op.apply<T>(x, y)));
    }
  } else if (sb) {
    const x = op.pre<T>(load<T>(pa));
    for (let i = 0; i < n; i++) {
      store<R>(po + <usize>i * sizeof<R>(), op.post<R>(<R>op.apply<T>(x, op.pre<T>(load<T>(pb + <usize>i * sizeof<T>())))));
    }
  } else if (sa) {
    const y = op.pre<T>(load<T>(pb));
    for (let i = 0; i < n; i++) {
      store<R>(po + <usize>i * sizeof<R>(), op.post<R>(<R>op.apply<T>(op.pre<T>(load<T>(pa + <usize>i * sizeof<T>())), y)));
    }
  } else {
    const v = op.post<R>(<R>op.apply<T>(op.pre<T>(load<T>(pa)), op.pre<T>(load<T>(pb))));
    for (let i = 0; i < n; i++) store<R>(po + <usize>i * sizeof<R>(), v);
  }
}

/**
 * `out = op(a, b)` with broadcasting; `out` already has the broadcast shape. T is the operands'
 * element type, R the output's.
 */
export function binaryLoop<T, R, Op>(op: Op, a: Tensor, b: Tensor, out: Tensor): void {
  const n = out.numElements;
  if (n == 0) return;
  const na = a.numElements, nb = b.numElements;
  const pa = a.dataPtr, pb = b.dataPtr, po = out.dataPtr;
  if (na == n && nb == n) {
    binaryRow<T, R, Op>(op, pa, true, pb, true, po, <i32>n);
    return;
  }
  if (na == 1 && nb == n) {
    binaryRow<T, R, Op>(op, pa, false, pb, true, po, <i32>n);
    return;
  }
  if (nb == 1 && na == n) {
    binaryRow<T, R, Op>(op, pa, true, pb, false, po, <i32>n);
    return;
  }
  const shapes = new Array<StaticArray<i64>>(2);
  unchecked(shapes[0] = a.shape);
  unchecked(shapes[1] = b.shape);
  const g = geometry(shapes, out.shape);
  binaryRows<T, R, Op>(op, g, pa, pb, po);
}

/** The general broadcast walk of `binaryLoop`. */
function binaryRows<T, R, Op>(op: Op, g: Geometry, pa: usize, pb: usize, po: usize): void {
  const inner = g.inner;
  const rows = <i32>g.rows;
  const sa = g.innerStep(0), sb = g.innerStep(1);
  const offs = rowOffsets(g);
  for (let r = 0; r < rows; r++) {
    const oa = <usize>unchecked(offs[2 * r]), ob = <usize>unchecked(offs[2 * r + 1]);
    binaryRow<T, R, Op>(op, pa + oa * sizeof<T>(), sa, pb + ob * sizeof<T>(), sb, po + <usize>r * <usize>inner * sizeof<R>(), inner);
  }
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
