// Numpy/TF broadcasting geometry for elementwise kernels over up to three operands. The output is
// walked as rows of the innermost (collapsed) dimension; each operand advances by its own strides
// (0 along broadcast dimensions), so kernels run tight loops over each row.
import { shapeString } from "../core/tensor";

/** The broadcast shape of `a` and `b`, or null when incompatible (numpy rules). */
export function broadcastShape(a: StaticArray<i64>, b: StaticArray<i64>): StaticArray<i64> | null {
  const ra = a.length, rb = b.length;
  const r = ra > rb ? ra : rb;
  const out = new StaticArray<i64>(r);
  for (let i = 0; i < r; i++) {
    const da: i64 = i < r - ra ? 1 : unchecked(a[i - (r - ra)]);
    const db: i64 = i < r - rb ? 1 : unchecked(b[i - (r - rb)]);
    if (da == db || db == 1) unchecked(out[i] = da);
    else if (da == 1) unchecked(out[i] = db);
    else return null;
  }
  return out;
}

/** TF's message for shapes that do not broadcast. */
export function incompatibleShapes(a: StaticArray<i64>, b: StaticArray<i64>): string {
  return "Incompatible shapes: " + shapeString(a) + " vs. " + shapeString(b);
}

/** Row-major element strides of `shape`. */
export function stridesOf(shape: StaticArray<i64>): StaticArray<i64> {
  const r = shape.length;
  const s = new StaticArray<i64>(r);
  let acc: i64 = 1;
  for (let i = r - 1; i >= 0; i--) {
    unchecked(s[i] = acc);
    acc *= unchecked(shape[i]);
  }
  return s;
}

/**
 * How to walk an output of `total` elements: `rank` collapsed dims (>= 1), and per operand the
 * element stride along each dim (0 where it broadcasts). The innermost stride of an operand is
 * 0 or 1.
 */
export class Geometry {
  rank: i32 = 1;
  total: i64 = 0;
  dims: StaticArray<i64> = new StaticArray<i64>(1);
  strides: Array<StaticArray<i64>> = new Array<StaticArray<i64>>();

  /** Innermost row length. */
  @inline get inner(): i32 {
    return <i32>unchecked(this.dims[this.rank - 1]);
  }

  /** Whether operand `k` advances along rows (stride 1) or repeats one element (stride 0). */
  @inline innerStep(k: i32): bool {
    return unchecked(unchecked(this.strides[k])[this.rank - 1]) != 0;
  }

  /** Number of rows. */
  @inline get rows(): i64 {
    const n = this.inner;
    return n == 0 ? 0 : this.total / n;
  }
}

/**
 * The walk of `out` for operands of `shapes` (each broadcastable to `out`, which the caller
 * checked): size-1 output dims are dropped and adjacent dims merged where every operand is
 * contiguous (or broadcast) across both.
 */
export function geometry(shapes: Array<StaticArray<i64>>, out: StaticArray<i64>): Geometry {
  const g = new Geometry();
  const r = out.length;
  const k = shapes.length;
  let total: i64 = 1;
  for (let i = 0; i < r; i++) total *= unchecked(out[i]);
  g.total = total;
  // Per operand strides aligned to the output rank.
  const full = new Array<StaticArray<i64>>(k);
  for (let j = 0; j < k; j++) {
    const s = unchecked(shapes[j]);
    const own = stridesOf(s);
    const st = new StaticArray<i64>(r);
    const off = r - s.length;
    for (let i = 0; i < r; i++) {
      if (i < off) continue;
      const d = unchecked(s[i - off]);
      unchecked(st[i] = d == 1 ? 0 : unchecked(own[i - off]));
    }
    unchecked(full[j] = st);
  }
  const dims = new Array<i64>();
  const strides = new Array<Array<i64>>(k);
  for (let j = 0; j < k; j++) unchecked(strides[j] = new Array<i64>());
  for (let i = 0; i < r; i++) {
    const d = unchecked(out[i]);
    if (d == 1) continue;
    const n = dims.length;
    let merge = n > 0;
    if (merge) {
      for (let j = 0; j < k; j++) {
        const sj = unchecked(strides[j]);
        if (unchecked(sj[n - 1]) != unchecked(unchecked(full[j])[i]) * d) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      unchecked(dims[n - 1] = dims[n - 1] * d);
      for (let j = 0; j < k; j++) {
        const sj = unchecked(strides[j]);
        unchecked(sj[n - 1] = unchecked(unchecked(full[j])[i]));
      }
    } else {
      dims.push(d);
      for (let j = 0; j < k; j++) unchecked(strides[j]).push(unchecked(unchecked(full[j])[i]));
    }
  }
  if (dims.length == 0) {
    dims.push(1);
    for (let j = 0; j < k; j++) unchecked(strides[j]).push(0);
  }
  g.rank = dims.length;
  g.dims = StaticArray.fromArray<i64>(dims);
  for (let j = 0; j < k; j++) g.strides.push(StaticArray.fromArray<i64>(unchecked(strides[j])));
  return g;
}

/**
 * Precomputes the start offset (in elements) of every row for each operand: `offs[row * k + j]`.
 * Used by the generic loops; rows are at most `total / inner` and usually few.
 */
export function rowOffsets(g: Geometry): StaticArray<i32> {
  const k = g.strides.length;
  const rows = <i32>g.rows;
  const offs = new StaticArray<i32>(rows * k);
  if (rows == 0) return offs;
  const r = g.rank;
  const idx = new StaticArray<i64>(r);
  const cur = new StaticArray<i64>(k);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < k; j++) unchecked(offs[row * k + j] = <i32>unchecked(cur[j]));
    for (let d = r - 2; d >= 0; d--) {
      const v = unchecked(idx[d]) + 1;
      const n = unchecked(g.dims[d]);
      if (v < n) {
        unchecked(idx[d] = v);
        for (let j = 0; j < k; j++) unchecked(cur[j] = cur[j] + unchecked(g.strides[j])[d]);
        break;
      }
      unchecked(idx[d] = 0);
      for (let j = 0; j < k; j++) unchecked(cur[j] = cur[j] - unchecked(g.strides[j])[d] * (n - 1));
    }
  }
  return offs;
}
