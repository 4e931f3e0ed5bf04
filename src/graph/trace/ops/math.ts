/**
 * Elementwise math, comparison and logic ops. Each function is defined as one TF Python spelling
 * and emits exactly what that spelling emits:
 *
 * | JS                         | TF Python                 | nodes                               |
 * |----------------------------|---------------------------|-------------------------------------|
 * | `add(x, y)` / `x.add(y)`   | `x + y`                   | `add` AddV2 (Add for strings), `add/y` |
 * | `sub`, `mul`               | `x - y`, `x * y`          | `sub` Sub, `mul` Mul                |
 * | `div`                      | `x / y`                   | `truediv` RealDiv (ints cast first) |
 * | `floorDiv`, `floorMod`     | `x // y`, `x % y`         | `floordiv` FloorDiv, `mod` FloorMod |
 * | `pow`                      | `x ** y`                  | `pow` Pow                           |
 * | `neg`, `abs`               | `-x`, `abs(x)`            | `Neg`, `Abs`                        |
 * | `square` ... `sign`        | `tf.math.square(x)` ...   | `Square`, ...                       |
 * | `round`                    | `tf.math.round(x)`        | `Round` (nothing for ints)          |
 * | `maximum`, `minimum`       | `tf.math.maximum(x, y)`   | `Maximum`, `Maximum/y`              |
 * | `clipByValue(x, lo, hi)`   | `tf.clip_by_value`        | `clip_by_value/Minimum`, `clip_by_value` |
 * | `equal` ... `greaterEqual` | `tf.math.equal(x, y)` ... | `Equal` ..., `Equal/y`              |
 * | `logicalAnd/Or/Not`        | `tf.math.logical_and` ... | `LogicalAnd` ...                    |
 * | `where(c, x, y)`           | `tf.where(c, x, y)`       | `SelectV2`, `SelectV2/e`            |
 * | `cast(x, dtype)`           | `tf.cast(x, dtype)`       | `Cast` (nothing if same dtype)      |
 *
 * For the operator forms, a JS value on the left (`sub(10, x)`) is TF's reflected operator
 * (`10 - x`): the constant is named `sub/x` and must have the tensor's dtype.
 */
import { DType, dtypeName } from "../../../core/dtype.js";
import { TfDataError } from "../../../core/errors.js";
import { applyOp, castTensor, convertToTensor } from "../apply-op.js";
import type { FuncGraph } from "../func-graph.js";
import { isInteger } from "../host-value.js";
import { formatShapeTF } from "../shape-algebra.js";
import { SymbolicTensor } from "../symbolic-tensor.js";
import { graphFor, isTensor, tfDTypeRepr, toDType, type DTypeLike, type TensorLike } from "./common.js";

type BinaryImpl = (g: FuncGraph, x: SymbolicTensor, y: unknown, scope: string) => SymbolicTensor;

/**
 * TF's `binary_op_wrapper` / `r_binary_op_wrapper`: runs `impl` inside the operator's name scope.
 * A JS value on the left is converted to the right tensor's dtype (TF's reflected operator).
 */
function operator(opName: string, impl: BinaryImpl, x: TensorLike, y: TensorLike): SymbolicTensor {
  const g = graphFor(x, y);
  if (!isTensor(x) && isTensor(y)) {
    return g.nameScope(undefined, opName, (scope) => {
      const xt = convertToTensor(g, x, { dtype: y.dtype, name: "x" });
      return impl(g, xt, y, scope);
    });
  }
  const xt = isTensor(x) ? x : convertToTensor(g, x);
  return g.nameScope(undefined, opName, (scope) => impl(g, xt, y, scope));
}

function addImpl(g: FuncGraph, x: SymbolicTensor, y: unknown, scope: string): SymbolicTensor {
  const yt = isTensor(y) ? y : convertToTensor(g, y, { dtypeHint: x.dtype, name: "y" });
  return applyOp(g, x.dtype === DType.string ? "Add" : "AddV2", { name: scope, inputs: { x, y: yt } })[0];
}

function genBinary(op: string): BinaryImpl {
  return (g, x, y, scope) => applyOp(g, op, { name: scope, inputs: { x, y } })[0];
}

function mulImpl(g: FuncGraph, x: SymbolicTensor, y: unknown, scope: string): SymbolicTensor {
  if (x.dtype === DType.bool || (isTensor(y) && y.dtype === DType.bool)) {
    // TF multiplies bools as int32 and casts back.
    const xi = applyOp(g, "Cast", { inputs: { x }, attrs: { DstT: DType.int32 } })[0];
    const yi = applyOp(g, "Cast", { inputs: { x: y }, attrs: { DstT: DType.int32 } })[0];
    const z = applyOp(g, "Mul", { name: scope, inputs: { x: xi, y: yi } })[0];
    return applyOp(g, "Cast", { inputs: { x: z }, attrs: { DstT: DType.bool } })[0];
  }
  return applyOp(g, "Mul", { name: scope, inputs: { x, y } })[0];
}

/** TF's `_TRUEDIV_TABLE`: the float type ints are cast to before `RealDiv` (null: no cast). */
const TRUEDIV_TABLE: ReadonlyMap<DType, DType | null> = new Map<DType, DType | null>([
  [DType.uint8, DType.float32], [DType.int8, DType.float32], [DType.uint16, DType.float32], [DType.int16, DType.float32],
  [DType.uint32, DType.float64], [DType.uint64, DType.float64], [DType.int32, DType.float64], [DType.int64, DType.float64],
  [DType.bfloat16, null], [DType.float16, null], [DType.float32, null], [DType.float64, null],
  [DType.complex64, null], [DType.complex128, null],
]);

function truedivImpl(g: FuncGraph, x0: SymbolicTensor, y0: unknown, scope: string): SymbolicTensor {
  return g.nameScope(scope, "truediv", (s) => {
    let x = convertToTensor(g, x0, { name: "x" });
    let y = convertToTensor(g, y0, { dtypeHint: x.dtype, name: "y" });
    if (x.dtype !== y.dtype) {
      throw new TfDataError("InvalidArgument", `\`x\` and \`y\` must have the same dtype, got ${tfDTypeRepr(x.dtype)} != ${tfDTypeRepr(y.dtype)}.`);
    }
    const target = TRUEDIV_TABLE.get(x.dtype);
    if (target === undefined) {
      throw new TfDataError("InvalidArgument", `Invalid dtype ${tfDTypeRepr(x.dtype)} in __truediv__. Expected one of ` +
        `{${[...TRUEDIV_TABLE.keys()].map(tfDTypeRepr).join(", ")}}.`);
    }
    if (target !== null) {
      x = castTensor(g, x, target);
      y = castTensor(g, y, target);
    }
    return applyOp(g, "RealDiv", { name: s, inputs: { x, y } })[0];
  });
}

function scoped(defaultName: string, op: string): BinaryImpl {
  return (g, x, y, scope) => g.nameScope(scope, defaultName, (s) => applyOp(g, op, { name: s, inputs: { x, y } })[0]);
}

/** `x + y` (AddV2; Add for strings). */
export function add(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("add", addImpl, x, y);
}

/** `x - y` (Sub). */
export function sub(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("sub", genBinary("Sub"), x, y);
}

/** `x * y` (Mul). */
export function mul(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("mul", mulImpl, x, y);
}

/** `x / y`: RealDiv, after casting ints to float32 (8/16-bit) or float64 (32/64-bit), as TF does. */
export function div(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("truediv", truedivImpl, x, y);
}

/** `x // y` (FloorDiv). */
export function floorDiv(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("floordiv", scoped("floordiv", "FloorDiv"), x, y);
}

/** `x % y` (FloorMod: the result has the sign of `y`). */
export function floorMod(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("mod", scoped("mod", "FloorMod"), x, y);
}

/** `x ** y` (Pow). */
export function pow(x: TensorLike, y: TensorLike): SymbolicTensor {
  return operator("pow", scoped("Pow", "Pow"), x, y);
}

function unaryGen(op: string, x: TensorLike): SymbolicTensor {
  const g = graphFor(x);
  return applyOp(g, op, { inputs: { x } })[0];
}

/** `-x` (Neg). */
export function neg(x: TensorLike): SymbolicTensor {
  return unaryGen("Neg", x);
}

/** `abs(x)` / `tf.math.abs` (Abs). */
export function abs(x: TensorLike): SymbolicTensor {
  const g = graphFor(x);
  return g.nameScope(undefined, "Abs", (scope) => {
    const xt = convertToTensor(g, x, { name: "x" });
    return applyOp(g, "Abs", { name: scope, inputs: { x: xt } })[0];
  });
}

/** `tf.math.square` (Square). */
export function square(x: TensorLike): SymbolicTensor {
  return unaryGen("Square", x);
}

/** `tf.math.sqrt` (Sqrt). */
export function sqrt(x: TensorLike): SymbolicTensor {
  return unaryGen("Sqrt", x);
}

/** `tf.math.rsqrt` (Rsqrt). */
export function rsqrt(x: TensorLike): SymbolicTensor {
  return unaryGen("Rsqrt", x);
}

/** `tf.math.exp` (Exp). */
export function exp(x: TensorLike): SymbolicTensor {
  return unaryGen("Exp", x);
}

/** `tf.math.log` (Log). */
export function log(x: TensorLike): SymbolicTensor {
  return unaryGen("Log", x);
}

/** `tf.math.floor` (Floor). */
export function floor(x: TensorLike): SymbolicTensor {
  return unaryGen("Floor", x);
}

/** `tf.math.ceil` (Ceil). */
export function ceil(x: TensorLike): SymbolicTensor {
  return unaryGen("Ceil", x);
}

/** `tf.math.sign` (Sign). */
export function sign(x: TensorLike): SymbolicTensor {
  const g = graphFor(x);
  const xt = convertToTensor(g, x);
  return applyOp(g, "Sign", { inputs: { x: xt } })[0];
}

/** `tf.math.round` (Round, half to even); integers are returned as they are, with no node. */
export function round(x: TensorLike): SymbolicTensor {
  const g = graphFor(x);
  const xt = convertToTensor(g, x, { name: "x" });
  if (isInteger(xt.dtype)) return xt;
  return applyOp(g, "Round", { inputs: { x: xt } })[0];
}

function binaryGen(op: string, x: TensorLike, y: TensorLike): SymbolicTensor {
  return applyOp(graphFor(x, y), op, { inputs: { x, y } })[0];
}

/** `tf.math.maximum` (Maximum). */
export function maximum(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("Maximum", x, y);
}

/** `tf.math.minimum` (Minimum). */
export function minimum(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("Minimum", x, y);
}

/** `tf.clip_by_value(t, lo, hi)`: Minimum with `hi`, then Maximum with `lo`. */
export function clipByValue(t: TensorLike, lo: TensorLike, hi: TensorLike): SymbolicTensor {
  const g = graphFor(t, lo, hi);
  return g.nameScope(undefined, "clip_by_value", (scope) => {
    const values = convertToTensor(g, t, { name: "t" });
    const tMin = applyOp(g, "Minimum", { inputs: { x: values, y: hi } })[0];
    assertCompatible(values, tMin);
    const tMax = applyOp(g, "Maximum", { name: scope, inputs: { x: tMin, y: lo } })[0];
    assertCompatible(values, tMax);
    return tMax;
  });
}

function assertCompatible(a: SymbolicTensor, b: SymbolicTensor): void {
  const sa = a.shape;
  const sb = b.shape;
  if (sa === null || sb === null) return;
  if (sa.length !== sb.length || sa.some((d, i) => d >= 0 && sb[i] >= 0 && d !== sb[i])) {
    throw new TfDataError("InvalidArgument", `Shapes ${formatShapeTF(sa)} and ${formatShapeTF(sb)} are incompatible`);
  }
}

/** `tf.math.equal` (Equal; shapes must broadcast). */
export function equal(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("Equal", x, y);
}

/** `tf.math.not_equal` (NotEqual). */
export function notEqual(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("NotEqual", x, y);
}

/** `tf.math.less` / `x < y` (Less). */
export function less(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("Less", x, y);
}

/** `tf.math.less_equal` / `x <= y` (LessEqual). */
export function lessEqual(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("LessEqual", x, y);
}

/** `tf.math.greater` / `x > y` (Greater). */
export function greater(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("Greater", x, y);
}

/** `tf.math.greater_equal` / `x >= y` (GreaterEqual). */
export function greaterEqual(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("GreaterEqual", x, y);
}

/** `tf.math.logical_and` (LogicalAnd). */
export function logicalAnd(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("LogicalAnd", x, y);
}

/** `tf.math.logical_or` (LogicalOr). */
export function logicalOr(x: TensorLike, y: TensorLike): SymbolicTensor {
  return binaryGen("LogicalOr", x, y);
}

/** `tf.math.logical_not` (LogicalNot). */
export function logicalNot(x: TensorLike): SymbolicTensor {
  return applyOp(graphFor(x), "LogicalNot", { inputs: { x } })[0];
}

/** `tf.where(condition, x, y)`: SelectV2 with broadcasting. */
export function where(condition: TensorLike, x: TensorLike, y: TensorLike): SymbolicTensor {
  return applyOp(graphFor(condition, x, y), "SelectV2", { inputs: { condition, t: x, e: y } })[0];
}

/** `tf.cast(x, dtype)`: Cast; `x` itself when it already has that dtype. */
export function cast(x: TensorLike, dtype: DTypeLike): SymbolicTensor {
  const d = toDType(dtype);
  if (isTensor(x) && x.dtype === d) return x;
  const g = graphFor(x);
  return g.nameScope(undefined, "Cast", (scope) => {
    const xt = convertToTensor(g, x, { name: "x" });
    if (xt.dtype === d) return xt;
    if (xt.dtype === DType.string || d === DType.string) {
      throw new TfDataError("InvalidArgument", `Cast: cannot cast ${dtypeName(xt.dtype)} to ${dtypeName(d)}; ` +
        `use stringToNumber / asString`);
    }
    return applyOp(g, "Cast", { name: scope, inputs: { x: xt }, attrs: { DstT: d } })[0];
  });
}
