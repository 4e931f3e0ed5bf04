// Stacking tensors of equal dtype and shape along a new leading axis (batch, and later kernels).
import { DT_STRING, DT_VARIANT, dtypeName } from "./dtype";
import { fail, INVALID_ARGUMENT } from "./status";
import { allocTensor, sameShape, shapeString, Tensor } from "./tensor";

/**
 * Stacks `parts` (all of `parts[0]`'s dtype and shape) into one tensor of shape
 * `[parts.length, ...shape]`. `component` names the element component in messages.
 */
export function stack(parts: Array<Tensor>, component: i32): Tensor | null {
  const first = parts[0];
  const dtype = first.dtype;
  let stringBytes: u64 = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = unchecked(parts[i]);
    if (p.dtype != dtype) {
      fail(INVALID_ARGUMENT, "Cannot batch tensors of different dtypes in component " + component.toString() +
        ". First element had dtype " + dtypeName(dtype) + " and element " + i.toString() + " had dtype " + dtypeName(p.dtype) + ".");
      return null;
    }
    if (!sameShape(p.shape, first.shape)) {
      fail(INVALID_ARGUMENT, "Cannot batch tensors with different shapes in component " + component.toString() +
        ". First element had shape " + shapeString(first.shape) + " and element " + i.toString() + " had shape " +
        shapeString(p.shape) + ".");
      return null;
    }
    stringBytes += <u64>p.data.byteLength;
  }
  const rank = first.shape.length;
  const shape = new StaticArray<i64>(rank + 1);
  unchecked(shape[0] = parts.length);
  for (let d = 0; d < rank; d++) unchecked(shape[d + 1] = first.shape[d]);
  const out = allocTensor(dtype, shape, dtype == DT_STRING ? stringBytes : 0);
  if (out == null) return null;
  if (dtype == DT_VARIANT) {
    const vs = out.variants!;
    let k = 0;
    for (let i = 0; i < parts.length; i++) {
      const src = unchecked(parts[i]).variants!;
      for (let j = 0; j < src.length; j++) unchecked(vs[k++] = src[j]);
    }
    return out;
  }
  let dst = out.dataPtr;
  if (dtype == DT_STRING) {
    const offs = out.offsets!;
    let k = 0;
    let base: u32 = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = unchecked(parts[i]);
      const po = p.offsets!;
      const n = <i32>p.numElements;
      for (let j = 0; j < n; j++) unchecked(offs[k++] = base + po[j]);
      base += <u32>p.data.byteLength;
    }
    unchecked(offs[k] = base);
  }
  for (let i = 0; i < parts.length; i++) {
    const p = unchecked(parts[i]);
    const len = <usize>p.data.byteLength;
    memory.copy(dst, p.dataPtr, len);
    dst += len;
  }
  return out;
}
