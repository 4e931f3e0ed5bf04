// Shape-only kernels: Reshape, ExpandDims, Squeeze (share the input's buffer), Shape, Size, Rank,
// Fill, ZerosLike, OnesLike. Messages follow TF's kernels.
import {
  DT_BFLOAT16, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_STRING, DT_UINT16,
  DT_UINT32, DT_UINT64, DT_VARIANT, dtypeName,
} from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { scalarShape, shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { filled } from "./gather-util";
import {
  ALL_DTYPES, checkArity, dtypeAttr, dtypeBit, INDEX_DTYPES, intElement, isIndexTensor, newTensor, reshaped,
} from "./helpers";
import { Kernel } from "./kernel";

/** Any dtype a tensor can hold, variant included (the shape ops never look at values). */
const ANY: u32 = ALL_DTYPES | dtypeBit(DT_VARIANT);

class ReshapeKernel extends Kernel {
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]), sizes = unchecked(inputs[1]);
    if (!isIndexTensor(sizes)) return fail(INVALID_ARGUMENT, "Reshape: shape must be int32 or int64, got " + dtypeName(sizes.dtype));
    if (sizes.rank > 1) return fail(INVALID_ARGUMENT, "sizes input must be 1-D, not " + shapeString(sizes.shape));
    const r = <i32>sizes.numElements;
    const shape = new StaticArray<i64>(r);
    // As TF's ValidateSizes: zero sizes stay out of the product so the -1 size can still be inferred.
    let product: i64 = 1;
    let unknown = -1;
    let sizesHaveZero = false;
    for (let i = 0; i < r; i++) {
      const d = intElement(sizes, i);
      if (d == -1) {
        if (unknown >= 0) return fail(INVALID_ARGUMENT, "Only one input size may be -1, not both " + unknown.toString() + " and " + i.toString());
        unknown = i;
        unchecked(shape[i] = 1);
      } else if (d < 0) {
        return fail(INVALID_ARGUMENT, "Size " + i.toString() + " must be non-negative, not " + d.toString());
      } else if (d == 0) {
        sizesHaveZero = true;
        unchecked(shape[i] = 0);
      } else {
        if (product > (<i64>1 << 62) / d) return fail(INVALID_ARGUMENT, "Reshape: the requested shape has too many elements");
        product *= d;
        unchecked(shape[i] = d);
      }
    }
    if (unknown >= 0) {
      let inputElements: i64 = 1;
      let inputHasZero = false;
      for (let i = 0; i < t.rank; i++) {
        const d = t.shape[i];
        if (d > 0 || !sizesHaveZero) inputElements *= d;
        else inputHasZero = true;
      }
      const missing = inputElements / product;
      if (!inputHasZero && product * missing != inputElements) {
        return fail(INVALID_ARGUMENT, "Input to reshape is a tensor with " + inputElements.toString() +
          " values, but the requested shape requires a multiple of " + product.toString());
      }
      unchecked(shape[unknown] = missing);
    }
    let total: i64 = 1;
    for (let i = 0; i < r; i++) total *= unchecked(shape[i]);
    if (total != t.numElements) {
      return fail(INVALID_ARGUMENT, "Input to reshape is a tensor with " + t.numElements.toString() +
        " values, but the requested shape has " + total.toString());
    }
    outputs.push(reshaped(t, shape));
    return OK;
  }
}

class ExpandDimsKernel extends Kernel {
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]), dim = unchecked(inputs[1]);
    if (!isIndexTensor(dim)) return fail(INVALID_ARGUMENT, "ExpandDims: dim must be int32 or int64, got " + dtypeName(dim.dtype));
    if (dim.numElements != 1) return fail(INVALID_ARGUMENT, "'dim' must be a tensor with a single value");
    const r = t.rank;
    let d = intElement(dim, 0);
    if (d < -1 - <i64>r || d > <i64>r) {
      return fail(INVALID_ARGUMENT, "Tried to expand dim index " + d.toString() + " for tensor with " + r.toString() + " dimensions.");
    }
    if (d < 0) d += <i64>r + 1;
    const shape = new StaticArray<i64>(r + 1);
    let j = 0;
    for (let i = 0; i <= r; i++) {
      if (<i64>i == d) unchecked(shape[i] = 1);
      else unchecked(shape[i] = t.shape[j++]);
    }
    outputs.push(reshaped(t, shape));
    return OK;
  }
}

class SqueezeKernel extends Kernel {
  dims: StaticArray<f64> = new StaticArray<f64>(0);
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    const r = t.rank;
    const drop = new StaticArray<bool>(r);
    if (this.dims.length == 0) {
      for (let i = 0; i < r; i++) unchecked(drop[i] = t.shape[i] == 1);
    } else {
      for (let k = 0; k < this.dims.length; k++) {
        let d = <i64>unchecked(this.dims[k]);
        if (d < -<i64>r || d >= <i64>r) {
          return fail(INVALID_ARGUMENT, "Tried to squeeze dim index " + d.toString() + " for tensor with " + r.toString() + " dimensions.");
        }
        if (d < 0) d += r;
        const size = t.shape[<i32>d];
        if (size != 1) {
          return fail(INVALID_ARGUMENT, "Can not squeeze dim[" + d.toString() + "], expected a dimension of 1, got " + size.toString());
        }
        unchecked(drop[<i32>d] = true);
      }
    }
    const dims = new Array<i64>();
    for (let i = 0; i < r; i++) if (!unchecked(drop[i])) dims.push(t.shape[i]);
    outputs.push(reshaped(t, StaticArray.fromArray<i64>(dims)));
    return OK;
  }
}

/** Shape (kind 0), Size (1), Rank (2). */
class ShapeKernel extends Kernel {
  kind: i32 = 0;
  outType: i32 = DT_INT32;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    const out32 = this.outType == DT_INT32;
    if (this.kind == 0) {
      const s = new StaticArray<i64>(1);
      unchecked(s[0] = t.rank);
      const out = newTensor(this.outType, s);
      if (out == null) return errorCode();
      for (let i = 0; i < t.rank; i++) {
        const d = t.shape[i];
        if (out32) {
          if (d > <i64>i32.MAX_VALUE) return fail(INVALID_ARGUMENT, "Shape output type is 32-bit  but dim " + i.toString() + " is " + d.toString());
          store<i32>(out.dataPtr + (<usize>i << 2), <i32>d);
        } else store<i64>(out.dataPtr + (<usize>i << 3), d);
      }
      outputs.push(out);
      return OK;
    }
    const out = newTensor(this.outType, scalarShape());
    if (out == null) return errorCode();
    const v: i64 = this.kind == 1 ? t.numElements : <i64>t.rank;
    if (out32) {
      if (v > <i64>i32.MAX_VALUE) return fail(INVALID_ARGUMENT, "Number of elements was larger than representable by 32-bit output type");
      store<i32>(out.dataPtr, <i32>v);
    } else store<i64>(out.dataPtr, v);
    outputs.push(out);
    return OK;
  }
}

class FillKernel extends Kernel {
  dtype: i32 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const dims = unchecked(inputs[0]), value = unchecked(inputs[1]);
    if (!isIndexTensor(dims)) return fail(INVALID_ARGUMENT, "Fill: dims must be int32 or int64, got " + dtypeName(dims.dtype));
    if (dims.rank > 1) return fail(INVALID_ARGUMENT, "dims must represent a vector, got shape " + shapeString(dims.shape));
    if (value.rank != 0) return fail(INVALID_ARGUMENT, "value must represent a scalar, got shape " + shapeString(value.shape));
    if (value.dtype != this.dtype) return fail(INVALID_ARGUMENT, "Fill: value is " + dtypeName(value.dtype) + ", attr T is " + dtypeName(this.dtype));
    const r = <i32>dims.numElements;
    const shape = new StaticArray<i64>(r);
    for (let i = 0; i < r; i++) {
      const d = intElement(dims, i);
      if (d < 0) return fail(INVALID_ARGUMENT, "Dimension " + d.toString() + " must be >= 0");
      unchecked(shape[i] = d);
    }
    const out = filled(value, shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** The bits of one/zero for a fixed-width dtype (as u64, little-endian). */
function oneBits(dtype: i32): u64 {
  switch (dtype) {
    case DT_FLOAT: return <u64>reinterpret<u32>(<f32>1);
    case DT_DOUBLE: return reinterpret<u64>(<f64>1);
    case DT_HALF: return 0x3c00;
    case DT_BFLOAT16: return 0x3f80;
  }
  return 1;
}

class ZerosOnesLikeKernel extends Kernel {
  ones: bool = false;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    if (t.dtype == DT_STRING || !this.ones) {
      const out = newTensor(t.dtype, t.shape, 0);
      if (out == null) return errorCode();
      outputs.push(out);
      return OK;
    }
    const one = newTensor(t.dtype, scalarShape());
    if (one == null) return errorCode();
    const bits = oneBits(t.dtype);
    switch (t.dtype) {
      case DT_INT64: case DT_UINT64: case DT_DOUBLE: store<u64>(one.dataPtr, bits); break;
      case DT_INT32: case DT_UINT32: case DT_FLOAT: store<u32>(one.dataPtr, <u32>bits); break;
      case DT_INT16: case DT_UINT16: case DT_HALF: case DT_BFLOAT16: store<u16>(one.dataPtr, <u16>bits); break;
      default: store<u8>(one.dataPtr, <u8>bits);
    }
    const out = filled(one, t.shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** Reshape (inputs tensor, shape). */
export function makeReshape(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  return new ReshapeKernel();
}

/** ExpandDims (inputs input, dim). */
export function makeExpandDims(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  return new ExpandDimsKernel();
}

/** Squeeze: attr squeeze_dims (list, may be empty: all size-1 dims). */
export function makeSqueeze(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 1, 1)) return null;
  const k = new SqueezeKernel();
  k.dims = ins.attrs.list("squeeze_dims", true);
  if (errorCode() != OK) return null;
  return k;
}

/** Shape / Size / Rank: attr out_type (Rank: int32). */
export function makeShape(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 1, 1)) return null;
  const k = new ShapeKernel();
  k.kind = ins.kernel == "Shape" ? 0 : ins.kernel == "Size" ? 1 : 2;
  if (k.kind != 2 && ins.attrs.has("out_type")) {
    const d = dtypeAttr(ins, "out_type", INDEX_DTYPES);
    if (d < 0) return null;
    k.outType = d;
  }
  return k;
}

/** Fill (inputs dims, value); attr T. */
export function makeFill(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 2, 1)) return null;
  const d = dtypeAttr(ins, "T", ANY);
  if (d < 0) return null;
  const k = new FillKernel();
  k.dtype = d;
  return k;
}

/** ZerosLike / OnesLike (OnesLike: numbers and bool). */
export function makeZerosOnesLike(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 1, 1)) return null;
  const k = new ZerosOnesLikeKernel();
  k.ones = ins.kernel == "OnesLike";
  if (ins.attrs.has("T")) {
    const allowed = k.ones ? ALL_DTYPES & ~dtypeBit(DT_STRING) : ALL_DTYPES;
    if (dtypeAttr(ins, "T", allowed) < 0) return null;
  }
  return k;
}
