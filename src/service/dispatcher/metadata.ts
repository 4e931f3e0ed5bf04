/**
 * Comparison of `DataServiceMetadata` for datasets re-registered under the same requested id.
 * TF compares `element_spec` structurally (parsed as `StructuredValue`) and the other fields
 * exactly, and answers `INVALID_ARGUMENT` "Datasets with the same ID should have the same
 * structure…" when they differ.
 */
import { equals, fromBinary } from "@bufbuild/protobuf";
import { TfDataError } from "../../core/errors.js";
import {
  type DataServiceMetadata,
  DataServiceMetadata_Compression as Compression,
} from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import { type StructuredValue, StructuredValueSchema } from "../../gen/tensorflow/core/protobuf/struct_pb.js";

function elementSpecBytes(m: DataServiceMetadata): Uint8Array {
  return m.optionalElementSpec.case === "elementSpec" ? m.optionalElementSpec.value : new Uint8Array(0);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parses a serialized element spec; unparseable bytes are `INVALID_ARGUMENT` (as TF). */
export function decodeElementSpec(datasetId: string, bytes: Uint8Array): StructuredValue {
  try {
    return fromBinary(StructuredValueSchema, bytes);
  } catch {
    throw new TfDataError("InvalidArgument", `Failed to parse element_spec for dataset ${datasetId}: ` +
      `${bytes.length} bytes that are not a serialized tensorflow.StructuredValue.`);
  }
}

/** Throws TF's `INVALID_ARGUMENT` unless `requested` matches the `existing` metadata of `datasetId`. */
export function validateMatchingMetadata(
  datasetId: string,
  existing: DataServiceMetadata,
  requested: DataServiceMetadata,
): void {
  const a = elementSpecBytes(existing);
  const b = elementSpecBytes(requested);
  if (!bytesEqual(a, b) && !(a.length === 0 && b.length === 0)) {
    const sa = decodeElementSpec(datasetId, a);
    const sb = decodeElementSpec(datasetId, b);
    if (!equals(StructuredValueSchema, sa, sb)) {
      throw new TfDataError("InvalidArgument",
        `Datasets with the same ID should have the same structure, got diff for dataset ID ${datasetId} with ` +
        "different element_spec. To fix this error, make sure you're registering the same dataset with the same ID.");
    }
  }
  const diffs: string[] = [];
  if (existing.compression !== requested.compression) {
    diffs.push(`compression: ${Compression[existing.compression] ?? existing.compression} -> ` +
      `${Compression[requested.compression] ?? requested.compression}`);
  }
  if (existing.cardinality !== requested.cardinality) {
    diffs.push(`cardinality: ${existing.cardinality} -> ${requested.cardinality}`);
  }
  if (diffs.length > 0) {
    throw new TfDataError("InvalidArgument",
      `Datasets with the same ID should have the same structure, got diff for dataset ID ${datasetId}: ` +
      `${diffs.join("; ")}. To fix this error, make sure you're registering the same dataset with the same ID.`);
  }
}
