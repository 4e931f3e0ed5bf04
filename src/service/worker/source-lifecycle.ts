/**
 * What both first-come-first-served runners do with their source's answers: number the elements,
 * and close the source once, at its end or its first error (later answers are then the sticky
 * end or error the runner keeps).
 */
import type { WireElement } from "./task-runner.js";

/** One production step of a runner: an element with its index, the end, or the error. */
export type Produced =
  | { readonly kind: "element"; readonly element: WireElement; readonly elementIndex: bigint }
  | { readonly kind: "end" }
  | { readonly kind: "error"; readonly error: unknown };

/** See the module comment. */
export class SourceLifecycle {
  private nextIndex = 0n;
  private open = true;

  /** `close` releases the source; it is called at most once, and its errors are ignored. */
  constructor(private readonly closeSource: () => void) {}

  /** False once the source ended, failed or was closed. */
  get isOpen(): boolean {
    return this.open;
  }

  /** The source's answer as a production step: the next element, or the end (closing the source). */
  answer(element: WireElement | null): Produced {
    if (element === null) {
      this.close();
      return { kind: "end" };
    }
    return { kind: "element", element, elementIndex: this.nextIndex++ };
  }

  /** The source's error as a production step (closing the source). */
  failure(error: unknown): Produced {
    this.close();
    return { kind: "error", error };
  }

  /** Closes the source (idempotent, best effort: it is dropped either way). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.closeSource();
    } catch {
      // best effort
    }
  }
}
