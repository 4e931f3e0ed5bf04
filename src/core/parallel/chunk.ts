/**
 * A chunk: several elements packed into one data buffer plus one number table, so a batch of
 * elements crosses threads as two transferable buffers (no per-tensor clone, no copy on receipt).
 *
 * `tensors` layout, per element: `ncomp`, then per component `dtype, rank, dims..., dataOffset,
 * dataLen, offsetsOffset` (`-1` for fixed-width dtypes; for strings the `count + 1` u32 offsets of
 * the byte strings, relative to `dataOffset`). Every region starts 8-byte aligned, so fixed-width
 * components are typed-array views into `data` on the receiving side.
 *
 * `wire` layout, per element: `kind` (0 UncompressedElement, 1 CompressedElement), offset, length.
 */
import { DType } from "../dtype.js";
import { viewNumeric } from "../js-values.js";
import { Tensor, shapeSize } from "../tensor.js";
import type { WireElement } from "../core.js";
import type { OutputFormat } from "./protocol.js";

/** Elements packed for transfer (see the module comment). */
export interface Chunk {
  readonly format: OutputFormat;
  /** Number of elements. */
  readonly count: number;
  readonly meta: Float64Array;
  readonly data: ArrayBuffer;
}

/** Smallest data buffer a writer starts with. */
const MIN_CAPACITY = 4096;

const align8 = (n: number): number => (n + 7) & ~7;

/** Builds a chunk from element descriptors read straight out of a core's memory. */
export class ChunkWriter {
  readonly format: OutputFormat;
  #bytes: Uint8Array;
  #len = 0;
  #meta: number[] = [];
  #count = 0;

  /** `capacity`: expected data bytes (e.g. the previous chunk's), to avoid regrowing. */
  constructor(format: OutputFormat, capacity = MIN_CAPACITY) {
    this.format = format;
    this.#bytes = new Uint8Array(Math.max(MIN_CAPACITY, capacity));
  }

  /** Elements written so far. */
  get count(): number {
    return this.#count;
  }

  /** Data bytes written so far. */
  get byteLength(): number {
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
    const meta = this.#meta;
    meta.push(n);
    for (let c = 0; c < n; c++) {
      const dtype = words[p];
      const rank = words[p + 1];
      const dataPtr = words[p + 2];
      const dataLen = words[p + 3];
      const offsPtr = words[p + 4];
      p += 5;
      meta.push(dtype, rank);
      let count = 1;
      for (let d = 0; d < rank; d++, p += 2) {
        const dim = words[p] + words[p + 1] * 0x100000000;
        meta.push(dim);
        count *= dim;
      }
      const at = this.#reserve(dataLen);
      this.#bytes.set(new Uint8Array(memory, dataPtr, dataLen), at);
      if (offsPtr !== 0) {
        const oat = this.#reserve(4 * (count + 1));
        this.#bytes.set(new Uint8Array(memory, offsPtr, 4 * (count + 1)), oat);
        meta.push(at, dataLen, oat);
      } else {
        meta.push(at, dataLen, -1);
      }
    }
    this.#count++;
  }

  /** Appends one wire element (`bytes` copied). */
  addWire(kind: number, bytes: Uint8Array): void {
    const at = this.#reserve(bytes.length);
    this.#bytes.set(bytes, at);
    this.#meta.push(kind, at, bytes.length);
    this.#count++;
  }

  /** The chunk; the writer must not be used afterwards. Its buffers are safe to transfer. */
  finish(): Chunk {
    // A mostly empty buffer is trimmed rather than shipped.
    const data = (this.#len * 2 < this.#bytes.length ? this.#bytes.slice(0, this.#len).buffer : this.#bytes.buffer) as ArrayBuffer;
    return { format: this.format, count: this.#count, meta: new Float64Array(this.#meta), data };
  }
}

/** The buffers to list as transferables when posting `chunk`. */
export function chunkTransfer(chunk: Chunk): ArrayBuffer[] {
  return [chunk.meta.buffer as ArrayBuffer, chunk.data];
}

/** One component of a `tensors` chunk, located without copying. */
export interface PackedComponent {
  dtype: number;
  shape: number[];
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
      comps[c] = { dtype, shape, dataOffset: m[p], dataLen: m[p + 1], offsetsOffset: m[p + 2] };
      p += 3;
    }
    visit(comps, e);
  }
}

/** The elements of a `tensors` chunk as host tensors: views into `chunk.data`, no copy. */
export function unpackTensors(chunk: Chunk): Tensor[][] {
  const out: Tensor[][] = new Array(chunk.count);
  const data = chunk.data;
  forEachPacked(chunk, (comps, e) => {
    out[e] = comps.map((c) => {
      if (c.offsetsOffset >= 0) {
        const count = shapeSize(c.shape);
        const offs = new Uint32Array(data, c.offsetsOffset, count + 1);
        const strings: Uint8Array[] = new Array(count);
        for (let i = 0; i < count; i++) strings[i] = new Uint8Array(data, c.dataOffset + offs[i], offs[i + 1] - offs[i]);
        return Tensor.fromCore(c.dtype as DType, c.shape, strings);
      }
      return Tensor.fromCore(c.dtype as DType, c.shape, viewNumeric(c.dtype, data, c.dataOffset, c.dataLen));
    });
  });
  return out;
}

/** The elements of a `wire` chunk: byte views into `chunk.data`, no copy. */
export function unpackWire(chunk: Chunk): WireElement[] {
  const out: WireElement[] = new Array(chunk.count);
  const m = chunk.meta;
  for (let e = 0, p = 0; e < chunk.count; e++, p += 3) {
    out[e] = { kind: m[p] === 1 ? "compressed" : "uncompressed", bytes: new Uint8Array(chunk.data, m[p + 1], m[p + 2]) };
  }
  return out;
}
