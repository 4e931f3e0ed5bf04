/**
 * Shape and indexing kernel ops of function bodies: `Reshape`, `ExpandDims`, `Squeeze`, `Shape`,
 * `Size`, `Rank`, `Fill`, `ZerosLike`, `OnesLike`, `Pack`, `ConcatV2`, `Slice`, `StridedSlice`,
 * `GatherV2`, `Transpose`, `Tile` and `Range`. Shape-like operands (shape, axis, perm, multiples,
 * begin/end/strides, ...) stay tensors: they arrive at run time (usually from `Const` nodes), so
 * computed shapes work too; the lowering checks their dtypes.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { ANY, FLOATS, INDEX, REAL, expectInputs, kernelOp, oneOutput, typeAttr } from "./kernels-common.js";
import type { KernelOpDef } from "./registry.js";

/** `Reshape`: tensor, shape (Tshape). */
export const reshapeOp = kernelOp("Reshape", (ctx) => {
  expectInputs(ctx, 2);
  const t = typeAttr(ctx, "T", ANY);
  const ts = typeAttr(ctx, "Tshape", INDEX, DType.int32);
  return oneOutput("Reshape", "output", t, [t, ts]);
});

/** `ExpandDims`: input, dim (Tdim). */
export const expandDimsOp = kernelOp("ExpandDims", (ctx) => {
  expectInputs(ctx, 2);
  const t = typeAttr(ctx, "T", ANY);
  const td = typeAttr(ctx, "Tdim", INDEX, DType.int32);
  return oneOutput("ExpandDims", "output", t, [t, td]);
});

/** `Squeeze`: attr squeeze_dims (empty: every size-1 dim). */
export const squeezeOp = kernelOp("Squeeze", (ctx) => {
  expectInputs(ctx, 1);
  const t = typeAttr(ctx, "T", ANY);
  const v = ctx.attrs.attrs.squeeze_dims;
  const dims = v?.value.case === "list" ? v.value.value.i.map(Number) : [];
  return oneOutput("Squeeze", "output", t, [t], { squeeze_dims: dims });
});

function shapeLikeOp(op: "Shape" | "Size"): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 1);
    const t = typeAttr(ctx, "T", ANY);
    const out = typeAttr(ctx, "out_type", INDEX, DType.int32);
    return oneOutput(op, "output", out, [t], { out_type: out });
  });
}

/** `Rank`: int32 scalar. */
export const rankOp = kernelOp("Rank", (ctx) => {
  expectInputs(ctx, 1);
  const t = typeAttr(ctx, "T", ANY);
  return oneOutput("Rank", "output", DType.int32, [t]);
});

/** `Fill`: dims (index_type), value. */
export const fillOp = kernelOp("Fill", (ctx) => {
  expectInputs(ctx, 2);
  const t = typeAttr(ctx, "T", ANY);
  const it = typeAttr(ctx, "index_type", INDEX, DType.int32);
  return oneOutput("Fill", "output", t, [it, t], { T: t });
});

function likeOp(op: "ZerosLike" | "OnesLike"): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 1);
    const t = typeAttr(ctx, "T", op === "OnesLike" ? [...REAL, DType.bool] : ANY);
    return oneOutput(op, "y", t, [t], { T: t });
  });
}

/** `Pack` (tf.stack): N values, attr axis. */
export const packOp = kernelOp("Pack", (ctx) => {
  const t = typeAttr(ctx, "T", ANY);
  const n = Number(ctx.attrs.int("N"));
  if (n < 1 || ctx.inputCount !== n) throw ctx.error("InvalidArgument", `attr N is ${n} but the node has ${ctx.inputCount} inputs`);
  const axis = Number(ctx.attrs.int("axis", 0n));
  return oneOutput("Pack", "output", t, new Array<DType>(n).fill(t), { T: t, axis });
});

/** `ConcatV2`: N values then the axis (Tidx). */
export const concatV2Op = kernelOp("ConcatV2", (ctx) => {
  const t = typeAttr(ctx, "T", ANY);
  const n = Number(ctx.attrs.int("N"));
  if (n < 1 || ctx.inputCount !== n + 1) {
    throw ctx.error("InvalidArgument", `attr N is ${n} but the node has ${ctx.inputCount} inputs (N values and the axis)`);
  }
  const ti = typeAttr(ctx, "Tidx", INDEX, DType.int32);
  return oneOutput("ConcatV2", "output", t, [...new Array<DType>(n).fill(t), ti], { T: t });
});

/** `Slice`: input, begin, size (Index). */
export const sliceOp = kernelOp("Slice", (ctx) => {
  expectInputs(ctx, 3);
  const t = typeAttr(ctx, "T", ANY);
  const ix = typeAttr(ctx, "Index", INDEX);
  return oneOutput("Slice", "output", t, [t, ix, ix]);
});

/** `StridedSlice`: input, begin, end, strides (Index) and the five masks. */
export const stridedSliceOp = kernelOp("StridedSlice", (ctx) => {
  expectInputs(ctx, 4);
  const t = typeAttr(ctx, "T", ANY);
  const ix = typeAttr(ctx, "Index", [DType.int16, ...INDEX]);
  const mask = (name: string) => Number(ctx.attrs.int(name, 0n));
  return oneOutput("StridedSlice", "output", t, [t, ix, ix, ix], {
    begin_mask: mask("begin_mask"),
    end_mask: mask("end_mask"),
    ellipsis_mask: mask("ellipsis_mask"),
    new_axis_mask: mask("new_axis_mask"),
    shrink_axis_mask: mask("shrink_axis_mask"),
  });
});

/** `GatherV2`: params, indices (Tindices), axis (Taxis); attr batch_dims. */
export const gatherV2Op = kernelOp("GatherV2", (ctx) => {
  expectInputs(ctx, 3);
  const tp = typeAttr(ctx, "Tparams", ANY);
  const ti = typeAttr(ctx, "Tindices", [DType.int16, ...INDEX]);
  const ta = typeAttr(ctx, "Taxis", INDEX);
  const batchDims = Number(ctx.attrs.int("batch_dims", 0n));
  return oneOutput("GatherV2", "output", tp, [tp, ti, ta], { batch_dims: batchDims });
});

/** `Transpose`: x, perm (Tperm). */
export const transposeOp = kernelOp("Transpose", (ctx) => {
  expectInputs(ctx, 2);
  const t = typeAttr(ctx, "T", ANY);
  const tp = typeAttr(ctx, "Tperm", INDEX, DType.int32);
  return oneOutput("Transpose", "y", t, [t, tp]);
});

/** `Tile`: input, multiples (Tmultiples). TF's TileOp has no uint16 case (Unimplemented). */
export const tileOp = kernelOp("Tile", (ctx) => {
  expectInputs(ctx, 2);
  const t = typeAttr(ctx, "T", ANY);
  if (t === DType.uint16) {
    throw ctx.error("Unimplemented", `TileOp : The input data type is not supported, DataType : ${dtypeName(t)}`);
  }
  const tm = typeAttr(ctx, "Tmultiples", INDEX, DType.int32);
  return oneOutput("Tile", "output", t, [t, tm]);
});

/** `Range` (tf.range in a function): start, limit, delta of Tidx. */
export const rangeKernelOp = kernelOp("Range", (ctx) => {
  expectInputs(ctx, 3);
  const t = typeAttr(ctx, "Tidx", [...FLOATS, ...INDEX], DType.int32);
  return oneOutput("Range", "output", t, [t, t, t], { Tidx: t });
});

/** Every shape/indexing kernel op. */
export const shapeKernelOps: readonly KernelOpDef[] = [
  reshapeOp, expandDimsOp, squeezeOp, shapeLikeOp("Shape"), shapeLikeOp("Size"), rankOp, fillOp, likeOp("ZerosLike"),
  likeOp("OnesLike"), packOp, concatV2Op, sliceOp, stridedSliceOp, gatherV2Op, transposeOp, tileOp, rangeKernelOp,
];
