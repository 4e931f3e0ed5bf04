// The round-robin task runner (coordinated reads, spec §3.5) on a scripted element source: rounds,
// the exact per-consumer output (TF's task_runner_test.cc cases), the partial round after a worker
// restart, skipped rounds, stale rounds, the end-of-input error and cancellation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RoundRobinTaskRunner } from "../../../src/service/worker/round-robin-runner.js";
import type { PulledElement, PullSource } from "../../../src/service/worker/runner-source.js";
import type { RunnerRequest, RunnerResult } from "../../../src/service/worker/task-runner.js";
import { rejects } from "../../helpers/rejects.js";

/** TF's `TestTaskIterator`: elements 0..n-1, optionally repeated forever; `delayMs` per element. */
function rangeSource(n: number, opts: { repeat?: boolean; delayMs?: number } = {}): PullSource & { closed: boolean } {
  let i = 0;
  const src = {
    closed: false,
    async next(): Promise<PulledElement | null> {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (i >= n) return null;
      const v = BigInt(i++);
      if (opts.repeat) i %= n;
      return { element: { kind: "uncompressed", bytes: new Uint8Array(new BigInt64Array([v]).buffer) }, elementIndex: v };
    },
    close() {
      src.closed = true;
    },
  };
  return src;
}

function valueOf(r: RunnerResult): bigint {
  if (r.kind !== "element") throw new Error(`expected an element, got ${r.kind}`);
  return new BigInt64Array(r.element.bytes.slice().buffer)[0];
}

function request(consumer: number, round: number, extra: Partial<RunnerRequest> = {}): RunnerRequest {
  return { consumerIndex: BigInt(consumer), roundIndex: BigInt(round), allowSkip: false, skippedPreviousRound: false, ...extra };
}

/** TF's `RunConsumer`: rounds [start, end) for one consumer, retrying skipped rounds. */
async function runConsumer(runner: RoundRobinTaskRunner, consumer: number, start: number, end: number): Promise<number[]> {
  const out: number[] = [];
  for (let round = start; round < end; round++) {
    for (;;) {
      const r = await runner.getNext(request(consumer, round));
      if (r.kind === "element") out.push(Number(valueOf(r)));
      if (r.kind !== "skip") break;
    }
  }
  return out;
}

for (const [numElements, numConsumers] of [[1000, 5], [1003, 5], [1000, 20], [4, 20], [0, 20]] as const) {
  test(`ports task_runner_test.cc.ConsumeParallel (${numElements} elements, ${numConsumers} consumers)`, async () => {
    const runner = new RoundRobinTaskRunner(rangeSource(Math.max(numElements, 1), { repeat: true }), numConsumers);
    try {
      const perConsumer = await Promise.all(
        Array.from({ length: numConsumers }, (_, c) => runConsumer(runner, c, 0, numElements)));
      for (let i = 0; i < numElements; i++) {
        assert.is(perConsumer[i % numConsumers][Math.floor(i / numConsumers)], i, `element ${i}`);
      }
    } finally {
      runner.cancel();
    }
  });
}

test("ports task_runner_test.cc.ConsumeParallelPartialRound: a restarted worker serves a partial round", async () => {
  // Consumers 1 and 2 still need round 11; the others are at 12. The worker (fresh, current round
  // unknown) serves round 11 to consumers 1 and 2 only, then full rounds.
  const startingRounds = [12, 11, 11, 12, 12];
  const runner = new RoundRobinTaskRunner(rangeSource(30, { repeat: true }), 5);
  try {
    const got = await Promise.all(startingRounds.map((start, c) => runConsumer(runner, c, start, 15)));
    assert.equal(got, [[5, 10, 15], [1, 6, 11, 16], [2, 7, 12, 17], [8, 13, 18], [9, 14, 19]]);
  } finally {
    runner.cancel();
  }
});

test("the partial round is skipped when the next round's requests say skipped_previous_round", async () => {
  const runner = new RoundRobinTaskRunner(rangeSource(100, { repeat: true }), 3);
  try {
    const late = runner.getNext(request(0, 4));
    const ahead = [1, 2].map((c) => runner.getNext(request(c, 5, { skippedPreviousRound: true })));
    assert.is((await late).kind, "skip", "round 4 is skipped for consumer 0");
    const round5 = [runner.getNext(request(0, 5)), ...ahead];
    // No element was taken for the skipped partial round: round 5 starts at element 0.
    assert.equal((await Promise.all(round5)).map(valueOf), [0n, 1n, 2n]);
  } finally {
    runner.cancel();
  }
});

test("a round whose elements are not ready within the fill wait is skipped by every consumer", async () => {
  const runner = new RoundRobinTaskRunner(rangeSource(100, { repeat: true, delayMs: 40 }), 2, { skipWaitMs: 10 });
  try {
    const round0 = await Promise.all([0, 1].map((c) => runner.getNext(request(c, 0, { allowSkip: true }))));
    assert.equal(round0.map((r) => r.kind), ["skip", "skip"]);
    // Without allow_skip the round waits for its elements: elements 0 and 1, in consumer order.
    const round1 = await Promise.all([0, 1].map((c) => runner.getNext(request(c, 1))));
    assert.equal(round1.map(valueOf), [0n, 1n]);
  } finally {
    runner.cancel();
  }
});

test("ports coordinated_read_test.py.testConsumerRestart (runner level): an old round is FAILED_PRECONDITION", async () => {
  const runner = new RoundRobinTaskRunner(rangeSource(10, { repeat: true }), 2);
  try {
    await Promise.all([0, 1].map((c) => runConsumer(runner, c, 0, 3)));
    await rejects(runner.getNext(request(0, 1)), "FailedPrecondition",
      /Consumer 0 requested data for round 1, but the current round has already reached 2\. This may indicate that the consumer was restarted with the same iteration name/);
  } finally {
    runner.cancel();
  }
});

test("end of input fails every later request with TF's round-robin message", async () => {
  const runner = new RoundRobinTaskRunner(rangeSource(3), 2);
  try {
    assert.equal((await Promise.all([0, 1].map((c) => runner.getNext(request(c, 0))))).map(valueOf), [0n, 1n]);
    const round1 = [0, 1].map((c) => runner.getNext(request(c, 1)));
    for (const r of round1) {
      await rejects(r, "FailedPrecondition", /^Encountered end of sequence on a round-robin read iterator\. Please ensure/);
    }
    await rejects(runner.getNext(request(0, 2)), "FailedPrecondition", /end of sequence on a round-robin read iterator/);
  } finally {
    runner.cancel();
  }
});

test("requests without consumer/round or with an out-of-range consumer are FAILED_PRECONDITION", async () => {
  const runner = new RoundRobinTaskRunner(rangeSource(10, { repeat: true }), 2);
  try {
    await rejects(runner.getNext({ allowSkip: false }), "FailedPrecondition",
      /^RoundRobinTaskRunner needs to know the consumer index and element index of each request\.$/);
    await rejects(runner.getNext(request(2, 0)), "FailedPrecondition",
      /^Requesting data for consumer index 2, but the task is configured for only 2 consumers$/);
    await rejects(runner.getNext(request(-1, 0)), "FailedPrecondition", /needs to know the consumer index/);
  } finally {
    runner.cancel();
  }
});

test("cancel fails requests waiting for their round and closes the source", async () => {
  const source = rangeSource(10, { repeat: true });
  const runner = new RoundRobinTaskRunner(source, 3);
  const waiting = runner.getNext(request(0, 0));
  await new Promise((r) => setTimeout(r, 5));
  runner.cancel();
  await rejects(waiting, "Canceled", /Worker is shutting down/);
  assert.ok(source.closed);
  await rejects(runner.getNext(request(1, 0)), "Canceled", /Worker is shutting down/);
});

test.run();
