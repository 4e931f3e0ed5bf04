/**
 * TensorFlow's retry policy for tf.data service calls (spec §6.6): retry `UNAVAILABLE`, `ABORTED`,
 * `CANCELLED` (and "Stream removed") with a jittered exponential backoff from 1 ms to 10 s, until a
 * deadline or until the caller gives up (an `AbortSignal`). Shared by the client and the worker.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { isRetryable } from "../errors.js";

/** Smallest wait between two attempts (TF: 1 ms). */
export const MIN_BACKOFF_MS = 1;
/** Largest wait between two attempts (TF: 10 s). */
export const MAX_BACKOFF_MS = 10_000;
/** Growth factor of the backoff per attempt (TF: 1.3). */
export const BACKOFF_BASE = 1.3;

/**
 * The wait before retry number `attempt` (0-based), as TF computes it:
 * `max(min, 0.4·min + U[0.6, 1]·min(min·1.3^attempt, max − 0.4·min))`.
 */
export function computeBackoffMs(attempt: number, random: () => number = Math.random): number {
  const grown = MIN_BACKOFF_MS * Math.pow(BACKOFF_BASE, Math.min(attempt, 200));
  const jitter = 0.6 + 0.4 * random();
  const wait = 0.4 * MIN_BACKOFF_MS + jitter * Math.min(grown, MAX_BACKOFF_MS - 0.4 * MIN_BACKOFF_MS);
  return Math.max(MIN_BACKOFF_MS, wait);
}

/** The error a cancelled wait or retry loop rejects with: `CANCELLED`, which nobody retries on its own. */
export function cancelledError(signal: AbortSignal | undefined, what: string): ConnectError {
  const reason = signal?.reason;
  if (reason instanceof ConnectError) return reason;
  return new ConnectError(`${what} was cancelled`, Code.Canceled);
}

/** Resolves after `ms`, or rejects with `CANCELLED` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError(signal, "Wait"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(signal, "Wait"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Options of {@link retry}. */
export interface RetryOptions {
  /** What is being attempted, for messages ("get or create job with dispatcher at X"). */
  readonly description: string;
  /** Gives up on the next failure once this much time has passed; default: never. */
  readonly deadlineMs?: number;
  /** Stops retrying (rejecting with `CANCELLED`) when aborted. */
  readonly signal?: AbortSignal;
  /** Which errors to retry; default: TF's retryable codes. */
  readonly shouldRetry?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log; `attempt` is 0-based. */
  readonly onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

/**
 * Runs `fn` until it succeeds, a non-retryable error occurs, the deadline passes or the signal
 * aborts. The last error is rethrown unchanged, so its gRPC code survives.
 */
export async function retry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const shouldRetry = opts.shouldRetry ?? isRetryable;
  const deadline = opts.deadlineMs === undefined ? Infinity : Date.now() + opts.deadlineMs;
  for (let attempt = 0; ; attempt++) {
    if (opts.signal?.aborted) throw cancelledError(opts.signal, opts.description);
    try {
      return await fn();
    } catch (err) {
      if (opts.signal?.aborted) throw cancelledError(opts.signal, opts.description);
      if (!shouldRetry(err)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      const wait = Math.min(computeBackoffMs(attempt), left);
      opts.onRetry?.(err, attempt, wait);
      await sleep(wait, opts.signal);
    }
  }
}
