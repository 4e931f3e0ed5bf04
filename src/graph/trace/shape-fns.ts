/**
 * Static shape inference for the traced ops: TF's C++ shape functions, rule for rule, so the
 * output shapes we record (`output_shapes` of the map node, `_output_shapes` of arguments) equal
 * TF's. Inputs whose value is known at trace time (constants, and what TF's shape refiner can
 * evaluate) sharpen the result, as in TF.
 */
import { TfDataError } from "../../core/errors.js";
import type { PlanShape } from "../../core/plan.js";
import type { AttrInput, OpContext } from "./apply-op.js";
import { partialShape } from "./const-fold.js";
import { intValues, isFloating, numElements, roundFloat } from "./host-value.js";
import {
  broadcastShapes, concatShapes, mergeDim, mergeShape, ShapeError, subshape, unknownOfRank, withRank,
  withRankAtLeast, withRankAtMost,
} from "./shape-algebra.js";
import { validateStridedSlice } from "./strided-slice.js";
import type { SymbolicTensor } from "./symbolic-tensor.js";

export { ShapeError, formatShapeTF } from "./shape-algebra.js";

type ShapeFn = (c: OpContext) => PlanShape[];

function input(c: OpContext, arg: string, i = 0): SymbolicTensor {
  return c.args[arg][i];
}

function attr<T extends AttrInput>(c: OpContext, name: string): T {
  return c.attrs[name] as T;
}

/** The value of an int input as numbers, or null when unknown at trace time. */
function ints(t: SymbolicTensor): number[] | null {
  return t.value ? intValues(t.value) : null;
}

const unchanged: ShapeFn = (c) => [c.inputs[0].shape];

const broadcast: ShapeFn = (c) => [broadcastShapes(c.inputs[0].shape, c.inputs[1].shape)];

function reshapeShape(c: OpContext): PlanShape[] {
  const inShape = input(c, "tensor").shape;
  const shapeT = input(c, "shape");
  withRankAtMost(shapeT.shape, 1);
  let out: PlanShape;
  if (shapeT.shape !== null && shapeT.shape.length === 0) {
    // A scalar shape: -1 means "unknown shape".
    const v = ints(shapeT);
    if (v === null || v[0] !== -1) throw new ShapeError("Received an invalid shape scalar with a static value that is not '-1'");
    out = null;
  } else {
    out = partialShape(shapeT);
  }
  if (out === null || inShape === null) return [out];
  out = [...out];
  let tooMany = false;
  let outUnknown = -1;
  let knownOut = 1;
  for (let i = 0; i < out.length; i++) {
    if (out[i] < 0) {
      if (outUnknown >= 0) { tooMany = true; break; }
      outUnknown = i;
    } else {
      knownOut *= out[i];
    }
  }
  let inUnknown = -1;
  let knownIn = 1;
  for (let i = 0; i < inShape.length && !tooMany; i++) {
    if (inShape[i] < 0) {
      if (inUnknown >= 0) { tooMany = true; break; }
      inUnknown = i;
    } else {
      knownIn *= inShape[i];
    }
  }
  if (!tooMany) {
    if (inUnknown < 0 && outUnknown < 0) {
      if (knownIn !== knownOut) {
        throw new ShapeError(`Cannot reshape a tensor with ${knownIn} elements to shape [${out.join(",")}] (${knownOut} elements)`);
      }
    } else if (inUnknown < 0 && outUnknown >= 0 && knownOut > 0) {
      if (knownIn % knownOut !== 0) {
        throw new ShapeError(`Dimension size must be evenly divisible by ${knownOut} but is ${knownIn}`);
      }
      out[outUnknown] = knownIn / knownOut;
    } else if (inUnknown >= 0 && outUnknown < 0 && knownIn !== 0) {
      if (knownOut % knownIn !== 0) {
        throw new ShapeError(`Dimension size must be evenly divisible by ${knownIn} but is ${knownOut}`);
      }
    } else if (inUnknown >= 0 && outUnknown >= 0 && knownIn === knownOut) {
      out[outUnknown] = inShape[inUnknown];
    }
  }
  return [out];
}

function expandDimsShape(c: OpContext): PlanShape[] {
  const inShape = input(c, "input").shape;
  const dimT = input(c, "dim");
  const v = ints(dimT);
  if (v !== null && v.length !== 1) throw new ShapeError("'dim' input must be a tensor with a single value");
  if (v === null || inShape === null) return [null];
  const rank = inShape.length;
  let dim = v[0];
  if (dim < -rank - 1 || dim > rank) throw new ShapeError(`dim ${dim} not in the interval [${-rank - 1}, ${rank}].`);
  if (dim < 0) dim += rank + 1;
  return [[...inShape.slice(0, dim), 1, ...inShape.slice(dim)]];
}

function squeezeShape(c: OpContext): PlanShape[] {
  const inShape = input(c, "input").shape;
  if (inShape === null) return [null];
  const rank = inShape.length;
  const dims = attr<readonly number[]>(c, "squeeze_dims");
  const wrapped = new Set<number>();
  for (const d of dims) {
    if (d < -rank || d >= rank) throw new ShapeError(`Tried to squeeze dim index ${d} for tensor with ${rank} dimensions.`);
    wrapped.add(d < 0 ? d + rank : d);
  }
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = inShape[i];
    if (d < 0) {
      if (wrapped.has(i)) continue;
      if (dims.length === 0) return [null];
    }
    if (dims.length > 0) {
      if (wrapped.has(i)) {
        if (d !== 1) throw new ShapeError(`Can not squeeze dim[${i}], expected a dimension of 1, got ${d}`);
      } else {
        out.push(d);
      }
    } else if (d !== 1) {
      out.push(d);
    }
  }
  return [out];
}

function packShape(c: OpContext): PlanShape[] {
  const values = c.args.values;
  let cur = values[values.length - 1].shape;
  for (let i = values.length - 2; i >= 0; i--) {
    try {
      cur = mergeShape(values[i].shape, cur);
    } catch (e) {
      if (e instanceof ShapeError) throw new ShapeError(`${e.message}\n\tFrom merging shape ${i} with other shapes.`);
      throw e;
    }
  }
  if (cur === null) return [null];
  const rank = cur.length;
  let axis = attr<number>(c, "axis");
  if (axis < -(rank + 1) || axis >= rank + 1) throw new ShapeError(`Invalid axis: ${axis}; must be in [${-(rank + 1)},${rank + 1})`);
  if (axis < 0) axis += rank + 1;
  return [[...cur.slice(0, axis), values.length, ...cur.slice(axis)]];
}

function concatShape(c: OpContext): PlanShape[] {
  const values = c.args.values;
  // All inputs must have the rank of the first one whose rank is known.
  let rank: number | null = null;
  for (const v of values) {
    if (rank === null) rank = v.shape === null ? null : v.shape.length;
    else if (v.shape !== null) withRank(v.shape, rank);
  }
  const axisV = ints(input(c, "axis"));
  if (axisV === null) {
    if (rank === null) return [null];
    if (rank === 0) throw new ShapeError("Can't concatenate scalars (use tf.stack instead)");
    return [unknownOfRank(rank)];
  }
  const axis = axisV[0];
  const minRank = axis < 0 ? -axis : axis + 1;
  const parts = (s: PlanShape): [PlanShape, number, PlanShape] => {
    s = withRankAtLeast(s, minRank);
    if (s === null) return [null, -1, null];
    const a = axis < 0 ? axis + s.length : axis;
    return [subshape(s, 0, a), s[a], axis === -1 ? [] : subshape(s, a + 1)];
  };
  let [before, middle, after] = parts(values[values.length - 1].shape);
  for (let i = values.length - 2; i >= 0; i--) {
    const [b, m, a] = parts(values[i].shape);
    before = mergeShape(b, before);
    middle = middle < 0 || m < 0 ? -1 : middle + m;
    after = mergeShape(a, after);
  }
  return [concatShapes(concatShapes(before, [middle]), after)];
}

function stridedSliceShape(c: OpContext): PlanShape[] {
  const inShape = input(c, "input").shape;
  const beginT = input(c, "begin");
  const endT = input(c, "end");
  const stridesT = input(c, "strides");
  for (const t of [beginT, endT, stridesT]) withRank(t.shape, 1);
  let n = -1;
  for (const t of [beginT, endT, stridesT]) n = mergeDim(t.shape![0], n);
  const strides = ints(stridesT);
  if (inShape === null || n < 0 || strides === null) return [null];
  const dense = validateStridedSlice(inShape, {
    begin: ints(beginT), end: ints(endT), strides,
    beginMask: attr(c, "begin_mask"), endMask: attr(c, "end_mask"), ellipsisMask: attr(c, "ellipsis_mask"),
    newAxisMask: attr(c, "new_axis_mask"), shrinkAxisMask: attr(c, "shrink_axis_mask"),
  });
  return [dense.finalShape];
}

function sliceShape(c: OpContext): PlanShape[] {
  let inShape = input(c, "input").shape;
  const beginT = input(c, "begin");
  const sizeT = input(c, "size");
  const beginShape = withRank(beginT.shape, 1)!;
  const ndims = beginShape[0];
  const sizes = ints(sizeT);
  if (sizes !== null) {
    if (ndims >= 0) inShape = withRank(inShape, ndims);
    const begins = ints(beginT);
    const dims = sizes.map((size, i) => {
      if (begins !== null) {
        if (size !== -1) {
          if (size < 0) throw new ShapeError(`size[${i}] must be >= -1, but was ${size}`);
          return size;
        }
        const d = inShape === null ? -1 : inShape[i];
        return d < 0 ? -1 : d - begins[i];
      }
      return size === -1 ? -1 : size;
    });
    return [dims];
  }
  const sizesShape = partialShape(sizeT);
  if (sizesShape !== null) {
    withRank(inShape, sizesShape.length);
    return [sizesShape];
  }
  return [inShape === null ? null : unknownOfRank(inShape.length)];
}

function gatherShape(c: OpContext): PlanShape[] {
  const batchDims = attr<number>(c, "batch_dims");
  const params = withRankAtLeast(input(c, "params").shape, batchDims + 1);
  const indices = input(c, "indices").shape;
  const axisV = ints(input(c, "axis"));
  if (axisV === null) {
    if (params !== null && indices !== null) return [unknownOfRank(params.length + indices.length - 1 - batchDims)];
    return [null];
  }
  let axis = axisV[0];
  if (params !== null && (axis < -params.length || axis >= params.length)) {
    throw new ShapeError(`Expected axis in the range [${-params.length}, ${params.length}), but got ${axis}`);
  }
  withRankAtLeast(params, axis < 0 ? -axis : axis + 1);
  if (axis < 0 && params !== null) axis += params.length;
  let out = concatShapes(subshape(params, 0, axis), indices === null ? null : subshape(indices, batchDims));
  if (axis !== -1) out = concatShapes(out, subshape(params, axis + 1));
  return [out];
}

function transposeShape(c: OpContext): PlanShape[] {
  let inShape = input(c, "x").shape;
  const permT = input(c, "perm");
  withRankAtMost(permT.shape, 1);
  const permElems = permT.shape === null ? -1 : numElements(permT.shape);
  const perm = ints(permT);
  if (inShape === null && permElems < 0 && perm === null) return [null];
  const rank = inShape !== null ? inShape.length : permElems >= 0 ? permElems : perm!.length;
  if (inShape === null && rank < 2) return [inShape];
  inShape = withRank(inShape, rank)!;
  withRank(permT.shape, 1);
  if (permElems >= 0 && permElems !== rank) throw new ShapeError(`Dimension must be ${rank} but is ${permElems}`);
  if (perm === null) return [unknownOfRank(rank)];
  return [perm.map((p) => {
    if (p >= rank || p < -rank) throw new ShapeError(`perm dim ${p} is out of range of input rank ${rank}`);
    return inShape![p < 0 ? p + rank : p];
  })];
}

function tileShape(c: OpContext): PlanShape[] {
  let inShape = input(c, "input").shape;
  const multT = input(c, "multiples");
  const multShape = withRank(multT.shape, 1)!;
  if (inShape !== null && multShape[0] >= 0 && multShape[0] !== inShape.length) {
    throw new ShapeError(`Dimension must be ${inShape.length} but is ${multShape[0]}`);
  }
  const mult = ints(multT);
  if (mult === null) {
    if (inShape !== null) return [unknownOfRank(inShape.length)];
    return [multShape[0] >= 0 ? unknownOfRank(multShape[0]) : null];
  }
  inShape = withRank(inShape, mult.length)!;
  return [inShape.map((d, i) => (d < 0 ? (mult[i] === 0 ? 0 : -1) : d * mult[i]))];
}

function fillShape(c: OpContext): PlanShape[] {
  const dimsT = input(c, "dims");
  withRank(dimsT.shape, 1);
  withRank(input(c, "value").shape, 0);
  const v = ints(dimsT);
  if (v !== null && v.some((d) => d < 0)) throw new ShapeError("Fill dimensions must be >= 0");
  return [partialShape(dimsT)];
}

function rangeShape(c: OpContext): PlanShape[] {
  const [start, limit, delta] = ["start", "limit", "delta"].map((a) => {
    const t = input(c, a);
    withRank(t.shape, 0);
    return t.value ? Number(t.value.values[0]) : null;
  });
  if (start === null || limit === null || delta === null) return [[-1]];
  if (start > limit && delta > 0) throw new ShapeError(`Requires start <= limit when delta > 0: ${start}/${limit}`);
  if (start < limit && delta < 0) throw new ShapeError(`Requires start >= limit when delta < 0: ${start}/${limit}`);
  if (delta === 0) throw new ShapeError("Requires delta != 0");
  const dtype = c.outputTypes[0];
  let size: number;
  if (isFloating(dtype)) size = Math.ceil(Math.abs(roundFloat(roundFloat(limit - start, dtype) / delta, dtype)));
  else size = Math.trunc((Math.abs(limit - start) + Math.abs(delta) - 1) / Math.abs(delta));
  return [[size]];
}

function reductionShape(c: OpContext): PlanShape[] {
  const inShape = c.inputs[0].shape;
  const idxT = input(c, "reduction_indices");
  withRankAtMost(idxT.shape, 1);
  const keepDims = attr<boolean>(c, "keep_dims");
  const idx = ints(idxT);
  if (idx === null || inShape === null) {
    if (keepDims && inShape !== null) return [unknownOfRank(inShape.length)];
    return [null];
  }
  const rank = inShape.length;
  const reduced = new Set<number>();
  for (const i of idx) {
    if (i < -rank || i >= rank) throw new ShapeError(`Invalid reduction dimension ${i} for input with ${rank} dimensions.`);
    reduced.add(i < 0 ? i + rank : i);
  }
  const out: number[] = [];
  inShape.forEach((d, i) => {
    if (reduced.has(i)) {
      if (keepDims) out.push(1);
    } else {
      out.push(d);
    }
  });
  return [out];
}

function argShape(c: OpContext): PlanShape[] {
  const inShape = withRankAtLeast(input(c, "input").shape, 1);
  withRankAtMost(input(c, "dimension").shape, 0);
  if (inShape === null) return [null];
  const rank = inShape.length;
  if (rank <= 1) return [[]];
  const v = ints(input(c, "dimension"));
  if (v === null) return [unknownOfRank(rank - 1)];
  let d = v[0];
  if (d < -rank || d >= rank) throw new ShapeError(`Expected dimension in the range [${-rank}, ${rank}), but got ${d}`);
  if (d < 0) d += rank;
  return [inShape.filter((_, i) => i !== d)];
}

function oneHotShape(c: OpContext): PlanShape[] {
  const axis = attr<number>(c, "axis");
  if (axis < -1) throw new ShapeError("axis must be >= -1");
  const depthV = ints(input(c, "depth"));
  const depth = depthV === null ? -1 : depthV[0];
  if (depth < -1 || (depthV !== null && depth < 0)) {
    throw new ShapeError(`Dimension size, given by scalar input 1, must be non-negative but is ${depth}`);
  }
  const indices = input(c, "indices").shape;
  if (indices === null) return [null];
  const newRank = indices.length + 1;
  const at = (axis + newRank) % newRank;
  return [[...indices.slice(0, at), depth, ...indices.slice(at)]];
}

const SHAPE_FNS: Readonly<Record<string, ShapeFn>> = {
  Const: (c) => [[...(c.attrs.value as { shape: readonly number[] }).shape]],
  Identity: unchanged, Neg: unchanged, Abs: unchanged, Square: unchanged, Sqrt: unchanged, Rsqrt: unchanged,
  Exp: unchanged, Log: unchanged, Round: unchanged, Floor: unchanged, Ceil: unchanged, Sign: unchanged,
  Cast: unchanged, LogicalNot: unchanged, ZerosLike: unchanged, OnesLike: unchanged,
  StringToNumber: unchanged, AsString: unchanged,
  Add: broadcast, AddV2: broadcast, Sub: broadcast, Mul: broadcast, RealDiv: broadcast, FloorDiv: broadcast,
  FloorMod: broadcast, Pow: broadcast, Maximum: broadcast, Minimum: broadcast, Less: broadcast,
  LessEqual: broadcast, Greater: broadcast, GreaterEqual: broadcast, LogicalAnd: broadcast, LogicalOr: broadcast,
  Equal: broadcast, NotEqual: broadcast,
  SelectV2: (c) => [broadcastShapes(input(c, "condition").shape, broadcastShapes(input(c, "t").shape, input(c, "e").shape))],
  Reshape: reshapeShape,
  ExpandDims: expandDimsShape,
  Squeeze: squeezeShape,
  Pack: packShape,
  ConcatV2: concatShape,
  StridedSlice: stridedSliceShape,
  Slice: sliceShape,
  GatherV2: gatherShape,
  Transpose: transposeShape,
  Tile: tileShape,
  Fill: fillShape,
  Range: rangeShape,
  Shape: (c) => [[c.inputs[0].shape === null ? -1 : c.inputs[0].shape.length]],
  Size: () => [[]],
  Rank: () => [[]],
  Sum: reductionShape, Mean: reductionShape, Prod: reductionShape, Max: reductionShape, Min: reductionShape,
  All: reductionShape, Any: reductionShape,
  ArgMax: argShape, ArgMin: argShape,
  OneHot: oneHotShape,
};

/** The static output shapes of an op; throws ShapeError with TF's message when inputs are invalid. */
export function inferShapes(c: OpContext): PlanShape[] {
  const fn = SHAPE_FNS[c.op];
  if (!fn) throw new TfDataError("Internal", `no shape function for op '${c.op}'`);
  return fn(c);
}
