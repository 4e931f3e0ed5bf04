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
import { pumpChannel, pushChannel } from "./datasets/channel";
import { registerKernels } from "./kernels/all";
import { Dataset, DatasetIterator } from "./datasets/dataset";
import { clearDescriptor, describe, describeWire, describeWords, descriptorPtr } from "./abi/describe";
import { DT_STRING, DT_VARIANT } from "./core/dtype";
import { allocTensor } from "./core/tensor";
import { addContext } from "./core/status";
import { CompressedElementValue, MAX_COMPONENTS, parseCompressedElement, serializeCompressedElement } from "./codec/compressed-element";
import { compressElement, uncompressElement } from "./codec/compressed";
import { decodeUncompressed, encodeUncompressed } from "./codec/uncompressed";
import { MAX_RANK } from "./codec/shape";

registerDatasetOps();
registerKernels();

export { runFunction } from "./kernels/run-function";

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

class DatasetState {
  constructor(public ds: Dataset) {}
}

/**
 * Builds a dataset from a binary plan and keeps it: iterators made from it with
 * `datasetIterator` share its state across passes, as TF's do (a reshuffling shuffle draws new
 * seeds for each pass). Returns a handle (> 0; release it with iterRelease) or 0 with an error.
 */
export function datasetCreate(planPtr: usize, planLen: usize): i32 {
  clearError();
  const node = decodeDatasetNode(new Reader(planPtr, planLen));
  if (node == null) return 0;
  const ds = buildDataset(node);
  if (ds == null) return 0;
  return newHandle(new DatasetState(ds));
}

/** A new iterator (a handle for iterNext / iterNextWire / iterRelease) over a kept dataset; 0 with an error. */
export function datasetIterator(h: i32): i32 {
  clearError();
  const o = getHandle(h);
  if (o == null || !(o instanceof DatasetState)) {
    fail(INVALID_ARGUMENT, "dataset handle " + h.toString() + " is not live (released or never created)");
    return 0;
  }
  const it = changetype<DatasetState>(o).ds.makeIterator();
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

/**
 * Advances an iterator and encodes the element in wire form; descriptor: [kind, ptr, len] with
 * kind 1 (serialized CompressedElement) when the element is one scalar variant CompressedElement,
 * else kind 0 (serialized UncompressedElement). Returns 0, -1 at end of sequence, or an error code.
 */
export function iterNextWire(h: i32): i32 {
  clearError();
  clearDescriptor();
  const s = iterState(h);
  if (s == null) return errorCode();
  const st = s.it.next(s.out);
  if (st == END) return END;
  if (st != OK || failed()) return st != OK ? st : errorCode();
  return encodeWire(s.out, -1);
}

/** Encodes `elem` as kind 0/1, or (kind -1) as the worker chooses; writes the wire descriptor. */
function encodeWire(elem: Array<Tensor>, kind: i32): i32 {
  let buf: ArrayBuffer | null = null;
  let outKind = kind;
  if (kind == -1) {
    outKind = KIND_UNCOMPRESSED;
    if (elem.length == 1) {
      const t = elem[0];
      if (t.dtype == DT_VARIANT && t.rank == 0 && t.variants![0] instanceof CompressedElementValue) {
        buf = serializeCompressedElement(changetype<CompressedElementValue>(t.variants![0]));
        if (buf == null) return errorCode();
        outKind = KIND_COMPRESSED;
      }
    }
  }
  if (buf == null) {
    if (outKind == KIND_COMPRESSED) {
      const ce = compressElement(elem);
      if (ce == null) return errorCode();
      buf = serializeCompressedElement(ce);
    } else {
      buf = encodeUncompressed(elem);
    }
    if (buf == null) return errorCode();
  }
  return describeWire(outKind, buf);
}

const KIND_UNCOMPRESSED: i32 = 0;
const KIND_COMPRESSED: i32 = 1;
const decoded = new Array<Tensor>();

/** Decodes a serialized element (kind 0 uncompressed, 1 compressed); descriptor as iterNext. */
export function decodeElement(kind: i32, ptr: usize, len: usize): i32 {
  clearError();
  clearDescriptor();
  decoded.length = 0;
  if (kind == KIND_COMPRESSED) {
    const ce = parseCompressedElement(ptr, len);
    if (ce == null) return errorCode();
    const st = uncompressElement(ce, decoded);
    if (st != OK) return st;
  } else if (kind == KIND_UNCOMPRESSED) {
    if (!decodeUncompressed(ptr, len, decoded)) return errorCode();
  } else {
    return fail(INVALID_ARGUMENT, "unknown element kind " + kind.toString());
  }
  return describe(decoded);
}

const staged = new Array<Tensor>();

/**
 * Allocates tensors for an element the host wants encoded. Input at `ptr` (u32 words):
 * [n, per component: dtype, rank, dataLen, dims (lo, hi) x rank]; DT_STRING and DT_VARIANT
 * components get `dataLen` bytes plus numElements + 1 offsets (variants: serialized
 * CompressedElements). Answers in the descriptor: per component [dataPtr, offsetsPtr].
 */
export function stageElement(ptr: usize): i32 {
  clearError();
  clearDescriptor();
  staged.length = 0;
  const n = load<u32>(ptr);
  if (n > <u32>MAX_COMPONENTS) return fail(INVALID_ARGUMENT, "element has more than " + MAX_COMPONENTS.toString() + " components");
  let p = ptr + 4;
  for (let i: u32 = 0; i < n; i++) {
    const dtype = <i32>load<u32>(p);
    const rank = <i32>load<u32>(p + 4);
    const dataLen = load<u32>(p + 8);
    p += 12;
    if (rank > MAX_RANK) return fail(INVALID_ARGUMENT, "component " + i.toString() + " has rank " + rank.toString() + " > " + MAX_RANK.toString());
    const shape = new StaticArray<i64>(rank);
    for (let d = 0; d < rank; d++) {
      unchecked(shape[d] = <i64>load<u32>(p) | (<i64>load<u32>(p + 4) << 32));
      p += 8;
    }
    const stringLike = dtype == DT_STRING || dtype == DT_VARIANT;
    const t = allocTensor(stringLike ? DT_STRING : dtype, shape, stringLike ? <u64>dataLen : 0);
    if (t == null) {
      addContext("component " + i.toString());
      return errorCode();
    }
    if (!stringLike && <u32>t.byteLength != dataLen) {
      return fail(INVALID_ARGUMENT, "component " + i.toString() + ": " + dataLen.toString() + " bytes given for " + t.byteLength.toString());
    }
    if (dtype == DT_VARIANT) t.dtype = DT_VARIANT; // still string-shaped until encodeStaged parses it
    staged.push(t);
  }
  const words = staged.length * 2;
  const out = new StaticArray<u32>(words);
  for (let i = 0; i < staged.length; i++) {
    const t = staged[i];
    unchecked(out[2 * i] = <u32>t.dataPtr);
    unchecked(out[2 * i + 1] = t.offsets != null ? <u32>changetype<usize>(t.offsets!) : 0);
  }
  return describeWords(out);
}

/** Encodes the staged element (kind 0 uncompressed, 1 compressed); descriptor: [kind, ptr, len]. */
export function encodeStaged(kind: i32): i32 {
  clearError();
  if (kind != KIND_COMPRESSED && kind != KIND_UNCOMPRESSED) return fail(INVALID_ARGUMENT, "unknown element kind " + kind.toString());
  const elem = new Array<Tensor>();
  for (let i = 0; i < staged.length; i++) {
    const t = staged[i];
    if (t.offsets != null) {
      const offs = t.offsets!;
      const n = <i32>t.numElements;
      let prev: u32 = 0;
      for (let j = 0; j <= n; j++) {
        const o = unchecked(offs[j]);
        if (o < prev || (j == 0 && o != 0) || o > <u32>t.byteLength) {
          return fail(INVALID_ARGUMENT, "component " + i.toString() + ": string offsets are not increasing within the data");
        }
        prev = o;
      }
      if (prev != <u32>t.byteLength) return fail(INVALID_ARGUMENT, "component " + i.toString() + ": string offsets do not end at the data end");
    }
    if (t.dtype == DT_VARIANT) {
      const v = allocTensor(DT_VARIANT, t.shape);
      if (v == null) return errorCode();
      const n = <i32>t.numElements;
      for (let j = 0; j < n; j++) {
        const ce = parseCompressedElement(t.stringPtr(j), t.stringLen(j));
        if (ce == null) {
          addContext("component " + i.toString() + " (variant values must be serialized CompressedElements)");
          return errorCode();
        }
        unchecked(v.variants![j] = ce);
      }
      elem.push(v);
    } else elem.push(t);
  }
  staged.length = 0;
  return encodeWire(elem, kind);
}

// Split providers for DYNAMIC sharding (assembly/datasets/split-provider.ts): iterators answer
// PENDING (-2) from iterNext/iterNextWire until the host provides the awaited split.
export {
  splitProviderOpen, splitProviderRelease, provideSplit, provideEndOfSplits, pendingSplitProvider, pendingSplitRepetition,
} from "./datasets/split-provider";

// Channels for the parallel runner (assembly/datasets/channel.ts, src/core/parallel).
export { channelOpen, channelReset, channelRelease, channelLength, channelFail } from "./datasets/channel";

/** Moves up to `count` elements of iterator `h` into channel `id`; OK, END or the iterator's error. */
export function channelPump(id: i32, h: i32, count: i32): i32 {
  clearError();
  const s = iterState(h);
  if (s == null) return errorCode();
  return pumpChannel(id, s.it, count);
}

/** Appends the element staged by `stageElement` (and filled by the host) to channel `id`. */
export function channelPushStaged(id: i32): i32 {
  clearError();
  const st = pushChannel(id, staged);
  staged.length = 0;
  return st;
}
