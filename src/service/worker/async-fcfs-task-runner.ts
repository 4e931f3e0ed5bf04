/**
 * The first-come-first-served task runner (TF's `FirstComeFirstServedTaskRunner`) over a source
 * whose elements may have to wait for I/O: a DYNAMIC task's pipeline waits for splits from the
 * dispatcher. Same contract as the synchronous runner in task-runner.ts: one element prefetched,
 * `allowSkip` requests answered `skip` when none is ready, others served in arrival order; end of
 * sequence and errors are sticky.
 */
import { TfDataError } from "../../core/errors.js";
import { SourceLifecycle, type Produced } from "./source-lifecycle.js";
import { FCFS_PREFETCH_ELEMENTS, type RunnerRequest, type RunnerResult, type TaskRunner, type WireElement } from "./task-runner.js";

/** A task's element source that may wait (for splits). */
export interface AsyncElementSource {
  /** The next element, or `null` at end of sequence. Never called again before it settles. */
  next(): Promise<WireElement | null>;
  /**
   * The next element if it is ready now (`null` at the end), `undefined` when `next()` must wait.
   * Optional; lets a request be answered without a trip through the event loop.
   */
  tryNext?(): WireElement | null | undefined;
  /** Releases the source; a pending `next` then rejects. Called once. */
  close(): void;
}


interface Waiter {
  resolve(r: RunnerResult): void;
  reject(err: unknown): void;
}

/** Resolves after pending I/O callbacks ran, so answers are written before the next element is computed. */
function afterIo(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  return new Promise<void>((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** See the module comment. */
export class AsyncFirstComeFirstServedTaskRunner implements TaskRunner {
  /** Ready elements (at most {@link FCFS_PREFETCH_ELEMENTS}), then possibly the sticky end or error. */
  private readonly ready: Produced[] = [];
  private readonly waiters: Waiter[] = [];
  private pumping = false;
  /** A `source.next()` is in flight (the source must not be asked again before it settles). */
  private producing = false;
  private cancelled = false;
  private readonly lifecycle: SourceLifecycle;

  constructor(private readonly source: AsyncElementSource) {
    this.lifecycle = new SourceLifecycle(() => source.close());
    // TF starts prefetching as soon as the runner exists.
    this.pump();
  }

  getNext(req: RunnerRequest): Promise<RunnerResult> {
    if (this.cancelled) return Promise.reject(cancelledError());
    const head = this.ready[0];
    if (head !== undefined && this.waiters.length === 0) {
      try {
        return Promise.resolve(this.take());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    if (head === undefined && this.waiters.length === 0 && !this.producing) {
      // Nothing buffered and the source is free: take a ready element straight away.
      const now = this.produceNow();
      if (now !== undefined) {
        this.ready.push(now);
        try {
          return Promise.resolve(this.take());
        } catch (err) {
          return Promise.reject(err);
        }
      }
    }
    if (req.allowSkip) {
      this.pump();
      return Promise.resolve({ kind: "skip" });
    }
    return new Promise<RunnerResult>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.ready.length = 0;
    for (const w of this.waiters.splice(0)) w.reject(cancelledError());
    this.lifecycle.close();
  }

  /** Takes the head of `ready` as an answer (the sticky end/error stays); throws a sticky error. */
  private take(): RunnerResult {
    const head = this.ready[0];
    if (head.kind === "element") {
      this.ready.shift();
      this.pump();
      return head;
    }
    if (head.kind === "error") throw head.error;
    return { kind: "end" };
  }

  private get terminal(): boolean {
    const last = this.ready[this.ready.length - 1];
    return last !== undefined && last.kind !== "element";
  }

  /** Produces while requests wait or the prefetch buffer has room; one loop at a time. */
  private pump(): void {
    if (this.pumping || this.cancelled) return;
    this.pumping = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      let waited = false;
      while (!this.cancelled) {
        // Serve waiters first, in arrival order.
        while (this.waiters.length > 0 && this.ready.length > 0) {
          const w = this.waiters.shift()!;
          try {
            w.resolve(this.take());
          } catch (err) {
            w.reject(err);
          }
        }
        if (this.terminal) return;
        if (this.waiters.length === 0 && this.ready.length >= FCFS_PREFETCH_ELEMENTS) return;
        if (!waited && (this.waiters.length === 0 || this.source.tryNext === undefined)) {
          // Prefetching waits for pending writes (a request meanwhile may take a ready element
          // itself). A waiting request is served right away where the source can say "ready"
          // (tryNext: the parallel runner); a split-fed source keeps TF's pace.
          await afterIo();
          waited = true;
          continue;
        }
        waited = false;
        this.producing = true;
        let produced: Produced;
        try {
          produced = await this.produce();
        } finally {
          this.producing = false;
        }
        if (this.cancelled) return;
        this.ready.push(produced);
      }
    } finally {
      // Cleared in the very step that decides to stop (a `finally` runs synchronously with the
      // `return`), so a request arriving afterwards always starts a new loop.
      this.pumping = false;
    }
  }

  /** {@link produce} from `source.tryNext`, or undefined when the element is not ready. */
  private produceNow(): Produced | undefined {
    if (!this.lifecycle.isOpen) return { kind: "end" };
    if (this.source.tryNext === undefined) return undefined;
    try {
      const element = this.source.tryNext();
      return element === undefined ? undefined : this.lifecycle.answer(element);
    } catch (error) {
      return this.lifecycle.failure(error);
    }
  }

  private async produce(): Promise<Produced> {
    if (!this.lifecycle.isOpen) return { kind: "end" };
    try {
      return this.lifecycle.answer(await this.source.next());
    } catch (error) {
      return this.lifecycle.failure(error);
    }
  }
}

function cancelledError(): TfDataError {
  return new TfDataError("Canceled", "tf.data service FCFS task is cancelled.");
}
