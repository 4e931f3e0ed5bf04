// Split providers fed by the host (DYNAMIC sharding, `distributed_epoch`). A provider is a queue of
// splits (int64 values: a range element, a slice index, ...) for its current repetition. The core
// is synchronous and splits come from an RPC, so a source that finds its queue empty records which
// provider it waits for and returns PENDING; the host fetches a split (`GetSplit`), hands it in with
// `provideSplit` (or `provideEndOfSplits`) and calls the iterator again.
//
// Repetitions follow TF's remote split provider: a source made again over the same provider (a
// `repeat` starting its next pass) resets it, which moves it to the next repetition and drops what
// was queued for the old one.
import { clearError, fail, INVALID_ARGUMENT, OK } from "../core/status";

/** Most split providers open at once in one instance (one per source of each DYNAMIC task). */
export const MAX_SPLIT_PROVIDERS: i32 = 1 << 16;

/** Most splits queued in one provider (the host prefetches only a few). */
export const MAX_QUEUED_SPLITS: i32 = 1 << 20;

export class SplitProvider {
  repetition: i64 = 0;
  queue: Array<i64> = new Array<i64>();
  head: i32 = 0;
  /** The host said the current repetition has no more splits. */
  ended: bool = false;

  constructor(public id: i32) {}

  /** Moves to the next repetition (TF's `SplitProvider::Reset`). */
  reset(): void {
    this.repetition++;
    this.queue.length = 0;
    this.head = 0;
    this.ended = false;
  }

  /** True when a split is queued. */
  has(): bool {
    return this.head < this.queue.length;
  }

  /** The next queued split (call `has()` first). */
  take(): i64 {
    const v = unchecked(this.queue[this.head++]);
    if (this.head == this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
    return v;
  }
}

const providers = new Map<i32, SplitProvider>();
let nextId: i32 = 1;
let pendingId: i32 = 0;
let pendingRep: i64 = 0;

/** The provider `id`, or null with an error recorded. */
export function lookupSplitProvider(id: i32): SplitProvider | null {
  if (!providers.has(id)) {
    fail(INVALID_ARGUMENT, "split provider " + id.toString() + " is not open");
    return null;
  }
  return providers.get(id);
}

/** Records that an iterator waits for a split of `p` (read by the host after PENDING). */
export function recordPending(p: SplitProvider): void {
  pendingId = p.id;
  pendingRep = p.repetition;
}

/** Opens a provider at repetition 0; its id (> 0), or 0 with an error when too many are open. */
export function splitProviderOpen(): i32 {
  clearError();
  if (providers.size >= MAX_SPLIT_PROVIDERS) {
    fail(INVALID_ARGUMENT, "more than " + MAX_SPLIT_PROVIDERS.toString() + " split providers are open");
    return 0;
  }
  while (providers.has(nextId) || nextId <= 0) nextId = nextId <= 0 ? 1 : nextId + 1;
  const id = nextId++;
  providers.set(id, new SplitProvider(id));
  return id;
}

/** Closes provider `id`; sources made over it then fail (their dataset must be released first). */
export function splitProviderRelease(id: i32): void {
  providers.delete(id);
}

/**
 * Queues `value` as the next split of provider `id` for `repetition`. A split for another
 * repetition than the provider's current one is dropped (the source moved on) and answers 1, else
 * OK; an error code when the provider is not open or its queue is full.
 */
export function provideSplit(id: i32, repetition: i64, value: i64): i32 {
  clearError();
  const p = lookupSplitProvider(id);
  if (p == null) return INVALID_ARGUMENT;
  if (repetition != p.repetition) return 1;
  if (p.queue.length - p.head >= MAX_QUEUED_SPLITS) {
    return fail(INVALID_ARGUMENT, "split provider " + id.toString() + " already holds " + MAX_QUEUED_SPLITS.toString() + " splits");
  }
  p.queue.push(value);
  return OK;
}

/** Marks the end of the splits of `repetition` for provider `id` (after the queued ones); as provideSplit. */
export function provideEndOfSplits(id: i32, repetition: i64): i32 {
  clearError();
  const p = lookupSplitProvider(id);
  if (p == null) return INVALID_ARGUMENT;
  if (repetition != p.repetition) return 1;
  p.ended = true;
  return OK;
}

/** The provider the last PENDING waits for. */
export function pendingSplitProvider(): i32 {
  return pendingId;
}

/** The repetition the last PENDING waits in. */
export function pendingSplitRepetition(): i64 {
  return pendingRep;
}
