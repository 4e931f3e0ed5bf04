// Status codes and the one error slot of the core. AssemblyScript has no exceptions that a host
// can catch without killing the instance, so every fallible path returns a status and records the
// message here; the exported ABI hands it to the host.

/** gRPC canonical codes (the host maps them 1:1 onto `TfDataError` codes). */
export const OK: i32 = 0;
export const CANCELLED: i32 = 1;
export const UNKNOWN: i32 = 2;
export const INVALID_ARGUMENT: i32 = 3;
export const NOT_FOUND: i32 = 5;
export const RESOURCE_EXHAUSTED: i32 = 8;
export const FAILED_PRECONDITION: i32 = 9;
export const OUT_OF_RANGE: i32 = 11;
export const UNIMPLEMENTED: i32 = 12;
export const INTERNAL: i32 = 13;
export const DATA_LOSS: i32 = 15;

/** Returned by iterators at end of sequence (not an error). */
export const END: i32 = -1;

/**
 * Returned by iterators that need a split the host has not provided yet (DYNAMIC sharding; see
 * datasets/split-provider.ts). Not an error: every iterator keeps its partial progress in its own
 * fields, so `next()` can simply be called again once the host provided the split.
 */
export const PENDING: i32 = -2;

let errCode: i32 = OK;
let errMessage: string = "";

/** Records an error and returns its code, so callers can write `return fail(...)`. */
export function fail(code: i32, message: string): i32 {
  errCode = code;
  errMessage = message;
  return code;
}

/** True when an error has been recorded since the last `clearError`. */
export function failed(): bool {
  return errCode != OK;
}

/** The recorded error code (OK when none). */
export function errorCode(): i32 {
  return errCode;
}

/** The recorded error message. */
export function errorMessage(): string {
  return errMessage;
}

/** Resets the error slot at each ABI entry. */
export function clearError(): void {
  errCode = OK;
  errMessage = "";
}

/** Prefixes the recorded message with where it happened (`context: message`). */
export function addContext(context: string): void {
  if (errCode != OK) errMessage = context + ": " + errMessage;
}
