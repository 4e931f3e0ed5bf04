/**
 * The `experimental_type` (FullTypeDef) TF 2.21 attaches to every dataset node it serializes:
 * `TFT_PRODUCT[TFT_DATASET[TFT_PRODUCT[TFT_TENSOR[<dtype>], ...]]]`, one TFT_TENSOR per component.
 */
import { create } from "@bufbuild/protobuf";
import { FullTypeDefSchema, FullTypeId, type FullTypeDef } from "../gen/tensorflow/core/framework/full_type_pb.js";
import { DType } from "../core/dtype.js";

/** TF's mapping DataType -> FullTypeId for tensor components (variant maps to the legacy id). */
const DTYPE_TO_FULL_TYPE: ReadonlyMap<number, FullTypeId> = new Map([
  [DType.float32, FullTypeId.TFT_FLOAT],
  [DType.float64, FullTypeId.TFT_DOUBLE],
  [DType.int32, FullTypeId.TFT_INT32],
  [DType.uint8, FullTypeId.TFT_UINT8],
  [DType.int16, FullTypeId.TFT_INT16],
  [DType.int8, FullTypeId.TFT_INT8],
  [DType.string, FullTypeId.TFT_STRING],
  [DType.complex64, FullTypeId.TFT_COMPLEX64],
  [DType.int64, FullTypeId.TFT_INT64],
  [DType.bool, FullTypeId.TFT_BOOL],
  // TF 2.21 leaves bfloat16 components' full type unset (`TFT_TENSOR` with an empty argument).
  [DType.bfloat16, FullTypeId.TFT_UNSET],
  [DType.uint16, FullTypeId.TFT_UINT16],
  [DType.complex128, FullTypeId.TFT_COMPLEX128],
  [DType.float16, FullTypeId.TFT_HALF],
  [DType.variant, FullTypeId.TFT_LEGACY_VARIANT],
  [DType.uint32, FullTypeId.TFT_UINT32],
  [DType.uint64, FullTypeId.TFT_UINT64],
]);

function leaf(typeId: FullTypeId, args: FullTypeDef[] = []): FullTypeDef {
  return create(FullTypeDefSchema, { typeId, args });
}

/** The full type of a dataset node whose components have `dtypes`. */
export function datasetFullType(dtypes: readonly number[]): FullTypeDef {
  const tensors = dtypes.map((d) => {
    const id = DTYPE_TO_FULL_TYPE.get(d);
    return id === undefined ? leaf(FullTypeId.TFT_TENSOR) : leaf(FullTypeId.TFT_TENSOR, [leaf(id)]);
  });
  return leaf(FullTypeId.TFT_PRODUCT, [leaf(FullTypeId.TFT_DATASET, [leaf(FullTypeId.TFT_PRODUCT, tensors)])]);
}
