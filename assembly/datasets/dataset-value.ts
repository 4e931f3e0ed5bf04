// A dataset as a tensor value: TF passes datasets between ops as scalar DT_VARIANT tensors
// (`DatasetVariantWrapper`). Functions of flat_map / interleave return one; `window` elements and
// function arguments can hold them too.
import { DT_VARIANT, dtypeName } from "../core/dtype";
import { fail, INVALID_ARGUMENT } from "../core/status";
import { allocTensor, scalarShape, shapeString, Tensor, VariantValue } from "../core/tensor";
import { Dataset } from "./dataset";

/** The payload of a variant tensor holding a dataset. */
export class DatasetValue extends VariantValue {
  constructor(public dataset: Dataset) {
    super();
  }

  typeName(): string {
    return "tensorflow::DatasetVariantWrapper";
  }
}

/** A scalar variant tensor holding `ds`; null (error recorded) if it cannot be allocated. */
export function datasetTensor(ds: Dataset): Tensor | null {
  const t = allocTensor(DT_VARIANT, scalarShape());
  if (t == null) return null;
  unchecked(t.variants![0] = new DatasetValue(ds));
  return t;
}

/** The dataset a scalar variant tensor holds; null (error recorded naming `what`) otherwise. */
export function datasetOf(t: Tensor, what: string): Dataset | null {
  if (t.dtype != DT_VARIANT || t.rank != 0) {
    fail(INVALID_ARGUMENT, what + " must be a dataset (a scalar variant), got a " + dtypeName(t.dtype) + " tensor of shape " +
      shapeString(t.shape));
    return null;
  }
  const v = t.variants![0];
  if (v == null || !(v instanceof DatasetValue)) {
    fail(INVALID_ARGUMENT, what + " must be a dataset, but the variant holds " + (v == null ? "nothing" : v.typeName()));
    return null;
  }
  return changetype<DatasetValue>(v).dataset;
}
