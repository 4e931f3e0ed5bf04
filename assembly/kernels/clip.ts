// ClipByValue: max(min(t, clip_value_max), clip_value_min) elementwise (NaN in t stays NaN), the
// bounds being scalars or tensors of t's shape.
import { DT_DOUBLE, DT_FLOAT, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_UINT16, DT_UINT8, dtypeName } from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { sameShape, shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { narrowFromF32, widenToF32 } from "./half";
import { checkArity, dtypeAttr, dtypeBit, FLOAT_DTYPES, isHalfLike, newTensor } from "./helpers";
import { Kernel } from "./kernel";
import { flush } from "./denormal";

/** The dtypes TF registers ClipByValue for on CPU (complex aside). */
export const CLIP_DTYPES: u32 = FLOAT_DTYPES | dtypeBit(DT_INT8) | dtypeBit(DT_INT16) | dtypeBit(DT_INT32) | dtypeBit(DT_INT64) |
  dtypeBit(DT_UINT8) | dtypeBit(DT_UINT16);

function clipLoop<T>(t: Tensor, lo: Tensor, hi: Tensor, out: Tensor): void {
  const n = <i32>out.numElements;
  const sl = <usize>(lo.numElements == 1 ? 0 : 1), sh = <usize>(hi.numElements == 1 ? 0 : 1);
  const pt = t.dataPtr, pl = lo.dataPtr, ph = hi.dataPtr, po = out.dataPtr;
  for (let i = 0; i < n; i++) {
    const k = <usize>i;
    const x = flush<T>(load<T>(pt + k * sizeof<T>()));
    const h = flush<T>(load<T>(ph + k * sh * sizeof<T>()));
    const l = flush<T>(load<T>(pl + k * sl * sizeof<T>()));
    const m = h < x ? h : x;
    store<T>(po + k * sizeof<T>(), m < l ? l : m);
  }
}

class ClipKernel extends Kernel {
  dtype: i32 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    let t = unchecked(inputs[0]), lo = unchecked(inputs[1]), hi = unchecked(inputs[2]);
    const d = this.dtype;
    if (t.dtype != d || lo.dtype != d || hi.dtype != d) return fail(INVALID_ARGUMENT, "ClipByValue: inputs must all be " + dtypeName(d));
    const okLo = lo.rank == 0 || sameShape(lo.shape, t.shape);
    const okHi = hi.rank == 0 || sameShape(hi.shape, t.shape);
    if (!okLo || !okHi) {
      return fail(INVALID_ARGUMENT, "clip_value_min and clip_value_max must be either of the same shape as input, or a scalar. " +
        "input shape: " + shapeString(t.shape) + "clip_value_min shape: " + shapeString(lo.shape) + "clip_value_max shape: " +
        shapeString(hi.shape));
    }
    let work = d;
    if (isHalfLike(d)) {
      const a = widenToF32(t), b = widenToF32(lo), c = widenToF32(hi);
      if (a == null || b == null || c == null) return errorCode();
      t = a;
      lo = b;
      hi = c;
      work = DT_FLOAT;
    }
    const out = newTensor(work, t.shape);
    if (out == null) return errorCode();
    switch (work) {
      case DT_FLOAT: clipLoop<f32>(t, lo, hi, out); break;
      case DT_DOUBLE: clipLoop<f64>(t, lo, hi, out); break;
      case DT_INT8: clipLoop<i8>(t, lo, hi, out); break;
      case DT_INT16: clipLoop<i16>(t, lo, hi, out); break;
      case DT_INT32: clipLoop<i32>(t, lo, hi, out); break;
      case DT_INT64: clipLoop<i64>(t, lo, hi, out); break;
      case DT_UINT8: clipLoop<u8>(t, lo, hi, out); break;
      case DT_UINT16: clipLoop<u16>(t, lo, hi, out); break;
    }
    if (work != d) {
      const r = narrowFromF32(out, d);
      if (r == null) return errorCode();
      outputs.push(r);
    } else outputs.push(out);
    return OK;
  }
}

/** ClipByValue: inputs t, clip_value_min, clip_value_max; attr T. */
export function makeClip(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 3, 1)) return null;
  const d = dtypeAttr(ins, "T", CLIP_DTYPES);
  if (d < 0) return null;
  const k = new ClipKernel();
  k.dtype = d;
  return k;
}
