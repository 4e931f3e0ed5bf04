/**
 * String conversions:
 *
 * | JS                                | TF Python                               | node             |
 * |-----------------------------------|-----------------------------------------|------------------|
 * | `stringToNumber(s, outType?)`     | `tf.strings.to_number(s, out_type)`     | `StringToNumber` |
 * | `asString(x, opts?)`              | `tf.strings.as_string(x, precision=...)`| `AsString`       |
 */
import { DType } from "../../../core/dtype.js";
import { applyOp } from "../apply-op.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import { graphFor, toDType, type DTypeLike, type TensorLike } from "./common.js";

/** `tf.strings.to_number(s, out_type=float32)`. */
export function stringToNumber(s: TensorLike, outType: DTypeLike = DType.float32): SymbolicTensor {
  return applyOp(graphFor(s), "StringToNumber", { inputs: { string_tensor: s }, attrs: { out_type: toDType(outType) } })[0];
}

/** Options of `asString` (TF's keyword arguments; -1 / false / "" are TF's defaults). */
export interface AsStringOptions {
  /** Digits after the point for floats; -1 = shortest C `%g`-style default. */
  readonly precision?: number;
  /** Use scientific notation for floats. */
  readonly scientific?: boolean;
  /** Use the shortest representation for floats. */
  readonly shortest?: boolean;
  /** Pad to this width; -1 = no padding. */
  readonly width?: number;
  /** The padding character ("" = spaces). */
  readonly fill?: string;
}

/** `tf.strings.as_string(x, precision, scientific, shortest, width, fill)`. */
export function asString(x: TensorLike, opts: AsStringOptions = {}): SymbolicTensor {
  const attrs: Record<string, number | boolean | string> = {};
  if (opts.precision !== undefined) attrs.precision = opts.precision;
  if (opts.scientific !== undefined) attrs.scientific = opts.scientific;
  if (opts.shortest !== undefined) attrs.shortest = opts.shortest;
  if (opts.width !== undefined) attrs.width = opts.width;
  if (opts.fill !== undefined) attrs.fill = opts.fill;
  return applyOp(graphFor(x), "AsString", { inputs: { input: x }, attrs })[0];
}
