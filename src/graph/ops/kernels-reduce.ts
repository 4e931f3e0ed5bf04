/**
 * Reduction kernel ops of function bodies: `Sum`, `Mean`, `Prod`, `Max`, `Min`, `All`, `Any`
 * (reduction_indices tensor, keep_dims), `ArgMax`/`ArgMin` and `OneHot`. Float reductions follow
 * TF's evaluation order exactly (see assembly/kernels/reduce.ts).
 */
import { DType } from "../../core/dtype.js";
import { ANY, INDEX, REAL, expectInputs, kernelOp, oneOutput, typeAttr } from "./kernels-common.js";
import type { KernelOpDef } from "./registry.js";

function reduceOp(op: string, boolOnly: boolean): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 2);
    const t = boolOnly ? DType.bool : typeAttr(ctx, "T", REAL);
    const ti = typeAttr(ctx, "Tidx", INDEX, DType.int32);
    const keepDims = ctx.attrs.bool("keep_dims", false);
    return oneOutput(op, "output", t, [t, ti], { T: t, keep_dims: keepDims });
  });
}

function argOp(op: "ArgMax" | "ArgMin"): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 2);
    const t = typeAttr(ctx, "T", [...REAL, DType.bool]);
    const ti = typeAttr(ctx, "Tidx", op === "ArgMax" ? [DType.int16, ...INDEX] : INDEX, DType.int32);
    const outs = op === "ArgMax" ? [DType.int16, DType.uint16, ...INDEX] : INDEX;
    const out = typeAttr(ctx, "output_type", outs, DType.int64);
    return oneOutput(op, "output", out, [t, ti], { T: t, output_type: out });
  });
}

/** `OneHot`: indices (TI), depth (int32), on_value, off_value; attr axis. */
export const oneHotOp = kernelOp("OneHot", (ctx) => {
  expectInputs(ctx, 4);
  const t = typeAttr(ctx, "T", ANY);
  const ti = typeAttr(ctx, "TI", [DType.uint8, DType.int8, ...INDEX], DType.int64);
  const axis = Number(ctx.attrs.int("axis", -1n));
  return oneOutput("OneHot", "output", t, [ti, DType.int32, t, t], { T: t, TI: ti, axis });
});

/** Every reduction kernel op. */
export const reduceKernelOps: readonly KernelOpDef[] = [
  reduceOp("Sum", false), reduceOp("Mean", false), reduceOp("Prod", false), reduceOp("Max", false), reduceOp("Min", false),
  reduceOp("All", true), reduceOp("Any", true), argOp("ArgMax"), argOp("ArgMin"), oneHotOp,
];
