// Range (tf.range inside a function): start, limit, delta scalars of Tidx. The size is TF's
// (divup for integers, ceil(|(limit - start) / delta|) in Tidx arithmetic for floats) and the values
// accumulate `val += delta` in Tidx, as TF does (float16/bfloat16 round after every step).
import { f32ToBf16Bits, f32ToF16Bits } from "../core/cast";
import { DT_BFLOAT16, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT32, DT_INT64, dtypeName } from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { bf16ToF32, checkArity, dtypeAttr, dtypeBit, f16ToF32, newTensor } from "./helpers";
import { Kernel } from "./kernel";
import { formatNumber } from "./number-format";
import { flush } from "./denormal";

/** The Tidx dtypes TF registers Range for on CPU. */
export const RANGE_DTYPES: u32 = dtypeBit(DT_INT32) | dtypeBit(DT_INT64) | dtypeBit(DT_FLOAT) | dtypeBit(DT_DOUBLE) |
  dtypeBit(DT_HALF) | dtypeBit(DT_BFLOAT16);

/** Rounds a float32 to the 16-bit float `dtype` and back (identity for other dtypes). */
function round16(x: f32, dtype: i32): f32 {
  if (dtype == DT_HALF) return f16ToF32(f32ToF16Bits(x));
  if (dtype == DT_BFLOAT16) return bf16ToF32(f32ToBf16Bits(x));
  return x;
}

/** Element 0 of a float tensor of `dtype` as f64 (exact). */
function floatValue(t: Tensor): f64 {
  switch (t.dtype) {
    case DT_FLOAT: return <f64>load<f32>(t.dataPtr);
    case DT_DOUBLE: return load<f64>(t.dataPtr);
    case DT_HALF: return <f64>f16ToF32(load<u16>(t.dataPtr));
    case DT_BFLOAT16: return <f64>bf16ToF32(load<u16>(t.dataPtr));
  }
  return 0;
}

class RangeKernel extends Kernel {
  dtype: i32 = 0;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const names = ["start", "limit", "delta"];
    for (let i = 0; i < 3; i++) {
      const t = unchecked(inputs[i]);
      if (t.dtype != this.dtype) return fail(INVALID_ARGUMENT, "Range: " + names[i] + " is " + dtypeName(t.dtype) + ", attr Tidx is " + dtypeName(this.dtype));
      if (!(t.rank == 0 || (t.rank == 1 && t.shape[0] == 1))) {
        return fail(INVALID_ARGUMENT, names[i] + " must be a scalar, not shape " + shapeString(t.shape));
      }
    }
    const d = this.dtype;
    if (d == DT_INT32 || d == DT_INT64) return this.runInt(inputs, outputs);
    return this.runFloat(inputs, outputs);
  }

  runInt(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const is32 = this.dtype == DT_INT32;
    const start: i64 = is32 ? <i64>load<i32>(inputs[0].dataPtr) : load<i64>(inputs[0].dataPtr);
    const limit: i64 = is32 ? <i64>load<i32>(inputs[1].dataPtr) : load<i64>(inputs[1].dataPtr);
    const delta: i64 = is32 ? <i64>load<i32>(inputs[2].dataPtr) : load<i64>(inputs[2].dataPtr);
    if (delta == 0) return fail(INVALID_ARGUMENT, "Requires delta != 0: " + delta.toString());
    if (delta > 0 && start > limit) {
      return fail(INVALID_ARGUMENT, "Requires start <= limit when delta > 0: " + start.toString() + "/" + limit.toString());
    }
    if (delta < 0 && start < limit) {
      return fail(INVALID_ARGUMENT, "Requires start >= limit when delta < 0: " + start.toString() + "/" + limit.toString());
    }
    const span: u64 = delta > 0 ? <u64>(limit - start) : <u64>(start - limit);
    const step: u64 = delta > 0 ? <u64>delta : <u64>(0 - delta);
    const size = <i64>((span + step - 1) / step);
    const shape = new StaticArray<i64>(1);
    unchecked(shape[0] = size);
    const out = newTensor(this.dtype, shape);
    if (out == null) return errorCode();
    const p = out.dataPtr;
    let v = start;
    for (let i: i64 = 0; i < size; i++) {
      if (is32) store<i32>(p + <usize>(i << 2), <i32>v);
      else store<i64>(p + <usize>(i << 3), v);
      v += delta;
    }
    outputs.push(out);
    return OK;
  }

  runFloat(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const d = this.dtype;
    const start = floatValue(inputs[0]), limit = floatValue(inputs[1]), delta = floatValue(inputs[2]);
    if (delta == 0) return fail(INVALID_ARGUMENT, "Requires delta != 0: " + formatNumber(delta));
    if (delta > 0 && !(start <= limit)) {
      return fail(INVALID_ARGUMENT, "Requires start <= limit when delta > 0: " + formatNumber(start) + "/" + formatNumber(limit));
    }
    if (delta < 0 && !(start >= limit)) {
      return fail(INVALID_ARGUMENT, "Requires start >= limit when delta < 0: " + formatNumber(start) + "/" + formatNumber(limit));
    }
    // Size and values in Tidx arithmetic: ceil(|(limit - start) / delta|), start + Tidx(i) * delta.
    let sizeF: f64;
    if (d == DT_DOUBLE) sizeF = Math.ceil(Math.abs((limit - start) / delta));
    else {
      const q = round16(flush<f32>(round16(flush<f32>(<f32>limit - <f32>start), d) / <f32>delta), d);
      sizeF = <f64>Mathf.ceil(Mathf.abs(q));
    }
    if (!(sizeF <= 9223372036854775807.0)) return fail(INVALID_ARGUMENT, "Requires ((limit - start) / delta) <= 9223372036854775807");
    const size = <i64>sizeF;
    const shape = new StaticArray<i64>(1);
    unchecked(shape[0] = size);
    const out = newTensor(d, shape);
    if (out == null) return errorCode();
    const p = out.dataPtr;
    if (d == DT_DOUBLE) {
      for (let i: i64 = 0; i < size; i++) store<f64>(p + <usize>(i << 3), flush<f64>(start + flush<f64>(<f64>i * delta)));
    } else {
      const st = <f32>start, dl = <f32>delta;
      for (let i: i64 = 0; i < size; i++) {
        const step = round16(flush<f32>(round16(<f32>i, d) * dl), d);
        const v = round16(flush<f32>(st + step), d);
        if (d == DT_FLOAT) store<f32>(p + <usize>(i << 2), v);
        else if (d == DT_HALF) store<u16>(p + <usize>(i << 1), f32ToF16Bits(v));
        else store<u16>(p + <usize>(i << 1), f32ToBf16Bits(v));
      }
    }
    outputs.push(out);
    return OK;
  }
}

/** Range: inputs start, limit, delta; attr Tidx. */
export function makeRange(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 3, 1)) return null;
  const d = dtypeAttr(ins, "Tidx", RANGE_DTYPES);
  if (d < 0) return null;
  const k = new RangeKernel();
  k.dtype = d;
  return k;
}
