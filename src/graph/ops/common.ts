/**
 * Checks shared by dataset op lowerings: the declared element spec against what the op computes,
 * the `metadata` attr, and TF's cardinality sentinels.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { MetadataSchema } from "../../gen/tensorflow/core/framework/dataset_metadata_pb.js";
import { compatibleSpec, formatSpec, type ComponentSpec } from "../component-spec.js";
import type { DatasetLowerContext } from "./registry.js";

/** Cardinality of an infinite dataset, as TF's `kInfiniteCardinality`. */
export const INFINITE = -1n;

/** Cardinality that cannot be known statically, as TF's `kUnknownCardinality`. */
export const UNKNOWN = -2n;

/** Fails unless the node's declared `output_types`/`output_shapes` are compatible with `expected`. */
export function checkSpec(ctx: DatasetLowerContext, expected: readonly ComponentSpec[], why: string): void {
  if (!compatibleSpec(ctx.spec, expected)) {
    throw ctx.error("InvalidArgument", `declares elements ${formatSpec(ctx.spec)}, but ${why} they are ` +
      `${formatSpec(expected)}`);
  }
}

/** Validates the optional `metadata` attr: a serialized `tensorflow.data.Metadata`. */
export function checkMetadata(ctx: DatasetLowerContext): void {
  if (!ctx.attrs.has("metadata")) return;
  const bytes = ctx.attrs.bytes("metadata");
  try {
    fromBinary(MetadataSchema, bytes);
  } catch (e) {
    throw ctx.error("InvalidArgument", `attr 'metadata' is not a serialized tensorflow.data.Metadata (${String(e)})`);
  }
}

/** Fails unless the node's function-list attr `Targuments` is empty (no captured inputs yet). */
export function checkNoCapturedInputs(ctx: DatasetLowerContext): void {
  const captured = ctx.attrs.has("Targuments") ? ctx.attrs.types("Targuments") : [];
  if (captured.length > 0) {
    throw ctx.error("Unimplemented", `its function captures ${captured.length} tensors (Targuments); ` +
      "functions with captured inputs are not supported yet");
  }
}
