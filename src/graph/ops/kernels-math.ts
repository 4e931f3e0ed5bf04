/**
 * Elementwise kernel ops of function bodies: binary arithmetic (`AddV2`, `Sub`, `Mul`, `RealDiv`,
 * `FloorDiv`, `FloorMod`, `Pow`, `Maximum`, `Minimum`, plus `Add` and `Div` from Python graphs),
 * comparisons, logic, unary math, `Cast`, `SelectV2`/`Select` and `ClipByValue`. Each lowers to
 * the core kernel of the same name with its type attrs resolved (`T`, `SrcT`/`DstT`, ...), after
 * checking the dtypes against the CPU kernels TF 2.21 registers.
 */
import { DType } from "../../core/dtype.js";
import { ANY, FLOATS, REAL, SIGNED_INTS, expectInputs, kernelOp, oneOutput, tfTypeString, typeAttr } from "./kernels-common.js";
import type { KernelOpDef } from "./registry.js";

const ADD_TYPES: readonly DType[] = [...FLOATS, ...SIGNED_INTS, DType.uint8, DType.string];
const EQUALITY_TYPES: readonly DType[] = [...REAL, DType.bool, DType.string];

/** Binary op -> [output arg name, allowed T, result is bool]. */
const BINARY: ReadonlyArray<readonly [string, readonly DType[], boolean]> = [
  ["AddV2", REAL, false],
  ["Add", ADD_TYPES, false],
  ["Sub", REAL, false],
  ["Mul", REAL, false],
  ["Div", REAL, false],
  ["RealDiv", FLOATS, false],
  ["FloorDiv", REAL, false],
  ["FloorMod", REAL, false],
  ["Pow", [...FLOATS, ...SIGNED_INTS], false],
  ["Maximum", REAL, false],
  ["Minimum", REAL, false],
  ["Less", REAL, true],
  ["LessEqual", REAL, true],
  ["Greater", REAL, true],
  ["GreaterEqual", REAL, true],
];

function binaryOp(op: string, allowed: readonly DType[], boolOut: boolean): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 2);
    const t = typeAttr(ctx, "T", allowed);
    return oneOutput(op, "z", boolOut ? DType.bool : t, [t, t], { T: t });
  });
}

/** `Equal` / `NotEqual`, with `incompatible_shape_error` (false for Python's `==`: a scalar answer). */
function equalityOp(op: string): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 2);
    const t = typeAttr(ctx, "T", EQUALITY_TYPES);
    const strict = ctx.attrs.bool("incompatible_shape_error", true);
    return oneOutput(op, "z", DType.bool, [t, t], { T: t, incompatible_shape_error: strict });
  });
}

function logicalOp(op: string, arity: number): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, arity);
    return oneOutput(op, arity === 1 ? "y" : "z", DType.bool, new Array<DType>(arity).fill(DType.bool), { T: DType.bool });
  });
}

/** Unary op -> allowed T. */
const UNARY: ReadonlyArray<readonly [string, readonly DType[]]> = [
  ["Neg", [...FLOATS, ...SIGNED_INTS]],
  ["Abs", [...FLOATS, ...SIGNED_INTS]],
  ["Sign", [...FLOATS, ...SIGNED_INTS]],
  ["Square", REAL],
  ["Sqrt", FLOATS],
  ["Rsqrt", FLOATS],
  ["Exp", FLOATS],
  ["Log", FLOATS],
  ["Floor", FLOATS],
  ["Ceil", FLOATS],
  ["Round", [...FLOATS, DType.int32, DType.int64]],
];

function unaryOp(op: string, allowed: readonly DType[]): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 1);
    const t = typeAttr(ctx, "T", allowed);
    return oneOutput(op, "y", t, [t], { T: t });
  });
}

/** The dtypes Cast converts between (TF also casts complex, which the core lacks). */
const CAST_TYPES: readonly DType[] = [...REAL, DType.bool];

/** `Cast`: SrcT -> DstT; `Truncate` clears the mantissa bits a narrower float cannot hold. */
export const castOp = kernelOp("Cast", (ctx) => {
  expectInputs(ctx, 1);
  const src = ctx.attrs.type("SrcT");
  const dst = ctx.attrs.type("DstT");
  const truncate = ctx.attrs.bool("Truncate", false);
  if (src !== dst && (!CAST_TYPES.includes(src) || !CAST_TYPES.includes(dst))) {
    throw ctx.error("Unimplemented", `Cast ${tfTypeString(src)} to ${tfTypeString(dst)} is not supported`);
  }
  return oneOutput("Cast", "y", dst, [src], { SrcT: src, DstT: dst, Truncate: truncate });
});

function selectOp(op: "SelectV2" | "Select"): KernelOpDef {
  return kernelOp(op, (ctx) => {
    expectInputs(ctx, 3);
    const t = typeAttr(ctx, "T", ANY);
    return oneOutput(op, "output", t, [DType.bool, t, t], { T: t });
  });
}

/** `ClipByValue`: t, clip_value_min, clip_value_max (scalars or t's shape). */
export const clipByValueOp = kernelOp("ClipByValue", (ctx) => {
  expectInputs(ctx, 3);
  const t = typeAttr(ctx, "T", [...FLOATS, ...SIGNED_INTS, DType.uint8, DType.uint16]);
  return oneOutput("ClipByValue", "output", t, [t, t, t], { T: t });
});

/** Every elementwise kernel op. */
export const mathKernelOps: readonly KernelOpDef[] = [
  ...BINARY.map(([op, allowed, boolOut]) => binaryOp(op, allowed, boolOut)),
  equalityOp("Equal"),
  equalityOp("NotEqual"),
  logicalOp("LogicalAnd", 2),
  logicalOp("LogicalOr", 2),
  logicalOp("LogicalNot", 1),
  ...UNARY.map(([op, allowed]) => unaryOp(op, allowed)),
  castOp,
  selectOp("SelectV2"),
  selectOp("Select"),
  clipByValueOp,
];
