/**
 * `FilterDataset`: TF's `Dataset.filter(predicate)`. Layout (TF 2.21): `FilterDataset/_n`
 * inputs [input, captured tensors...], attrs Targuments (their dtypes; [] when none),
 * predicate (func), output_types / output_shapes (the input's), metadata.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { attrFunc, attrTypeList } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { capturedInputs, lowerWithCaptured } from "./captured.js";
import { checkMetadata, checkSpec, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** Arguments of a `FilterDataset` node. */
export interface FilterArgs {
  /** The library function (added to the builder separately). */
  readonly predicate: string;
  /** The input's (and output's) element spec. */
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `FilterDataset` node reading `input`; returns its name. */
export function emitFilter(b: GraphBuilder, input: string, a: FilterArgs): string {
  return b.datasetNode({
    op: "FilterDataset",
    inputs: [input],
    attrs: { Targuments: attrTypeList([]), predicate: attrFunc(a.predicate) },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** Lowers `FilterDataset` to a `filter` plan. */
export const filterDatasetOp: DatasetOpDef = {
  op: "FilterDataset",
  lower(ctx) {
    const numCaptured = ctx.attrs.has("Targuments") ? ctx.attrs.types("Targuments").length : 0;
    ctx.expectInputs(1 + numCaptured);
    const input = ctx.dataset(0);
    const captured = capturedInputs(ctx, 1);
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "filter passes its input's elements through and");
    const fn = lowerWithCaptured(ctx, ctx.attrs.func("predicate"), input.spec, captured);
    if (fn.outputTypes.length !== 1 || fn.outputTypes[0] !== DType.bool) {
      throw ctx.error("InvalidArgument", "Invalid `predicate`: it must return a scalar bool, but returns " +
        `[${fn.outputTypes.map(dtypeName).join(", ")}]`);
    }
    return { plan: { op: "filter", input: input.plan, predicate: fn.plan }, cardinality: UNKNOWN };
  },
};
