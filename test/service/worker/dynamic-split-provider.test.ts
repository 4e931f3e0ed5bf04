// The worker's remote split provider (src/service/worker/split-provider.ts) against a scripted
// fetch: prefetch depth, issue-order delivery when answers arrive out of order, end of splits
// after every earlier fetch, repetitions, failures and closing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { isTfDataError } from "../../../src/core/errors.js";
import { TensorProtoSchema } from "../../../src/gen/tensorflow/core/framework/tensor_pb.js";
import { DataType } from "../../../src/gen/tensorflow/core/framework/types_pb.js";
import { splitTensorProto } from "../../../src/service/dispatcher/split-providers.js";
import { RemoteSplitProvider, SPLIT_PREFETCH, splitValue } from "../../../src/service/worker/split-provider.js";

/** A fetch whose calls the test answers by hand. */
function scripted() {
  const calls: { repetition: bigint; signal: AbortSignal; resolve: (v: bigint | null) => void; reject: (e: unknown) => void }[] = [];
  const fetch = (repetition: bigint, signal: AbortSignal) =>
    new Promise<bigint | null>((resolve, reject) => calls.push({ repetition, signal, resolve, reject }));
  return { calls, fetch };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

test("keeps SPLIT_PREFETCH fetches going and hands splits out in issue order", async () => {
  const { calls, fetch } = scripted();
  const p = new RemoteSplitProvider(fetch);
  assert.is(p.tryNext(0n), undefined);
  assert.is(calls.length, SPLIT_PREFETCH);
  // Answers arrive out of order: the third first.
  calls[2].resolve(12n);
  await tick();
  assert.is(p.tryNext(0n), undefined, "split 12 waits for the two fetches issued before it");
  calls[0].resolve(10n);
  calls[1].resolve(11n);
  await tick();
  assert.equal([p.tryNext(0n), p.tryNext(0n), p.tryNext(0n)], [10n, 11n, 12n]);
  // Each split handed out made room for another fetch.
  assert.is(calls.length, SPLIT_PREFETCH + 3);
  p.close();
});

test("end of splits: no more fetches, and the end comes after every earlier split", async () => {
  const { calls, fetch } = scripted();
  const p = new RemoteSplitProvider(fetch, 3);
  const next = p.next(0n);
  calls[1].resolve(null); // the dispatcher ran out while the first fetch was still answering
  calls[2].resolve(null);
  calls[0].resolve(7n);
  assert.is(await next, 7n);
  assert.is(calls.length, 3, "no fetch after end_of_splits");
  assert.is(await p.next(0n), null);
  assert.is(p.tryNext(0n), null);
  p.close();
});

test("a new repetition drops the old one's splits and fetches for the new one", async () => {
  const { calls, fetch } = scripted();
  const p = new RemoteSplitProvider(fetch, 2);
  p.tryNext(0n);
  calls[0].resolve(1n);
  await tick();
  const next = p.next(1n);
  assert.equal(calls.map((c) => c.repetition), [0n, 0n, 1n, 1n]);
  calls[1].resolve(2n); // late answer for repetition 0: dropped
  calls[2].resolve(0n);
  assert.is(await next, 0n);
  p.close();
});

test("a failed fetch fails the provider; close cancels waiters and aborts fetches", async () => {
  const { calls, fetch } = scripted();
  const p = new RemoteSplitProvider(fetch, 1);
  const next = p.next(0n);
  calls[0].reject(new Error("boom"));
  try {
    await next;
    assert.unreachable("the failure was swallowed");
  } catch (e) {
    assert.match(String(e), /boom/);
  }
  const q = new RemoteSplitProvider(scripted().fetch, 1);
  const waiting = q.next(0n);
  q.close();
  try {
    await waiting;
    assert.unreachable("a closed provider answered");
  } catch (e) {
    assert.ok(isTfDataError(e, "Canceled"), String(e));
  }
  const r = scripted();
  const rp = new RemoteSplitProvider(r.fetch, 2);
  rp.tryNext(0n);
  rp.close();
  assert.ok(r.calls.every((c) => c.signal.aborted));
});

test("split values: TF's int64 splits, int32 ones, and a missing split", () => {
  assert.is(splitValue(splitTensorProto(42n), "here"), 42n);
  assert.is(splitValue(create(TensorProtoSchema, { dtype: DataType.DT_INT32, tensorShape: {}, intVal: [3] }), "here"), 3n);
  assert.throws(() => splitValue(undefined, "here"), /neither a split nor end_of_splits/);
});

test.run();
