/**
 * Shared lowering helpers of the tensor kernel ops (`kernels-*.ts`): dtype sets as TF 2.21
 * registers CPU kernels for them (complex and quantized dtypes left out: the core has none),
 * TF-style "no kernel" errors, input-count checks and the definition of simple ops from a table.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import type { Instruction } from "../../core/plan.js";
import type { KernelLowerContext, KernelLowering, KernelOpDef } from "./registry.js";

/** The real number dtypes, in TF's `TF_CALL_REAL_NUMBER_TYPES` order. */
export const REAL: readonly DType[] = [
  DType.float32, DType.float64, DType.int32, DType.uint8, DType.int16, DType.int8, DType.int64, DType.bfloat16,
  DType.uint16, DType.float16, DType.uint32, DType.uint64,
];
/** bfloat16, float16, float32, float64. */
export const FLOATS: readonly DType[] = [DType.bfloat16, DType.float16, DType.float32, DType.float64];
/** Signed integers. */
export const SIGNED_INTS: readonly DType[] = [DType.int8, DType.int16, DType.int32, DType.int64];
/** Every dtype a core tensor holds except variant. */
export const ANY: readonly DType[] = [...REAL, DType.bool, DType.string];
/** int32, int64. */
export const INDEX: readonly DType[] = [DType.int32, DType.int64];

/** TF's `DataTypeString`: `float`, `double`, `half`, `int32`, ... (messages quote it). */
export function tfTypeString(d: DType): string {
  const special: Record<number, string> = { [DType.float32]: "float", [DType.float64]: "double", [DType.float16]: "half" };
  return special[d] ?? dtypeName(d);
}

/** `DT_FLOAT`-style name of a dtype, as TF prints kernel constraints. */
export function enumName(d: DType): string {
  const n = dtypeName(d);
  const special: Record<string, string> = { float32: "FLOAT", float64: "DOUBLE", float16: "HALF" };
  return "DT_" + (special[n] ?? n.toUpperCase());
}

/**
 * Checks type attr `attr` = `d` against the dtypes TF registers a CPU kernel for; throws TF's
 * kind of message (NotFound, "Could not find device for node") naming the node and the list.
 */
export function requireKernelType(ctx: KernelLowerContext, attr: string, d: DType, allowed: readonly DType[]): void {
  if (allowed.includes(d)) return;
  throw ctx.error("NotFound", `Could not find device for node: {{node ${ctx.node.name}}} = ${ctx.node.op}[${attr}=${enumName(d)}]. ` +
    `Registered kernels: device='CPU'; ${attr} in [${allowed.map(enumName).join(", ")}]`);
}

/** The type attr `name`, checked against `allowed` (when given). */
export function typeAttr(ctx: KernelLowerContext, name: string, allowed?: readonly DType[], dflt?: DType): DType {
  const d = dflt !== undefined && !ctx.attrs.has(name) ? dflt : ctx.attrs.type(name);
  if (allowed) requireKernelType(ctx, name, d, allowed);
  return d;
}

/** Throws unless the node has exactly `n` data inputs. */
export function expectInputs(ctx: KernelLowerContext, n: number): void {
  if (ctx.inputCount !== n) throw ctx.error("InvalidArgument", `expected ${n} input(s), got ${ctx.inputCount}`);
}

/** A lowering with one output argument. */
export function oneOutput(kernel: string, name: string, dtype: DType, inputTypes: readonly DType[],
  attrs?: Instruction["attrs"]): KernelLowering {
  return { kernel, attrs, inputTypes, outputs: [{ name, dtypes: [dtype] }] };
}

/** An op whose whole lowering is a function of the context. */
export function kernelOp(op: string, lower: (ctx: KernelLowerContext) => KernelLowering): KernelOpDef {
  return { op, lower };
}
