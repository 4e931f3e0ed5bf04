/**
 * The RPC edge of the error model: inside the library errors are `TfDataError`s (a code that maps
 * 1:1 onto gRPC codes); at the edge they become `ConnectError`s so every protocol (gRPC, gRPC-web,
 * Connect) carries the right status. Shared by the dispatcher and the worker handlers.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { TfDataError } from "../core/errors.js";

/** Name of a gRPC status code as spelled by connect's `Code` enum ("InvalidArgument", ...). */
export type CodeName = keyof typeof Code;

/** gRPC codes TF's clients treat as retryable (preemption-like); everything else is fatal. */
export const RETRYABLE_CODES: ReadonlySet<Code> = new Set([Code.Unavailable, Code.Aborted, Code.Canceled]);

/**
 * Converts anything a handler threw into a `ConnectError` with the right code.
 * `ConnectError`s pass through; `TfDataError`s keep their code and message; anything else is a
 * bug on our side and becomes `INTERNAL` (the original error is kept as `cause`, not leaked).
 */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof TfDataError) {
    return new ConnectError(err.message, codeFromName(String(err.code)), undefined, undefined, err);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError(`Internal error: ${message}`, Code.Internal, undefined, undefined, err);
}

/** Maps a code name ("NotFound") to connect's numeric `Code`; unknown names give `Internal`. */
export function codeFromName(name: string): Code {
  const value = (Code as unknown as Record<string, unknown>)[name];
  return typeof value === "number" ? (value as Code) : Code.Internal;
}

/**
 * True for errors TF's clients retry: `UNAVAILABLE`, `ABORTED`, `CANCELLED`, and the gRPC message
 * "Stream removed" whatever its code (spec §2, status conventions).
 */
export function isRetryable(err: unknown): boolean {
  const ce = err instanceof ConnectError ? err : err instanceof TfDataError ? toConnectError(err) : undefined;
  if (!ce) return false;
  return RETRYABLE_CODES.has(ce.code) || ce.rawMessage === "Stream removed";
}

/**
 * Wraps an RPC handler so that whatever it throws reaches the peer as a `ConnectError` with the
 * right code. Usage: `router.service(Svc, { getX: guard(async (req) => ...) })`.
 */
export function guard<Req, Res, Rest extends unknown[]>(
  fn: (req: Req, ...rest: Rest) => Promise<Res> | Res,
): (req: Req, ...rest: Rest) => Promise<Res> {
  return async (req: Req, ...rest: Rest): Promise<Res> => {
    try {
      return await fn(req, ...rest);
    } catch (err) {
      throw toConnectError(err);
    }
  };
}
