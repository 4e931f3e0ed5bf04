/**
 * The worker's remote split provider (TF's `DataServiceSplitProvider`): the splits of one source of
 * a DYNAMIC task, fetched from the dispatcher with `GetSplit(iteration_id, repetition,
 * split_provider_index)`, retried with TF's backoff within `dispatcherTimeoutMs`.
 *
 * Unlike TF's, which asks for one split when its source needs one, it keeps up to
 * {@link SPLIT_PREFETCH} splits fetched or in flight, so the pipeline rarely waits for an RPC. The
 * dispatcher still hands each split to exactly one caller, so every split is processed once when
 * the pipeline reads its source to the end; splits prefetched for a pass the pipeline abandons (a
 * `take` or a shorter `zip` input ending it, a worker stopping) are lost, as splits held by a
 * failed TF worker are (at-most-once).
 */
import { TfDataError } from "../../core/errors.js";
import type { TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { readScalar } from "../../graph/tensor-value.js";

/** Splits a worker keeps fetched or in flight per split provider. */
export const SPLIT_PREFETCH = 4;

/**
 * Fetches the next split of a repetition: its value, or `null` for `end_of_splits`; gives up
 * (rejecting) when `signal` aborts.
 */
export type SplitFetch = (repetition: bigint, signal: AbortSignal) => Promise<bigint | null>;

/** The integer a split `TensorProto` holds (TF's splits are scalar int64: values or indices). */
export function splitValue(split: TensorProto | undefined, where: string): bigint {
  if (!split) throw new TfDataError("Internal", `${where}: GetSplitResponse has neither a split nor end_of_splits.`);
  const v = readScalar(split, where);
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new TfDataError("Unimplemented", `${where}: got a split of type ${typeof v}; this worker reads integer splits ` +
    "(range values, slice and file indices).");
}

/** A fetch in flight or answered, in the order the fetches were issued. */
interface Slot {
  done: boolean;
  /** The split, or `null` for end of splits (once `done`). */
  value?: bigint | null;
}

/**
 * One source's splits, prefetched; see the module comment. Splits are handed out in the order
 * their fetches were issued (the dispatcher's order, so a lone worker sees a source's splits in
 * order); an `end_of_splits` answer stops further fetches, and the end is reported once every
 * fetch issued before it has been answered and its split handed out.
 */
export class RemoteSplitProvider {
  private repetition = 0n;
  private slots: Slot[] = [];
  private endArrived = false;
  private failure: unknown;
  /** Bumped when the repetition changes or the provider closes: late answers are then dropped. */
  private generation = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  /** Aborts this provider's fetches (one signal per provider keeps its listeners few). */
  private readonly abort = new AbortController();

  constructor(private readonly fetch: SplitFetch, private readonly prefetch = SPLIT_PREFETCH) {}

  /**
   * The next split of `repetition` if one is ready: its value, `null` at the end of the
   * repetition's splits, `undefined` when it has to be waited for ({@link next}).
   */
  tryNext(repetition: bigint): bigint | null | undefined {
    if (repetition !== this.repetition) this.startRepetition(repetition);
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new TfDataError("Canceled", "The split provider is closed (the task stopped).");
    while (this.slots.length > 0 && this.slots[0].done) {
      const v = this.slots.shift()!.value;
      if (v === null || v === undefined) continue; // an end answered before later splits: skip it
      this.fill();
      return v;
    }
    this.fill();
    return this.slots.length === 0 && this.endArrived ? null : undefined;
  }

  /** The next split of `repetition`, or `null` at the end of its splits. */
  async next(repetition: bigint): Promise<bigint | null> {
    for (;;) {
      const v = this.tryNext(repetition);
      if (v !== undefined) return v;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Stops fetching; waiting and later calls fail with CANCELLED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.abort.abort();
    this.notify();
  }

  /** A repetition the pipeline moved to (a `repeat` restarted the source): forget the old one. */
  private startRepetition(repetition: bigint): void {
    this.generation++;
    this.repetition = repetition;
    this.slots = [];
    this.endArrived = false;
  }

  private fill(): void {
    while (!this.closed && !this.endArrived && this.failure === undefined && this.slots.length < this.prefetch) {
      this.issue();
    }
  }

  private issue(): void {
    const generation = this.generation;
    const slot: Slot = { done: false };
    this.slots.push(slot);
    this.fetch(this.repetition, this.abort.signal).then(
      (split) => {
        if (generation !== this.generation) return;
        slot.done = true;
        slot.value = split;
        if (split === null) this.endArrived = true;
        this.notify();
      },
      (err: unknown) => {
        if (generation !== this.generation) return;
        this.failure ??= err;
        this.notify();
      },
    );
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
