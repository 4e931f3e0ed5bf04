/**
 * The type of one element component as a dataset node declares it in its `output_types` /
 * `output_shapes` attrs. Elements are flat component lists at this layer; nesting (tuples,
 * dicts) lives in `src/dataset`.
 */
import { DType, dtypeName } from "../core/dtype.js";
import type { PlanShape } from "../core/plan.js";

/** One component: dtype and shape (`-1` = unknown dim, `null` = unknown rank). */
export interface ComponentSpec {
  readonly dtype: DType;
  readonly shape: PlanShape;
}

const KNOWN_DTYPES: ReadonlySet<number> = new Set(Object.values(DType));

/** Whether `n` is a DataType number our core knows. */
export function isKnownDType(n: number): n is DType {
  return KNOWN_DTYPES.has(n);
}

/** The real numeric dtypes (what `RangeDataset` can produce). */
export const NUMERIC_DTYPES: readonly DType[] = [
  DType.int8, DType.int16, DType.int32, DType.int64,
  DType.uint8, DType.uint16, DType.uint32, DType.uint64,
  DType.float16, DType.bfloat16, DType.float32, DType.float64,
];

/** TF-style text of a shape: `()`, `(3,)`, `(None, 2)`, `<unknown>`. */
export function formatShape(shape: PlanShape): string {
  if (shape === null) return "<unknown>";
  const dims = shape.map((d) => (d < 0 ? "None" : String(d)));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

/** `int64 ()`, `float32 (None, 3)`: for error messages. */
export function formatSpec(spec: readonly ComponentSpec[]): string {
  return "[" + spec.map((c) => `${dtypeName(c.dtype)} ${formatShape(c.shape)}`).join(", ") + "]";
}

/** Whether two shapes are identical (unknown dims compare equal only to unknown dims). */
export function sameShape(a: PlanShape, b: PlanShape): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Whether shape `b` is compatible with `a` (TF's TensorShape.is_compatible_with). */
export function compatibleShape(a: PlanShape, b: PlanShape): boolean {
  if (a === null || b === null) return true;
  return a.length === b.length && a.every((d, i) => d < 0 || b[i] < 0 || d === b[i]);
}

/** Whether two element specs have the same dtypes and compatible shapes. */
export function compatibleSpec(a: readonly ComponentSpec[], b: readonly ComponentSpec[]): boolean {
  return a.length === b.length && a.every((c, i) => c.dtype === b[i].dtype && compatibleShape(c.shape, b[i].shape));
}
