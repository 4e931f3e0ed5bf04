/**
 * Scalar `TensorProto`s: what TF's `Const` nodes hold for dataset arguments (start, stop, count,
 * batch_size, drop_remainder, ...). Building them exactly as TF does, and reading them back from
 * any graph (TF writes `int64_val`, but `tensor_content` is equally valid protobuf).
 */
import { create } from "@bufbuild/protobuf";
import { TensorProtoSchema, type TensorProto } from "../gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema } from "../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../gen/tensorflow/core/framework/types_pb.js";
import { DType, dtypeName } from "../core/dtype.js";
import { TfDataError } from "../core/errors.js";

/** A scalar value as the host sees it: int64/uint64 as bigint, bool as boolean, else number. */
export type ScalarValue = bigint | number | boolean;

/** A scalar `TensorProto` in TF's layout: `tensor_shape {}` and the typed `*_val` field. */
export function scalarTensorProto(dtype: DType, value: ScalarValue): TensorProto {
  const t = create(TensorProtoSchema, { dtype: dtype as DataType, tensorShape: create(TensorShapeProtoSchema) });
  switch (dtype) {
    case DType.int64: t.int64Val = [BigInt(value)]; break;
    case DType.uint64: t.uint64Val = [BigInt(value)]; break;
    case DType.uint32: t.uint32Val = [Number(value)]; break;
    case DType.int32: case DType.int16: case DType.int8: case DType.uint8: case DType.uint16:
      t.intVal = [Number(value)]; break;
    case DType.bool: t.boolVal = [Boolean(value)]; break;
    case DType.float32: t.floatVal = [Number(value)]; break;
    case DType.float64: t.doubleVal = [Number(value)]; break;
    default:
      throw new TfDataError("Unimplemented", `scalar constants of dtype ${dtypeName(dtype)} are not supported yet`);
  }
  return t;
}

function numElements(t: TensorProto): number {
  let n = 1;
  for (const d of t.tensorShape?.dim ?? []) n *= Number(d.size);
  return n;
}

/**
 * The value of a scalar `TensorProto`; `where` names the node for the error message.
 * Accepts the typed `*_val` fields and `tensor_content` (little-endian), as TF's parser does; an
 * empty `*_val` means zero, as in TF (`Tensor::FromProto` fills missing values with `T()`).
 */
export function readScalar(t: TensorProto, where: string): ScalarValue {
  if (t.tensorShape?.unknownRank || (t.tensorShape?.dim.length ?? 0) !== 0 || numElements(t) !== 1) {
    throw new TfDataError("InvalidArgument", `${where}: expected a scalar constant, got shape ` +
      `[${(t.tensorShape?.dim ?? []).map((d) => d.size).join(", ")}]`);
  }
  const content = t.tensorContent;
  const view = content.length > 0 ? new DataView(content.buffer, content.byteOffset, content.byteLength) : null;
  const need = (bytes: number) => {
    if (view && view.byteLength !== bytes) {
      throw new TfDataError("InvalidArgument", `${where}: tensor_content has ${view.byteLength} bytes, ` +
        `a scalar ${dtypeName(t.dtype)} needs ${bytes}`);
    }
  };
  switch (t.dtype as number) {
    case DType.int64: need(8); return view ? view.getBigInt64(0, true) : (t.int64Val[0] ?? 0n);
    case DType.uint64: need(8); return view ? view.getBigUint64(0, true) : (t.uint64Val[0] ?? 0n);
    case DType.int32: need(4); return view ? view.getInt32(0, true) : (t.intVal[0] ?? 0);
    case DType.uint32: need(4); return view ? view.getUint32(0, true) : (t.uint32Val[0] ?? 0);
    case DType.int16: need(2); return view ? view.getInt16(0, true) : (t.intVal[0] ?? 0);
    case DType.uint16: need(2); return view ? view.getUint16(0, true) : (t.intVal[0] ?? 0);
    case DType.int8: need(1); return view ? view.getInt8(0) : (t.intVal[0] ?? 0);
    case DType.uint8: need(1); return view ? view.getUint8(0) : (t.intVal[0] ?? 0);
    case DType.bool: need(1); return view ? view.getUint8(0) !== 0 : (t.boolVal[0] ?? false);
    case DType.float32: need(4); return view ? view.getFloat32(0, true) : (t.floatVal[0] ?? 0);
    case DType.float64: need(8); return view ? view.getFloat64(0, true) : (t.doubleVal[0] ?? 0);
    default:
      throw new TfDataError("Unimplemented", `${where}: constants of dtype ${dtypeName(t.dtype)} are not supported yet`);
  }
}
