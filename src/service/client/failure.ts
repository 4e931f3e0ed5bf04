/**
 * How the client reports failures to its user: a `TfDataError` that says what was being done
 * ("Failed to get element from worker localhost:5051: ...") and keeps the gRPC code of the cause,
 * so callers can still tell `UNAVAILABLE` from `INVALID_ARGUMENT`.
 */
import { ConnectError } from "@connectrpc/connect";
import { codeFromGrpc, TfDataError } from "../../core/errors.js";
import { retry, type RetryOptions } from "./retry.js";

/** Wraps `err` with `what`, keeping its code; `err` stays reachable as `cause`. */
export function failure(what: string, err: unknown): TfDataError {
  if (err instanceof ConnectError) {
    return new TfDataError(codeFromGrpc(err.code), `${what}: ${err.rawMessage}`, { cause: err });
  }
  if (err instanceof TfDataError) return new TfDataError(err.code, `${what}: ${err.message}`, { cause: err });
  return new TfDataError("Internal", `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** Runs `fn`, rethrowing any failure wrapped by {@link failure}. */
export async function describeFailure<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw failure(what, err);
  }
}

/** {@link retry} whose final failure says what was attempted (`Failed to <description>: ...`). */
export function retryOrFail<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  return describeFailure(`Failed to ${opts.description}`, () => retry(fn, opts));
}
