/**
 * The host-side tensor: a dtype, a shape and the row-major data, outside wasm memory (safe to keep
 * across core calls).
 */
import { DType, dtypeName, dtypeSize } from "./dtype.js";
import { TfDataError } from "./errors.js";
import {
  allocNumeric, flatten, inferShape, setElementFromJS, stringElementFromJS, tensorDataToJS,
  type JSValue, type NumericData, type TensorData,
} from "./js-values.js";

export type { TensorData, NumericData, JSValue } from "./js-values.js";

/** Number of elements of `shape` (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new TfDataError("InvalidArgument", `tensor shape [${shape.join(",")}] must have non-negative integer dims`);
    }
  }
}

/**
 * A tensor. `data` is a typed array for fixed-width dtypes (bool as Uint8Array 0/1, float16 and
 * bfloat16 as Uint16Array raw bits, complex as interleaved re/im floats) or one byte string per
 * element for DT_STRING (and DT_VARIANT: each value serialized, e.g. a CompressedElement proto).
 *
 * Example: `Tensor.fromValues([[1, 2], [3, 4]], DType.int32)`, `Tensor.scalar(5n)`.
 */
export class Tensor {
  /** TF DataType number. */
  readonly dtype: DType;
  /** Dimensions; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Row-major elements. */
  readonly data: TensorData;

  /** Wraps existing data; throws InvalidArgument when its length does not match dtype and shape. */
  constructor(dtype: DType, shape: readonly number[], data: TensorData) {
    checkShape(shape);
    const n = shapeSize(shape);
    if (dtype === DType.string || dtype === DType.variant) {
      if (!Array.isArray(data)) throw new TfDataError("InvalidArgument", `${dtypeName(dtype)} tensor data must be an array of Uint8Array`);
    } else {
      const size = dtypeSize(dtype);
      if (size === 0) throw new TfDataError("Unimplemented", `tensors of dtype ${dtypeName(dtype)} are not supported`);
      if (Array.isArray(data) || !ArrayBuffer.isView(data)) {
        throw new TfDataError("InvalidArgument", `${dtypeName(dtype)} tensor data must be a typed array`);
      }
      const bytes = (data as NumericData).byteLength;
      if (bytes !== n * size) {
        throw new TfDataError("InvalidArgument",
          `${dtypeName(dtype)} tensor of shape [${shape.join(",")}] needs ${n * size} bytes of data, got ${bytes}`);
      }
    }
    if (Array.isArray(data) && data.length !== n) {
      throw new TfDataError("InvalidArgument", `${dtypeName(dtype)} tensor of shape [${shape.join(",")}] needs ${n} elements, got ${data.length}`);
    }
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  /**
   * Wraps data the core produced (consistent by construction) without re-validating it.
   * @internal
   */
  static fromCore(dtype: DType, shape: number[], data: TensorData): Tensor {
    const t = Object.create(Tensor.prototype) as { dtype: DType; shape: readonly number[]; data: TensorData };
    t.dtype = dtype;
    t.shape = shape;
    t.data = data;
    return t as unknown as Tensor;
  }

  /** Number of elements. */
  get size(): number {
    return shapeSize(this.shape);
  }

  /** The rank (number of dims). */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * A scalar. Without `dtype`: bigint -> int64, boolean -> bool, string/Uint8Array -> string,
   * number -> float32 (as in TF.js; pass a dtype for integers).
   */
  static scalar(value: number | bigint | boolean | string | Uint8Array | { re: number; im: number }, dtype?: DType): Tensor {
    return Tensor.fromValues(value, dtype ?? defaultDType(value), []);
  }

  /**
   * A tensor from nested arrays (shape inferred) or from a flat array with an explicit `shape`.
   * Example: `Tensor.fromValues([1n, 2n, 3n], DType.int64)`, `Tensor.fromValues([1, 2, 3, 4], DType.float32, [2, 2])`.
   */
  static fromValues(values: unknown, dtype: DType, shape?: readonly number[]): Tensor {
    let flat: unknown[];
    let sh: number[];
    if (shape !== undefined) {
      checkShape(shape);
      sh = [...shape];
      const n = shapeSize(sh);
      if (Array.isArray(values) && values.length === n && !values.some(Array.isArray)) flat = values;
      else if (!Array.isArray(values) && sh.length === 0) flat = [values];
      else flat = flatten(values, sh);
    } else {
      sh = inferShape(values);
      flat = flatten(values, sh);
    }
    if (dtype === DType.string || dtype === DType.variant) {
      return new Tensor(dtype, sh, flat.map(stringElementFromJS));
    }
    const data = allocNumeric(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) setElementFromJS(dtype, data, i, flat[i]);
    return new Tensor(dtype, sh, data);
  }

  /** Plain JS values (see js-values.ts): scalar for rank 0, nested arrays otherwise. */
  toJS(): JSValue {
    return tensorDataToJS(this.dtype, this.shape, this.data);
  }

  /** `int64[2,3]` style summary. */
  toString(): string {
    return `${dtypeName(this.dtype)}[${this.shape.join(",")}]`;
  }
}

function defaultDType(value: unknown): DType {
  if (typeof value === "bigint") return DType.int64;
  if (typeof value === "boolean") return DType.bool;
  if (typeof value === "string" || value instanceof Uint8Array) return DType.string;
  if (typeof value === "object" && value !== null) return DType.complex128;
  return DType.float32;
}
