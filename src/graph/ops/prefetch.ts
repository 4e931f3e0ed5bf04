/**
 * Emitting `PrefetchDataset` for `Dataset.prefetch(bufferSize)` (its lowering, a pass-through, is
 * in `wrappers.ts`). Layout (TF 2.21): `<input>`, `Const/_n` (int64 buffer_size, -1 = AUTOTUNE),
 * `PrefetchDataset/_n+1` [input, buffer_size]; attrs buffer_size_min i=0, legacy_autotune
 * (b=true exactly when buffer_size is AUTOTUNE), slack_period i=0, output_types, output_shapes,
 * metadata.
 */
import { attrBool, attrInt } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";

/** Arguments of a `PrefetchDataset` node. */
export interface PrefetchArgs {
  /** The node of the int64 buffer size. */
  readonly bufferSize: string;
  /** Whether the buffer size is AUTOTUNE (-1): TF then sets `legacy_autotune`. */
  readonly autotune: boolean;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `PrefetchDataset` node; returns its name. */
export function emitPrefetch(b: GraphBuilder, input: string, a: PrefetchArgs): string {
  return b.datasetNode({
    op: "PrefetchDataset",
    inputs: [input, a.bufferSize],
    attrs: { buffer_size_min: attrInt(0), legacy_autotune: attrBool(a.autotune), slack_period: attrInt(0) },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}
