// float16 / bfloat16 through float32: TF (Eigen) computes every 16-bit float op by widening to
// float32, computing, and rounding back to nearest even, so kernels do the same on whole tensors.
import { f32ToF16Bits } from "../core/cast";
import { DT_BFLOAT16, DT_FLOAT, DT_HALF } from "../core/dtype";
import { allocTensor, Tensor } from "../core/tensor";
import { bf16ToF32, f16ToF32 } from "./helpers";

/**
 * bfloat16 bits of `f`, nearest even. Eigen's packet conversion turns every NaN into 0x7fc0
 * (`canonical`); its scalar conversion keeps the sign and sets the quiet bit.
 */
@inline export function toBf16(f: f32, canonical: bool): u16 {
  const x = reinterpret<u32>(f);
  if ((x & 0x7fffffff) > 0x7f800000) return canonical ? 0x7fc0 : <u16>((x >>> 16) | 0x40);
  return <u16>((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
}

/** A float32 copy of a float16/bfloat16 tensor (exact), or null when out of memory. */
export function widenToF32(t: Tensor): Tensor | null {
  const out = allocTensor(DT_FLOAT, t.shape);
  if (out == null) return null;
  const n = <i32>t.numElements;
  const src = t.dataPtr, dst = out.dataPtr;
  if (t.dtype == DT_HALF) {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), f16ToF32(load<u16>(src + (<usize>i << 1))));
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), bf16ToF32(load<u16>(src + (<usize>i << 1))));
  }
  return out;
}

/**
 * Rounds a float32 tensor to `dtype` (float16 or bfloat16), nearest even. `lanes` > 0: the op is
 * vectorized by Eigen, so bfloat16 NaNs in the first floor(n/lanes)*lanes elements are canonical.
 */
export function narrowFromF32(t: Tensor, dtype: i32, lanes: i32 = 8): Tensor | null {
  const out = allocTensor(dtype, t.shape);
  if (out == null) return null;
  const n = <i32>t.numElements;
  const src = t.dataPtr, dst = out.dataPtr;
  if (dtype == DT_HALF) {
    for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), f32ToF16Bits(load<f32>(src + (<usize>i << 2))));
  } else if (dtype == DT_BFLOAT16) {
    const packed = lanes > 0 ? (n / lanes) * lanes : 0;
    for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), toBf16(load<f32>(src + (<usize>i << 2)), i < packed));
  }
  return out;
}
