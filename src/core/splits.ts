/**
 * The poll protocol between the synchronous core and a host that fetches splits asynchronously
 * (DYNAMIC sharding, `distributed_epoch`).
 *
 * A plan's sources can be wrapped in `splitSource` nodes over split providers the host opened in
 * the same core (`Core.openSplitProvider`). When such a source has no split queued, the iterator
 * answers a {@link SplitRequest} instead of an element; every iterator above it keeps its partial
 * progress, so after `Core.provideSplit(provider, repetition, split)` (or `null` for end of splits)
 * the host simply polls again.
 *
 * @example
 * const p = core.openSplitProvider();
 * const it = core.createPollingIterator({ op: "batch", batchSize: 2n, dropRemainder: false,
 *   input: { op: "splitSource", provider: p, input: rangePlan } });
 * for (;;) {
 *   const r = it.poll();
 *   if (r === null) break;
 *   if (isSplitRequest(r)) { core.provideSplit(r.provider, r.repetition, await fetchSplit(r)); continue; }
 *   use(r);
 * }
 */
import type { Tensor } from "./tensor.js";
import type { CoreIterator, WireElement } from "./core.js";

/** Status the core's iterators return while they wait for a split (assembly/core/status.ts). */
export const CORE_PENDING = -2;

/** What a polling iterator asks for when it needs a split. */
export interface SplitRequest {
  readonly kind: "splitRequest";
  /** The split provider (an id from `Core.openSplitProvider`). */
  readonly provider: number;
  /**
   * The provider's repetition (0 for the first pass; a `repeat` that starts its next pass over
   * the source moves it on). Splits provided for another repetition are dropped.
   */
  readonly repetition: bigint;
}

/** An iterator whose plan may have `splitSource` nodes: poll it, and provide splits when asked. */
export interface PollingIterator extends CoreIterator {
  /** The next element, a split request, or null at end of sequence. */
  poll(): Tensor[] | SplitRequest | null;
  /** As `poll`, with the element in wire form (as `nextWire`). */
  pollWire(): WireElement | SplitRequest | null;
}

/** True when a poll answered a split request rather than an element. */
export function isSplitRequest(r: unknown): r is SplitRequest {
  return typeof r === "object" && r !== null && (r as { kind?: unknown }).kind === "splitRequest";
}
