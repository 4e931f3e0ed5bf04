/**
 * `MapDataset` and `ParallelMapDatasetV2`: TF's `Dataset.map(f)` without / with
 * `num_parallel_calls`. The function is a `FunctionDef` of the graph's library named by attr `f`.
 *
 * ParallelMapDatasetV2 layout (as TF appends it for compression "AUTO"): `<input>`,
 * `Const/_n` (int64 num_parallel_calls, -1 = AUTOTUNE), `ParallelMapDatasetV2/_n+1` inputs
 * [input, num_parallel_calls], attrs Targuments=[], deterministic="default", f, metadata,
 * output_shapes, output_types, preserve_cardinality=true, use_inter_op_parallelism=true,
 * use_unbounded_threadpool=false.
 *
 * MapDataset: inputs [input], attrs Targuments=[], f, force_synchronous=false, metadata,
 * output_shapes, output_types, preserve_cardinality=true, use_inter_op_parallelism=true.
 *
 * Captured tensors (Python closures over tensors) follow the input as extra Const inputs, their
 * dtypes in Targuments; they are bound into the function as constants (`captured.ts`).
 *
 * Both lower to a sequential `map` plan: parallelism changes throughput, never the elements
 * (deterministic order is what the core gives, and a valid order when `deterministic` is false).
 */
import { dtypeName } from "../../core/dtype.js";
import { attrBool, attrBytes, attrFunc, attrTypeList } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { capturedInputs, lowerWithCaptured } from "./captured.js";
import { checkMetadata, UNKNOWN } from "./common.js";
import type { FunctionPlan } from "../../core/plan.js";
import type { DatasetLowerContext, DatasetOpDef, LoweredNode } from "./registry.js";

/** Arguments of a `ParallelMapDatasetV2` node. */
export interface ParallelMapArgs {
  /** The library function applied to each element (must be added to the builder separately). */
  readonly fn: string;
  /** `num_parallel_calls`; -1n is AUTOTUNE. */
  readonly numParallelCalls: bigint;
  /** `"default"`, `"true"` or `"false"`. */
  readonly deterministic: "default" | "true" | "false";
  /** The output element spec (the function's outputs). */
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits the num_parallel_calls Const and the `ParallelMapDatasetV2` node; returns its name. */
export function emitParallelMap(b: GraphBuilder, input: string, a: ParallelMapArgs): string {
  const calls = b.int64Const(a.numParallelCalls);
  return b.datasetNode({
    op: "ParallelMapDatasetV2",
    inputs: [input, calls],
    attrs: {
      Targuments: attrTypeList([]),
      deterministic: attrBytes(a.deterministic),
      f: attrFunc(a.fn),
      preserve_cardinality: attrBool(true),
      use_inter_op_parallelism: attrBool(true),
      use_unbounded_threadpool: attrBool(false),
    },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** Arguments of a `MapDataset` node. */
export interface MapArgs {
  readonly fn: string;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `MapDataset` node; returns its name. */
export function emitMap(b: GraphBuilder, input: string, a: MapArgs): string {
  return b.datasetNode({
    op: "MapDataset",
    inputs: [input],
    attrs: {
      Targuments: attrTypeList([]),
      f: attrFunc(a.fn),
      force_synchronous: attrBool(false),
      preserve_cardinality: attrBool(true),
      use_inter_op_parallelism: attrBool(true),
    },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/**
 * Instructions from which a function over scalars may cost what threads need to pay off (the
 * parallel runner's PARALLEL_MIN_STAGE_US); shorter ones are left out of the map_parallelization
 * rewrite, since a rewritten map runs through the runner's chunks even where it stays local.
 */
export const MIN_PARALLEL_SCALAR_INSTRUCTIONS = 200;

/** Whether a map over `spec` running `fn` could be costly enough for threads (statically). */
function mayPayInThreads(spec: readonly ComponentSpec[], fn: FunctionPlan): boolean {
  const scalars = spec.every((c) => c.shape !== null && c.shape.length === 0);
  return !scalars || fn.instructions.length >= MIN_PARALLEL_SCALAR_INSTRUCTIONS;
}

function lowerMap(ctx: DatasetLowerContext, numParallelCallsInput: boolean): LoweredNode {
  const numCaptured = ctx.attrs.has("Targuments") ? ctx.attrs.types("Targuments").length : 0;
  ctx.expectInputs(1 + numCaptured + (numParallelCallsInput ? 1 : 0));
  const input = ctx.dataset(0);
  const captured = capturedInputs(ctx, 1);
  let parallel: { numParallelCalls: bigint; deterministic: boolean } | undefined;
  if (numParallelCallsInput) {
    const calls = ctx.int64(1 + numCaptured);
    if (calls !== -1n && calls <= 0n) {
      throw ctx.error("InvalidArgument", `num_parallel_calls must be positive or -1 (AUTOTUNE), got ${calls}`);
    }
    const det = ctx.attrs.string("deterministic", "default");
    if (!["default", "true", "false"].includes(det)) {
      throw ctx.error("InvalidArgument", `attr 'deterministic' must be "default", "true" or "false", got "${det}"`);
    }
    ctx.attrs.bool("use_unbounded_threadpool", false);
    // Hints for the parallel runner (src/core/parallel); the core ignores them.
    parallel = { numParallelCalls: calls, deterministic: det === "default" ? ctx.options.deterministic : det === "true" };
  }
  const synchronous = !numParallelCallsInput && ctx.attrs.bool("force_synchronous", false);
  ctx.attrs.bool("use_inter_op_parallelism", true);
  const preserve = ctx.attrs.bool("preserve_cardinality", false);
  checkMetadata(ctx);
  const fn = lowerWithCaptured(ctx, ctx.attrs.func("f"), input.spec, captured);
  const declared = ctx.spec.map((c) => c.dtype);
  if (declared.length !== fn.outputTypes.length || declared.some((d, i) => d !== fn.outputTypes[i])) {
    throw ctx.error("InvalidArgument", `declares output_types [${declared.map(dtypeName).join(", ")}] but its ` +
      `function returns [${fn.outputTypes.map(dtypeName).join(", ")}]`);
  }
  if (!numParallelCallsInput && !synchronous && ctx.options.mapParallelization && mayPayInThreads(input.spec, fn.plan)) {
    // TF's default map_parallelization rewrite: the map runs as with num_parallel_calls=AUTOTUNE.
    parallel = { numParallelCalls: -1n, deterministic: ctx.options.deterministic };
  }
  // Shapes: the function signature carries no static shapes, so the declared ones stand.
  return { plan: { op: "map", input: input.plan, fn: fn.plan, ...parallel }, cardinality: preserve ? input.cardinality : UNKNOWN };
}

/** Lowers `MapDataset`. */
export const mapDatasetOp: DatasetOpDef = { op: "MapDataset", lower: (ctx) => lowerMap(ctx, false) };

/** Lowers `ParallelMapDatasetV2` (run sequentially: same elements, same order). */
export const parallelMapDatasetV2Op: DatasetOpDef = { op: "ParallelMapDatasetV2", lower: (ctx) => lowerMap(ctx, true) };
