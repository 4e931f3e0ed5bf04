/**
 * String conversion kernel ops of function bodies: `StringToNumber` (tf.strings.to_number) and
 * `AsString` (tf.strings.as_string, with TF's printf formatting attrs).
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { REAL, expectInputs, kernelOp, oneOutput, typeAttr } from "./kernels-common.js";
import type { KernelOpDef } from "./registry.js";

/** `StringToNumber`: attr out_type (float32 by default). */
export const stringToNumberOp = kernelOp("StringToNumber", (ctx) => {
  expectInputs(ctx, 1);
  const out = typeAttr(ctx, "out_type", [DType.float32, DType.float64, DType.int32, DType.int64, DType.uint32, DType.uint64],
    DType.float32);
  return oneOutput("StringToNumber", "output", out, [DType.string], { out_type: out });
});

const AS_STRING_FLOATS: readonly DType[] = [DType.float16, DType.bfloat16, DType.float32, DType.float64];

/**
 * `AsString`: attrs precision, scientific, shortest, width, fill, validated as TF's kernel
 * constructor does (same messages), so a bad combination fails at lowering.
 */
export const asStringOp = kernelOp("AsString", (ctx) => {
  expectInputs(ctx, 1);
  const t = typeAttr(ctx, "T", [...REAL, DType.bool, DType.string]);
  const precision = Number(ctx.attrs.int("precision", -1n));
  const scientific = ctx.attrs.bool("scientific", false);
  const shortest = ctx.attrs.bool("shortest", false);
  const width = Number(ctx.attrs.int("width", -1n));
  const fill = ctx.attrs.string("fill", "");
  if (!AS_STRING_FLOATS.includes(t) && t !== DType.string) {
    if (scientific || shortest) {
      throw ctx.error("InvalidArgument", `scientific and shortest format not supported for datatype ${dtypeName(t)}`);
    }
    if (precision >= 0) throw ctx.error("InvalidArgument", `precision not supported for datatype ${dtypeName(t)}`);
  }
  if (new TextEncoder().encode(fill).length > 1) throw ctx.error("InvalidArgument", "Fill string must be one or fewer characters");
  if (scientific && shortest) throw ctx.error("InvalidArgument", "Cannot select both scientific and shortest notation");
  if (fill !== "" && !" +-0#".includes(fill)) throw ctx.error("InvalidArgument", `Fill argument not supported: "${fill}"`);
  return oneOutput("AsString", "output", DType.string, [t], { T: t, precision, scientific, shortest, width, fill });
});

/** Every string conversion kernel op. */
export const stringKernelOps: readonly KernelOpDef[] = [stringToNumberOp, asStringOp];
