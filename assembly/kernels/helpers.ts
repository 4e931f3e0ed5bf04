// Shared pieces of the tensor kernels: dtype checks, reading index tensors (shapes, axes, perms),
// output allocation and TF-style messages. Kernels validate their instruction once when the plan is
// instantiated and check the runtime inputs they depend on (dtypes, ranks) on every call, so a bad
// plan or element returns InvalidArgument instead of reading out of bounds.
import {
  DT_BFLOAT16, DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_STRING,
  DT_UINT16, DT_UINT32, DT_UINT64, DT_UINT8, DT_VARIANT, dtypeName, dtypeSize,
} from "../core/dtype";
import { checkAlloc, HEADROOM_BYTES, MAX_MEMORY_BYTES } from "../core/limits";
import { fail, INVALID_ARGUMENT } from "../core/status";
import { allocTensor, shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";

/** Bit set of dtypes, one bit per TF DataType number (all ours are < 32). */
export function dtypeBit(dtype: i32): u32 {
  return dtype >= 0 && dtype < 32 ? <u32>1 << <u32>dtype : 0;
}

/** Every fixed-width real dtype (no complex). */
export const REAL_NUMBER_DTYPES: u32 =
  dtypeBit(DT_INT8) | dtypeBit(DT_UINT8) | dtypeBit(DT_INT16) | dtypeBit(DT_UINT16) | dtypeBit(DT_INT32) |
  dtypeBit(DT_UINT32) | dtypeBit(DT_INT64) | dtypeBit(DT_UINT64) | dtypeBit(DT_HALF) | dtypeBit(DT_BFLOAT16) |
  dtypeBit(DT_FLOAT) | dtypeBit(DT_DOUBLE);

/** The float dtypes. */
export const FLOAT_DTYPES: u32 = dtypeBit(DT_HALF) | dtypeBit(DT_BFLOAT16) | dtypeBit(DT_FLOAT) | dtypeBit(DT_DOUBLE);

/** Every dtype a tensor of the core can hold (numbers, bool, string). */
export const ALL_DTYPES: u32 = REAL_NUMBER_DTYPES | dtypeBit(DT_BOOL) | dtypeBit(DT_STRING);

/** int32 and int64: TF's usual index dtypes. */
export const INDEX_DTYPES: u32 = dtypeBit(DT_INT32) | dtypeBit(DT_INT64);

/** `float32, int64, ...`: the dtypes of a set, for messages. */
export function dtypeSetString(set: u32): string {
  let s = "";
  for (let d = 0; d < 32; d++) {
    if ((set & dtypeBit(d)) == 0) continue;
    if (s.length > 0) s += ", ";
    s += dtypeName(d);
  }
  return s;
}

/** True for the 16-bit float dtypes, which kernels compute through float32 as TF does. */
export function isHalfLike(dtype: i32): bool {
  return dtype == DT_HALF || dtype == DT_BFLOAT16;
}

/** True for integer dtypes (signed and unsigned). */
export function isIntegerDtype(dtype: i32): bool {
  return dtype == DT_INT8 || dtype == DT_UINT8 || dtype == DT_INT16 || dtype == DT_UINT16 || dtype == DT_INT32 ||
    dtype == DT_UINT32 || dtype == DT_INT64 || dtype == DT_UINT64;
}

/** True for signed integer dtypes. */
export function isSignedIntDtype(dtype: i32): bool {
  return dtype == DT_INT8 || dtype == DT_INT16 || dtype == DT_INT32 || dtype == DT_INT64;
}

/**
 * Reads the dtype attr `name` of an instruction and checks it is in `allowed`; records TF's kind of
 * message (the op, the attr and the registered dtypes) and returns -1 when it is not.
 */
export function dtypeAttr(ins: InstructionNode, name: string, allowed: u32): i32 {
  if (!ins.attrs.has(name)) {
    fail(INVALID_ARGUMENT, ins.kernel + ": missing dtype attribute \"" + name + "\"");
    return -1;
  }
  const v = ins.attrs.int(name);
  const d = <i32>v;
  if (v < 0 || v > 31 || (allowed & dtypeBit(d)) == 0) {
    fail(INVALID_ARGUMENT, "No kernel for " + ins.kernel + " with " + name + "=" + dtypeName(d) + "; registered kernels support " +
      name + " in [" + dtypeSetString(allowed) + "]");
    return -1;
  }
  return d;
}

/** Checks the instruction has `n` inputs and `m` outputs. */
export function checkArity(ins: InstructionNode, n: i32, m: i32): bool {
  if (ins.inputs.length != n || ins.numOutputs != m) {
    fail(INVALID_ARGUMENT, ins.kernel + " takes " + n.toString() + " input(s) and produces " + m.toString() +
      " output(s); the plan gives " + ins.inputs.length.toString() + " input(s) and " + ins.numOutputs.toString() + " output(s)");
    return false;
  }
  return true;
}

/** Checks input `i` has dtype `want` (a plan/element mismatch, never expected after lowering). */
export function checkInputDtype(kernel: string, inputs: Array<Tensor>, i: i32, want: i32): bool {
  const got = unchecked(inputs[i]).dtype;
  if (got != want) {
    fail(INVALID_ARGUMENT, kernel + ": input " + i.toString() + " is " + dtypeName(got) + ", expected " + dtypeName(want));
    return false;
  }
  return true;
}

/** Element `i` of an integer tensor (int8..uint64) as i64. */
export function intElement(t: Tensor, i: i32): i64 {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_INT32: return <i64>load<i32>(p + (<usize>i << 2));
    case DT_INT64: return load<i64>(p + (<usize>i << 3));
    case DT_INT16: return <i64>load<i16>(p + (<usize>i << 1));
    case DT_INT8: return <i64>load<i8>(p + <usize>i);
    case DT_UINT8: case DT_BOOL: return <i64>load<u8>(p + <usize>i);
    case DT_UINT16: return <i64>load<u16>(p + (<usize>i << 1));
    case DT_UINT32: return <i64>load<u32>(p + (<usize>i << 2));
    case DT_UINT64: return load<i64>(p + (<usize>i << 3));
  }
  return 0;
}

/** True when `t` is an integer tensor (index-like input). */
export function isIndexTensor(t: Tensor): bool {
  return isIntegerDtype(t.dtype);
}

/**
 * The values of an index tensor of rank <= 1 (shape, perm, multiples, begin/end/strides), or null
 * with `what` named in the error.
 */
export function indexVector(t: Tensor, kernel: string, what: string): StaticArray<i64> | null {
  if (!isIndexTensor(t)) {
    fail(INVALID_ARGUMENT, kernel + ": " + what + " must be an integer tensor, got " + dtypeName(t.dtype));
    return null;
  }
  if (t.rank > 1) {
    fail(INVALID_ARGUMENT, kernel + ": " + what + " must be a vector, got shape " + shapeString(t.shape));
    return null;
  }
  const n = <i32>t.numElements;
  const out = new StaticArray<i64>(n);
  for (let i = 0; i < n; i++) unchecked(out[i] = intElement(t, i));
  return out;
}

/** Elements up to which newTensor takes its fast path (no string formatting, no limit walk). */
const FAST_ALLOC_ELEMENTS: i64 = 1 << 20;

/**
 * Allocates an output tensor (zero-filled; strings with `stringBytes` of data). Fixed-width
 * tensors of known-small size skip allocTensor's checks (which format a message on every call);
 * everything else, and anything near the memory cap, goes through allocTensor and its limits.
 */
export function newTensor(dtype: i32, shape: StaticArray<i64>, stringBytes: u64 = 0): Tensor | null {
  const size = dtypeSize(dtype);
  if (size != 0 && dtype != DT_STRING && dtype != DT_VARIANT && shape.length <= 8) {
    let n: i64 = 1;
    let ok = true;
    for (let i = 0; i < shape.length; i++) {
      const d = unchecked(shape[i]);
      if (d < 0 || d > FAST_ALLOC_ELEMENTS) {
        ok = false;
        break;
      }
      n *= d;
      if (n > FAST_ALLOC_ELEMENTS) {
        ok = false;
        break;
      }
    }
    const bytes = <u64>n * <u64>size;
    if (ok && ((<u64>memory.size()) << 16) + bytes + HEADROOM_BYTES <= MAX_MEMORY_BYTES) {
      return new Tensor(dtype, shape, n, new ArrayBuffer(<i32>bytes));
    }
  }
  return allocTensor(dtype, shape, stringBytes);
}

/** Bytes per element for fixed-width dtypes (bool 1). */
export function elemSize(dtype: i32): i32 {
  return dtypeSize(dtype);
}

/**
 * A tensor with `t`'s dtype and data but another shape of the same element count (tensors are
 * immutable, so the buffers are shared, as TF's Reshape does).
 */
export function reshaped(t: Tensor, shape: StaticArray<i64>): Tensor {
  const out = new Tensor(t.dtype, shape, t.numElements, t.data);
  out.offsets = t.offsets;
  out.variants = t.variants;
  return out;
}

/** The value of float16 bits `h` (exact in float32). */
export function f16ToF32(h: u16): f32 {
  const sign = (<u32>h & 0x8000) << 16;
  const exp = (<u32>h >>> 10) & 0x1f;
  let mant = <u32>h & 0x3ff;
  if (exp == 0x1f) return reinterpret<f32>(sign | 0x7f800000 | (mant << 13));
  if (exp == 0) {
    if (mant == 0) return reinterpret<f32>(sign);
    // Subnormal half: normalize.
    let e: i32 = -1;
    do {
      e++;
      mant <<= 1;
    } while ((mant & 0x400) == 0);
    mant &= 0x3ff;
    return reinterpret<f32>(sign | (<u32>(127 - 15 - e) << 23) | (mant << 13));
  }
  return reinterpret<f32>(sign | ((exp + (127 - 15)) << 23) | (mant << 13));
}

/** The value of bfloat16 bits `b`. */
@inline export function bf16ToF32(b: u16): f32 {
  return reinterpret<f32>(<u32>b << 16);
}

/**
 * Scratch space of `count` items of `itemBytes` each (index maps, f64 copies), checked against
 * the memory caps first so a huge request fails with ResourceExhausted instead of trapping.
 */
export function scratchOk(count: i64, itemBytes: i32, what: string): bool {
  if (count < 0 || count > <i64>i32.MAX_VALUE) {
    fail(INVALID_ARGUMENT, what + ": " + count.toString() + " elements are more than a kernel handles");
    return false;
  }
  return checkAlloc(<u64>count * <u64>itemBytes, what);
}
