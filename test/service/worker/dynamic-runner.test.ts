// The first-come-first-served runner of DYNAMIC and parallel tasks
// (src/service/worker/async-fcfs-task-runner.ts) over a scripted source whose elements wait: skip
// answers, arrival order, one prefetched element, sticky end and errors, cancellation, and
// elements taken straight from a source that has them ready (`tryNext`).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isTfDataError } from "../../../src/core/errors.js";
import { AsyncFirstComeFirstServedTaskRunner, type AsyncElementSource } from "../../../src/service/worker/async-fcfs-task-runner.js";
import type { RunnerResult, WireElement } from "../../../src/service/worker/task-runner.js";

/** A source whose `next` calls the test answers by hand. */
function scripted() {
  const pending: { resolve: (e: WireElement | null) => void; reject: (err: unknown) => void }[] = [];
  let calls = 0;
  let closed = false;
  const source: AsyncElementSource = {
    next: () => {
      calls++;
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    close: () => {
      closed = true;
      for (const p of pending.splice(0)) p.reject(new Error("closed"));
    },
  };
  const element = (n: number): WireElement => ({ kind: "uncompressed", bytes: new Uint8Array([n]) });
  return {
    source,
    answer: (n: number | null) => pending.shift()!.resolve(n === null ? null : element(n)),
    fail: (err: unknown) => pending.shift()!.reject(err),
    get calls() {
      return calls;
    },
    get closed() {
      return closed;
    },
  };
}

/**
 * Lets the runner's pending steps run: a short timer, then the check phase, so a runner step
 * queued after pending I/O (setImmediate) has run even when the event loop was late.
 */
const settle = () => new Promise<void>((r) => setTimeout(() => setImmediate(r), 5));
const byte = (r: RunnerResult) => (r.kind === "element" ? r.element.bytes[0] : r.kind);

test("skip while nothing is ready; blocking requests are served in arrival order; one element prefetched", async () => {
  const s = scripted();
  const runner = new AsyncFirstComeFirstServedTaskRunner(s.source);
  await settle();
  assert.is(s.calls, 1, "prefetching starts at once");
  assert.equal(await runner.getNext({ allowSkip: true }), { kind: "skip" });
  const a = runner.getNext({ allowSkip: false });
  const b = runner.getNext({ allowSkip: false });
  s.answer(10);
  await settle();
  s.answer(11);
  const [ra, rb] = await Promise.all([a, b]);
  assert.equal([byte(ra), byte(rb)], [10, 11]);
  assert.equal([ra.kind === "element" && ra.elementIndex, rb.kind === "element" && rb.elementIndex], [0n, 1n]);
  await settle();
  s.answer(12); // the prefetched element
  await settle();
  assert.is(s.calls, 3, "no more than one element ahead");
  assert.is(byte(await runner.getNext({ allowSkip: true })), 12);
  runner.cancel();
});

test("end of sequence and errors are sticky and close the source", async () => {
  const s = scripted();
  const runner = new AsyncFirstComeFirstServedTaskRunner(s.source);
  await settle();
  s.answer(null);
  assert.is((await runner.getNext({ allowSkip: false })).kind, "end");
  assert.is((await runner.getNext({ allowSkip: true })).kind, "end");
  assert.ok(s.closed);
  const f = scripted();
  const failing = new AsyncFirstComeFirstServedTaskRunner(f.source);
  await settle();
  f.fail(new Error("split fetch failed"));
  for (let i = 0; i < 2; i++) {
    try {
      await failing.getNext({ allowSkip: false });
      assert.unreachable("the error was lost");
    } catch (err) {
      assert.match(String(err), /split fetch failed/);
    }
  }
});

test("a request arriving just after the loop stopped is still served", async () => {
  const s = scripted();
  const runner = new AsyncFirstComeFirstServedTaskRunner(s.source);
  await settle();
  s.answer(1);
  await settle(); // the loop buffered element 1 and stopped
  assert.is(byte(await runner.getNext({ allowSkip: false })), 1);
  const next = runner.getNext({ allowSkip: false });
  await settle();
  s.answer(2);
  assert.is(byte(await next), 2);
  runner.cancel();
});

test("cancel rejects waiting requests with CANCELLED and closes the source", async () => {
  const s = scripted();
  const runner = new AsyncFirstComeFirstServedTaskRunner(s.source);
  const waiting = runner.getNext({ allowSkip: false });
  runner.cancel();
  try {
    await waiting;
    assert.unreachable("a cancelled runner answered");
  } catch (err) {
    assert.ok(isTfDataError(err, "Canceled"), String(err));
  }
  assert.ok(s.closed);
  try {
    await runner.getNext({ allowSkip: true });
    assert.unreachable("a cancelled runner answered");
  } catch (err) {
    assert.ok(isTfDataError(err, "Canceled"), String(err));
  }
});

test("a ready element is taken straight from tryNext, never while a next() is in flight; indices stay in order", async () => {
  let ready: number[] = [];
  let inFlight = 0;
  let overlapped = false;
  let pendingNext: ((e: WireElement | null) => void) | null = null;
  const element = (n: number): WireElement => ({ kind: "uncompressed", bytes: new Uint8Array([n]) });
  const source: AsyncElementSource = {
    next: () => {
      inFlight++;
      return new Promise((resolve) => {
        pendingNext = (e) => {
          inFlight--;
          resolve(e);
        };
      });
    },
    tryNext: () => {
      if (inFlight > 0) overlapped = true;
      const n = ready.shift();
      return n === undefined ? undefined : element(n);
    },
    close: () => {},
  };
  const runner = new AsyncFirstComeFirstServedTaskRunner(source);
  await settle(); // the prefetch asked next(): it is in flight
  ready = [7];
  const a = runner.getNext({ allowSkip: false }); // must wait for the in-flight next()
  pendingNext!(element(5));
  assert.equal([byte(await a)], [5]);
  await settle(); // the prefetch asks again
  pendingNext!(element(6));
  await settle();
  const b = await runner.getNext({ allowSkip: false }); // the buffered element
  const c = await runner.getNext({ allowSkip: false }); // straight from tryNext, no event-loop trip
  assert.equal([byte(b), byte(c)], [6, 7]);
  assert.equal([b.kind === "element" && b.elementIndex, c.kind === "element" && c.elementIndex], [1n, 2n]);
  assert.not.ok(overlapped, "tryNext is never called while next() is in flight");
  runner.cancel();
});

test.run();
