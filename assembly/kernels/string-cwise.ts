// Elementwise ops on DT_STRING: Equal / NotEqual (byte-wise) and Add (concatenation), broadcast.
import { DT_BOOL, DT_STRING } from "../core/dtype";
import { Tensor } from "../core/tensor";
import { sourceIndex } from "./elementwise";
import { newTensor } from "./helpers";

/** Byte equality of string `i` of `a` and string `j` of `b`. */
export function stringsEqual(a: Tensor, i: i32, b: Tensor, j: i32): bool {
  const la = a.stringLen(i);
  if (la != b.stringLen(j)) return false;
  return memory.compare(a.stringPtr(i), b.stringPtr(j), <usize>la) == 0;
}

function numElements(shape: StaticArray<i64>): i64 {
  let n: i64 = 1;
  for (let i = 0; i < shape.length; i++) n *= unchecked(shape[i]);
  return n;
}

/** Equal (eq) / NotEqual of two string tensors broadcast to `shape`. */
export function stringCompare(eq: bool, a: Tensor, b: Tensor, shape: StaticArray<i64>): Tensor | null {
  const out = newTensor(DT_BOOL, shape);
  if (out == null) return null;
  const n = numElements(shape);
  const p = out.dataPtr;
  for (let i: i64 = 0; i < n; i++) {
    const ia = <i32>sourceIndex(a.shape, shape, i), ib = <i32>sourceIndex(b.shape, shape, i);
    store<u8>(p + <usize>i, stringsEqual(a, ia, b, ib) == eq ? 1 : 0);
  }
  return out;
}

/** Add on strings: concatenation, broadcast. */
export function stringAdd(a: Tensor, b: Tensor, shape: StaticArray<i64>): Tensor | null {
  const n = numElements(shape);
  let total: u64 = 0;
  for (let i: i64 = 0; i < n; i++) {
    const ia = <i32>sourceIndex(a.shape, shape, i), ib = <i32>sourceIndex(b.shape, shape, i);
    total += <u64>a.stringLen(ia) + <u64>b.stringLen(ib);
  }
  const out = newTensor(DT_STRING, shape, total);
  if (out == null) return null;
  const offs = out.offsets!;
  let pos: u32 = 0;
  const base = out.dataPtr;
  for (let i: i64 = 0; i < n; i++) {
    const ia = <i32>sourceIndex(a.shape, shape, i), ib = <i32>sourceIndex(b.shape, shape, i);
    unchecked(offs[<i32>i] = pos);
    const la = a.stringLen(ia), lb = b.stringLen(ib);
    memory.copy(base + <usize>pos, a.stringPtr(ia), <usize>la);
    pos += la;
    memory.copy(base + <usize>pos, b.stringPtr(ib), <usize>lb);
    pos += lb;
  }
  unchecked(offs[<i32>n] = pos);
  return out;
}
