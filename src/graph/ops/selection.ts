/**
 * `RepeatDataset`, `SkipDataset` and `ShardDataset`: TF's `repeat(count)`, `skip(count)` and
 * `shard(num_shards, index)`. Layouts (TF 2.21), after the input's nodes:
 *
 *   Const/_n (int64 count), RepeatDataset/_n+1 [input, count]; attrs output_types, output_shapes, metadata
 *   Const/_n (int64 count), SkipDataset/_n+1   [input, count]; same attrs
 *   Const/_n (int64 num_shards), Const/_n+1 (int64 index), ShardDataset/_n+2 [input, num_shards, index];
 *     attrs require_non_empty b=false, output_types, output_shapes, metadata
 *
 * The emitters take the scalar arguments as node names already emitted (Consts, or inside a traced
 * function the symbolic tensors the Dataset layer placed), so they work in both graphs.
 */
import { TfDataError } from "../../core/errors.js";
import { attrBool } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** Arguments of a `RepeatDataset` / `SkipDataset` node. */
export interface CountArgs {
  /** The node of the int64 count. */
  readonly count: string;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `RepeatDataset` or `SkipDataset` node; returns its name. */
export function emitCounted(b: GraphBuilder, op: "RepeatDataset" | "SkipDataset", input: string, a: CountArgs): string {
  return b.datasetNode({ op, inputs: [input, a.count], spec: a.spec, metadataName: a.metadataName });
}

/** TF's RepeatDataset cardinality. */
export function repeatCardinality(input: bigint, count: bigint): bigint {
  if (count < 0n) return input === 0n ? 0n : INFINITE;
  if (count === 0n) return 0n;
  if (input === INFINITE || input === UNKNOWN) return input;
  return count * input;
}

/** TF's SkipDataset cardinality. */
export function skipCardinality(input: bigint, count: bigint): bigint {
  if (input === INFINITE || input === UNKNOWN) return input;
  if (count < 0n) return 0n;
  return input > count ? input - count : 0n;
}

/** Arguments of a `ShardDataset` node. */
export interface ShardArgs {
  /** The nodes of the int64 num_shards and index. */
  readonly numShards: string;
  readonly index: string;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `ShardDataset` node; returns its name. */
export function emitShard(b: GraphBuilder, input: string, a: ShardArgs): string {
  return b.datasetNode({
    op: "ShardDataset",
    inputs: [input, a.numShards, a.index],
    attrs: { require_non_empty: attrBool(false) },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** TF's ShardDataset cardinality. */
export function shardCardinality(input: bigint, numShards: bigint, index: bigint): bigint {
  if (input === INFINITE || input === UNKNOWN) return input;
  return input / numShards + (input % numShards > index ? 1n : 0n);
}

/** TF's message for a bad `shard` (ShardDatasetOp::MakeDataset), or null when valid. */
export function shardArgsError(numShards: bigint, index: bigint): string | null {
  // SHARD_HINT (-1) is a placeholder that auto-sharding fills in; TF accepts any index with it.
  if (numShards === SHARD_HINT) return null;
  if (numShards <= 0n) return `Number of shards must be greater than zero (currently num_shards = ${numShards}).`;
  if (index < 0n || index >= numShards) return `Index must be between 0 and ${numShards - 1n} (currently index = ${index}).`;
  return null;
}

/** Lowers `RepeatDataset` to a `repeat` plan. */
export const repeatDatasetOp: DatasetOpDef = {
  op: "RepeatDataset",
  lower(ctx) {
    ctx.expectInputs(2);
    const input = ctx.dataset(0);
    const count = ctx.int64(1);
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "repeat passes its input's elements through and");
    return { plan: { op: "repeat", input: input.plan, count }, cardinality: repeatCardinality(input.cardinality, count) };
  },
};

/** Lowers `SkipDataset` to a `skip` plan. */
export const skipDatasetOp: DatasetOpDef = {
  op: "SkipDataset",
  lower(ctx) {
    ctx.expectInputs(2);
    const input = ctx.dataset(0);
    const count = ctx.int64(1);
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "skip passes its input's elements through and");
    return { plan: { op: "skip", input: input.plan, count }, cardinality: skipCardinality(input.cardinality, count) };
  },
};

/** TF's `tf.data.experimental.SHARD_HINT`: "the auto-shard rewrite decides". */
export const SHARD_HINT = -1n;

/** TF's error for a `shard(SHARD_HINT, ...)` that no auto-shard rewrite replaced. */
export const UNREWRITTEN_SHARD_HINT = "`tf.data.Dataset.shard(SHARD_HINT, ...)` can only be used in " +
  "`tf.distribute.Strategy.experimental_distribute_dataset()` with `tf.data.experimental.AutoShardPolicy.HINT` " +
  "policy, or tf.data service with `tf.data.experimental.service.ShardingPolicy.HINT` processing mode.";

/** Lowers `ShardDataset` to a `shard` plan. */
export const shardDatasetOp: DatasetOpDef = {
  op: "ShardDataset",
  lower(ctx) {
    ctx.expectInputs(3);
    const input = ctx.dataset(0);
    const numShards = ctx.int64(1);
    const index = ctx.int64(2);
    const bad = shardArgsError(numShards, index);
    if (bad) throw ctx.error("InvalidArgument", bad);
    // Like TF, a placeholder left in the graph fails when the iterator is made, not before.
    if (numShards === SHARD_HINT) throw new TfDataError("FailedPrecondition", UNREWRITTEN_SHARD_HINT);
    const requireNonEmpty = ctx.attrs.bool("require_non_empty", false);
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "shard passes its input's elements through and");
    return {
      plan: { op: "shard", input: input.plan, numShards, index, requireNonEmpty },
      cardinality: shardCardinality(input.cardinality, numShards, index),
    };
  },
};
