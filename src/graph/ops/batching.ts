/**
 * The batching ops besides `BatchDatasetV2`: `ParallelBatchDataset` (`batch` with
 * `num_parallel_calls`), `PaddedBatchDatasetV2`, `UnbatchDataset` and `RebatchDatasetV2`.
 * Layouts (TF 2.21), after the input's nodes:
 *
 *   Const (int64 batch_size), Const (int64 num_parallel_calls), Const (bool drop_remainder),
 *     ParallelBatchDataset [input, batch_size, num_parallel_calls, drop_remainder];
 *     attrs deterministic ("default" | "true" | "false"), parallel_copy b=false, output_types,
 *     output_shapes, metadata
 *   Const (int64 batch_size), N x Const (int64 vector padded_shape), N x Const (scalar padding
 *     value), Const (bool drop_remainder), PaddedBatchDatasetV2 [input, batch_size, padded_shapes...,
 *     padding_values..., drop_remainder]; attrs N, Toutput_types, output_shapes, parallel_copy
 *     b=false, metadata
 *   UnbatchDataset [input]; attrs output_types, output_shapes, metadata
 *   Const (int64 vector batch_sizes), Const (bool drop_remainder), RebatchDatasetV2 [input,
 *     batch_sizes, drop_remainder]; attrs output_types, output_shapes (no metadata)
 *
 * Python TF puts a `map(normalize)` (an identity function for dense tensors) before unbatch and
 * rebatch; see `normalize-function.ts`.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import type { PlanShape } from "../../core/plan.js";
import { attrBool, attrBytes, attrInt, attrTypeList } from "../attr-value.js";
import { formatShape, type ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { batchCardinality, batchSpec } from "./batch.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import { protoShape, uncompressedElementBytes } from "./const-tensor.js";
import type { DatasetLowerContext, DatasetOpDef } from "./registry.js";

/** `"default"`, `"true"` or `"false"`: TF's `deterministic` attr. */
export type Deterministic = "default" | "true" | "false";

function checkDeterministic(ctx: DatasetLowerContext): void {
  const det = ctx.attrs.string("deterministic", "default");
  if (!["default", "true", "false"].includes(det)) {
    throw ctx.error("InvalidArgument", `attr 'deterministic' must be "default", "true" or "false", got "${det}"`);
  }
}

/** Arguments of a `ParallelBatchDataset` node (scalar inputs as already emitted nodes). */
export interface ParallelBatchArgs {
  readonly batchSize: string;
  readonly numParallelCalls: string;
  readonly dropRemainder: string;
  readonly deterministic: Deterministic;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `ParallelBatchDataset` node; returns its name. */
export function emitParallelBatch(b: GraphBuilder, input: string, a: ParallelBatchArgs): string {
  return b.datasetNode({
    op: "ParallelBatchDataset",
    inputs: [input, a.batchSize, a.numParallelCalls, a.dropRemainder],
    attrs: { deterministic: attrBytes(a.deterministic), parallel_copy: attrBool(false) },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** Lowers `ParallelBatchDataset` to a `batch` plan (the same elements in the same order). */
export const parallelBatchDatasetOp: DatasetOpDef = {
  op: "ParallelBatchDataset",
  lower(ctx) {
    ctx.expectInputs(4);
    const input = ctx.dataset(0);
    const batchSize = ctx.int64(1);
    const calls = ctx.int64(2);
    const dropRemainder = ctx.bool(3);
    if (batchSize <= 0n) throw ctx.error("InvalidArgument", "Batch size must be greater than zero.");
    if (calls !== -1n && calls <= 0n) {
      throw ctx.error("InvalidArgument", "num_parallel_calls must be greater than zero.");
    }
    checkDeterministic(ctx);
    ctx.attrs.bool("parallel_copy", false);
    checkMetadata(ctx);
    checkSpec(ctx, batchSpec(input.spec, batchSize, dropRemainder), "batching its input's elements,");
    return {
      plan: { op: "batch", input: input.plan, batchSize, dropRemainder },
      cardinality: batchCardinality(input.cardinality, batchSize, dropRemainder),
    };
  },
};

/** Arguments of a `PaddedBatchDatasetV2` node (inputs as already emitted nodes). */
export interface PaddedBatchArgs {
  readonly batchSize: string;
  readonly paddedShapes: readonly string[];
  readonly paddingValues: readonly string[];
  readonly dropRemainder: string;
  /** The output spec (`[batch, ...padded shape]` per component). */
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `PaddedBatchDatasetV2` node; returns its name. */
export function emitPaddedBatch(b: GraphBuilder, input: string, a: PaddedBatchArgs): string {
  return b.datasetNode({
    op: "PaddedBatchDatasetV2",
    inputs: [input, a.batchSize, ...a.paddedShapes, ...a.paddingValues, a.dropRemainder],
    attrs: {
      N: attrInt(a.paddedShapes.length),
      Toutput_types: attrTypeList(a.spec.map((c) => c.dtype)),
      parallel_copy: attrBool(false),
    },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** The output spec of padded batches: `[batch, ...padded]` per component (padded -1 = unknown). */
export function paddedBatchSpec(dtypes: readonly DType[], padded: readonly PlanShape[], batchSize: bigint,
  dropRemainder: boolean): ComponentSpec[] {
  const lead = dropRemainder ? Number(batchSize) : -1;
  return dtypes.map((dtype, i) => {
    const p = padded[i];
    return { dtype, shape: p === null ? null : [lead, ...p.map((d) => (d < 0 ? -1 : d))] };
  });
}

/** Lowers `PaddedBatchDatasetV2` to a `paddedBatch` plan. */
export const paddedBatchDatasetV2Op: DatasetOpDef = {
  op: "PaddedBatchDatasetV2",
  lower(ctx) {
    const n = Number(ctx.attrs.int("N"));
    ctx.expectInputs(3 + 2 * n);
    const input = ctx.dataset(0);
    const batchSize = ctx.int64(1);
    if (batchSize <= 0n) throw ctx.error("InvalidArgument", "Batch size must be greater than zero.");
    if (n !== input.spec.length) {
      throw ctx.error("InvalidArgument", `Number of padded shapes (${n}) must match the number of components in the ` +
        `input dataset's elements (${input.spec.length})`);
    }
    const flatShapes: number[] = [];
    const padded: number[][] = [];
    for (let i = 0; i < n; i++) {
      const t = ctx.tensor(2 + i, DType.int64);
      const shape = protoShape(t);
      if (shape.length !== 1) throw ctx.error("InvalidArgument", "All padded shapes must be vectors");
      const dims = readInt64Vector(t, shape[0]);
      for (const d of dims) {
        if (d < -1n) throw ctx.error("InvalidArgument", `Dimension ${d} must be >= -1`);
      }
      padded.push(dims.map(Number));
      flatShapes.push(dims.length, ...dims.map(Number));
    }
    const values = [];
    for (let i = 0; i < n; i++) {
      const t = ctx.tensor(2 + n + i);
      if (protoShape(t).length !== 0) throw ctx.error("InvalidArgument", "All padding values must be scalars");
      if ((t.dtype as number) !== input.spec[i].dtype) {
        throw ctx.error("InvalidArgument", `Mismatched type between padding value ${i} and input dataset's component ` +
          `${i}: ${dtypeName(t.dtype)} vs. ${dtypeName(input.spec[i].dtype)}`);
      }
      if ((t.dtype as number) === DType.variant) throw ctx.error("Unimplemented", "padding values of dtype variant are not supported");
      values.push(t);
    }
    const dropRemainder = ctx.bool(2 + 2 * n);
    const types = ctx.attrs.types("Toutput_types");
    if (types.length !== n || types.some((t, i) => t !== input.spec[i].dtype)) {
      throw ctx.error("InvalidArgument", "Toutput_types must be the input's component dtypes");
    }
    ctx.attrs.bool("parallel_copy", false);
    checkMetadata(ctx);
    input.spec.forEach((c, i) => {
      if (c.shape !== null && c.shape.length !== padded[i].length) {
        throw ctx.error("InvalidArgument", `The padded shape ${formatShape(padded[i])} is not compatible with the ` +
          `shape ${formatShape(c.shape)} of the corresponding input component.`);
      }
    });
    checkSpec(ctx, paddedBatchSpec(input.spec.map((c) => c.dtype), padded, batchSize, dropRemainder),
      "padding and batching its input's elements,");
    return {
      plan: {
        op: "paddedBatch", input: input.plan, batchSize, dropRemainder, paddedShapes: flatShapes,
        paddingValues: uncompressedElementBytes(values),
      },
      cardinality: batchCardinality(input.cardinality, batchSize, dropRemainder),
    };
  },
};

/** The values of an int64 vector TensorProto (tensor_content or int64_val, TF's fill rule). */
function readInt64Vector(t: { tensorContent: Uint8Array; int64Val: bigint[] }, n: number): bigint[] {
  if (t.tensorContent.length > 0) {
    const c = t.tensorContent;
    const v = new DataView(c.buffer, c.byteOffset, c.byteLength);
    return Array.from({ length: Math.min(n, Math.floor(c.byteLength / 8)) }, (_, i) => v.getBigInt64(i * 8, true));
  }
  const vals = t.int64Val;
  return Array.from({ length: n }, (_, i) => vals[Math.min(i, vals.length - 1)] ?? 0n);
}

/** The element spec of unbatched elements: each component without its leading dim. */
export function unbatchSpec(input: readonly ComponentSpec[]): ComponentSpec[] {
  return input.map((c) => ({ dtype: c.dtype, shape: c.shape === null ? null : c.shape.slice(1) }));
}

/** TF's UnbatchDataset cardinality: the input's times its static batch size, when known. */
export function unbatchCardinality(input: bigint, inputSpec: readonly ComponentSpec[]): bigint {
  if (input === INFINITE || input === UNKNOWN) return input;
  let batch = -1;
  for (const c of inputSpec) {
    if (c.shape !== null && batch < 0 && c.shape.length > 0 && c.shape[0] >= 0) batch = c.shape[0];
  }
  return batch > 0 ? input * BigInt(batch) : UNKNOWN;
}

/** Emits an `UnbatchDataset` node; returns its name. */
export function emitUnbatch(b: GraphBuilder, input: string, spec: readonly ComponentSpec[], metadataName: string): string {
  return b.datasetNode({ op: "UnbatchDataset", inputs: [input], spec, metadataName });
}

/** Lowers `UnbatchDataset` to an `unbatch` plan. */
export const unbatchDatasetOp: DatasetOpDef = {
  op: "UnbatchDataset",
  lower(ctx) {
    ctx.expectInputs(1);
    const input = ctx.dataset(0);
    checkMetadata(ctx);
    checkSpec(ctx, unbatchSpec(input.spec), "unbatching its input's elements,");
    return { plan: { op: "unbatch", input: input.plan }, cardinality: unbatchCardinality(input.cardinality, input.spec) };
  },
};

/** Arguments of a `RebatchDatasetV2` node (inputs as already emitted nodes). */
export interface RebatchArgs {
  readonly batchSizes: string;
  readonly dropRemainder: string;
  readonly spec: readonly ComponentSpec[];
}

/** Emits a `RebatchDatasetV2` node (TF writes it without metadata); returns its name. */
export function emitRebatch(b: GraphBuilder, input: string, a: RebatchArgs): string {
  return b.datasetNode({ op: "RebatchDatasetV2", inputs: [input, a.batchSizes, a.dropRemainder], spec: a.spec, metadataName: null });
}

/** Lowers `RebatchDatasetV2` to a `rebatch` plan. */
export const rebatchDatasetV2Op: DatasetOpDef = {
  op: "RebatchDatasetV2",
  lower(ctx) {
    ctx.expectInputs(3);
    const input = ctx.dataset(0);
    const t = ctx.tensor(1, DType.int64);
    const shape = protoShape(t);
    if (shape.length > 1) throw ctx.error("InvalidArgument", "`batch_sizes` must be a scalar or a vector.");
    const sizes = readInt64Vector(t, shape.length === 0 ? 1 : shape[0]);
    if (sizes.length === 0) throw ctx.error("InvalidArgument", "`batch_sizes` must not be empty");
    if (sizes.some((s) => s < 0n)) throw ctx.error("InvalidArgument", `\`batch_sizes\` must be >= 0, got [${sizes.join(", ")}]`);
    const dropRemainder = ctx.bool(2);
    checkMetadata(ctx);
    const spec = ctx.spec;
    if (spec.length !== input.spec.length || spec.some((c, i) => c.dtype !== input.spec[i].dtype)) {
      throw ctx.error("InvalidArgument", "output_types must be the input's component dtypes");
    }
    const flat: number[] = [];
    for (const c of spec) {
      if (c.shape === null) flat.push(-1);
      else flat.push(c.shape.length, ...c.shape);
    }
    return {
      plan: {
        op: "rebatch", input: input.plan, batchSizes: sizes.map(Number), dropRemainder,
        dtypes: spec.map((c) => c.dtype), shapes: flat,
      },
      cardinality: UNKNOWN,
    };
  },
};
