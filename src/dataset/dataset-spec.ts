/**
 * `DatasetSpec`: the type of an element component that is itself a dataset (TF's
 * `tf.data.DatasetSpec`), as `window` produces. In graphs such a component is a scalar DT_VARIANT,
 * so it is a `TensorSpec` of that type, carrying the inner dataset's element spec.
 */
import { DType } from "../core/dtype.js";
import { formatElementSpec, type ElementSpec } from "./structure.js";
import { TensorSpec } from "./tensor-spec.js";

/** The type of a dataset-valued component. */
export class DatasetSpec extends TensorSpec {
  /** The element spec of the inner dataset. */
  readonly elementSpec: ElementSpec;

  constructor(elementSpec: ElementSpec) {
    super([], DType.variant);
    this.elementSpec = elementSpec;
  }

  /** `DatasetSpec(TensorSpec(...), TensorShape([]))`, as TF prints it. */
  override toString(): string {
    return `DatasetSpec(${formatElementSpec(this.elementSpec)}, TensorShape([]))`;
  }
}
