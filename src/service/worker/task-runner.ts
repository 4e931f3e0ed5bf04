/**
 * Task runners: what turns a task's element stream into `GetElement` answers. This file has the
 * first-come-first-served runner (TF's `FirstComeFirstServedTaskRunner`): one producer, any number
 * of consumers, each request gets the next element, a buffer of one prefetched element.
 */
import { TfDataError } from "../../core/errors.js";
import { SourceLifecycle, type Produced } from "./source-lifecycle.js";

/** One element in its wire form, as the core encodes it (serialized message bytes). */
export interface WireElement {
  /** `compressed`: a serialized `CompressedElement`; `uncompressed`: a serialized `UncompressedElement`. */
  readonly kind: "compressed" | "uncompressed";
  /** The serialized message. */
  readonly bytes: Uint8Array;
}

/** A task's element source: the core iterator, seen through its wire output. */
export interface ElementSource {
  /** The next element, or `null` at end of sequence. Synchronous: the core computes in wasm. */
  next(): WireElement | null;
  /** Releases the iterator; called once, at end of sequence, on error, or when the task stops. */
  close(): void;
}

/** What a runner answers to one request. */
export type RunnerResult =
  | { readonly kind: "element"; readonly element: WireElement; readonly elementIndex: bigint }
  | { readonly kind: "skip" }
  | { readonly kind: "end" };

/** A request as the runner sees it. */
export interface RunnerRequest {
  /** FCFS: answer `skip` instead of waiting when nothing is ready. */
  readonly allowSkip: boolean;
  /** Round-robin: the consumer asking (`GetElementRequest.consumer_index`). */
  readonly consumerIndex?: bigint;
  /** Round-robin: the round asked for (`GetElementRequest.round_index`). */
  readonly roundIndex?: bigint;
  /** Round-robin: this consumer's previous request to the task was skipped (restart recovery). */
  readonly skippedPreviousRound?: boolean;
  /** Cross-trainer cache: who is reading (`GetElementRequest.trainer_id`). */
  readonly trainerId?: string;
}

/** Serves a task's elements to `GetElement` requests. */
export interface TaskRunner {
  /** The answer to one request; rejects with the pipeline's error (sticky once it happened). */
  getNext(req: RunnerRequest): Promise<RunnerResult>;
  /** Stops producing and releases the source; later calls reject with `CANCELLED`. */
  cancel(): void;
}

/** Number of elements the FCFS runner keeps ready (TF: 1). */
export const FCFS_PREFETCH_ELEMENTS = 1;


/**
 * Runs a callback after the current macrotask, so a response handed to the transport is written
 * before the next element is computed (the client's next request then finds it ready).
 * `setImmediate` where it exists (Node, Deno), else `setTimeout(0)`.
 */
const scheduleAfterIo: (fn: () => void) => void = (() => {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === "function") {
    const setImmediate = g.setImmediate;
    return (fn: () => void) => void setImmediate(fn);
  }
  return (fn: () => void) => void setTimeout(fn, 0);
})();

/**
 * First-come-first-served runner: every request takes the next element, whoever asks. Keeps one
 * element prefetched; computes it after the previous answer went out. `allowSkip` requests get
 * `skip` when nothing is ready; others compute the element right away. End of sequence and errors
 * are sticky: every later request gets the same answer.
 */
export class FirstComeFirstServedTaskRunner implements TaskRunner {
  private buffered: Produced | undefined;
  private refillScheduled = false;
  private cancelled = false;
  private readonly lifecycle: SourceLifecycle;

  constructor(private readonly source: ElementSource) {
    this.lifecycle = new SourceLifecycle(() => source.close());
    // TF starts prefetching as soon as the runner exists.
    this.scheduleRefill();
  }

  getNext(req: RunnerRequest): Promise<RunnerResult> {
    try {
      return Promise.resolve(this.next(req));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Synchronous core of {@link getNext}. */
  next(req: RunnerRequest): RunnerResult {
    if (this.cancelled) throw new TfDataError("Canceled", "tf.data service FCFS task is cancelled.");
    let item = this.buffered;
    if (item === undefined) {
      if (req.allowSkip) {
        this.scheduleRefill();
        return { kind: "skip" };
      }
      item = this.produce();
    }
    if (item.kind === "element") {
      this.buffered = undefined;
      this.scheduleRefill();
      return item;
    }
    this.buffered = item; // end of sequence and errors stay
    if (item.kind === "error") throw item.error;
    return { kind: "end" };
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.buffered = undefined;
    this.lifecycle.close();
  }

  private scheduleRefill(): void {
    if (this.refillScheduled || this.buffered !== undefined || this.cancelled || !this.lifecycle.isOpen) return;
    this.refillScheduled = true;
    scheduleAfterIo(() => {
      this.refillScheduled = false;
      if (this.buffered === undefined && !this.cancelled && this.lifecycle.isOpen) this.buffered = this.produce();
    });
  }

  private produce(): Produced {
    if (!this.lifecycle.isOpen) return { kind: "end" };
    try {
      return this.lifecycle.answer(this.source.next());
    } catch (error) {
      return this.lifecycle.failure(error);
    }
  }
}
