/**
 * Constructors for `tensorflow.AttrValue` messages, so op modules spell attrs the way TF does
 * (`b: false`, `list { type: DT_INT64 }`, `func { name }`, ...) without protobuf boilerplate.
 */
import { create } from "@bufbuild/protobuf";
import {
  AttrValueSchema,
  AttrValue_ListValueSchema,
  NameAttrListSchema,
  type AttrValue,
} from "../gen/tensorflow/core/framework/attr_value_pb.js";
import type { TensorProto } from "../gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema, type TensorShapeProto } from "../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../gen/tensorflow/core/framework/types_pb.js";
import type { PlanShape } from "../core/plan.js";

/** `b: value`. */
export function attrBool(value: boolean): AttrValue {
  return create(AttrValueSchema, { value: { case: "b", value } });
}

/** `i: value`. */
export function attrInt(value: bigint | number): AttrValue {
  return create(AttrValueSchema, { value: { case: "i", value: BigInt(value) } });
}

/** `s: bytes` (a UTF-8 string or raw bytes). */
export function attrBytes(value: string | Uint8Array): AttrValue {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  return create(AttrValueSchema, { value: { case: "s", value: bytes } });
}

/** `type: dtype`. */
export function attrType(dtype: number): AttrValue {
  return create(AttrValueSchema, { value: { case: "type", value: dtype as DataType } });
}

/** `list { type: ... }` (an empty list when `dtypes` is empty, as TF writes `Targuments`). */
export function attrTypeList(dtypes: readonly number[]): AttrValue {
  const list = create(AttrValue_ListValueSchema, { type: dtypes.map((d) => d as DataType) });
  return create(AttrValueSchema, { value: { case: "list", value: list } });
}

/** `list { shape: ... }`. */
export function attrShapeList(shapes: readonly PlanShape[]): AttrValue {
  const list = create(AttrValue_ListValueSchema, { shape: shapes.map(shapeProto) });
  return create(AttrValueSchema, { value: { case: "list", value: list } });
}

/** `tensor: value`. */
export function attrTensor(value: TensorProto): AttrValue {
  return create(AttrValueSchema, { value: { case: "tensor", value } });
}

/** `func { name }`: a reference to a function of the graph's library. */
export function attrFunc(name: string): AttrValue {
  return create(AttrValueSchema, { value: { case: "func", value: create(NameAttrListSchema, { name }) } });
}

/** A `TensorShapeProto` as TF writes it: `{}` for a scalar, `size: -1` for an unknown dim. */
export function shapeProto(shape: PlanShape): TensorShapeProto {
  if (shape === null) return create(TensorShapeProtoSchema, { unknownRank: true });
  return create(TensorShapeProtoSchema, { dim: shape.map((size) => ({ size: BigInt(size) })) });
}

/** The inverse of `shapeProto`. */
export function planShape(proto: TensorShapeProto | undefined): PlanShape {
  if (!proto) return [];
  if (proto.unknownRank) return null;
  return proto.dim.map((d) => (d.size < 0n ? -1 : Number(d.size)));
}

/** An attr map with keys in sorted order: what TF's deterministic serialization emits. */
export function sortedAttrs(attrs: Readonly<Record<string, AttrValue>>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const key of Object.keys(attrs).sort()) out[key] = attrs[key];
  return out;
}
