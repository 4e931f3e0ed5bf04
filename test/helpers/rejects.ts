// The assertion most service tests make about failures: the operation rejects with a TfDataError
// of a given code, and a message matching what it should say.
import * as assert from "uvu/assert";
import { TfDataError } from "../../src/core/errors.js";

/**
 * Asserts that `p` (a promise, or a function run and awaited) rejects with a `TfDataError` of
 * `code` whose message matches `pattern` (when given).
 *
 * @example
 * await rejects(ds.toArray(), "InvalidArgument", /must be positive/);
 */
export async function rejects(p: Promise<unknown> | (() => unknown), code: string, pattern?: RegExp): Promise<void> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    assert.instance(err, TfDataError, String(err));
    assert.is((err as TfDataError).code, code, (err as Error).message);
    if (pattern) assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a ${code} rejection`);
}
