/**
 * The typed errors used inside the library. Each code maps 1:1 onto a gRPC status code, so the RPC
 * edge can turn a `TfDataError` into a `ConnectError` without guessing.
 */

/** gRPC canonical status names (camel-cased as `@connectrpc/connect`'s `Code` enum keys). */
export type TfDataErrorCode =
  | "Canceled"
  | "Unknown"
  | "InvalidArgument"
  | "DeadlineExceeded"
  | "NotFound"
  | "AlreadyExists"
  | "PermissionDenied"
  | "ResourceExhausted"
  | "FailedPrecondition"
  | "Aborted"
  | "OutOfRange"
  | "Unimplemented"
  | "Internal"
  | "Unavailable"
  | "DataLoss"
  | "Unauthenticated";

/** Alias of `TfDataErrorCode`. */
export type ErrorCode = TfDataErrorCode;

/** gRPC code numbers of each error code (same numbers as `@connectrpc/connect`'s `Code`). */
export const grpcCodeOf: Readonly<Record<TfDataErrorCode, number>> = {
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
};

/** The error code for a gRPC code number (`Unknown` for numbers outside 1..16). */
export function codeFromGrpc(code: number): TfDataErrorCode {
  for (const [name, n] of Object.entries(grpcCodeOf)) if (n === code) return name as TfDataErrorCode;
  return "Unknown";
}

/**
 * An error with a gRPC-compatible code. Example:
 * `throw new TfDataError("InvalidArgument", "batchSize must be > 0, got 0")`.
 */
export class TfDataError extends Error {
  /** The gRPC-compatible code. */
  readonly code: TfDataErrorCode;

  constructor(code: TfDataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TfDataError";
    this.code = code;
  }

  /** The gRPC code number of `code`. */
  get grpcCode(): number {
    return grpcCodeOf[this.code];
  }
}

/** Type guard, optionally for one code: `isTfDataError(e, "OutOfRange")`. */
export function isTfDataError(e: unknown, code?: TfDataErrorCode): e is TfDataError {
  return e instanceof TfDataError && (code === undefined || e.code === code);
}
