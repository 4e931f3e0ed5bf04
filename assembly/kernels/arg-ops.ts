// ArgMax / ArgMin along one dimension (first index wins ties; NaN is never selected, so an
// all-NaN or all-(-inf) row gives 0, as Eigen's tuple reducer does) and OneHot.
import {
  DT_BFLOAT16, DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_STRING, DT_UINT16,
  DT_UINT32, DT_UINT64, DT_UINT8, DT_VARIANT, dtypeName,
} from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { fromRuns, Run } from "./gather-util";
import {
  ALL_DTYPES, bf16ToF32, checkArity, dtypeAttr, dtypeBit, elemSize, f16ToF32, intElement, isIndexTensor, newTensor,
  REAL_NUMBER_DTYPES,
} from "./helpers";
import { Kernel } from "./kernel";
import { flush } from "./denormal";

/** Element i of a real or bool tensor as f64 (exact for all but 64-bit integers). */
function realAt(t: Tensor, i: i32): f64 {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_FLOAT: return <f64>flush<f32>(load<f32>(p + (<usize>i << 2)));
    case DT_DOUBLE: return flush<f64>(load<f64>(p + (<usize>i << 3)));
    case DT_HALF: return <f64>f16ToF32(load<u16>(p + (<usize>i << 1)));
    case DT_BFLOAT16: return <f64>flush<f32>(bf16ToF32(load<u16>(p + (<usize>i << 1))));
  }
  return <f64>intElement(t, i);
}

/** Eigen's NumTraits lowest()/highest() of a float dtype. */
function floatLimit(d: i32, high: bool): f64 {
  let v: f64;
  switch (d) {
    case DT_FLOAT: v = <f64>f32.MAX_VALUE; break;
    case DT_HALF: v = 65504; break;
    case DT_BFLOAT16: v = <f64>bf16ToF32(0x7f7f); break;
    default: v = f64.MAX_VALUE;
  }
  return high ? v : -v;
}

class ArgKernel extends Kernel {
  isMax: bool = true;
  dtype: i32 = 0;
  outType: i32 = DT_INT64;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]), dimT = unchecked(inputs[1]);
    if (t.dtype != this.dtype) return fail(INVALID_ARGUMENT, this.name + ": input is " + dtypeName(t.dtype) + ", attr T is " + dtypeName(this.dtype));
    if (!isIndexTensor(dimT) || dimT.rank != 0) {
      return fail(INVALID_ARGUMENT, "dim must be a scalar, but received tensor of shape: " + shapeString(dimT.shape));
    }
    const r = t.rank;
    const dim = intElement(dimT, 0);
    const axis = dim < 0 ? dim + r : dim;
    if (axis < 0 || axis >= <i64>r) {
      return fail(INVALID_ARGUMENT, "Expected dimension in the range [" + (-r).toString() + ", " + r.toString() + "), but got " + dim.toString());
    }
    const a = <i32>axis;
    const size = t.shape[a];
    if (size <= 0) return fail(INVALID_ARGUMENT, "Reduction axis " + dim.toString() + " is empty in shape " + shapeString(t.shape));
    const dims = new Array<i64>();
    let outer: i64 = 1, inner: i64 = 1;
    for (let i = 0; i < r; i++) {
      if (i == a) continue;
      dims.push(t.shape[i]);
      if (i < a) outer *= t.shape[i];
      else inner *= t.shape[i];
    }
    const out = newTensor(this.outType, StaticArray.fromArray<i64>(dims));
    if (out == null) return errorCode();
    const d = this.dtype;
    const is64 = d == DT_INT64 || d == DT_UINT64;
    const unsigned = d == DT_UINT64;
    const isFloat = d == DT_FLOAT || d == DT_DOUBLE || d == DT_HALF || d == DT_BFLOAT16;
    const n = <i32>size;
    const o = out.dataPtr;
    for (let oi: i64 = 0; oi < outer; oi++) {
      for (let ii: i64 = 0; ii < inner; ii++) {
        const base = <i32>(oi * <i64>n * inner + ii);
        const step = <i32>inner;
        let best: i64 = 0;
        if (is64) {
          // Start from the type's limit at index 0, as Eigen does.
          let bv: i64 = this.isMax ? (unsigned ? 0 : i64.MIN_VALUE) : (unsigned ? -1 : i64.MAX_VALUE);
          for (let j = 0; j < n; j++) {
            const v = intElement(t, base + j * step);
            const better = this.isMax ? (unsigned ? <u64>v > <u64>bv : v > bv) : (unsigned ? <u64>v < <u64>bv : v < bv);
            if (better) {
              bv = v;
              best = j;
            }
          }
        } else {
          let bv: f64 = isFloat ? floatLimit(d, !this.isMax) : this.isMax ? -Infinity : Infinity;
          if (!isFloat) bv = this.isMax ? <f64>intLow(d) : <f64>intHigh(d);
          for (let j = 0; j < n; j++) {
            const v = realAt(t, base + j * step);
            if (this.isMax ? v > bv : v < bv) {
              bv = v;
              best = j;
            }
          }
        }
        const k = <i32>(oi * inner + ii);
        switch (this.outType) {
          case DT_INT64: store<i64>(o + (<usize>k << 3), best); break;
          case DT_INT32: store<i32>(o + (<usize>k << 2), <i32>best); break;
          default: store<u16>(o + (<usize>k << 1), <u16>best);
        }
      }
    }
    outputs.push(out);
    return OK;
  }
}

function intLow(d: i32): i64 {
  switch (d) {
    case DT_INT8: return -128;
    case DT_INT16: return -32768;
    case DT_INT32: return i32.MIN_VALUE;
  }
  return 0;
}

function intHigh(d: i32): i64 {
  switch (d) {
    case DT_INT8: return 127;
    case DT_INT16: return 32767;
    case DT_INT32: return i32.MAX_VALUE;
    case DT_UINT8: case DT_BOOL: return 255;
    case DT_UINT16: return 65535;
    case DT_UINT32: return 4294967295;
  }
  return 0;
}

/** ArgMax / ArgMin: inputs input, dimension; attrs T, output_type. */
export function makeArg(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  const k = new ArgKernel();
  k.isMax = ins.kernel == "ArgMax";
  const d = dtypeAttr(ins, "T", REAL_NUMBER_DTYPES | dtypeBit(DT_BOOL));
  if (d < 0) return null;
  k.dtype = d;
  if (ins.attrs.has("output_type")) {
    const allowed = k.isMax ? dtypeBit(DT_INT16) | dtypeBit(DT_UINT16) | dtypeBit(DT_INT32) | dtypeBit(DT_INT64)
      : dtypeBit(DT_INT32) | dtypeBit(DT_INT64);
    const o = dtypeAttr(ins, "output_type", allowed);
    if (o < 0) return null;
    k.outType = o;
  }
  return k;
}

// ---- OneHot ----

class OneHotKernel extends Kernel {
  axis: i64 = -1;
  dtype: i32 = 0;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const idx = unchecked(inputs[0]), depthT = unchecked(inputs[1]), on = unchecked(inputs[2]), off = unchecked(inputs[3]);
    const ir = idx.rank;
    const outRank = ir + 1;
    if (!(this.axis == -1 || (this.axis >= 0 && this.axis < <i64>outRank))) {
      return fail(INVALID_ARGUMENT, "Expected axis to be -1 or between [0, " + outRank.toString() + ").  But received: " + this.axis.toString());
    }
    if (depthT.rank != 0) return fail(INVALID_ARGUMENT, "depth must be a scalar, but got: " + shapeString(depthT.shape));
    if (on.rank != 0) return fail(INVALID_ARGUMENT, "on_value must be a scalar, but got: " + shapeString(on.shape));
    if (off.rank != 0) return fail(INVALID_ARGUMENT, "off_value must be a scalar, but got: " + shapeString(off.shape));
    if (on.dtype != this.dtype || off.dtype != this.dtype) {
      return fail(INVALID_ARGUMENT, "OneHot: on_value/off_value must be " + dtypeName(this.dtype));
    }
    if (!isIndexTensor(idx) || !isIndexTensor(depthT)) return fail(INVALID_ARGUMENT, "OneHot: indices and depth must be integers");
    const depth = intElement(depthT, 0);
    if (depth < 0) return fail(INVALID_ARGUMENT, "depth must be non-negative, got: " + depth.toString());
    const a = this.axis == -1 ? ir : <i32>this.axis;
    const shape = new StaticArray<i64>(outRank);
    let outer: i64 = 1, inner: i64 = 1;
    for (let i = 0, j = 0; i < outRank; i++) {
      if (i == a) unchecked(shape[i] = depth);
      else {
        const s = idx.shape[j++];
        unchecked(shape[i] = s);
        if (i < a) outer *= s;
        else inner *= s;
      }
    }
    const unsignedIdx = idx.dtype == DT_UINT8;
    const dtype = this.dtype;
    if (dtype == DT_STRING || dtype == DT_VARIANT) {
      const srcs = new Array<Tensor>(2);
      unchecked(srcs[0] = on);
      unchecked(srcs[1] = off);
      const runs = new Array<Run>();
      for (let o: i64 = 0; o < outer; o++) {
        for (let j: i64 = 0; j < depth; j++) {
          for (let i: i64 = 0; i < inner; i++) {
            let v = intElement(idx, <i32>(o * inner + i));
            if (unsignedIdx) v &= 0xff;
            runs.push(new Run(v == j ? 0 : 1, 0, 1));
          }
        }
      }
      const out = fromRuns(dtype, srcs, runs, shape);
      if (out == null) return errorCode();
      outputs.push(out);
      return OK;
    }
    const out = newTensor(dtype, shape);
    if (out == null) return errorCode();
    const size = <usize>elemSize(dtype);
    let dst = out.dataPtr;
    for (let o: i64 = 0; o < outer; o++) {
      for (let j: i64 = 0; j < depth; j++) {
        for (let i: i64 = 0; i < inner; i++) {
          const v = intElement(idx, <i32>(o * inner + i));
          memory.copy(dst, v == j ? on.dataPtr : off.dataPtr, size);
          dst += size;
        }
      }
    }
    outputs.push(out);
    return OK;
  }
}

/** OneHot: inputs indices, depth, on_value, off_value; attrs T, TI, axis. */
export function makeOneHot(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 4, 1)) return null;
  const k = new OneHotKernel();
  const d = dtypeAttr(ins, "T", ALL_DTYPES | dtypeBit(DT_VARIANT));
  if (d < 0) return null;
  k.dtype = d;
  if (ins.attrs.has("TI")) {
    if (dtypeAttr(ins, "TI", dtypeBit(DT_UINT8) | dtypeBit(DT_INT8) | dtypeBit(DT_INT32) | dtypeBit(DT_INT64)) < 0) return null;
  }
  k.axis = ins.attrs.intOr("axis", -1);
  return k;
}
