/**
 * A task runner seen as a pull source: the round-robin and caching runners read their task's
 * elements through the first-come-first-served runner the worker already builds for every kind of
 * task (synchronous core iterator, or a DYNAMIC task's split-fed pipeline), instead of building a
 * second path into the pipeline.
 */
import { TfDataError } from "../../core/errors.js";
import type { TaskRunner, WireElement } from "./task-runner.js";

/** One element pulled from a runner, with the index the runner gave it. */
export interface PulledElement {
  /** The element in wire form. */
  readonly element: WireElement;
  /** Its position in the task's stream (0, 1, 2, ...). */
  readonly elementIndex: bigint;
}

/** A source that may wait for its next element. */
export interface PullSource {
  /** The next element, or `null` at end of sequence. Rejects with the pipeline's error. */
  next(): Promise<PulledElement | null>;
  /** Stops the underlying runner; a pending `next` then rejects. */
  close(): void;
}

/** Pulls from `runner` with blocking requests (never `skip`). */
export function pullFrom(runner: TaskRunner): PullSource {
  return {
    async next() {
      for (;;) {
        const r = await runner.getNext({ allowSkip: false });
        if (r.kind === "element") return { element: r.element, elementIndex: r.elementIndex };
        if (r.kind === "end") return null;
        // A blocking request is never skipped; ask again rather than lose the turn.
      }
    },
    close() {
      runner.cancel();
    },
  };
}

/** Resolves after pending I/O callbacks ran (`setImmediate` where it exists, else `setTimeout(0)`). */
export function afterIo(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  return new Promise<void>((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** A CANCELLED error with `message` (TF's wording where TF has one). */
export function cancelled(message: string): TfDataError {
  return new TfDataError("Canceled", message);
}
