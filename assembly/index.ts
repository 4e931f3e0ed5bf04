// The exported ABI of the core. Conventions:
// - Every entry clears the error slot; a non-zero status (a gRPC code) means the message is
//   readable through errorPtr()/errorLen() (UTF-8).
// - The host passes bytes in through alloc()/free() (unmanaged memory) and reads results through
//   descriptors (abi/describe.ts) whose pointers stay valid until the next call.
// - Objects the host keeps (iterators) are handles (core/handles.ts).
import { clearError, errorCode, errorMessage, fail, failed, INVALID_ARGUMENT, OK, END } from "./core/status";
import { checkAlloc } from "./core/limits";
import { getHandle, newHandle, releaseHandle } from "./core/handles";
import { Tensor } from "./core/tensor";
import { Reader } from "./proto/reader";
import { decodeDatasetNode } from "./plan/decode";
import { buildDataset } from "./datasets/registry";
import { registerDatasetOps } from "./datasets/all";
import { registerKernels } from "./kernels/all";
import { DatasetIterator } from "./datasets/dataset";
import { clearDescriptor, describe, descriptorPtr } from "./abi/describe";

registerDatasetOps();
registerKernels();

let errBuf = new ArrayBuffer(0);

/** Allocates `size` bytes of unmanaged memory for host input; 0 when over the limits. */
export function alloc(size: usize): usize {
  clearError();
  if (!checkAlloc(<u64>size, "an input buffer")) return 0;
  return heap.alloc(size);
}

/** Frees memory from alloc(). */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** The last error code (0 when none). */
export function lastErrorCode(): i32 {
  return errorCode();
}

/** Address of the last error message (UTF-8); call errorLen() right after. */
export function errorPtr(): usize {
  errBuf = String.UTF8.encode(errorMessage());
  return changetype<usize>(errBuf);
}

/** Byte length of the message errorPtr() returned. */
export function errorLen(): i32 {
  return errBuf.byteLength;
}

/** Address of the element descriptor written by the last successful call. */
export function descriptor(): usize {
  return descriptorPtr();
}

class IteratorState {
  out: Array<Tensor> = new Array<Tensor>();
  constructor(public it: DatasetIterator) {}
}

/** Builds an iterator from a binary plan; returns a handle (> 0) or 0 with an error recorded. */
export function iterCreate(planPtr: usize, planLen: usize): i32 {
  clearError();
  const node = decodeDatasetNode(new Reader(planPtr, planLen));
  if (node == null) return 0;
  const ds = buildDataset(node);
  if (ds == null) return 0;
  const it = ds.makeIterator();
  if (it == null) return 0;
  return newHandle(new IteratorState(it));
}

function iterState(h: i32): IteratorState | null {
  const o = getHandle(h);
  if (o == null || !(o instanceof IteratorState)) {
    fail(INVALID_ARGUMENT, "iterator handle " + h.toString() + " is not live (closed or never created)");
    return null;
  }
  return changetype<IteratorState>(o);
}

/**
 * Advances an iterator. Returns 0 with the element's descriptor ready, -1 at end of sequence, or
 * an error code.
 */
export function iterNext(h: i32): i32 {
  clearError();
  clearDescriptor();
  const s = iterState(h);
  if (s == null) return errorCode();
  const st = s.it.next(s.out);
  if (st == END) return END;
  if (st != OK || failed()) return st != OK ? st : errorCode();
  return describe(s.out);
}

/** Drops an iterator. */
export function iterRelease(h: i32): void {
  releaseHandle(h);
}
