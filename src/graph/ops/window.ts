/**
 * `WindowDataset`: TF's `window(size, shift, stride, drop_remainder)`. Layout (TF 2.21):
 * `<input>`, `Const` x3 (int64 size, shift, stride), `Const` (bool drop_remainder),
 * `WindowDataset/_n` [input, size, shift, stride, drop_remainder]; attrs output_types (one
 * DT_VARIANT per input component: each a dataset of that component's window), output_shapes
 * (scalars), metadata.
 */
import { DType } from "../../core/dtype.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** TF's WindowDataset cardinality. */
export function windowCardinality(input: bigint, size: bigint, shift: bigint, stride: bigint, dropRemainder: boolean): bigint {
  if (input === INFINITE || input === UNKNOWN) return input;
  if (dropRemainder) {
    const rest = input - ((size - 1n) * stride + 1n);
    return rest < 0n ? 0n : rest / shift + 1n;
  }
  return input / shift + (input % shift === 0n ? 0n : 1n);
}

/** TF's message for a bad window argument, or null. */
export function windowArgsError(size: bigint, shift: bigint, stride: bigint): string | null {
  if (size <= 0n) return "Window size must be greater than zero.";
  if (shift <= 0n) return "Window shift must be greater than zero.";
  if (stride <= 0n) return "Window stride must be greater than zero.";
  return null;
}

/** The window element spec: one scalar variant (a dataset) per input component. */
export function windowSpec(input: readonly ComponentSpec[]): ComponentSpec[] {
  return input.map(() => ({ dtype: DType.variant, shape: [] }));
}

/** Arguments of a `WindowDataset` node (scalar inputs as emitted nodes). */
export interface WindowArgs {
  readonly size: string;
  readonly shift: string;
  readonly stride: string;
  readonly dropRemainder: string;
  readonly inputSpec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `WindowDataset` node; returns its name. */
export function emitWindow(b: GraphBuilder, input: string, a: WindowArgs): string {
  return b.datasetNode({
    op: "WindowDataset",
    inputs: [input, a.size, a.shift, a.stride, a.dropRemainder],
    spec: windowSpec(a.inputSpec),
    metadataName: a.metadataName,
  });
}

/** Lowers `WindowDataset` to a `window` plan. */
export const windowDatasetOp: DatasetOpDef = {
  op: "WindowDataset",
  lower(ctx) {
    ctx.expectInputs(5);
    const input = ctx.dataset(0);
    const size = ctx.int64(1);
    const shift = ctx.int64(2);
    const stride = ctx.int64(3);
    const dropRemainder = ctx.bool(4);
    const bad = windowArgsError(size, shift, stride);
    if (bad) throw ctx.error("InvalidArgument", bad);
    checkMetadata(ctx);
    checkSpec(ctx, windowSpec(input.spec), "windowing makes one dataset (a scalar variant) per input component, so");
    return {
      plan: { op: "window", input: input.plan, size, shift, stride, dropRemainder },
      cardinality: windowCardinality(input.cardinality, size, shift, stride, dropRemainder),
    };
  },
};
