// Memory limits. The wasm memory is capped (asconfig `maximumMemory`); allocations that would pass
// the cap fail with RESOURCE_EXHAUSTED instead of trapping inside the allocator.
import { fail, RESOURCE_EXHAUSTED } from "./status";

/** Hard cap of the linear memory: 2 GiB (32768 pages), equal to asconfig's maximumMemory. */
export const MAX_MEMORY_BYTES: u64 = 2147483648;

/** Largest single buffer the core allocates (a tensor, an encoded element): 1 GiB. */
export const MAX_BUFFER_BYTES: u64 = 1073741824;

/**
 * Memory kept free for the bookkeeping that follows a checked allocation (objects, arrays,
 * descriptors), so the allocator itself never runs into the cap and traps.
 */
export const HEADROOM_BYTES: u64 = 64 << 20;

/**
 * Checks that `bytes` more can be allocated under the caps.
 * Conservative: it assumes the request may need fresh pages.
 */
/** True when `bytes` fit the limits: the cheap test to run before building any message. */
// @ts-ignore: decorator
@inline
export function fitsAlloc(bytes: u64): bool {
  return bytes <= MAX_BUFFER_BYTES && ((<u64>memory.size()) << 16) + bytes + HEADROOM_BYTES <= MAX_MEMORY_BYTES;
}

export function checkAlloc(bytes: u64, what: string): bool {
  if (bytes > MAX_BUFFER_BYTES) {
    fail(RESOURCE_EXHAUSTED, what + " needs " + bytes.toString() + " bytes, more than the core's limit of " +
      MAX_BUFFER_BYTES.toString() + " bytes per buffer");
    return false;
  }
  const current = (<u64>memory.size()) << 16;
  if (current + bytes + HEADROOM_BYTES > MAX_MEMORY_BYTES) {
    // Memory never shrinks: bound conservatively (free blocks inside may not be contiguous).
    fail(RESOURCE_EXHAUSTED, what + " needs " + bytes.toString() + " bytes but the core's memory (" +
      current.toString() + " of at most " + MAX_MEMORY_BYTES.toString() + " bytes) cannot hold it");
    return false;
  }
  return true;
}
