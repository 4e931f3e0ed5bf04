// Row access along a tensor's leading axis, for the dataset ops that slice or regroup elements
// (TensorSliceDataset, unbatch, rebatch, padded batch). A "row" of a `[n, ...rest]` tensor is the
// `rest`-shaped tensor at index i of the leading axis.
import { DT_STRING, DT_VARIANT, dtypeSize } from "../core/dtype";
import { fail, INVALID_ARGUMENT } from "../core/status";
import { allocTensor, shapeString, Tensor, VariantValue } from "../core/tensor";

/** The shape of one row of `t` (its shape without the leading dim). */
export function rowShape(t: Tensor): StaticArray<i64> {
  const rank = t.shape.length;
  const out = new StaticArray<i64>(rank - 1);
  for (let d = 1; d < rank; d++) unchecked(out[d - 1] = t.shape[d]);
  return out;
}

/** Number of scalar elements of one row of `t`. */
export function rowElements(t: Tensor): i64 {
  const n = unchecked(t.shape[0]);
  return n == 0 ? productOfRest(t) : t.numElements / n;
}

function productOfRest(t: Tensor): i64 {
  let p: i64 = 1;
  for (let d = 1; d < t.shape.length; d++) p *= unchecked(t.shape[d]);
  return p;
}

/**
 * Rows `start .. start+count` of `t` (rank >= 1) as one tensor of shape `[count, ...rest]`, or,
 * with `squeeze`, row `start` alone (shape `rest`). Null with an error recorded on allocation failure.
 */
export function sliceRows(t: Tensor, start: i64, count: i64, squeeze: bool): Tensor | null {
  const rest = rowShape(t);
  let shape: StaticArray<i64>;
  if (squeeze) shape = rest;
  else {
    shape = new StaticArray<i64>(rest.length + 1);
    unchecked(shape[0] = count);
    for (let d = 0; d < rest.length; d++) unchecked(shape[d + 1] = rest[d]);
  }
  const per = rowElements(t);
  const first = <i32>(start * per);
  const n = <i32>(count * per);
  if (t.dtype == DT_STRING) {
    const offs = t.offsets!;
    const lo = unchecked(offs[first]);
    const hi = unchecked(offs[first + n]);
    const out = allocTensor(DT_STRING, shape, <u64>(hi - lo));
    if (out == null) return null;
    const oo = out.offsets!;
    for (let i = 0; i <= n; i++) unchecked(oo[i] = offs[first + i] - lo);
    memory.copy(out.dataPtr, t.dataPtr + <usize>lo, <usize>(hi - lo));
    return out;
  }
  const out = allocTensor(t.dtype, shape);
  if (out == null) return null;
  if (t.dtype == DT_VARIANT) {
    const src = t.variants!;
    const dst = out.variants!;
    for (let i = 0; i < n; i++) unchecked(dst[i] = src[first + i]);
    return out;
  }
  const size = <usize>dtypeSize(t.dtype);
  memory.copy(out.dataPtr, t.dataPtr + <usize>first * size, <usize>n * size);
  return out;
}

/**
 * Checks that every tensor of `comps` has rank >= 1 and the same leading dim; returns it, or -1
 * with an error recorded (`what` names the op in TF's words).
 */
export function commonLeadingDim(comps: Array<Tensor>, what: string): i64 {
  let n: i64 = -1;
  for (let i = 0; i < comps.length; i++) {
    const t = unchecked(comps[i]);
    if (t.shape.length == 0) {
      fail(INVALID_ARGUMENT, what + ": component " + i.toString() + " is a scalar; it needs rank >= 1 to be sliced");
      return -1;
    }
    const d = unchecked(t.shape[0]);
    if (n < 0) n = d;
    else if (d != n) {
      fail(INVALID_ARGUMENT, what + ": components have different leading dimensions (" + n.toString() + " and " +
        d.toString() + " in shape " + shapeString(t.shape) + ")");
      return -1;
    }
  }
  return n < 0 ? 0 : n;
}

/** Concatenates rows of tensors with equal dtype and row shape along the leading axis. */
export function concatRows(parts: Array<Tensor>, rows: i64): Tensor | null {
  const first = parts[0];
  const rest = rowShape(first);
  const shape = new StaticArray<i64>(rest.length + 1);
  unchecked(shape[0] = rows);
  for (let d = 0; d < rest.length; d++) unchecked(shape[d + 1] = rest[d]);
  let stringBytes: u64 = 0;
  if (first.dtype == DT_STRING) for (let i = 0; i < parts.length; i++) stringBytes += <u64>unchecked(parts[i]).byteLength;
  const out = allocTensor(first.dtype, shape, stringBytes);
  if (out == null) return null;
  if (first.dtype == DT_VARIANT) {
    const dst = out.variants!;
    let k = 0;
    for (let i = 0; i < parts.length; i++) {
      const src: StaticArray<VariantValue | null> = unchecked(parts[i]).variants!;
      for (let j = 0; j < src.length; j++) unchecked(dst[k++] = src[j]);
    }
    return out;
  }
  if (first.dtype == DT_STRING) {
    const oo = out.offsets!;
    let k = 0;
    let base: u32 = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = unchecked(parts[i]);
      const po = p.offsets!;
      const n = <i32>p.numElements;
      for (let j = 0; j < n; j++) unchecked(oo[k++] = base + po[j]);
      base += <u32>p.byteLength;
    }
    unchecked(oo[k] = base);
  }
  let dst = out.dataPtr;
  for (let i = 0; i < parts.length; i++) {
    const p = unchecked(parts[i]);
    memory.copy(dst, p.dataPtr, <usize>p.byteLength);
    dst += <usize>p.byteLength;
  }
  return out;
}
