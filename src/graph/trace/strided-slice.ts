/**
 * TF's strided-slice specification logic (`ValidateStridedSliceOp`): turns the sparse spec that
 * `x[1:, ..., tf.newaxis, 0]` becomes (begin/end/strides vectors plus five bit masks) into one
 * interval per input dim and the output shape. Used by `StridedSlice`'s shape function and by
 * trace-time constant folding; the kernel author can follow the same steps.
 */
import { ShapeError } from "./shape-algebra.js";

/** The op's inputs and attrs; `begin`/`end` are null when not known at trace time. */
export interface StridedSliceSpec {
  readonly begin: readonly number[] | null;
  readonly end: readonly number[] | null;
  readonly strides: readonly number[];
  readonly beginMask: number;
  readonly endMask: number;
  readonly ellipsisMask: number;
  readonly newAxisMask: number;
  readonly shrinkAxisMask: number;
}

/** The dense (one entry per input dim) slice and the resulting shapes. */
export interface StridedSliceDense {
  /** Canonical begin per input dim (valid when begin and end were known and the dim is known). */
  readonly begin: number[];
  /** Canonical end per input dim. */
  readonly end: number[];
  readonly strides: number[];
  /** Per input dim: the number of elements taken (-1 unknown). */
  readonly processingShape: number[];
  /** The output shape (-1 unknown): shrunk dims dropped, new axes added. */
  readonly finalShape: number[];
}

const NEW_AXIS = -1;
const SHRINK_AXIS = -2;

/** Most entries a slice spec may have (TF's limit). */
export const MAX_SLICE_DIMS = 32;

/** `ValidateStridedSliceOp` for an input of known rank (`inputShape` dims -1 when unknown). */
export function validateStridedSlice(inputShape: readonly number[], spec: StridedSliceSpec): StridedSliceDense {
  let sparseDims = spec.strides.length;
  if (sparseDims > MAX_SLICE_DIMS) throw new ShapeError(`Too many dims in strided slice spec: ${sparseDims}`);
  if ((spec.begin && spec.begin.length !== sparseDims) || (spec.end && spec.end.length !== sparseDims)) {
    throw new ShapeError(`Expected begin, end, and strides to be 1D equal size tensors, but got shapes ` +
      `[${spec.begin?.length ?? "?"}], [${spec.end?.length ?? "?"}], and [${sparseDims}] instead.`);
  }
  let ellipsisMask = spec.ellipsisMask;
  let numAddAxisAfterEllipsis = 0;
  let ellipsisSeen = false;
  for (let i = 0; i < sparseDims; i++) {
    if (ellipsisSeen && (spec.newAxisMask & (1 << i)) !== 0) numAddAxisAfterEllipsis++;
    if ((ellipsisMask & (1 << i)) !== 0) ellipsisSeen = true;
  }
  if (!ellipsisSeen) {
    ellipsisMask |= 1 << sparseDims;
    sparseDims++;
  }
  const denseDims = inputShape.length;
  const begin = new Array<number>(denseDims).fill(0);
  const end = new Array<number>(denseDims).fill(0);
  const strides = new Array<number>(denseDims).fill(1);
  let beginMask = 0;
  let endMask = 0;
  let shrinkMask = 0;
  const gather: number[] = [];
  let full = 0;
  for (let i = 0; i < sparseDims; i++) {
    if ((ellipsisMask & (1 << i)) !== 0) {
      const next = Math.min(denseDims - (sparseDims - i) + 1 + numAddAxisAfterEllipsis, denseDims);
      for (; full < next; full++) {
        begin[full] = 0;
        end[full] = 0;
        strides[full] = 1;
        beginMask |= 1 << full;
        endMask |= 1 << full;
        gather.push(full);
      }
    } else if ((spec.newAxisMask & (1 << i)) !== 0) {
      gather.push(NEW_AXIS);
    } else {
      if (full === denseDims) {
        throw new ShapeError(`Index out of range using input dim ${full}; input has only ${denseDims} dims`);
      }
      if (spec.begin) begin[full] = spec.begin[i];
      if (spec.end) end[full] = spec.end[i];
      strides[full] = spec.strides[i];
      if ((spec.beginMask & (1 << i)) !== 0) beginMask |= 1 << full;
      if ((spec.endMask & (1 << i)) !== 0) endMask |= 1 << full;
      if ((spec.shrinkAxisMask & (1 << i)) !== 0) {
        gather.push(SHRINK_AXIS);
        shrinkMask |= 1 << full;
      } else {
        gather.push(full);
      }
      full++;
    }
  }
  const known = spec.begin !== null && spec.end !== null;
  const processing: number[] = [];
  for (let i = 0; i < denseDims; i++) {
    const stride = strides[i];
    const dim = inputShape[i];
    if (stride === 0) throw new ShapeError(`strides[${i}] must be non-zero`);
    const shrink = (shrinkMask & (1 << i)) !== 0;
    if (dim < 0) {
      processing.push(shrink ? 1 : -1);
      continue;
    }
    const masks = [(beginMask & (1 << i)) !== 0, (endMask & (1 << i)) !== 0];
    const valid = [stride > 0 ? 0 : -1, stride > 0 ? dim : dim - 1];
    const canonical = (x: number, c: 0 | 1): number => {
      if (masks[c]) return stride > 0 ? valid[c] : valid[(c + 1) & 1];
      const fwd = x < 0 ? dim + x : x;
      return fwd < valid[0] ? valid[0] : fwd > valid[1] ? valid[1] : fwd;
    };
    if (shrink && stride <= 0) throw new ShapeError("only stride 1 allowed on non-range indexing.");
    const bothMasked = masks[0] && masks[1];
    if (known) {
      if (shrink) {
        const fwd = begin[i] < 0 ? dim + begin[i] : begin[i];
        if (fwd < 0 || fwd >= dim) throw new ShapeError(`slice index ${begin[i]} of dimension ${i} out of bounds.`);
        begin[i] = fwd;
        end[i] = fwd + 1;
      } else {
        begin[i] = canonical(begin[i], 0);
        end[i] = canonical(end[i], 1);
      }
    }
    let interval: number | null = null;
    if (known) interval = end[i] - begin[i];
    else if (shrink) interval = 1;
    else if (bothMasked) interval = stride < 0 ? -dim : dim;
    if (interval === null) {
      processing.push(-1);
    } else if (interval === 0 || (interval < 0) !== (stride < 0)) {
      processing.push(0);
    } else {
      processing.push(Math.trunc(interval / stride) + (interval % stride !== 0 ? 1 : 0));
    }
  }
  const finalShape: number[] = [];
  for (const g of gather) {
    if (g >= 0) finalShape.push(processing[g]);
    else if (g === NEW_AXIS) finalShape.push(1);
  }
  return { begin, end, strides, processingShape: processing, finalShape };
}
