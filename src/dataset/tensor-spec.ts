/**
 * `TensorSpec`: the type of one element component, as TF's `tf.TensorSpec` (shape with `null`
 * for unknown dims, a dtype, an optional name).
 */
import { DType, dtypeName } from "../core/dtype.js";
import { TfDataError } from "../core/errors.js";
import type { ComponentSpec } from "../graph/component-spec.js";

/** A TF dtype given by number (`DType.int64`) or by TF's name (`"int64"`). */
export type DTypeLike = DType | keyof typeof DType;

/** Resolves a `DTypeLike` to its DataType number; `what` names the argument for the error. */
export function toDType(d: DTypeLike, what: string): DType {
  if (typeof d === "string") {
    if (Object.prototype.hasOwnProperty.call(DType, d)) return DType[d];
  } else if ((Object.values(DType) as number[]).includes(d)) {
    return d;
  }
  throw new TfDataError("InvalidArgument", `${what} must be a TF dtype (e.g. "int64", DType.int32), got ${String(d)}`);
}

/** The type of one tensor component of a dataset element. */
export class TensorSpec {
  /** Dims (`null` = unknown dim), or `null` for unknown rank. */
  readonly shape: readonly (number | null)[] | null;
  /** TF DataType number. */
  readonly dtype: DType;
  /** TF's optional spec name. */
  readonly name: string | null;

  constructor(shape: readonly (number | null)[] | null, dtype: DTypeLike = DType.float32, name: string | null = null) {
    this.shape = shape === null ? null : Object.freeze([...shape]);
    this.dtype = toDType(dtype, "TensorSpec dtype");
    this.name = name;
  }

  /** The spec of a graph component (`-1` dims become `null`). */
  static fromComponent(c: ComponentSpec): TensorSpec {
    return new TensorSpec(c.shape === null ? null : c.shape.map((d) => (d < 0 ? null : d)), c.dtype);
  }

  /** The graph component spec (`null` dims become `-1`). */
  toComponent(): ComponentSpec {
    return { dtype: this.dtype, shape: this.shape === null ? null : this.shape.map((d) => d ?? -1) };
  }

  /** TF's dtype name (`int64`). */
  get dtypeName(): string {
    return dtypeName(this.dtype);
  }

  /** Whether both specs have the same dtype, shape and name. */
  equals(other: TensorSpec): boolean {
    const a = this.shape, b = other.shape;
    const sameShape = a === null || b === null ? a === b : a.length === b.length && a.every((d, i) => d === b[i]);
    return this.dtype === other.dtype && sameShape && this.name === other.name;
  }

  /** `TensorSpec(shape=(None,), dtype=tf.int64, name=None)`, as TF prints it. */
  toString(): string {
    const s = this.shape;
    const shape = s === null ? "<unknown>"
      : s.length === 1 ? `(${s[0] ?? "None"},)` : `(${s.map((d) => d ?? "None").join(", ")})`;
    return `TensorSpec(shape=${shape}, dtype=tf.${this.dtypeName}, name=${this.name === null ? "None" : `'${this.name}'`})`;
  }
}
