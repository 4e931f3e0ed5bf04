/**
 * `BatchDatasetV2`: TF's `Dataset.batch(batch_size, drop_remainder)`. Layout: `<input>`,
 * `Const/_n` (int64 batch_size), `Const/_n+1` (bool drop_remainder), `BatchDatasetV2/_n+2`
 * inputs [input, batch_size, drop_remainder], attrs parallel_copy b=false, output_types,
 * output_shapes (leading dim = batch_size when drop_remainder, else -1), metadata.
 */
import { DType } from "../../core/dtype.js";
import { attrBool } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** Arguments of a `BatchDatasetV2` node. */
export interface BatchArgs {
  readonly batchSize: bigint;
  readonly dropRemainder: boolean;
  /** The input's element spec. */
  readonly inputSpec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** The element spec of a batch of `input` elements. */
export function batchSpec(input: readonly ComponentSpec[], batchSize: bigint, dropRemainder: boolean): ComponentSpec[] {
  const lead = dropRemainder ? Number(batchSize) : -1;
  return input.map((c) => ({ dtype: c.dtype, shape: c.shape === null ? null : [lead, ...c.shape] }));
}

/** Emits the Consts and the `BatchDatasetV2` node reading `input`; returns the node name. */
export function emitBatch(b: GraphBuilder, input: string, a: BatchArgs): string {
  const batchSize = b.int64Const(a.batchSize);
  const drop = b.scalarConst(DType.bool, a.dropRemainder);
  return b.datasetNode({
    op: "BatchDatasetV2",
    inputs: [input, batchSize, drop],
    attrs: { parallel_copy: attrBool(false) },
    spec: batchSpec(a.inputSpec, a.batchSize, a.dropRemainder),
    metadataName: a.metadataName,
  });
}

/** TF's BatchDataset cardinality (C++ integer division, remainder batch unless dropped). */
export function batchCardinality(input: bigint, batchSize: bigint, dropRemainder: boolean): bigint {
  if (input === INFINITE || input === UNKNOWN) return input;
  return input / batchSize + (input % batchSize === 0n || dropRemainder ? 0n : 1n);
}

/** Lowers `BatchDatasetV2` to a `batch` plan. */
export const batchDatasetV2Op: DatasetOpDef = {
  op: "BatchDatasetV2",
  lower(ctx) {
    ctx.expectInputs(3);
    const input = ctx.dataset(0);
    const batchSize = ctx.int64(1);
    const dropRemainder = ctx.bool(2);
    if (batchSize <= 0n) throw ctx.error("InvalidArgument", `Batch size must be greater than zero, got ${batchSize}.`);
    ctx.attrs.bool("parallel_copy", false);
    checkMetadata(ctx);
    checkSpec(ctx, batchSpec(input.spec, batchSize, dropRemainder), "batching its input's elements,");
    return {
      plan: { op: "batch", input: input.plan, batchSize, dropRemainder },
      cardinality: batchCardinality(input.cardinality, batchSize, dropRemainder),
    };
  },
};
