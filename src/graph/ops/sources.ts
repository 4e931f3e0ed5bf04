/**
 * `TensorDataset` and `TensorSliceDataset`: TF's `Dataset.from_tensors` / `from_tensor_slices`.
 * Layout (TF 2.21): one `Const/_n` per component (flattened in `tf.nest` order), then
 *
 *   TensorDataset/_k      inputs [components...]; attrs Toutput_types, output_shapes, metadata
 *   TensorSliceDataset/_k inputs [components...]; attrs Toutput_types, output_shapes (the
 *                         component shapes without their leading dim), is_files b=false,
 *                         replicate_on_split b=false, metadata
 *
 * Both lower to a plan that carries the components as a serialized UncompressedElement.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { attrBool, attrTypeList } from "../attr-value.js";
import { compatibleSpec, formatSpec, type ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { checkMetadata } from "./common.js";
import { protoShape, uncompressedElementBytes } from "./const-tensor.js";
import type { DatasetLowerContext, DatasetOpDef } from "./registry.js";

/** Arguments of a `TensorDataset` / `TensorSliceDataset` node. */
export interface TensorSourceArgs {
  /** The component input node names (Consts, or tensors of a function being traced). */
  readonly components: readonly string[];
  /** The element spec of the dataset (for slices: without the leading dim). */
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits a `TensorDataset` node over already emitted components; returns its name. */
export function emitTensorDataset(b: GraphBuilder, a: TensorSourceArgs): string {
  return b.datasetNode({
    op: "TensorDataset",
    inputs: a.components,
    attrs: { Toutput_types: attrTypeList(a.spec.map((c) => c.dtype)) },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** Emits a `TensorSliceDataset` node over already emitted components; returns its name. */
export function emitTensorSliceDataset(b: GraphBuilder, a: TensorSourceArgs): string {
  return b.datasetNode({
    op: "TensorSliceDataset",
    inputs: a.components,
    attrs: {
      Toutput_types: attrTypeList(a.spec.map((c) => c.dtype)),
      is_files: attrBool(false),
      replicate_on_split: attrBool(false),
    },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

function lowerComponents(ctx: DatasetLowerContext) {
  if (ctx.inputCount < 1) throw ctx.error("InvalidArgument", "needs at least one component input");
  const types = ctx.attrs.types("Toutput_types");
  if (types.length !== ctx.inputCount) {
    throw ctx.error("InvalidArgument", `has ${ctx.inputCount} component inputs but Toutput_types lists ${types.length}`);
  }
  const protos = [];
  for (let i = 0; i < ctx.inputCount; i++) {
    const t = ctx.tensor(i);
    if (t.dtype !== types[i]) {
      throw ctx.error("InvalidArgument", `component ${i} is a ${dtypeName(t.dtype)} tensor but Toutput_types says ` +
        `${dtypeName(types[i])}`);
    }
    if (t.dtype === DType.variant) throw ctx.error("Unimplemented", `component ${i} is a variant tensor, which is not supported`);
    protos.push(t);
  }
  checkMetadata(ctx);
  return protos;
}

function checkDeclared(ctx: DatasetLowerContext, computed: ComponentSpec[]): void {
  if (!compatibleSpec(ctx.spec, computed)) {
    throw ctx.error("InvalidArgument", `declares elements ${formatSpec(ctx.spec)}, but its components make ` +
      `${formatSpec(computed)}`);
  }
}

/** Lowers `TensorDataset` to a `tensor` plan (one element). */
export const tensorDatasetOp: DatasetOpDef = {
  op: "TensorDataset",
  lower(ctx) {
    const protos = lowerComponents(ctx);
    checkDeclared(ctx, protos.map((p) => ({ dtype: p.dtype as number as DType, shape: protoShape(p) })));
    return { plan: { op: "tensor", components: uncompressedElementBytes(protos) }, cardinality: 1n };
  },
};

/** Lowers `TensorSliceDataset` to a `tensorSlice` plan (one element per row). */
export const tensorSliceDatasetOp: DatasetOpDef = {
  op: "TensorSliceDataset",
  lower(ctx) {
    const protos = lowerComponents(ctx);
    ctx.attrs.bool("is_files", false);
    const replicateOnSplit = ctx.attrs.bool("replicate_on_split", false);
    let rows: number | undefined;
    protos.forEach((p, i) => {
      const shape = protoShape(p);
      if (shape.length === 0) throw ctx.error("InvalidArgument", `component ${i} is a scalar; slicing needs rank >= 1`);
      if (rows === undefined) rows = shape[0];
      else if (shape[0] !== rows) {
        throw ctx.error("InvalidArgument", `component ${i} has ${shape[0]} rows but component 0 has ${rows}; all ` +
          "components must have the same size in the 0th dimension");
      }
    });
    checkDeclared(ctx, protos.map((p) => ({ dtype: p.dtype as number as DType, shape: protoShape(p).slice(1) })));
    return {
      plan: { op: "tensorSlice", components: uncompressedElementBytes(protos), ...(replicateOnSplit ? { replicateOnSplit } : {}) },
      cardinality: BigInt(rows ?? 0),
    };
  },
};
