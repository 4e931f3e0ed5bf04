/**
 * `DataServiceMetadata.element_spec`: an element spec serialized as TF's `nested_structure_coder`
 * does (`tensorflow.StructuredValue`). TF's Python client reads it in `from_dataset_id` when no
 * `element_spec` is passed, so a dataset registered here carries it too. Tuples (JS arrays) map to
 * `tuple_value`, dicts to `dict_value`, `TensorSpec`s to `tensor_spec_value`.
 */
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import type { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { TensorSpec } from "../../dataset/tensor-spec.js";
import type { ElementSpec } from "../../dataset/structure.js";
import type { TensorShapeProto } from "../../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { StructuredValueSchema, type StructuredValue } from "../../gen/tensorflow/core/protobuf/struct_pb.js";

/** Deepest nesting accepted when decoding (the bytes come from the network). */
export const MAX_SPEC_DEPTH = 64;

type StructuredValueInit = MessageInitShape<typeof StructuredValueSchema>;

function encodeValue(spec: ElementSpec): StructuredValueInit {
  if (spec instanceof TensorSpec) {
    const shape = spec.shape === null
      ? { unknownRank: true }
      : { dim: spec.shape.map((d) => ({ size: BigInt(d ?? -1) })) };
    return {
      kind: {
        case: "tensorSpecValue",
        value: { name: spec.name ?? "", shape, dtype: spec.dtype as number as DataType },
      },
    };
  }
  if (Array.isArray(spec)) {
    return { kind: { case: "tupleValue", value: { values: (spec as readonly ElementSpec[]).map(encodeValue) } } };
  }
  const dict = spec as { readonly [key: string]: ElementSpec };
  const fields: Record<string, StructuredValueInit> = {};
  for (const key of Object.keys(dict)) fields[key] = encodeValue(dict[key]);
  return { kind: { case: "dictValue", value: { fields } } };
}

/** Serializes `spec` as TF's `nested_structure_coder.encode_structure(spec).SerializeToString()`. */
export function encodeElementSpec(spec: ElementSpec): Uint8Array {
  return toBinary(StructuredValueSchema, create(StructuredValueSchema, encodeValue(spec)));
}

function decodeShape(shape: TensorShapeProto | undefined): (number | null)[] | null {
  if (!shape) return [];
  if (shape.unknownRank) return null;
  return shape.dim.map((d) => (d.size < 0n ? null : Number(d.size)));
}

function decodeValue(v: StructuredValue, depth: number): ElementSpec {
  if (depth > MAX_SPEC_DEPTH) {
    throw new TfDataError("InvalidArgument", `element_spec nests deeper than ${MAX_SPEC_DEPTH} levels.`);
  }
  switch (v.kind.case) {
    case "tensorSpecValue": {
      const t = v.kind.value;
      return new TensorSpec(decodeShape(t.shape), t.dtype as number as DType, t.name === "" ? null : t.name);
    }
    case "tupleValue":
    case "listValue":
      return v.kind.value.values.map((x) => decodeValue(x, depth + 1));
    case "dictValue": {
      const out: Record<string, ElementSpec> = {};
      for (const [k, x] of Object.entries(v.kind.value.fields)) out[k] = decodeValue(x, depth + 1);
      return out;
    }
    default:
      throw new TfDataError("Unimplemented",
        `element_spec holds a ${v.kind.case ?? "empty"} value; only TensorSpecs nested in tuples, lists and ` +
          "dicts are supported. Pass elementSpec explicitly.");
  }
}

/** Parses a serialized element spec back into an `ElementSpec`. */
export function decodeElementSpec(bytes: Uint8Array): ElementSpec {
  let value: StructuredValue;
  try {
    value = fromBinary(StructuredValueSchema, bytes);
  } catch (err) {
    throw new TfDataError("InvalidArgument", `element_spec is not a serialized tensorflow.StructuredValue: ${String(err)}`);
  }
  return decodeValue(value, 0);
}
