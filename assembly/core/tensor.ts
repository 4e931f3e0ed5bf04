// A tensor in linear memory. Fixed-width dtypes keep their row-major little-endian buffer in
// `data`; DT_STRING keeps all strings concatenated in `data` with `offsets[i]..offsets[i+1]`
// bounding string i; DT_VARIANT keeps one object per element in `variants`.
import { DT_STRING, DT_VARIANT, dtypeName, dtypeSize, dtypeSupported } from "./dtype";
import { checkAlloc, fitsAlloc } from "./limits";
import { fail, INVALID_ARGUMENT, UNIMPLEMENTED } from "./status";

/** The payload of one DT_VARIANT element (subclassed per variant type). */
export class VariantValue {
  /** TF's type name of the variant (`tensorflow.data.CompressedElement`). */
  typeName(): string {
    return "";
  }
}

/** Largest number of elements of one tensor (bounded further by the byte caps). */
export const MAX_ELEMENTS: i64 = 1 << 40;

export class Tensor {
  dtype: i32;
  shape: StaticArray<i64>;
  numElements: i64;
  data: ArrayBuffer;
  offsets: StaticArray<u32> | null = null;
  variants: StaticArray<VariantValue | null> | null = null;

  constructor(dtype: i32, shape: StaticArray<i64>, numElements: i64, data: ArrayBuffer) {
    this.dtype = dtype;
    this.shape = shape;
    this.numElements = numElements;
    this.data = data;
  }

  get rank(): i32 {
    return this.shape.length;
  }

  /** Address of the data buffer in linear memory. */
  get dataPtr(): usize {
    return changetype<usize>(this.data);
  }

  /** Byte length of the data buffer. */
  get byteLength(): i32 {
    return this.data.byteLength;
  }

  /** Bytes of string `i` (DT_STRING). */
  stringPtr(i: i32): usize {
    return changetype<usize>(this.data) + <usize>unchecked(this.offsets![i]);
  }

  stringLen(i: i32): u32 {
    const offs = this.offsets!;
    return unchecked(offs[i + 1]) - unchecked(offs[i]);
  }
}

/** Product of the dims, or -1 (with an error recorded) when a dim is negative or it overflows. */
export function numElementsOf(shape: StaticArray<i64>): i64 {
  let n: i64 = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = unchecked(shape[i]);
    if (d < 0) {
      fail(INVALID_ARGUMENT, "tensor shape " + shapeString(shape) + " has a negative dimension; shapes of values must be fully defined");
      return -1;
    }
    if (d != 0 && n > MAX_ELEMENTS / d) {
      fail(INVALID_ARGUMENT, "tensor shape " + shapeString(shape) + " has more than " + MAX_ELEMENTS.toString() + " elements");
      return -1;
    }
    n *= d;
  }
  return n;
}

/** `[2, 3]` style rendering of a shape, as TF prints it in messages. */
export function shapeString(shape: StaticArray<i64>): string {
  let s = "[";
  for (let i = 0; i < shape.length; i++) {
    if (i > 0) s += ",";
    s += unchecked(shape[i]).toString();
  }
  return s + "]";
}

/** True when both shapes have the same rank and dims. */
export function sameShape(a: StaticArray<i64>, b: StaticArray<i64>): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}

/**
 * Allocates a fixed-width tensor of `shape` (zero-filled), or a string tensor whose `data` holds
 * `stringBytes` bytes with offsets all zero, or a variant tensor of null values. Null (with an
 * error recorded) when the dtype is unsupported or the sizes pass the limits.
 */
export function allocTensor(dtype: i32, shape: StaticArray<i64>, stringBytes: u64 = 0): Tensor | null {
  if (!dtypeSupported(dtype)) {
    fail(UNIMPLEMENTED, "tensors of dtype " + dtypeName(dtype) + " are not supported by the core");
    return null;
  }
  const n = numElementsOf(shape);
  if (n < 0) return null;
  if (dtype == DT_STRING) {
    // fitsAlloc first: the message is only built when the allocation is refused.
    if (!fitsAlloc(<u64>n * 4 + 4 + stringBytes) && !checkAlloc(<u64>n * 4 + 4 + stringBytes, "a string tensor of shape " + shapeString(shape))) return null;
    const t = new Tensor(dtype, shape, n, new ArrayBuffer(<i32>stringBytes));
    t.offsets = new StaticArray<u32>(<i32>n + 1);
    return t;
  }
  if (dtype == DT_VARIANT) {
    if (!fitsAlloc(<u64>n * 4) && !checkAlloc(<u64>n * 4, "a variant tensor of shape " + shapeString(shape))) return null;
    const t = new Tensor(dtype, shape, n, new ArrayBuffer(0));
    t.variants = new StaticArray<VariantValue | null>(<i32>n);
    return t;
  }
  const bytes = <u64>n * <u64>dtypeSize(dtype);
  if (!fitsAlloc(bytes) && !checkAlloc(bytes, "a " + dtypeName(dtype) + " tensor of shape " + shapeString(shape))) return null;
  return new Tensor(dtype, shape, n, new ArrayBuffer(<i32>bytes));
}

const SCALAR_SHAPE = new StaticArray<i64>(0);

/** The rank-0 shape, shared (shapes are never mutated after a tensor is made). */
export function scalarShape(): StaticArray<i64> {
  return SCALAR_SHAPE;
}
