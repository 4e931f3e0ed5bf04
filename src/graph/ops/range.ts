/**
 * `RangeDataset`: TF's `Dataset.range`. Node layout as TF 2.21 serializes it:
 *
 *   Const/_0 (int64 start), Const/_1 (int64 stop), Const/_2 (int64 step)
 *   RangeDataset/_3  inputs [start, stop, step]
 *     attrs: replicate_on_split b=false, output_types [<output_type>], output_shapes [[]], metadata
 *
 * start/stop/step are always int64 Consts; `output_type` only changes `output_types`.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { attrBool } from "../attr-value.js";
import { NUMERIC_DTYPES } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { checkMetadata } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** Arguments of a `RangeDataset` node. */
export interface RangeArgs {
  readonly start: bigint;
  readonly stop: bigint;
  readonly step: bigint;
  readonly outputType: DType;
  /** The `metadata` name (`RangeDataset:<id>` or the user's `name`). */
  readonly metadataName: string;
}

/** Emits the Consts and the `RangeDataset` node; returns the node name. */
export function emitRange(b: GraphBuilder, a: RangeArgs): string {
  const start = b.int64Const(a.start);
  const stop = b.int64Const(a.stop);
  const step = b.int64Const(a.step);
  return b.datasetNode({
    op: "RangeDataset",
    inputs: [start, stop, step],
    attrs: { replicate_on_split: attrBool(false) },
    spec: [{ dtype: a.outputType, shape: [] }],
    metadataName: a.metadataName,
  });
}

/** TF's RangeDataset cardinality: the length of Python's `range(start, stop, step)`. */
export function rangeCardinality(start: bigint, stop: bigint, step: bigint): bigint {
  if (step > 0n) return stop > start ? (stop - start - 1n) / step + 1n : 0n;
  return start > stop ? (start - stop - 1n) / -step + 1n : 0n;
}

/** Lowers `RangeDataset` to a `range` plan. */
export const rangeDatasetOp: DatasetOpDef = {
  op: "RangeDataset",
  lower(ctx) {
    ctx.expectInputs(3);
    const start = ctx.int64(0);
    const stop = ctx.int64(1);
    const step = ctx.int64(2);
    if (step === 0n) throw ctx.error("InvalidArgument", "step must be a non-zero integer.");
    const replicateOnSplit = ctx.attrs.bool("replicate_on_split", false);
    checkMetadata(ctx);
    const spec = ctx.spec;
    if (spec.length !== 1 || spec[0].shape === null || spec[0].shape.length !== 0) {
      throw ctx.error("InvalidArgument", "must declare exactly one scalar component in output_types/output_shapes");
    }
    const dtype = spec[0].dtype;
    if (!NUMERIC_DTYPES.includes(dtype)) {
      throw ctx.error("InvalidArgument", `output type must be a real numeric dtype (int64, int32, float32, ...), ` +
        `got ${dtypeName(dtype)}`);
    }
    return {
      plan: { op: "range", start, stop, step, dtype, ...(replicateOnSplit ? { replicateOnSplit } : {}) },
      cardinality: rangeCardinality(start, stop, step),
    };
  },
};
