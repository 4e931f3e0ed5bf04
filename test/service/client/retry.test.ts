// TF's retry policy (spec §6.6): which errors are retried, the backoff bounds, deadline and cancel.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError } from "@connectrpc/connect";
import { computeBackoffMs, MAX_BACKOFF_MS, MIN_BACKOFF_MS, retry } from "../../../src/service/client/retry.js";

test("backoff grows ×1.3 from 1 ms, with jitter in [0.6, 1], capped at 10 s", () => {
  assert.is(computeBackoffMs(0, () => 0), MIN_BACKOFF_MS); // 0.4 + 0.6·1
  assert.ok(Math.abs(computeBackoffMs(0, () => 1) - 1.4) < 1e-9); // 0.4 + 1·1
  // attempt 20: 1.3^20 ≈ 190 ms → between 0.4 + 0.6·190 and 0.4 + 190.
  const low = computeBackoffMs(20, () => 0);
  const high = computeBackoffMs(20, () => 1);
  assert.ok(Math.abs(high - (0.4 + 1.3 ** 20)) < 1e-6, `high ${high}`);
  assert.ok(Math.abs(low - (0.4 + 0.6 * 1.3 ** 20)) < 1e-6, `low ${low}`);
  assert.ok(computeBackoffMs(1000, () => 1) <= MAX_BACKOFF_MS);
  assert.ok(computeBackoffMs(1000, () => 1) > MAX_BACKOFF_MS - 1);
});

test("retries UNAVAILABLE, ABORTED, CANCELLED and 'Stream removed'; not other codes", async () => {
  for (const err of [
    new ConnectError("x", Code.Unavailable),
    new ConnectError("x", Code.Aborted),
    new ConnectError("x", Code.Canceled),
    new ConnectError("Stream removed", Code.Unknown),
  ]) {
    let calls = 0;
    const v = await retry(async () => {
      if (++calls < 3) throw err;
      return "ok";
    }, { description: "t" });
    assert.is(v, "ok");
    assert.is(calls, 3, err.message);
  }
  let calls = 0;
  try {
    await retry(async () => {
      calls++;
      throw new ConnectError("bad", Code.InvalidArgument);
    }, { description: "t" });
    assert.unreachable();
  } catch (err) {
    assert.is((err as ConnectError).code, Code.InvalidArgument);
  }
  assert.is(calls, 1);
});

test("gives up with the last error after the deadline, and at once when aborted", async () => {
  const started = Date.now();
  try {
    await retry(async () => {
      throw new ConnectError("down", Code.Unavailable);
    }, { description: "t", deadlineMs: 50 });
    assert.unreachable();
  } catch (err) {
    assert.is((err as ConnectError).code, Code.Unavailable);
  }
  assert.ok(Date.now() - started < 1_000);
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 30);
  try {
    await retry(async () => {
      throw new ConnectError("down", Code.Unavailable);
    }, { description: "t", signal: abort.signal });
    assert.unreachable();
  } catch (err) {
    assert.is((err as ConnectError).code, Code.Canceled);
  }
});

test.run();
