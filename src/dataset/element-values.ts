/**
 * Conversion of the core's component tensors to element values: scalars become plain JS values,
 * higher ranks stay `Tensor`s. The values are copies owned by the caller.
 */
import { DType } from "../core/dtype.js";
import { Tensor } from "../core/tensor.js";
import type { ComponentValue } from "./structure.js";

/** The value of one component (see `ComponentValue` for the mapping). */
export function componentValue(t: Tensor): ComponentValue {
  if (t.shape.length !== 0) return t;
  // Strings and variants are bytes in TF; decoding them as text could lose data.
  if (t.dtype === DType.string || t.dtype === DType.variant) return (t.data as readonly Uint8Array[])[0];
  return t.toJS() as ComponentValue;
}
