// StridedSlice with begin/end/strides tensors and all five masks, following TF's
// ValidateStridedSliceOp: the sparse spec (with ellipsis and new axes) is expanded to a dense spec
// over the input dims, each dim is canonicalized (negative indices, clamping, masks, shrink), and
// the output is the processing shape with new axes added and shrunk axes removed.
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { stridesOf } from "./broadcast";
import { gatherByIndex } from "./gather-util";
import { checkArity, indexVector, scratchOk } from "./helpers";
import { Kernel } from "./kernel";

const NEW_AXIS: i32 = -1;
const SHRINK_AXIS: i32 = -2;

/** Most entries of a slice spec (the masks are 64-bit here; TF uses 32-bit attrs). */
export const MAX_SLICE_SPEC: i32 = 32;

class StridedSliceKernel extends Kernel {
  beginMask: i64 = 0;
  endMask: i64 = 0;
  ellipsisMask: i64 = 0;
  newAxisMask: i64 = 0;
  shrinkAxisMask: i64 = 0;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    const bt = unchecked(inputs[1]), et = unchecked(inputs[2]), st = unchecked(inputs[3]);
    const sb = indexVector(bt, "StridedSlice", "begin");
    if (sb == null) return errorCode();
    const se = indexVector(et, "StridedSlice", "end");
    if (se == null) return errorCode();
    const ss = indexVector(st, "StridedSlice", "strides");
    if (ss == null) return errorCode();
    if (bt.rank != 1 || et.rank != 1 || st.rank != 1 || sb.length != se.length || sb.length != ss.length) {
      return fail(INVALID_ARGUMENT, "Expected begin, end, and strides to be 1D equal size tensors, but got shapes " + shapeString(bt.shape) +
        ", " + shapeString(et.shape) + ", and " + shapeString(st.shape) + " instead.");
    }
    let sparseDims = sb.length;
    if (sparseDims > MAX_SLICE_SPEC) return fail(INVALID_ARGUMENT, "StridedSlice: more than " + MAX_SLICE_SPEC.toString() + " slice entries");
    // Sparse spec: at most one ellipsis; an implicit one at the end when absent.
    let ellipsis = this.ellipsisMask;
    let seenEllipsis = false;
    for (let i = 0; i < sparseDims; i++) {
      if ((ellipsis & (<i64>1 << i)) != 0) {
        if (seenEllipsis) return fail(INVALID_ARGUMENT, "Multiple ellipses in slice spec not allowed");
        seenEllipsis = true;
      }
    }
    if (!seenEllipsis) {
      ellipsis |= <i64>1 << sparseDims;
      sparseDims++;
    }
    let numAddAxisAfterEllipsis = 0;
    let afterEllipsis = false;
    for (let i = 0; i < sparseDims; i++) {
      if (afterEllipsis && (this.newAxisMask & (<i64>1 << i)) != 0) numAddAxisAfterEllipsis++;
      if ((ellipsis & (<i64>1 << i)) != 0) afterEllipsis = true;
    }
    // Dense spec over the input's dims.
    const rank = t.rank;
    const db = new StaticArray<i64>(rank), de = new StaticArray<i64>(rank), ds = new StaticArray<i64>(rank);
    let dBeginMask: i64 = 0, dEndMask: i64 = 0, dShrink: i64 = 0;
    const gather = new Array<i32>();
    let full = 0;
    for (let i = 0; i < sparseDims; i++) {
      const bit = <i64>1 << i;
      if ((ellipsis & bit) != 0) {
        let next = rank - (sparseDims - i) + 1 + numAddAxisAfterEllipsis;
        if (next > rank) next = rank;
        for (; full < next; full++) {
          unchecked(db[full] = 0);
          unchecked(de[full] = 0);
          unchecked(ds[full] = 1);
          dBeginMask |= <i64>1 << full;
          dEndMask |= <i64>1 << full;
          gather.push(full);
        }
      } else if ((this.newAxisMask & bit) != 0) {
        gather.push(NEW_AXIS);
      } else {
        if (full == rank) {
          return fail(INVALID_ARGUMENT, "Index out of range using input dim " + full.toString() + "; input has only " + rank.toString() + " dims");
        }
        unchecked(db[full] = unchecked(sb[i]));
        unchecked(de[full] = unchecked(se[i]));
        unchecked(ds[full] = unchecked(ss[i]));
        if ((this.beginMask & bit) != 0) dBeginMask |= <i64>1 << full;
        if ((this.endMask & bit) != 0) dEndMask |= <i64>1 << full;
        if ((this.shrinkAxisMask & bit) != 0) {
          gather.push(SHRINK_AXIS);
          dShrink |= <i64>1 << full;
        } else gather.push(full);
        full++;
      }
    }
    // Canonicalize each dense dim into begin, stride and size.
    const procSize = new StaticArray<i64>(rank);
    for (let i = 0; i < rank; i++) {
      const bit = <i64>1 << i;
      const stride = unchecked(ds[i]);
      const dim = t.shape[i];
      if (stride == 0) return fail(INVALID_ARGUMENT, "strides[" + i.toString() + "] must be non-zero");
      let b = unchecked(db[i]), e = unchecked(de[i]);
      if ((dShrink & bit) != 0 && stride <= 0) return fail(INVALID_ARGUMENT, "only stride 1 allowed on non-range indexing.");
      if ((dShrink & bit) != 0) {
        const fwd = b < 0 ? dim + b : b;
        if (fwd < 0 || fwd >= dim) return fail(INVALID_ARGUMENT, "slice index " + fwd.toString() + " of dimension " + i.toString() + " out of bounds.");
        b = fwd;
        e = b + 1;
      } else {
        const lo: i64 = stride > 0 ? 0 : -1;
        const hi: i64 = stride > 0 ? dim : dim - 1;
        if ((dBeginMask & bit) != 0) b = stride > 0 ? lo : hi;
        else {
          const fwd = b < 0 ? dim + b : b;
          b = fwd < lo ? lo : fwd > hi ? hi : fwd;
        }
        if ((dEndMask & bit) != 0) e = stride > 0 ? hi : lo;
        else {
          const fwd = e < 0 ? dim + e : e;
          e = fwd < lo ? lo : fwd > hi ? hi : fwd;
        }
      }
      const len = e - b;
      let size: i64 = 0;
      if (len != 0 && (len < 0) == (stride < 0)) size = len / stride + (len % stride != 0 ? 1 : 0);
      unchecked(db[i] = b);
      unchecked(procSize[i] = size);
    }
    const outDims = new Array<i64>();
    for (let k = 0; k < gather.length; k++) {
      const g = unchecked(gather[k]);
      if (g >= 0) outDims.push(unchecked(procSize[g]));
      else if (g == NEW_AXIS) outDims.push(1);
    }
    const shape = StaticArray.fromArray<i64>(outDims);
    let n: i64 = 1;
    for (let i = 0; i < rank; i++) n *= unchecked(procSize[i]);
    if (!scratchOk(n, 4, "StridedSlice's index map")) return errorCode();
    const map = new StaticArray<i32>(<i32>n);
    if (n > 0) {
      const strides = stridesOf(t.shape);
      const step = new StaticArray<i64>(rank);
      let off: i64 = 0;
      for (let i = 0; i < rank; i++) {
        unchecked(step[i] = unchecked(ds[i]) * unchecked(strides[i]));
        off += unchecked(db[i]) * unchecked(strides[i]);
      }
      const idx = new StaticArray<i64>(rank);
      for (let k = 0; k < <i32>n; k++) {
        unchecked(map[k] = <i32>off);
        for (let d = rank - 1; d >= 0; d--) {
          const v = unchecked(idx[d]) + 1;
          if (v < unchecked(procSize[d])) {
            unchecked(idx[d] = v);
            off += unchecked(step[d]);
            break;
          }
          off -= unchecked(step[d]) * unchecked(idx[d]);
          unchecked(idx[d] = 0);
        }
      }
    }
    const out = gatherByIndex(t, map, shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** StridedSlice: inputs input, begin, end, strides; attrs begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask. */
export function makeStridedSlice(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 4, 1)) return null;
  const k = new StridedSliceKernel();
  k.beginMask = ins.attrs.intOr("begin_mask", 0);
  k.endMask = ins.attrs.intOr("end_mask", 0);
  k.ellipsisMask = ins.attrs.intOr("ellipsis_mask", 0);
  k.newAxisMask = ins.attrs.intOr("new_axis_mask", 0);
  k.shrinkAxisMask = ins.attrs.intOr("shrink_axis_mask", 0);
  return k;
}
