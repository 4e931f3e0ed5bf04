/**
 * What TF's shape refiner knows about tensor *values* at graph-construction time, reproduced so
 * our static shapes match TF's:
 * - `foldConstant`: small constant subgraphs are evaluated (TF's `EvaluateConstantTensor`): a
 *   `Cast` of a `Const`, `Pack` of constants, int arithmetic, `Shape`/`Size`/`Rank` of a fully
 *   known shape, a slice of `Shape` that picks known dims, ... Anything else stays unknown.
 * - `partialShape`: a 1-D int tensor read as a shape with unknown dims (TF's
 *   `ConstantPartialShape`), e.g. `tf.shape(x)` of an `[?, 2]` tensor is the shape `[?, 2]`.
 */
import { DType } from "../../core/dtype.js";
import type { PlanShape } from "../../core/plan.js";
import type { OpContext } from "./apply-op.js";
import {
  astype, fullValues, intValues, isFloating, isInteger, numElements, roundFloat, wrapInt,
  type HostScalar, type HostValue,
} from "./host-value.js";
import { fullyDefined, ShapeError, subshape, unknownOfRank, withRank } from "./shape-algebra.js";
import { validateStridedSlice } from "./strided-slice.js";
import type { SymbolicTensor } from "./symbolic-tensor.js";

/** Largest tensor (in elements) evaluated at trace time. */
export const MAX_FOLDED_ELEMENTS = 1024;

type Folder = (c: OpContext, values: HostValue[], shape: number[]) => HostValue[] | undefined;

function broadcastIndex(outShape: readonly number[], inShape: readonly number[], flat: number): number {
  let idx = 0;
  let stride = 1;
  let rem = flat;
  const offset = outShape.length - inShape.length;
  const coords: number[] = new Array<number>(outShape.length);
  for (let i = outShape.length - 1; i >= 0; i--) {
    coords[i] = rem % outShape[i];
    rem = Math.floor(rem / outShape[i]);
  }
  for (let i = inShape.length - 1; i >= 0; i--) {
    const c = inShape[i] === 1 ? 0 : coords[i + offset];
    idx += c * stride;
    stride *= inShape[i];
  }
  return idx;
}

function elementwise(dtype: DType, shape: number[], inputs: HostValue[], f: (xs: HostScalar[]) => HostScalar | undefined): HostValue | undefined {
  const n = numElements(shape);
  const full = inputs.map(fullValues);
  const out: HostScalar[] = [];
  for (let i = 0; i < n; i++) {
    const r = f(inputs.map((v, k) => full[k][broadcastIndex(shape, v.shape, i)]));
    if (r === undefined) return undefined;
    out.push(r);
  }
  return { dtype, shape, values: out };
}

function arith(op: (a: bigint, b: bigint) => bigint | undefined, fop: (a: number, b: number) => number): Folder {
  return (c, values, shape) => {
    const dtype = c.outputTypes[0];
    const v = elementwise(dtype, shape, values, ([a, b]) => {
      if (isInteger(dtype)) {
        const r = op(BigInt(a as number | bigint), BigInt(b as number | bigint));
        return r === undefined ? undefined : wrapInt(r, dtype);
      }
      if (isFloating(dtype)) return roundFloat(fop(Number(a), Number(b)), dtype);
      return undefined;
    });
    return v && [v];
  };
}

const floorDivBig = (a: bigint, b: bigint): bigint | undefined => {
  if (b === 0n) return undefined;
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
};

const FOLDERS: Readonly<Record<string, Folder>> = {
  Identity: (_c, [v]) => [v],
  Cast: (c, [v]) => [astype(v, c.outputTypes[0])],
  Pack: (c, values, shape) => {
    const axis = c.attrs.axis as number;
    const rank = shape.length;
    const a = axis < 0 ? axis + rank : axis;
    const full = values.map(fullValues);
    const inner = numElements(shape.slice(a + 1));
    const outer = numElements(shape.slice(0, a));
    const out: HostScalar[] = [];
    for (let o = 0; o < outer; o++) for (const f of full) out.push(...f.slice(o * inner, (o + 1) * inner));
    return [{ dtype: c.outputTypes[0], shape, values: out }];
  },
  ConcatV2: (c, values, shape) => {
    const parts = values.slice(0, -1);
    const axis0 = intValues(values[values.length - 1])[0];
    const rank = shape.length;
    const a = axis0 < 0 ? axis0 + rank : axis0;
    const outer = numElements(shape.slice(0, a));
    const full = parts.map(fullValues);
    const out: HostScalar[] = [];
    for (let o = 0; o < outer; o++) {
      parts.forEach((p, k) => {
        const chunk = numElements(p.shape.slice(a));
        out.push(...full[k].slice(o * chunk, (o + 1) * chunk));
      });
    }
    return [{ dtype: c.outputTypes[0], shape, values: out }];
  },
  AddV2: arith((a, b) => a + b, (a, b) => a + b),
  Sub: arith((a, b) => a - b, (a, b) => a - b),
  Mul: arith((a, b) => a * b, (a, b) => a * b),
  FloorDiv: arith(floorDivBig, (a, b) => Math.floor(a / b)),
  FloorMod: arith((a, b) => {
    const q = floorDivBig(a, b);
    return q === undefined ? undefined : a - q * b;
  }, (a, b) => a - Math.floor(a / b) * b),
  Maximum: arith((a, b) => (a > b ? a : b), Math.max),
  Minimum: arith((a, b) => (a < b ? a : b), Math.min),
  Neg: (c, [v], shape) => {
    const dtype = c.outputTypes[0];
    const r = elementwise(dtype, shape, [v], ([x]) => (isInteger(dtype) ? wrapInt(-BigInt(x as number | bigint), dtype)
      : isFloating(dtype) ? -Number(x) : undefined));
    return r && [r];
  },
  Range: (c, [start, , delta], shape) => {
    const dtype = c.outputTypes[0];
    const s = Number(start.values[0]);
    const d = Number(delta.values[0]);
    const out: HostScalar[] = [];
    for (let i = 0; i < shape[0]; i++) {
      out.push(isInteger(dtype) ? wrapInt(BigInt(s + i * d), dtype) : roundFloat(s + i * d, dtype));
    }
    return [{ dtype, shape, values: out }];
  },
  Fill: (c, [, value], shape) => [{ dtype: c.outputTypes[0], shape, values: new Array<HostScalar>(numElements(shape)).fill(value.values[0]) }],
  Reshape: (c, [v], shape) => [{ dtype: c.outputTypes[0], shape, values: fullValues(v) }],
  ExpandDims: (c, [v], shape) => [{ dtype: c.outputTypes[0], shape, values: fullValues(v) }],
  Squeeze: (c, [v], shape) => [{ dtype: c.outputTypes[0], shape, values: fullValues(v) }],
  StridedSlice: (c, [input, begin, end, strides], shape) => {
    if (!fullyDefined(input.shape as number[])) return undefined;
    const dense = validateStridedSlice(input.shape, sliceSpec(c, intValues(begin), intValues(end), intValues(strides)));
    const values = gatherSlice(fullValues(input), input.shape, dense.begin, dense.strides, dense.processingShape);
    return [{ dtype: c.outputTypes[0], shape, values }];
  },
};

function sliceSpec(c: OpContext, begin: number[] | null, end: number[] | null, strides: number[]) {
  return {
    begin, end, strides,
    beginMask: c.attrs.begin_mask as number, endMask: c.attrs.end_mask as number,
    ellipsisMask: c.attrs.ellipsis_mask as number, newAxisMask: c.attrs.new_axis_mask as number,
    shrinkAxisMask: c.attrs.shrink_axis_mask as number,
  };
}

function gatherSlice<T>(values: readonly T[], inShape: readonly number[], begin: number[], strides: number[], counts: number[]): T[] {
  const out: T[] = [];
  const rank = inShape.length;
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * inShape[i + 1];
  const total = numElements(counts);
  for (let k = 0; k < total; k++) {
    let rem = k;
    let off = 0;
    for (let i = rank - 1; i >= 0; i--) {
      const ci = rem % counts[i];
      rem = Math.floor(rem / counts[i]);
      off += (begin[i] + ci * strides[i]) * inStrides[i];
    }
    out.push(values[off]);
  }
  return out;
}

/** A `Shape`/`Size`/`Rank` answered from static shapes, or a slice of `Shape` picking known dims. */
function fromShapes(c: OpContext, shape: number[]): HostValue[] | undefined {
  const dtype = c.outputTypes[0];
  const asDType = (xs: number[]): HostScalar[] => xs.map((x) => wrapInt(BigInt(x), dtype));
  const s = c.inputs[0].shape;
  switch (c.op) {
    case "Shape": return fullyDefined(s) ? [{ dtype, shape, values: asDType(s!) }] : undefined;
    case "Size": return fullyDefined(s) ? [{ dtype, shape, values: asDType([numElements(s!)]) }] : undefined;
    case "Rank": return s !== null ? [{ dtype, shape, values: asDType([s.length]) }] : undefined;
    case "StridedSlice": {
      const src = c.inputs[0];
      if (src.op?.type !== "Shape" || src.op.inputs[0].shape === null || !fullyDefined(shape)) return undefined;
      const [, b, e, st] = c.inputs.map((t) => (t.value ? intValues(t.value) : null));
      if (!b || !e || !st) return undefined;
      const dims = src.op.inputs[0].shape;
      const dense = validateStridedSlice([dims.length], sliceSpec(c, b, e, st));
      const picked = gatherSlice(dims, [dims.length], dense.begin, dense.strides, dense.processingShape);
      return picked.every((d) => d >= 0) ? [{ dtype, shape, values: asDType(picked) }] : undefined;
    }
    default: return undefined;
  }
}

/**
 * The output values of an op when TF's shape refiner could compute them at graph-construction
 * time (all inputs constant and the op foldable, or a shape query of a known shape).
 */
export function foldConstant(c: OpContext, shapes: readonly PlanShape[]): (HostValue | undefined)[] | undefined {
  if (shapes.length !== 1 || !fullyDefined(shapes[0]) || numElements(shapes[0]!) > MAX_FOLDED_ELEMENTS) return undefined;
  const shape = shapes[0]!;
  if (c.outputTypes[0] === DType.string) return undefined;
  const known = fromShapes(c, shape);
  if (known) return known;
  const values = c.inputs.map((t) => t.value);
  if (values.some((v) => v === undefined)) return undefined;
  const folder = FOLDERS[c.op];
  try {
    return folder?.(c, values as HostValue[], shape);
  } catch (e) {
    if (e instanceof ShapeError) return undefined;
    throw e;
  }
}

/** The value of a scalar int tensor when known (`EvaluateConstantIntScalarEdge`). */
function scalarInt(t: SymbolicTensor): number | null {
  if (!t.value) return null;
  const v = intValues(t.value);
  return v.length === 1 ? v[0] : null;
}

/**
 * TF's `ConstantPartialShape`: a 1-D int tensor read as a shape, with -1 for dims not known at
 * trace time (null: not even the rank is known).
 */
export function partialShape(t: SymbolicTensor): PlanShape {
  const s = withRank(t.shape, 1)!;
  if (s[0] === 0) return [];
  const op = t.op;
  const fromValue = (v: HostValue): number[] => intValues(v).map((d) => {
    if (d < -1) throw new ShapeError(`Dimension ${d} must be >= -1`);
    return d;
  });
  switch (op?.type) {
    case "Cast": {
      if (t.value) return fromValue(t.value);
      const pre = partialShape(op.inputs[0]);
      if (pre === null) return null;
      return t.dtype === DType.int32 || t.dtype === DType.int64 ? pre : null;
    }
    case "Shape":
      return op.inputs[0].shape;
    case "Pack":
      return op.inputs.map((x) => {
        const v = scalarInt(x);
        return v === null || v < 0 ? -1 : v;
      });
    case "ConcatV2": {
      let out: number[] = [];
      for (const x of op.inputs.slice(0, -1)) {
        const p = partialShape(x);
        if (p === null) return null;
        out = [...out, ...p];
      }
      return out;
    }
    case "StridedSlice":
      return partialStridedSlice(t);
    default:
      if (t.value) return fromValue(t.value);
      return s[0] >= 0 ? unknownOfRank(s[0]) : null;
  }
}

function partialStridedSlice(t: SymbolicTensor): PlanShape {
  const op = t.op!;
  const [input, beginT, endT, stridesT] = op.inputs;
  for (const x of [beginT, endT, stridesT]) if (x.shape === null || x.shape[0] !== 1) return null;
  const attr = (n: string) => Number(op.attrs[n].value.value);
  const beginMask = attr("begin_mask");
  const endMask = attr("end_mask");
  if (![0, 1].includes(beginMask) || ![0, 1].includes(endMask) || attr("ellipsis_mask") !== 0 ||
    attr("new_axis_mask") !== 0 || attr("shrink_axis_mask") !== 0) return null;
  const begin = beginMask === 1 ? 0 : scalarInt(beginT);
  const end = endMask === 1 ? Number.MAX_SAFE_INTEGER : scalarInt(endT);
  const stride = scalarInt(stridesT);
  if (begin === null || end === null || stride === null) return null;
  return subshape(partialShape(input), begin, end, stride);
}
