/**
 * `ConcatenateDataset` and `ZipDataset`: TF's `concatenate(other)` and `Dataset.zip(datasets)`.
 * Layouts (TF 2.21): the inputs' nodes in order, then
 *
 *   ConcatenateDataset/_n [input, other]; attrs output_types, output_shapes, metadata
 *   ZipDataset/_n [inputs...]; attrs N, output_types, output_shapes, metadata
 */
import { dtypeName } from "../../core/dtype.js";
import type { PlanShape } from "../../core/plan.js";
import { attrInt } from "../attr-value.js";
import { formatSpec, type ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** The most specific shape compatible with both (TF's `most_specific_compatible_shape`). */
export function mostSpecificCompatibleShape(a: PlanShape, b: PlanShape): PlanShape {
  if (a === null || b === null || a.length !== b.length) return null;
  return a.map((d, i) => (d === b[i] ? d : -1));
}

/** The element spec of `a` concatenated with `b` (same dtypes; shapes relaxed where they differ). */
export function concatenateSpec(a: readonly ComponentSpec[], b: readonly ComponentSpec[]): ComponentSpec[] | null {
  if (a.length !== b.length || a.some((c, i) => c.dtype !== b[i].dtype)) return null;
  return a.map((c, i) => ({ dtype: c.dtype, shape: mostSpecificCompatibleShape(c.shape, b[i].shape) }));
}

/** TF's ConcatenateDataset cardinality. */
export function concatenateCardinality(a: bigint, b: bigint): bigint {
  if (a === INFINITE || b === INFINITE) return INFINITE;
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  return a + b;
}

/** TF's ZipDataset cardinality: the smallest finite input; unknown if any input is. */
export function zipCardinality(inputs: readonly bigint[]): bigint {
  let result = INFINITE;
  for (const n of inputs) {
    if (n === UNKNOWN) return UNKNOWN;
    if (n !== INFINITE && (result === INFINITE || n < result)) result = n;
  }
  return result;
}

/** Emits a `ConcatenateDataset` node; returns its name. */
export function emitConcatenate(b: GraphBuilder, input: string, other: string, spec: readonly ComponentSpec[],
  metadataName: string): string {
  return b.datasetNode({ op: "ConcatenateDataset", inputs: [input, other], spec, metadataName });
}

/** Emits a `ZipDataset` node; returns its name. */
export function emitZip(b: GraphBuilder, inputs: readonly string[], spec: readonly ComponentSpec[],
  metadataName: string): string {
  return b.datasetNode({ op: "ZipDataset", inputs, attrs: { N: attrInt(inputs.length) }, spec, metadataName });
}

/** Lowers `ConcatenateDataset` to a `concatenate` plan. */
export const concatenateDatasetOp: DatasetOpDef = {
  op: "ConcatenateDataset",
  lower(ctx) {
    ctx.expectInputs(2);
    const a = ctx.dataset(0);
    const b = ctx.dataset(1);
    const spec = concatenateSpec(a.spec, b.spec);
    if (spec === null) {
      throw ctx.error("InvalidArgument", `input dataset and dataset to concatenate have different types: ` +
        `${formatSpec(a.spec)} and ${formatSpec(b.spec)} (${a.spec.map((c) => dtypeName(c.dtype)).join(", ")} vs ` +
        `${b.spec.map((c) => dtypeName(c.dtype)).join(", ")})`);
    }
    checkMetadata(ctx);
    checkSpec(ctx, spec, "concatenating its inputs' elements,");
    return {
      plan: { op: "concatenate", input: a.plan, other: b.plan },
      cardinality: concatenateCardinality(a.cardinality, b.cardinality),
    };
  },
};

/** Lowers `ZipDataset` to a `zip` plan. */
export const zipDatasetOp: DatasetOpDef = {
  op: "ZipDataset",
  lower(ctx) {
    const n = Number(ctx.attrs.int("N"));
    if (n < 1) throw ctx.error("InvalidArgument", `attr 'N' must be at least 1, got ${n}`);
    ctx.expectInputs(n);
    const inputs = Array.from({ length: n }, (_, i) => ctx.dataset(i));
    checkMetadata(ctx);
    checkSpec(ctx, inputs.flatMap((x) => x.spec), "zipping its inputs' elements,");
    return {
      plan: { op: "zip", inputs: inputs.map((x) => x.plan) },
      cardinality: zipCardinality(inputs.map((x) => x.cardinality)),
    };
  },
};
