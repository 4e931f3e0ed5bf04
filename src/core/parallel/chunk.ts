/**
 * A chunk: several elements packed into one data buffer plus one number table, so a batch of
 * elements crosses threads as a few buffers (no per-tensor clone). Large fixed-width components
 * travel in buffers of their own, copied once out of the core (see `LargeBuffers`): the receiver
 * views them in place.
 *
 * `tensors` layout, per element: `ncomp`, then per component `dtype, rank, dims..., buffer,
 * dataOffset, dataLen, offsetsOffset`. `buffer` is -1 for data packed in `data`, else the index of
 * the component's own buffer in `buffers`. `offsetsOffset` is -1 for fixed-width dtypes; for strings it locates
 * the `count + 1` u32 offsets of the byte strings (relative to `dataOffset`) in `data`. Regions
 * start 8-byte aligned, so fixed-width components are typed-array views on the receiving side.
 *
 * `wire` layout, per element: `kind` (0 UncompressedElement, 1 CompressedElement), buffer (-1 or
 * an index in `buffers`), offset, length.
 */
import { DType } from "../dtype.js";
import { viewNumeric } from "../js-values.js";
import { Tensor, shapeSize } from "../tensor.js";
import type { WireElement } from "../core.js";
import { BufferPool, isShared } from "./buffer-pool.js";
import type { OutputFormat } from "./protocol.js";

/** Elements packed for transfer (see the module comment). */
export interface Chunk {
  readonly format: OutputFormat;
  /** Number of elements. */
  readonly count: number;
  readonly meta: Float64Array;
  readonly data: ArrayBuffer;
  /** Large components, one buffer each (`tensors` layout): shared (pooled) or plain. */
  readonly buffers: (ArrayBuffer | SharedArrayBuffer)[];
  /** Data bytes in `data` and `buffers` together. */
  readonly byteLength: number;
}

/** Smallest data buffer a writer starts with. */
const MIN_CAPACITY = 4096;
/** Fixed-width components (and wire elements) from this size on get a buffer of their own. */
export const OWN_BUFFER_BYTES = 64 * 1024;

/**
 * Where a writer puts large components:
 * - `plain`: a new ArrayBuffer (transferred when posted; for chunks read in the same thread);
 * - a `BufferPool`: pooled shared buffers (plain where shared memory is unavailable), for input
 *   chunks another thread copies into its core and gives back (`sharedBuffers`): written again
 *   warm, no fresh pages per chunk.
 * Outputs for consumers stay plain: shared memory handed to consumers is not accounted by the
 * receiving heap (never collected under memory pressure), and copying it out costs more than
 * adopting a transferred buffer.
 */
export type LargeBuffers = "plain" | BufferPool;

const align8 = (n: number): number => (n + 7) & ~7;

/** Builds a chunk from element descriptors read straight out of a core's memory. */
export class ChunkWriter {
  readonly format: OutputFormat;
  #bytes: Uint8Array;
  #len = 0;
  /** The number table, grown by doubling; `#m` entries used. */
  #meta = new Float64Array(256);
  #m = 0;
  #count = 0;
  #buffers: (ArrayBuffer | SharedArrayBuffer)[] = [];
  #ownBytes = 0;
  readonly #large: LargeBuffers;

  /** `capacity`: expected packed bytes (e.g. the previous chunk's), to avoid regrowing. */
  constructor(format: OutputFormat, capacity = MIN_CAPACITY, large: LargeBuffers = "plain") {
    this.format = format;
    this.#bytes = new Uint8Array(Math.max(MIN_CAPACITY, capacity));
    this.#large = large;
  }

  /** The number table with room for `n` more entries. */
  #metaFor(n: number): Float64Array {
    if (this.#m + n > this.#meta.length) {
      let cap = this.#meta.length * 2;
      while (cap < this.#m + n) cap *= 2;
      const m = new Float64Array(cap);
      m.set(this.#meta.subarray(0, this.#m));
      this.#meta = m;
    }
    return this.#meta;
  }

  #push4(a: number, b: number, c: number, d: number): void {
    const m = this.#metaFor(4);
    m[this.#m++] = a;
    m[this.#m++] = b;
    m[this.#m++] = c;
    m[this.#m++] = d;
  }

  /** A copy of `len` bytes at `ptr` of `memory` in a buffer of its own; returns its index. */
  #own(memory: ArrayBuffer, ptr: number, len: number): number {
    const large = this.#large;
    let b: ArrayBuffer | SharedArrayBuffer;
    if (large instanceof BufferPool) {
      b = large.take(len);
      new Uint8Array(b, 0, len).set(new Uint8Array(memory, ptr, len));
    } else {
      b = memory.slice(ptr, ptr + len);
    }
    this.#buffers.push(b);
    this.#ownBytes += len;
    return this.#buffers.length - 1;
  }

  /** Elements written so far. */
  get count(): number {
    return this.#count;
  }

  /** Data bytes written so far (packed and own buffers). */
  get byteLength(): number {
    return this.#len + this.#ownBytes;
  }

  /** Bytes packed into the shared buffer so far (the capacity hint for the next writer). */
  get packedLength(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const at = align8(this.#len);
    if (at + n > this.#bytes.length) {
      let cap = this.#bytes.length * 2;
      while (cap < at + n) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.#bytes.subarray(0, this.#len));
      this.#bytes = b;
    }
    this.#len = at + n;
    return at;
  }

  /**
   * Appends the element described at word `p` of `words` (assembly/abi/describe.ts layout) over
   * `memory`, copying its data.
   */
  addDescribed(memory: ArrayBuffer, words: Uint32Array, p: number): void {
    const n = words[p++];
    const meta = this.#metaFor(1 + n * (9 + 2 * 32));
    let q = this.#m;
    meta[q++] = n;
    for (let c = 0; c < n; c++) {
      const dtype = words[p];
      const rank = words[p + 1];
      const dataPtr = words[p + 2];
      const dataLen = words[p + 3];
      const offsPtr = words[p + 4];
      p += 5;
      if (rank > 32) throw new RangeError(`component of rank ${rank}: more than 32 dims`);
      meta[q++] = dtype;
      meta[q++] = rank;
      let count = 1;
      for (let d = 0; d < rank; d++, p += 2) {
        const dim = words[p] + words[p + 1] * 0x100000000;
        meta[q++] = dim;
        count *= dim;
      }
      if (offsPtr === 0 && dataLen >= OWN_BUFFER_BYTES) {
        meta[q++] = this.#own(memory, dataPtr, dataLen);
        meta[q++] = 0;
        meta[q++] = dataLen;
        meta[q++] = -1;
        continue;
      }
      const at = this.#reserve(dataLen);
      this.#bytes.set(new Uint8Array(memory, dataPtr, dataLen), at);
      if (offsPtr !== 0) {
        const oat = this.#reserve(4 * (count + 1));
        this.#bytes.set(new Uint8Array(memory, offsPtr, 4 * (count + 1)), oat);
        meta[q++] = -1;
        meta[q++] = at;
        meta[q++] = dataLen;
        meta[q++] = oat;
      } else {
        meta[q++] = -1;
        meta[q++] = at;
        meta[q++] = dataLen;
        meta[q++] = -1;
      }
    }
    this.#m = q;
    this.#count++;
  }

  /** Appends one wire element, `len` bytes at `ptr` of `memory` (copied). */
  addWire(kind: number, memory: ArrayBuffer, ptr: number, len: number): void {
    // Wire bytes go to RPC stacks: always in plain (transferred) buffers.
    if (len >= OWN_BUFFER_BYTES) {
      this.#buffers.push(memory.slice(ptr, ptr + len));
      this.#ownBytes += len;
      this.#push4(kind, this.#buffers.length - 1, 0, len);
    } else {
      const at = this.#reserve(len);
      this.#bytes.set(new Uint8Array(memory, ptr, len), at);
      this.#push4(kind, -1, at, len);
    }
    this.#count++;
  }

  /** The chunk; the writer must not be used afterwards. Its buffers are safe to transfer. */
  finish(): Chunk {
    // A mostly empty buffer is trimmed rather than shipped.
    const data = (this.#len * 2 < this.#bytes.length ? this.#bytes.slice(0, this.#len).buffer : this.#bytes.buffer) as ArrayBuffer;
    return {
      format: this.format, count: this.#count, meta: this.#meta.slice(0, this.#m), data,
      buffers: this.#buffers, byteLength: this.byteLength,
    };
  }
}

/** The buffers to list as transferables when posting `chunk` (shared ones are not transferred). */
export function chunkTransfer(chunk: Chunk): ArrayBuffer[] {
  const out = [chunk.meta.buffer as ArrayBuffer, chunk.data];
  for (const b of chunk.buffers) if (!isShared(b)) out.push(b as ArrayBuffer);
  return out;
}

/** The shared buffers of `chunk`, to give back to the thread that wrote them once it is read. */
export function sharedBuffers(chunk: Chunk): SharedArrayBuffer[] {
  const out: SharedArrayBuffer[] = [];
  for (const b of chunk.buffers) if (isShared(b)) out.push(b);
  return out;
}

/** One component of a `tensors` chunk, located without copying. */
export interface PackedComponent {
  dtype: number;
  shape: number[];
  /** The buffer holding the data: `chunk.data` or one of `chunk.buffers`. */
  buffer: ArrayBuffer | SharedArrayBuffer;
  dataOffset: number;
  dataLen: number;
  /** Offset of the `count + 1` u32 string offsets, or -1. */
  offsetsOffset: number;
}

/** Walks a `tensors` chunk element by element, calling `visit` with each element's components. */
export function forEachPacked(chunk: Chunk, visit: (components: PackedComponent[], index: number) => void): void {
  const m = chunk.meta;
  let p = 0;
  for (let e = 0; e < chunk.count; e++) {
    const n = m[p++];
    const comps: PackedComponent[] = new Array(n);
    for (let c = 0; c < n; c++) {
      const dtype = m[p];
      const rank = m[p + 1];
      p += 2;
      const shape: number[] = new Array(rank);
      for (let d = 0; d < rank; d++) shape[d] = m[p++];
      const b = m[p];
      comps[c] = { dtype, shape, buffer: b < 0 ? chunk.data : chunk.buffers[b], dataOffset: m[p + 1], dataLen: m[p + 2], offsetsOffset: m[p + 3] };
      p += 4;
    }
    visit(comps, e);
  }
}

/**
 * The elements of a `tensors` chunk as host tensors: views into the chunk's plain buffers, copies
 * of what lies in shared ones (which the caller then gives back, `sharedBuffers`).
 */
export function unpackTensors(chunk: Chunk): Tensor[][] {
  const out: Tensor[][] = new Array(chunk.count);
  const m = chunk.meta;
  const data = chunk.data;
  let p = 0;
  for (let e = 0; e < chunk.count; e++) {
    const n = m[p++];
    const comps: Tensor[] = new Array(n);
    for (let c = 0; c < n; c++) {
      const dtype = m[p] as DType;
      const rank = m[p + 1];
      p += 2;
      const shape: number[] = new Array(rank);
      for (let d = 0; d < rank; d++) shape[d] = m[p++];
      const b = m[p];
      const off = m[p + 1];
      const len = m[p + 2];
      const offs = m[p + 3];
      p += 4;
      const buffer = b < 0 ? data : chunk.buffers[b];
      if (offs >= 0) {
        const count = shapeSize(shape);
        const o = new Uint32Array(data, offs, count + 1);
        const strings: Uint8Array[] = new Array(count);
        for (let i = 0; i < count; i++) strings[i] = new Uint8Array(buffer, off + o[i], o[i + 1] - o[i]);
        comps[c] = Tensor.fromCore(dtype, shape, strings);
      } else if (isShared(buffer)) {
        const own = new Uint8Array(buffer, off, len).slice();
        comps[c] = Tensor.fromCore(dtype, shape, viewNumeric(dtype, own.buffer, 0, len));
      } else {
        comps[c] = Tensor.fromCore(dtype, shape, viewNumeric(dtype, buffer, off, len));
      }
    }
    out[e] = comps;
  }
  return out;
}

/** The elements of a `wire` chunk: byte views into `chunk.data`, no copy. */
export function unpackWire(chunk: Chunk): WireElement[] {
  const out: WireElement[] = new Array(chunk.count);
  const m = chunk.meta;
  for (let e = 0, p = 0; e < chunk.count; e++, p += 4) {
    const buffer = m[p + 1] < 0 ? chunk.data : chunk.buffers[m[p + 1]];
    out[e] = { kind: m[p] === 1 ? "compressed" : "uncompressed", bytes: new Uint8Array(buffer, m[p + 2], m[p + 3]) };
  }
  return out;
}
