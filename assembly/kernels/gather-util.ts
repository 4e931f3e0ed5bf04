// Moving elements of any dtype (fixed width, string, variant) into a new tensor, for the shape
// ops: by an index map (output element i <- element map[i] of a source) or by contiguous runs.
import { DT_STRING, DT_VARIANT } from "../core/dtype";
import { Tensor } from "../core/tensor";
import { elemSize, newTensor } from "./helpers";

@inline function gatherFixed<T>(src: usize, dst: usize, map: StaticArray<i32>): void {
  const n = map.length;
  for (let i = 0; i < n; i++) store<T>(dst + <usize>i * sizeof<T>(), load<T>(src + <usize>unchecked(map[i]) * sizeof<T>()));
}

/**
 * A tensor of `shape` whose element i is element `map[i]` of `src` (indices already validated).
 * Works for every dtype.
 */
export function gatherByIndex(src: Tensor, map: StaticArray<i32>, shape: StaticArray<i64>): Tensor | null {
  const dtype = src.dtype;
  const n = map.length;
  if (dtype == DT_STRING) {
    let total: u64 = 0;
    for (let i = 0; i < n; i++) total += <u64>src.stringLen(unchecked(map[i]));
    const out = newTensor(DT_STRING, shape, total);
    if (out == null) return null;
    const offs = out.offsets!;
    let pos: u32 = 0;
    const base = out.dataPtr;
    for (let i = 0; i < n; i++) {
      const j = unchecked(map[i]);
      const len = src.stringLen(j);
      unchecked(offs[i] = pos);
      memory.copy(base + <usize>pos, src.stringPtr(j), <usize>len);
      pos += len;
    }
    unchecked(offs[n] = pos);
    return out;
  }
  const out = newTensor(dtype, shape);
  if (out == null) return null;
  if (dtype == DT_VARIANT) {
    const vs = out.variants!, ss = src.variants!;
    for (let i = 0; i < n; i++) unchecked(vs[i] = ss[unchecked(map[i])]);
    return out;
  }
  const size = elemSize(dtype);
  const s = src.dataPtr, d = out.dataPtr;
  if (size == 1) gatherFixed<u8>(s, d, map);
  else if (size == 2) gatherFixed<u16>(s, d, map);
  else if (size == 4) gatherFixed<u32>(s, d, map);
  else if (size == 8) gatherFixed<u64>(s, d, map);
  else for (let i = 0; i < n; i++) memory.copy(d + <usize>i * <usize>size, s + <usize>unchecked(map[i]) * <usize>size, <usize>size);
  return out;
}

/** A run of `count` consecutive elements of source `src` starting at element `start`. */
export class Run {
  constructor(public src: i32, public start: i32, public count: i32) {}
}

/** A tensor of `shape` made of `runs` of elements of `srcs` (all of `dtype`), in order. */
export function fromRuns(dtype: i32, srcs: Array<Tensor>, runs: Array<Run>, shape: StaticArray<i64>): Tensor | null {
  if (dtype == DT_STRING) {
    let total: u64 = 0;
    let count: i32 = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = unchecked(runs[r]);
      if (run.count == 0) continue;
      const t = unchecked(srcs[run.src]);
      const offs = t.offsets!;
      total += <u64>(unchecked(offs[run.start + run.count]) - unchecked(offs[run.start]));
      count += run.count;
    }
    const out = newTensor(DT_STRING, shape, total);
    if (out == null) return null;
    const oo = out.offsets!;
    let k = 0;
    let pos: u32 = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = unchecked(runs[r]);
      if (run.count == 0) continue;
      const t = unchecked(srcs[run.src]);
      const offs = t.offsets!;
      const b0 = unchecked(offs[run.start]);
      for (let i = 0; i < run.count; i++) unchecked(oo[k++] = pos + unchecked(offs[run.start + i]) - b0);
      const len = unchecked(offs[run.start + run.count]) - b0;
      memory.copy(out.dataPtr + <usize>pos, t.dataPtr + <usize>b0, <usize>len);
      pos += len;
    }
    unchecked(oo[k] = pos);
    return out;
  }
  const out = newTensor(dtype, shape);
  if (out == null) return null;
  if (dtype == DT_VARIANT) {
    const vs = out.variants!;
    let k = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = unchecked(runs[r]);
      const ss = unchecked(srcs[run.src]).variants!;
      for (let i = 0; i < run.count; i++) unchecked(vs[k++] = ss[run.start + i]);
    }
    return out;
  }
  const size = <usize>elemSize(dtype);
  let dst = out.dataPtr;
  for (let r = 0; r < runs.length; r++) {
    const run = unchecked(runs[r]);
    const bytes = <usize>run.count * size;
    memory.copy(dst, unchecked(srcs[run.src]).dataPtr + <usize>run.start * size, bytes);
    dst += bytes;
  }
  return out;
}

/** A tensor of `shape` with every element equal to element 0 of `value` (any dtype). */
export function filled(value: Tensor, shape: StaticArray<i64>): Tensor | null {
  let n: i64 = 1;
  for (let i = 0; i < shape.length; i++) n *= unchecked(shape[i]);
  const dtype = value.dtype;
  if (dtype == DT_STRING) {
    const len = value.stringLen(0);
    const out = newTensor(DT_STRING, shape, <u64>len * <u64>n);
    if (out == null) return null;
    const offs = out.offsets!;
    const src = value.stringPtr(0);
    for (let i = 0; i < <i32>n; i++) {
      unchecked(offs[i] = <u32>i * len);
      memory.copy(out.dataPtr + <usize>i * <usize>len, src, <usize>len);
    }
    unchecked(offs[<i32>n] = <u32>n * len);
    return out;
  }
  const out = newTensor(dtype, shape);
  if (out == null) return null;
  if (dtype == DT_VARIANT) {
    const vs = out.variants!;
    for (let i = 0; i < <i32>n; i++) unchecked(vs[i] = value.variants![0]);
    return out;
  }
  const size = elemSize(dtype);
  const d = out.dataPtr, s = value.dataPtr;
  if (size == 1) memory.fill(d, load<u8>(s), <usize>n);
  else if (size == 2) { const v = load<u16>(s); for (let i = 0; i < <i32>n; i++) store<u16>(d + (<usize>i << 1), v); }
  else if (size == 4) { const v = load<u32>(s); for (let i = 0; i < <i32>n; i++) store<u32>(d + (<usize>i << 2), v); }
  else if (size == 8) { const v = load<u64>(s); for (let i = 0; i < <i32>n; i++) store<u64>(d + (<usize>i << 3), v); }
  else for (let i = 0; i < <i32>n; i++) memory.copy(d + <usize>i * <usize>size, s, <usize>size);
  return out;
}
