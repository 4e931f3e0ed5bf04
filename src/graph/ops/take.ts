/**
 * `TakeDataset`: TF's `Dataset.take(count)`. Layout: `<input>`, `Const/_n` (int64 count),
 * `TakeDataset/_n+1` inputs [input, count], attrs output_types, output_shapes, metadata.
 */
import type { GraphBuilder } from "../graph-builder.js";
import type { ComponentSpec } from "../component-spec.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** Arguments of a `TakeDataset` node. */
export interface TakeArgs {
  readonly count: bigint;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits the count Const and the `TakeDataset` node reading `input`; returns the node name. */
export function emitTake(b: GraphBuilder, input: string, a: TakeArgs): string {
  const count = b.int64Const(a.count);
  return b.datasetNode({ op: "TakeDataset", inputs: [input, count], spec: a.spec, metadataName: a.metadataName });
}

/** TF's TakeDataset cardinality, quirks included (`take(-5)` of 10 elements reports -5). */
export function takeCardinality(input: bigint, count: bigint): bigint {
  if (input === UNKNOWN) return UNKNOWN;
  if (input === INFINITE) return count;
  if (count === INFINITE) return input;
  return input < count ? input : count;
}

/** Lowers `TakeDataset` to a `take` plan (a negative count takes everything). */
export const takeDatasetOp: DatasetOpDef = {
  op: "TakeDataset",
  lower(ctx) {
    ctx.expectInputs(2);
    const input = ctx.dataset(0);
    const count = ctx.int64(1);
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "take passes its input's elements through and");
    return { plan: { op: "take", input: input.plan, count }, cardinality: takeCardinality(input.cardinality, count) };
  },
};
