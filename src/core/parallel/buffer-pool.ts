/**
 * Reusable shared buffers for the large components of input chunks (calling thread -> stage
 * thread). The stage thread copies them into its core and gives them back, so they are written
 * again warm (no fresh pages, no external-memory churn in either heap).
 *
 * Where `SharedArrayBuffer` is missing (pages without cross-origin isolation), `take` gives
 * plain buffers, which are transferred instead (and not recycled).
 */

/** Most bytes a pool keeps free; past it, returned buffers are dropped. */
export const POOL_MAX_FREE_BYTES = 256 << 20;
/** Smallest size class (bytes). */
const MIN_CLASS = 64 * 1024;

/** Whether this runtime has shared memory (pages need cross-origin isolation for it). */
export const hasSharedMemory = typeof SharedArrayBuffer === "function" &&
  (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
const hasShared = hasSharedMemory;

/** Whether `b` is a shared buffer (to recycle) rather than a transferable one. */
export function isShared(b: ArrayBufferLike): b is SharedArrayBuffer {
  return hasShared && b instanceof SharedArrayBuffer;
}

/** Buffers of power-of-two size classes, kept for reuse. */
export class BufferPool {
  readonly #free = new Map<number, SharedArrayBuffer[]>();
  #freeBytes = 0;

  /** A buffer of at least `size` bytes: shared and reused where possible, else a new plain one. */
  take(size: number): ArrayBuffer | SharedArrayBuffer {
    if (!hasShared) return new ArrayBuffer(size);
    let cls = MIN_CLASS;
    while (cls < size) cls *= 2;
    const list = this.#free.get(cls);
    const b = list?.pop();
    if (b !== undefined) {
      this.#freeBytes -= cls;
      return b;
    }
    return new SharedArrayBuffer(cls);
  }

  /** Returns buffers read by the other side; keeps them while under the cap. */
  give(buffers: readonly SharedArrayBuffer[]): void {
    for (const b of buffers) {
      if (this.#freeBytes + b.byteLength > POOL_MAX_FREE_BYTES) continue;
      let list = this.#free.get(b.byteLength);
      if (list === undefined) this.#free.set(b.byteLength, (list = []));
      list.push(b);
      this.#freeBytes += b.byteLength;
    }
  }
}
