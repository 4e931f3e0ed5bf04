/**
 * Dataset ops that do not change the elements, only how TF runs the pipeline. TF inserts them
 * around a pipeline (`with_options` -> OptionsDataset; `FinalizeDataset` at iterator creation ->
 * MaxIntraOpParallelismDataset, PrivateThreadPoolDataset, ModelDataset, PrefetchDataset). They
 * lower to their input's plan after their attrs and arguments are validated.
 *
 * Layouts (TF 2.21):
 *   OptionsDataset [input]; attrs serialized_options (tensorflow.data.Options), metadata, ...
 *   MaxIntraOpParallelismDataset [input, Const int64 max_intra_op_parallelism]; no metadata
 *   PrivateThreadPoolDataset [input, Const int64 num_threads]; no metadata
 *   ModelDataset [input]; attrs algorithm, cpu_budget, ram_budget (ints); no metadata
 *   PrefetchDataset [input, Const int64 buffer_size]; attrs buffer_size_min, legacy_autotune,
 *     slack_period, metadata
 */
import { fromBinary } from "@bufbuild/protobuf";
import { OptionsSchema } from "../../gen/tensorflow/core/framework/dataset_options_pb.js";
import { checkMetadata, checkSpec } from "./common.js";
import type { DatasetLowerContext, DatasetOpDef, LoweredNode } from "./registry.js";

function passThrough(ctx: DatasetLowerContext, scalarArgs: number, check: (ctx: DatasetLowerContext) => void): LoweredNode {
  ctx.expectInputs(1 + scalarArgs);
  const input = ctx.dataset(0);
  check(ctx);
  checkMetadata(ctx);
  checkSpec(ctx, input.spec, `${ctx.node.op} passes its input's elements through and`);
  return { plan: input.plan, cardinality: input.cardinality };
}

/** `OptionsDataset`: carries `tf.data.Options`; the options are parsed to validate them. */
export const optionsDatasetOp: DatasetOpDef = {
  op: "OptionsDataset",
  lower: (ctx) => passThrough(ctx, 0, () => {
    const bytes = ctx.attrs.bytes("serialized_options");
    try {
      fromBinary(OptionsSchema, bytes);
    } catch (e) {
      throw ctx.error("InvalidArgument", `attr 'serialized_options' is not a serialized tensorflow.data.Options (${String(e)})`);
    }
  }),
};

/** `MaxIntraOpParallelismDataset`: a threading hint. */
export const maxIntraOpParallelismDatasetOp: DatasetOpDef = {
  op: "MaxIntraOpParallelismDataset",
  lower: (ctx) => passThrough(ctx, 1, () => {
    const n = ctx.int64(1);
    if (n < 0n) throw ctx.error("InvalidArgument", `max_intra_op_parallelism must be >= 0, got ${n}`);
  }),
};

/** `PrivateThreadPoolDataset`: a threading hint. */
export const privateThreadPoolDatasetOp: DatasetOpDef = {
  op: "PrivateThreadPoolDataset",
  lower: (ctx) => passThrough(ctx, 1, () => {
    const n = ctx.int64(1);
    if (n < 0n) throw ctx.error("InvalidArgument", `num_threads must be >= 0, got ${n}`);
  }),
};

/** `ModelDataset`: TF's autotuning root. */
export const modelDatasetOp: DatasetOpDef = {
  op: "ModelDataset",
  lower: (ctx) => passThrough(ctx, 0, () => {
    ctx.attrs.int("algorithm", 0n);
    ctx.attrs.int("cpu_budget", 0n);
    ctx.attrs.int("ram_budget", 0n);
  }),
};

/** `PrefetchDataset`: buffering only; the elements and their order are unchanged. Kept in the plan
 * as a `prefetch` node (the core passes it through; the parallel runner may cut there). */
export const prefetchDatasetOp: DatasetOpDef = {
  op: "PrefetchDataset",
  lower: (ctx) => {
    const lowered = passThrough(ctx, 1, () => {
      const n = ctx.int64(1);
      if (n < -1n) throw ctx.error("InvalidArgument", `buffer_size must be >= 0 or -1 (AUTOTUNE), got ${n}`);
      ctx.attrs.int("slack_period", 0n);
      ctx.attrs.bool("legacy_autotune", true);
      ctx.attrs.int("buffer_size_min", 0n);
    });
    return { ...lowered, plan: { op: "prefetch", input: lowered.plan, bufferSize: ctx.int64(1) } };
  },
};
