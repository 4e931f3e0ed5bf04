/**
 * `FlatMapDataset`, `InterleaveDataset` and `ParallelInterleaveDatasetV4`: TF's
 * `Dataset.flat_map(f)` and `Dataset.interleave(f, cycle_length, block_length,
 * num_parallel_calls, deterministic)`, whose function returns a dataset per element.
 *
 * Layouts (TF 2.21; captured tensors, constants bound into the function, follow the input):
 *   FlatMapDataset [input]; attrs Targuments=[], f, output_types, output_shapes, metadata
 *   InterleaveDataset [input, Const cycle_length, Const block_length]; same attrs
 *   ParallelInterleaveDatasetV4 [input, cycle_length, block_length, buffer_output_elements,
 *     prefetch_input_elements, num_parallel_calls]; attrs as above plus deterministic
 *     ("default" | "true" | "false"). TF writes the values its kernel resolved:
 *     buffer_output_elements = 2 * block_length + 1, prefetch_input_elements = 2 * cycle_length,
 *     and an AUTOTUNE cycle_length becomes the machine's parallelism.
 *
 * All three lower to plans whose function is split into a params function and a dataset
 * template (`dataset-function.ts`). The parallel interleave runs in its deterministic order
 * (the order of `InterleaveDataset`), which is also a valid order when `deterministic` is false.
 */
import { attrBytes, attrFunc, attrTypeList } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { capturedInputs } from "./captured.js";
import { checkMetadata, UNKNOWN } from "./common.js";
import { lowerDatasetFunction } from "./dataset-function.js";
import type { DatasetLowerContext, DatasetOpDef, LoweredNode } from "./registry.js";

/** `cycle_length` / `num_parallel_calls` value meaning AUTOTUNE. */
const AUTOTUNE = -1n;

/**
 * The parallelism an AUTOTUNE cycle length resolves to (TF: the number of schedulable CPUs).
 * Runtime-neutral: `navigator.hardwareConcurrency` where the runtime has it, else 1.
 */
export function defaultParallelism(): bigint {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return BigInt(typeof n === "number" && n > 0 ? Math.floor(n) : 1);
}

/** Common arguments of the flat_map-like nodes. */
export interface FlatMapArgs {
  /** The library function returning a dataset (added to the builder separately). */
  readonly fn: string;
  /** The element spec of the datasets the function returns. */
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

const functionAttrs = (fn: string) => ({ Targuments: attrTypeList([]), f: attrFunc(fn) });

/** Emits a `FlatMapDataset` node; returns its name. */
export function emitFlatMap(b: GraphBuilder, input: string, a: FlatMapArgs): string {
  return b.datasetNode({ op: "FlatMapDataset", inputs: [input], attrs: functionAttrs(a.fn), spec: a.spec, metadataName: a.metadataName });
}

/** Arguments of an interleave node. */
export interface InterleaveArgs extends FlatMapArgs {
  /** Already resolved (never AUTOTUNE). */
  readonly cycleLength: bigint;
  readonly blockLength: bigint;
  /** Present: `ParallelInterleaveDatasetV4` (-1n = AUTOTUNE). */
  readonly numParallelCalls?: bigint;
  readonly deterministic?: "default" | "true" | "false";
}

/** Emits the Consts and an `InterleaveDataset` or `ParallelInterleaveDatasetV4` node; returns its name. */
export function emitInterleave(b: GraphBuilder, input: string, a: InterleaveArgs): string {
  const cycle = b.int64Const(a.cycleLength);
  const block = b.int64Const(a.blockLength);
  if (a.numParallelCalls === undefined) {
    return b.datasetNode({
      op: "InterleaveDataset", inputs: [input, cycle, block], attrs: functionAttrs(a.fn), spec: a.spec, metadataName: a.metadataName,
    });
  }
  const bufferOutput = b.int64Const(2n * a.blockLength + 1n);
  const prefetchInput = b.int64Const(2n * a.cycleLength);
  const calls = b.int64Const(a.numParallelCalls);
  return b.datasetNode({
    op: "ParallelInterleaveDatasetV4",
    inputs: [input, cycle, block, bufferOutput, prefetchInput, calls],
    attrs: { ...functionAttrs(a.fn), deterministic: attrBytes(a.deterministic ?? "default") },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

function positive(ctx: DatasetLowerContext, index: number, what: string, allowAutotune: boolean): bigint {
  const v = ctx.int64(index);
  if (allowAutotune && v === AUTOTUNE) return v;
  if (v <= 0n) {
    throw ctx.error("InvalidArgument", `${what} must be greater than zero${allowAutotune ? " or -1 (AUTOTUNE)" : ""}, got ${v}`);
  }
  return v;
}

function lowerFlatMapLike(ctx: DatasetLowerContext, kind: "flat_map" | "interleave" | "parallel"): LoweredNode {
  const numCaptured = ctx.attrs.has("Targuments") ? ctx.attrs.types("Targuments").length : 0;
  ctx.expectInputs(numCaptured + (kind === "flat_map" ? 1 : kind === "interleave" ? 3 : 6));
  const input = ctx.dataset(0);
  const captured = capturedInputs(ctx, 1);
  checkMetadata(ctx);
  const fn = lowerDatasetFunction(ctx, ctx.attrs.func("f"), input.spec, ctx.spec, captured);
  if (kind === "flat_map") {
    return { plan: { op: "flatMap", input: input.plan, body: fn.body, fn: fn.fn, templateInput: 1 }, cardinality: UNKNOWN };
  }
  const k = 1 + numCaptured;
  let cycleLength = positive(ctx, k, "cycle_length", true);
  if (cycleLength === AUTOTUNE) cycleLength = defaultParallelism();
  const blockLength = positive(ctx, k + 1, "block_length", false);
  if (kind === "parallel") {
    // Buffer sizes and parallelism change throughput only; they are validated, not used.
    positive(ctx, k + 2, "buffer_output_elements", true);
    positive(ctx, k + 3, "prefetch_input_elements", true);
    positive(ctx, k + 4, "num_parallel_calls", true);
    const det = ctx.attrs.string("deterministic", "default");
    if (!["default", "true", "false"].includes(det)) {
      throw ctx.error("InvalidArgument", `attr 'deterministic' must be "default", "true" or "false", got "${det}"`);
    }
  }
  return {
    plan: { op: "interleave", input: input.plan, body: fn.body, fn: fn.fn, templateInput: 1, cycleLength, blockLength },
    cardinality: UNKNOWN,
  };
}

/** Lowers `FlatMapDataset`. */
export const flatMapDatasetOp: DatasetOpDef = { op: "FlatMapDataset", lower: (ctx) => lowerFlatMapLike(ctx, "flat_map") };

/** Lowers `InterleaveDataset`. */
export const interleaveDatasetOp: DatasetOpDef = { op: "InterleaveDataset", lower: (ctx) => lowerFlatMapLike(ctx, "interleave") };

/** Lowers `ParallelInterleaveDatasetV4` (in its deterministic order). */
export const parallelInterleaveDatasetV4Op: DatasetOpDef = {
  op: "ParallelInterleaveDatasetV4",
  lower: (ctx) => lowerFlatMapLike(ctx, "parallel"),
};
