/**
 * Shape and array ops, each defined as one TF Python call and emitting what it emits:
 *
 * | JS                              | TF Python                         | nodes                              |
 * |---------------------------------|-----------------------------------|------------------------------------|
 * | `reshape(x, shape)`             | `tf.reshape(x, shape)`            | `Reshape`, `Reshape/shape`         |
 * | `expandDims(x, axis)`           | `tf.expand_dims(x, axis)`         | `ExpandDims`, `ExpandDims/dim`     |
 * | `squeeze(x, axis?)`             | `tf.squeeze(x, axis)`             | `Squeeze`                          |
 * | `stack(values, axis?)`          | `tf.stack(values, axis)`          | `stack` Pack (`stack/1` consts)    |
 * | `concat(values, axis)`          | `tf.concat(values, axis)`         | `concat` ConcatV2, `concat/axis`   |
 * | `slice(x, begin, size)`         | `tf.slice(x, begin, size)`        | `Slice`                            |
 * | `gather(x, indices, axis?)`     | `tf.gather(x, indices, axis=...)` | `GatherV2`, `GatherV2/axis`        |
 * | `transpose(x, perm?)`           | `tf.transpose(x, perm)`           | `transpose` Transpose              |
 * | `tile(x, multiples)`            | `tf.tile(x, multiples)`           | `Tile`                             |
 * | `fill(dims, value)`             | `tf.fill(dims, value)`            | `Fill`                             |
 * | `zeros(shape, dtype?)`, `ones`  | `tf.zeros`, `tf.ones`             | `zeros` Const (Fill when >= 1000)  |
 * | `zerosLike(x, dtype?)`, `onesLike` | `tf.zeros_like`, `tf.ones_like` | `zeros_like` Const / ZerosLike / Fill |
 * | `range(start, limit?, delta?)`  | `tf.range(...)`                   | `range` Range (`range/Cast`)       |
 * | `shape(x, outType?)`, `size`    | `tf.shape(x)`, `tf.size(x)`       | `Shape`/`Size` (Const when static) |
 * | `rank(x)`                       | `tf.rank(x)`                      | `Rank` (Const when static)         |
 * | `oneHot(indices, depth, opts)`  | `tf.one_hot(...)`                 | `one_hot` OneHot                   |
 * | `constant(value, dtype?, shape?)` | `tf.constant(value, dtype, shape)` | `Const`                        |
 */
import { DType, dtypeName } from "../../../core/dtype.js";
import { TfDataError } from "../../../core/errors.js";
import { applyOp, castTensor, constantOp, convertToTensor } from "../apply-op.js";
import type { FuncGraph } from "../func-graph.js";
import { hostValueFromJs, isArrayLike, numElements } from "../host-value.js";
import { fullyDefined } from "../shape-algebra.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import { graphFor, isTensor, toDType, type DTypeLike, type TensorLike } from "./common.js";
import { sub } from "./math.js";

/** Elements at or above which `zeros`/`ones` use `Fill` instead of one `Const` (TF's `_constant_if_small`). */
export const SMALL_CONSTANT_LIMIT = 1000;

/** `tf.constant(value, dtype, shape)`: a `Const` node; a single value may fill `shape`. */
export function constant(value: TensorLike, dtype?: DTypeLike, shape?: readonly number[]): SymbolicTensor {
  const g = graphFor(value);
  return constantIn(g, value, dtype === undefined ? undefined : toDType(dtype), shape, "Const");
}

function constantIn(g: FuncGraph, value: unknown, dtype: DType | undefined, shape: readonly number[] | undefined,
  name: string): SymbolicTensor {
  if (isTensor(value) || (Array.isArray(value) && value.some(isTensor))) {
    throw new TfDataError("InvalidArgument", "constant() takes JS values; got a symbolic tensor");
  }
  let host = hostValueFromJs(value, dtype);
  if (shape !== undefined) {
    const n = numElements(shape);
    if (host.values.length !== n && !(host.shape.length === 0 || (host.shape.length === 1 && host.shape[0] === 1))) {
      throw new TfDataError("InvalidArgument", `Expected Tensor's shape: (${shape.join(", ")}), but got (${host.shape.join(", ")}).`);
    }
    host = { ...host, shape: [...shape] };
  }
  return constantOp(g, host, name);
}

/** `tf.reshape(x, shape)`. */
export function reshape(x: TensorLike, shape: TensorLike): SymbolicTensor {
  return applyOp(graphFor(x, shape), "Reshape", { inputs: { tensor: x, shape } })[0];
}

/** `tf.expand_dims(x, axis)`. */
export function expandDims(x: TensorLike, axis: TensorLike): SymbolicTensor {
  return applyOp(graphFor(x, axis), "ExpandDims", { inputs: { input: x, dim: axis } })[0];
}

/** `tf.squeeze(x, axis)`: removes size-1 dims (all, or those in `axis`). */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): SymbolicTensor {
  const dims = axis === undefined ? [] : typeof axis === "number" ? [axis] : [...axis];
  return applyOp(graphFor(x), "Squeeze", { inputs: { input: x }, attrs: { squeeze_dims: dims } })[0];
}

/** `tf.stack(values, axis)`: Pack. */
export function stack(values: readonly TensorLike[], axis = 0): SymbolicTensor {
  const g = graphFor(values);
  if (axis === 0) return convertToTensor(g, values, { name: "stack" });
  const first = convertToTensor(g, values[0], { name: "stack" });
  if (first.shape !== null) {
    const n = first.shape.length + 1;
    if (axis < -n || axis >= n) throw new TfDataError("InvalidArgument", `Argument \`axis\` = ${axis} not in range [${-n}, ${n})`);
  }
  return applyOp(g, "Pack", { name: "stack", inputs: { values }, attrs: { axis } })[0];
}

/** `tf.concat(values, axis)`: ConcatV2 (an Identity for a single value, as in TF). */
export function concat(values: readonly TensorLike[] | TensorLike, axis: TensorLike): SymbolicTensor {
  const list = Array.isArray(values) && !isArrayLike(values) ? values as readonly TensorLike[] : [values as TensorLike];
  const g = graphFor(list, axis);
  if (list.length === 1) {
    return g.nameScope("concat", undefined, () => {
      const a = convertToTensor(g, axis, { name: "concat_dim", dtype: DType.int32 });
      if (a.shape !== null && a.shape.length !== 0) {
        throw new TfDataError("InvalidArgument", `Shape ${JSON.stringify(a.shape)} must have rank 0`);
      }
      return applyOp(g, "Identity", { name: "concat", inputs: { input: list[0] } })[0];
    });
  }
  return applyOp(g, "ConcatV2", { name: "concat", inputs: { values: list, axis } })[0];
}

/** `tf.slice(x, begin, size)`: Slice (`size` -1 = to the end). */
export function slice(x: TensorLike, begin: TensorLike, size: TensorLike): SymbolicTensor {
  return applyOp(graphFor(x, begin, size), "Slice", { inputs: { input: x, begin, size } })[0];
}

/** `tf.gather(params, indices, axis=axis, batch_dims=batchDims)`: GatherV2. */
export function gather(params: TensorLike, indices: TensorLike, axis?: TensorLike, batchDims = 0): SymbolicTensor {
  return applyOp(graphFor(params, indices, axis), "GatherV2", {
    inputs: { params, indices, axis: axis ?? batchDims }, attrs: { batch_dims: batchDims },
  })[0];
}

/** `tf.rank(x)`: a Const when the rank is static, else Rank. */
export function rank(x: TensorLike): SymbolicTensor {
  const g = graphFor(x);
  return g.nameScope(undefined, "Rank", (scope) => {
    const xt = convertToTensor(g, x);
    if (xt.shape !== null) return constantOp(g, { dtype: DType.int32, shape: [], values: [xt.shape.length] }, scope);
    return applyOp(g, "Rank", { name: scope, inputs: { input: xt } })[0];
  });
}

/** `tf.transpose(x, perm)`: reverses the dims when `perm` is omitted. */
export function transpose(x: TensorLike, perm?: TensorLike): SymbolicTensor {
  const g = graphFor(x, perm);
  return g.nameScope("transpose", undefined, (scope) => {
    const a = isTensor(x) ? x : convertToTensor(g, x, { name: "a" });
    if (perm !== undefined) return applyOp(g, "Transpose", { name: scope, inputs: { x: a, perm } })[0];
    if (a.shape === null) {
      const r = applyOp(g, "Rank", { inputs: { input: a } })[0];
      const start = sub(r, 1);
      const p = applyOp(g, "Range", { inputs: { start, limit: -1, delta: -1 } })[0];
      return applyOp(g, "Transpose", { name: scope, inputs: { x: a, perm: p } })[0];
    }
    const n = a.shape.length;
    const reversed = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
    return applyOp(g, "Transpose", { name: scope, inputs: { x: a, perm: reversed } })[0];
  });
}

/** `tf.tile(x, multiples)`. */
export function tile(x: TensorLike, multiples: TensorLike): SymbolicTensor {
  return applyOp(graphFor(x, multiples), "Tile", { inputs: { input: x, multiples } })[0];
}

/** `tf.fill(dims, value)`. */
export function fill(dims: TensorLike, value: TensorLike): SymbolicTensor {
  return applyOp(graphFor(dims, value), "Fill", { inputs: { dims, value } })[0];
}

function zeroOrOne(dtype: DType, one: boolean): boolean | number | string {
  if (dtype === DType.bool) return one;
  if (dtype === DType.string && !one) return "";
  return one ? 1 : 0;
}

/** TF's `zeros` / `ones` (one Const when small and static, else Fill), named `name` (a scope or base name). */
function filled(g: FuncGraph, shape: TensorLike, dtype: DType, one: boolean, name: string | undefined): SymbolicTensor {
  return g.nameScope(name, one ? "ones" : "zeros", (scope) => {
    const value = zeroOrOne(dtype, one);
    let shapeT: SymbolicTensor;
    if (!isTensor(shape)) {
      const dims = staticDims(shape);
      if (dims !== null) {
        if (numElements(dims) < SMALL_CONSTANT_LIMIT) {
          return constantIn(g, value, dtype, dims, scope);
        }
        const big = dims.some((d) => d >= 2 ** 31);
        shapeT = constantOp(g, hostValueFromJs(dims, big ? DType.int64 : DType.int32), "shape_as_tensor");
      } else {
        shapeT = convertToTensor(g, shape, { dtype: DType.int32 });
      }
    } else {
      shapeT = shape;
    }
    if (shapeT.shape === null || shapeT.shape.length === 0) shapeT = reshape(shapeT, [-1]);
    const v = constantIn(g, value, dtype, undefined, "Const");
    return applyOp(g, "Fill", { name: scope, inputs: { dims: shapeT, value: v } })[0];
  });
}

function staticDims(shape: unknown): number[] | null {
  if (typeof shape === "number") return [shape];
  if (isArrayLike(shape)) {
    const v = hostValueFromJs(shape);
    return v.values.map(Number);
  }
  if (Array.isArray(shape) && shape.every((d) => typeof d === "number" || typeof d === "bigint")) return shape.map(Number);
  return null;
}

/** `tf.zeros(shape, dtype=float32)`. */
export function zeros(shape: TensorLike, dtype: DTypeLike = DType.float32): SymbolicTensor {
  return filled(graphFor(shape), shape, toDType(dtype), false, undefined);
}

/** `tf.ones(shape, dtype=float32)`. */
export function ones(shape: TensorLike, dtype: DTypeLike = DType.float32): SymbolicTensor {
  return filled(graphFor(shape), shape, toDType(dtype), true, undefined);
}

/**
 * TF's `shape_internal(x, optimize=True, out_type)`: a Const when the shape is static (named
 * `shape_as_tensor` when no out_type is given, as TF does), else a Shape op.
 */
function shapeInternal(g: FuncGraph, x: SymbolicTensor, outType?: DType): SymbolicTensor {
  return g.nameScope(undefined, "Shape", (scope) => {
    if (fullyDefined(x.shape)) {
      if (outType === undefined) {
        const big = x.shape!.some((d) => d >= 2 ** 31);
        return constantOp(g, hostValueFromJs(x.shape, big ? DType.int64 : DType.int32), "shape_as_tensor");
      }
      return constantOp(g, hostValueFromJs(x.shape, outType), scope);
    }
    return applyOp(g, "Shape", { name: scope, inputs: { input: x }, attrs: { out_type: outType ?? DType.int32 } })[0];
  });
}

function arrayLike(x: TensorLike, dtype: DTypeLike | undefined, one: boolean): SymbolicTensor {
  const g = graphFor(x);
  return g.nameScope(undefined, one ? "ones_like" : "zeros_like", (scope) => {
    const t = isTensor(x) ? x : convertToTensor(g, x, { name: "tensor" });
    const d = dtype === undefined ? undefined : toDType(dtype);
    if (fullyDefined(t.shape) && t.dtype !== DType.variant) return filled(g, t.shape!, d ?? t.dtype, one, scope);
    if (d !== undefined && d !== t.dtype && d !== DType.variant) return filled(g, shapeInternal(g, t), d, one, scope);
    return applyOp(g, one ? "OnesLike" : "ZerosLike", { name: scope, inputs: { x: t } })[0];
  });
}

/** `tf.zeros_like(x, dtype)`. */
export function zerosLike(x: TensorLike, dtype?: DTypeLike): SymbolicTensor {
  return arrayLike(x, dtype, false);
}

/** `tf.ones_like(x, dtype)`. */
export function onesLike(x: TensorLike, dtype?: DTypeLike): SymbolicTensor {
  return arrayLike(x, dtype, true);
}

const RANGE_HIERARCHY: readonly DType[] = [DType.int32, DType.int64, DType.float16, DType.bfloat16, DType.float32, DType.float64];

/**
 * `tf.range(start, limit, delta, dtype)`; `range(n)` is `range(0, n)`. The dtype is the widest of
 * the arguments' (int32 < int64 < float16 < bfloat16 < float32 < float64) unless given.
 */
export function range(start: TensorLike, limit?: TensorLike, delta: TensorLike = 1, dtype?: DTypeLike): SymbolicTensor {
  if (limit === undefined) {
    limit = start;
    start = 0;
  }
  const g = graphFor(start, limit, delta);
  const d = dtype === undefined ? undefined : toDType(dtype);
  return g.nameScope("range", undefined, (scope) => {
    const conv = (v: TensorLike, name: string) => (isTensor(v) ? v : convertToTensor(g, v, { dtype: d, name }));
    let s = conv(start, "start");
    let l = conv(limit!, "limit");
    let dl = conv(delta, "delta");
    let target = d;
    if (target === undefined) {
      for (const t of [s, l, dl]) {
        if (!RANGE_HIERARCHY.includes(t.dtype)) {
          throw new TfDataError("InvalidArgument", `range: arguments must be int32, int64, float16, bfloat16, float32 or ` +
            `float64, got ${dtypeName(t.dtype)}`);
        }
      }
      target = [s, l, dl].map((t) => t.dtype).reduce((a, b) => (RANGE_HIERARCHY.indexOf(b) > RANGE_HIERARCHY.indexOf(a) ? b : a));
    }
    s = castTensor(g, s, target);
    l = castTensor(g, l, target);
    dl = castTensor(g, dl, target);
    return applyOp(g, "Range", { name: scope, inputs: { start: s, limit: l, delta: dl } })[0];
  });
}

/** `tf.shape(x, out_type)`: int32 by default; a Const when the shape is static. */
export function shape(x: TensorLike, outType: DTypeLike = DType.int32): SymbolicTensor {
  const g = graphFor(x);
  const d = toDType(outType);
  return g.nameScope(undefined, "Shape", (scope) => {
    const t = convertToTensor(g, x);
    if (fullyDefined(t.shape)) return constantOp(g, hostValueFromJs(t.shape, d), scope);
    return applyOp(g, "Shape", { name: scope, inputs: { input: t }, attrs: { out_type: d } })[0];
  });
}

/** `tf.size(x, out_type)`: int32 by default; a Const when the size is static. */
export function size(x: TensorLike, outType: DTypeLike = DType.int32): SymbolicTensor {
  const g = graphFor(x);
  const d = toDType(outType);
  return g.nameScope(undefined, "Size", (scope) => {
    const t = convertToTensor(g, x);
    const s = t.shape;
    if (fullyDefined(s)) return constantOp(g, hostValueFromJs(numElements(s!), d), scope);
    if (s !== null && s.some((dim) => dim === 0)) return constantOp(g, hostValueFromJs(0, d), scope);
    return applyOp(g, "Size", { name: scope, inputs: { input: t }, attrs: { out_type: d } })[0];
  });
}

/** Options of `oneHot` (TF's keyword arguments). */
export interface OneHotOptions {
  readonly onValue?: TensorLike;
  readonly offValue?: TensorLike;
  /** Where the new axis goes; -1 (default) appends it. */
  readonly axis?: number;
  readonly dtype?: DTypeLike;
}

/** `tf.one_hot(indices, depth, on_value, off_value, axis, dtype)`: float32 1/0 by default. */
export function oneHot(indices: TensorLike, depth: TensorLike, opts: OneHotOptions = {}): SymbolicTensor {
  const g = graphFor(indices, depth, opts.onValue, opts.offValue);
  return g.nameScope(undefined, "one_hot", (scope) => {
    let dtype = opts.dtype === undefined ? undefined : toDType(opts.dtype);
    let on = opts.onValue === undefined ? undefined : convertToTensor(g, opts.onValue, { dtypeHint: dtype });
    let off = opts.offValue === undefined ? undefined : convertToTensor(g, opts.offValue, { dtypeHint: dtype });
    if (on || off) {
      if (dtype !== undefined) {
        if (on && on.dtype !== dtype) {
          throw new TfDataError("InvalidArgument", `dtype ${dtypeName(on.dtype)} of on_value does not match dtype parameter ${dtypeName(dtype)}`);
        }
        if (off && off.dtype !== dtype) {
          throw new TfDataError("InvalidArgument", `dtype ${dtypeName(off.dtype)} of off_value does not match dtype parameter ${dtypeName(dtype)}`);
        }
      } else {
        dtype = (on ?? off)!.dtype;
      }
    } else if (dtype === undefined) {
      dtype = DType.float32;
    }
    on ??= convertToTensor(g, 1, { dtype, name: "on_value" });
    off ??= convertToTensor(g, 0, { dtype, name: "off_value" });
    if (on.dtype !== off.dtype) {
      throw new TfDataError("InvalidArgument", `dtype ${dtypeName(on.dtype)} of on_value does not match dtype ${dtypeName(off.dtype)} of off_value`);
    }
    return applyOp(g, "OneHot", {
      name: scope, inputs: { indices, depth, on_value: on, off_value: off },
      attrs: opts.axis === undefined ? {} : { axis: opts.axis },
    })[0];
  });
}
