// Kernels that move elements: Pack, ConcatV2, Slice, Tile, Transpose, GatherV2. They work on every
// dtype (numbers, bool, string, variant) and report TF's messages for invalid arguments.
import { DT_VARIANT, dtypeName } from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { sameShape, shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { stridesOf } from "./broadcast";
import { fromRuns, gatherByIndex, Run } from "./gather-util";
import { ALL_DTYPES, checkArity, dtypeAttr, dtypeBit, indexVector, intElement, isIndexTensor, scratchOk } from "./helpers";
import { Kernel } from "./kernel";

const ANY: u32 = ALL_DTYPES | dtypeBit(DT_VARIANT);

function prod(shape: StaticArray<i64>, from: i32, to: i32): i64 {
  let n: i64 = 1;
  for (let i = from; i < to; i++) n *= unchecked(shape[i]);
  return n;
}

function checkAll(name: string, inputs: Array<Tensor>, count: i32, dtype: i32): bool {
  for (let i = 0; i < count; i++) {
    const d = unchecked(inputs[i]).dtype;
    if (d != dtype) {
      fail(INVALID_ARGUMENT, name + ": input " + i.toString() + " is " + dtypeName(d) + ", attr T is " + dtypeName(dtype));
      return false;
    }
  }
  return true;
}

// ---- Pack ----

class PackKernel extends Kernel {
  dtype: i32 = 0;
  axis: i64 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const n = inputs.length;
    if (!checkAll("Pack", inputs, n, this.dtype)) return errorCode();
    const first = unchecked(inputs[0]);
    const r = first.rank;
    let axis = this.axis;
    const outRank = r + 1;
    if (axis < -<i64>outRank || axis >= <i64>outRank) {
      return fail(INVALID_ARGUMENT, "axis = " + axis.toString() + " not in [" + (-outRank).toString() + ", " + outRank.toString() + ")");
    }
    if (axis < 0) axis += outRank;
    for (let i = 1; i < n; i++) {
      const t = unchecked(inputs[i]);
      if (!sameShape(t.shape, first.shape)) {
        return fail(INVALID_ARGUMENT, "Shapes of all inputs must match: values[0].shape = " + shapeString(first.shape) + " != values[" +
          i.toString() + "].shape = " + shapeString(t.shape));
      }
    }
    const a = <i32>axis;
    const shape = new StaticArray<i64>(outRank);
    for (let i = 0, j = 0; i < outRank; i++) unchecked(shape[i] = i == a ? <i64>n : first.shape[j++]);
    const outer = <i32>prod(first.shape, 0, a);
    const inner = <i32>prod(first.shape, a, r);
    const runs = new Array<Run>();
    for (let o = 0; o < outer; o++) for (let k = 0; k < n; k++) runs.push(new Run(k, o * inner, inner));
    const out = fromRuns(this.dtype, inputs, runs, shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** Pack: N inputs; attrs T, axis. */
export function makePack(ins: InstructionNode): Kernel | null {
  if (ins.inputs.length < 1 || ins.numOutputs != 1) {
    fail(INVALID_ARGUMENT, "Pack takes at least 1 input and produces 1 output");
    return null;
  }
  const d = dtypeAttr(ins, "T", ANY);
  if (d < 0) return null;
  const k = new PackKernel();
  k.dtype = d;
  k.axis = ins.attrs.intOr("axis", 0);
  return k;
}

// ---- ConcatV2 ----

class ConcatKernel extends Kernel {
  dtype: i32 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const n = inputs.length - 1;
    const axisT = unchecked(inputs[n]);
    if (!isIndexTensor(axisT) || axisT.numElements != 1) {
      return fail(INVALID_ARGUMENT, "ConcatOp : axis must be a scalar int32 or int64, got " + dtypeName(axisT.dtype) + " of shape " +
        shapeString(axisT.shape));
    }
    if (!checkAll("ConcatV2", inputs, n, this.dtype)) return errorCode();
    const first = unchecked(inputs[0]);
    const r = first.rank;
    const concatDim = intElement(axisT, 0);
    if (r == 0) return fail(INVALID_ARGUMENT, "ConcatOp : Can't concatenate scalars (use tf.stack instead)");
    const axis = concatDim < 0 ? concatDim + r : concatDim;
    if (axis < 0 || axis >= r) {
      return fail(INVALID_ARGUMENT, "ConcatOp : Expected concatenating dimensions in the range [" + (-r).toString() + ", " + r.toString() +
        "), but got " + concatDim.toString());
    }
    const a = <i32>axis;
    let total: i64 = 0;
    for (let i = 0; i < n; i++) {
      const t = unchecked(inputs[i]);
      if (t.rank != r) {
        return fail(INVALID_ARGUMENT, "ConcatOp : Ranks of all input tensors should match: shape[0] = " + shapeString(first.shape) +
          " vs. shape[" + i.toString() + "] = " + shapeString(t.shape));
      }
      for (let j = 0; j < r; j++) {
        if (j == a) continue;
        if (t.shape[j] != first.shape[j]) {
          return fail(INVALID_ARGUMENT, "ConcatOp : Dimension " + j.toString() + " in both shapes must be equal: shape[0] = " +
            shapeString(first.shape) + " vs. shape[" + i.toString() + "] = " + shapeString(t.shape));
        }
      }
      total += t.shape[a];
    }
    const shape = new StaticArray<i64>(r);
    for (let j = 0; j < r; j++) unchecked(shape[j] = j == a ? total : first.shape[j]);
    const outer = <i32>prod(first.shape, 0, a);
    const runs = new Array<Run>();
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < n; k++) {
        const t = unchecked(inputs[k]);
        const inner = <i32>prod(t.shape, a, r);
        if (inner > 0) runs.push(new Run(k, o * inner, inner));
      }
    }
    const out = fromRuns(this.dtype, inputs, runs, shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** ConcatV2: N values then the axis; attr T. */
export function makeConcat(ins: InstructionNode): Kernel | null {
  if (ins.inputs.length < 2 || ins.numOutputs != 1) {
    fail(INVALID_ARGUMENT, "ConcatV2 takes at least one value and the axis, and produces 1 output");
    return null;
  }
  const d = dtypeAttr(ins, "T", ANY);
  if (d < 0) return null;
  const k = new ConcatKernel();
  k.dtype = d;
  return k;
}

// ---- Slice ----

/** Runs of the innermost dim for a box `begin + [0, size)` of `t` (row-major walk). */
function boxRuns(t: Tensor, begin: StaticArray<i64>, size: StaticArray<i64>): Array<Run> {
  const r = t.rank;
  const runs = new Array<Run>();
  if (r == 0) {
    runs.push(new Run(0, 0, 1));
    return runs;
  }
  for (let i = 0; i < r; i++) if (unchecked(size[i]) == 0) return runs;
  const strides = stridesOf(t.shape);
  const idx = new StaticArray<i64>(r);
  const inner = <i32>unchecked(size[r - 1]);
  while (true) {
    let off: i64 = 0;
    for (let i = 0; i < r; i++) off += (unchecked(begin[i]) + unchecked(idx[i])) * unchecked(strides[i]);
    runs.push(new Run(0, <i32>off, inner));
    let d = r - 2;
    for (; d >= 0; d--) {
      const v = unchecked(idx[d]) + 1;
      if (v < unchecked(size[d])) {
        unchecked(idx[d] = v);
        break;
      }
      unchecked(idx[d] = 0);
    }
    if (d < 0) break;
  }
  return runs;
}

class SliceKernel extends Kernel {
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    const b = indexVector(unchecked(inputs[1]), "Slice", "begin");
    if (b == null) return errorCode();
    const s = indexVector(unchecked(inputs[2]), "Slice", "size");
    if (s == null) return errorCode();
    const r = t.rank;
    if (unchecked(inputs[1]).rank != 1 || unchecked(inputs[2]).rank != 1 || b.length != r || s.length != r) {
      return fail(INVALID_ARGUMENT, "Expected begin and size arguments to be 1-D tensors of size " + r.toString() + ", but got shapes " +
        shapeString(unchecked(inputs[1]).shape) + " and " + shapeString(unchecked(inputs[2]).shape) + " instead.");
    }
    for (let i = 0; i < r; i++) {
      const dim = t.shape[i];
      const bi = unchecked(b[i]);
      let si = unchecked(s[i]);
      if (si == -1) si = dim - bi;
      if (dim == 0) {
        if (bi != 0 || si != 0) {
          return fail(INVALID_ARGUMENT, "Expected begin[" + i.toString() + "] == 0 (got " + bi.toString() + ") and size[" + i.toString() +
            "] == 0 (got " + si.toString() + ") when input.dim_size(" + i.toString() + ") == 0");
        }
      } else {
        if (bi < 0 || bi > dim) {
          return fail(INVALID_ARGUMENT, "Expected begin[" + i.toString() + "] in [0, " + dim.toString() + "], but got " + bi.toString());
        }
        if (si < 0 || bi + si > dim) {
          return fail(INVALID_ARGUMENT, "Expected size[" + i.toString() + "] in [0, " + (dim - bi).toString() + "], but got " + si.toString());
        }
      }
      unchecked(s[i] = si);
    }
    const srcs = new Array<Tensor>(1);
    unchecked(srcs[0] = t);
    const out = fromRuns(t.dtype, srcs, boxRuns(t, b, s), s);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** Slice: inputs input, begin, size. */
export function makeSlice(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 3, 1)) return null;
  return new SliceKernel();
}

// ---- Tile ----

class TileKernel extends Kernel {
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    const mt = unchecked(inputs[1]);
    const m = indexVector(mt, "Tile", "multiples");
    if (m == null) return errorCode();
    const r = t.rank;
    if (mt.rank != 1 || m.length != r) {
      return fail(INVALID_ARGUMENT, "Expected multiples argument to be a vector of length " + r.toString() + " but got length " +
        (mt.rank == 0 ? 1 : mt.shape[0]).toString());
    }
    const shape = new StaticArray<i64>(r);
    let total: i64 = 1;
    for (let i = 0; i < r; i++) {
      const mi = unchecked(m[i]);
      if (mi < 0) return fail(INVALID_ARGUMENT, "Expected multiples[" + i.toString() + "] >= 0, but got " + mi.toString());
      unchecked(shape[i] = t.shape[i] * mi);
      total *= unchecked(shape[i]);
    }
    if (!scratchOk(total, 4, "Tile's index map")) return errorCode();
    const map = new StaticArray<i32>(<i32>total);
    if (total > 0) {
      const strides = stridesOf(t.shape);
      const idx = new StaticArray<i64>(r);
      for (let k = 0; k < <i32>total; k++) {
        let off: i64 = 0;
        for (let i = 0; i < r; i++) off += (unchecked(idx[i]) % t.shape[i]) * unchecked(strides[i]);
        unchecked(map[k] = <i32>off);
        for (let d = r - 1; d >= 0; d--) {
          const v = unchecked(idx[d]) + 1;
          if (v < unchecked(shape[d])) {
            unchecked(idx[d] = v);
            break;
          }
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

/** Tile: inputs input, multiples. */
export function makeTile(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  return new TileKernel();
}

// ---- Transpose ----

class TransposeKernel extends Kernel {
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    const pt = unchecked(inputs[1]);
    const perm = indexVector(pt, "Transpose", "perm");
    if (perm == null) return errorCode();
    const r = t.rank;
    if (pt.rank != 1 || perm.length != r) {
      return fail(INVALID_ARGUMENT, "transpose expects a vector of size " + r.toString() + ". But input(1) is a vector of size " +
        (pt.rank == 0 ? 1 : pt.shape[0]).toString());
    }
    const seen = new StaticArray<bool>(r);
    for (let i = 0; i < r; i++) {
      const p = unchecked(perm[i]);
      if (p < 0 || p >= <i64>r) return fail(INVALID_ARGUMENT, p.toString() + " is out of range [0 .. " + r.toString() + ")");
      unchecked(seen[<i32>p] = true);
    }
    for (let i = 0; i < r; i++) {
      if (!unchecked(seen[i])) {
        let s = "{";
        for (let j = 0; j < r; j++) s += (j > 0 ? "," : "") + unchecked(perm[j]).toString();
        return fail(INVALID_ARGUMENT, i.toString() + " is missing from " + s + "}.");
      }
    }
    const shape = new StaticArray<i64>(r);
    let identity = true;
    for (let i = 0; i < r; i++) {
      unchecked(shape[i] = t.shape[<i32>unchecked(perm[i])]);
      if (unchecked(perm[i]) != <i64>i) identity = false;
    }
    if (identity) {
      outputs.push(t);
      return OK;
    }
    if (!scratchOk(t.numElements, 4, "Transpose's index map")) return errorCode();
    const n = <i32>t.numElements;
    const map = new StaticArray<i32>(n);
    if (n > 0) {
      const inStrides = stridesOf(t.shape);
      const st = new StaticArray<i64>(r);
      for (let i = 0; i < r; i++) unchecked(st[i] = inStrides[<i32>unchecked(perm[i])]);
      const idx = new StaticArray<i64>(r);
      let off: i64 = 0;
      for (let k = 0; k < n; k++) {
        unchecked(map[k] = <i32>off);
        for (let d = r - 1; d >= 0; d--) {
          const v = unchecked(idx[d]) + 1;
          if (v < unchecked(shape[d])) {
            unchecked(idx[d] = v);
            off += unchecked(st[d]);
            break;
          }
          off -= unchecked(st[d]) * unchecked(idx[d]);
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

/** Transpose: inputs x, perm. */
export function makeTranspose(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  return new TransposeKernel();
}

// ---- GatherV2 ----

/** `[1,0]`: the multi-index of flat element `i` of `shape`, as TF prints bad indices. */
function multiIndex(shape: StaticArray<i64>, i: i64): string {
  const r = shape.length;
  const parts = new Array<string>(r);
  let rem = i;
  for (let d = r - 1; d >= 0; d--) {
    const n = unchecked(shape[d]);
    unchecked(parts[d] = (rem % n).toString());
    rem /= n;
  }
  return "[" + parts.join(",") + "]";
}

class GatherKernel extends Kernel {
  batchDims: i64 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const params = unchecked(inputs[0]), indices = unchecked(inputs[1]), axisT = unchecked(inputs[2]);
    if (!isIndexTensor(indices)) return fail(INVALID_ARGUMENT, "GatherV2: indices must be integers, got " + dtypeName(indices.dtype));
    if (!isIndexTensor(axisT) || axisT.numElements != 1) {
      return fail(INVALID_ARGUMENT, "axis must be scalar, got " + dtypeName(axisT.dtype) + " of shape " + shapeString(axisT.shape));
    }
    const pr = params.rank, ir = indices.rank;
    let axis = intElement(axisT, 0);
    if (axis < -<i64>pr || axis >= <i64>pr) {
      return fail(INVALID_ARGUMENT, "Expected axis in the range [" + (-pr).toString() + ", " + pr.toString() + "), but got " + axis.toString());
    }
    if (axis < 0) axis += pr;
    let bd = this.batchDims;
    if (bd != 0) {
      if (bd < -<i64>ir || bd > <i64>ir) {
        return fail(INVALID_ARGUMENT, "Expected batch_dims in the range [" + (-ir).toString() + ", " + ir.toString() + "], but got " + bd.toString());
      }
      if (bd < 0) bd += ir;
      if (bd >= <i64>pr) {
        return fail(INVALID_ARGUMENT, "batch_dims (" + bd.toString() + ") must be less than rank(params) (" + pr.toString() + ").");
      }
      if (bd > axis) {
        return fail(INVALID_ARGUMENT, "batch_dims (" + bd.toString() + ") must be less than or equal to axis (" + axis.toString() + ").");
      }
      for (let i = 0; i < <i32>bd; i++) {
        if (params.shape[i] != indices.shape[i]) {
          return fail(INVALID_ARGUMENT, "params.shape[" + i.toString() + "]: " + params.shape[i].toString() +
            " should be equal to indices.shape[" + i.toString() + "]: " + indices.shape[i].toString());
        }
      }
    }
    const a = <i32>axis, b = <i32>bd;
    const limit = params.shape[a];
    const nIdx = indices.numElements;
    for (let i: i64 = 0; i < nIdx; i++) {
      const v = intElement(indices, <i32>i);
      if (v < 0 || v >= limit) {
        return fail(INVALID_ARGUMENT, "indices" + multiIndex(indices.shape, i) + " = " + v.toString() + " is not in [0, " + limit.toString() + ")");
      }
    }
    // Output: params[:axis] + indices[batch_dims:] + params[axis+1:].
    const dims = new Array<i64>();
    for (let i = 0; i < a; i++) dims.push(params.shape[i]);
    for (let i = b; i < ir; i++) dims.push(indices.shape[i]);
    for (let i = a + 1; i < pr; i++) dims.push(params.shape[i]);
    const shape = StaticArray.fromArray<i64>(dims);
    const batch = <i32>prod(params.shape, 0, b);
    const outer = <i32>prod(params.shape, b, a);
    const inner = <i32>prod(params.shape, a + 1, pr);
    const perBatch = batch == 0 ? 0 : <i32>(nIdx / batch);
    const runs = new Array<Run>();
    if (inner > 0) {
      for (let bi = 0; bi < batch; bi++) {
        for (let o = 0; o < outer; o++) {
          const base = (bi * outer + o) * <i32>limit;
          for (let j = 0; j < perBatch; j++) {
            const v = <i32>intElement(indices, bi * perBatch + j);
            runs.push(new Run(0, (base + v) * inner, inner));
          }
        }
      }
    }
    const srcs = new Array<Tensor>(1);
    unchecked(srcs[0] = params);
    const out = fromRuns(params.dtype, srcs, runs, shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** GatherV2: inputs params, indices, axis; attr batch_dims. */
export function makeGather(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 3, 1)) return null;
  const k = new GatherKernel();
  k.batchDims = ins.attrs.intOr("batch_dims", 0);
  return k;
}
