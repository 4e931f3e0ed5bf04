// The round-robin reader (client half of coordinated reads, spec §3.5) against a scripted
// dispatcher and scripted workers: dispatcher task order, rounds, ordered result slots, skipped
// slots, starting_round, block_round / round limit, current_round and blocked_round in
// heartbeats, and MaybeRemoveTask after a retried retryable failure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import type { Tensor } from "../../../src/core/tensor.js";
import { TaskInfoSchema, type TaskInfo } from "../../../src/gen/tensorflow/core/data/service/common_pb.js";
import type { DispatcherClient } from "../../../src/service/client/dispatcher-client.js";
import { RoundRobinReader } from "../../../src/service/client/round-robin-reader.js";
import type { RawElementResponse, WorkerElementClient } from "../../../src/service/client/worker-client.js";

interface Request {
  task: bigint;
  consumer: bigint | undefined;
  round: bigint | undefined;
  allowSkip: boolean;
  skippedPreviousRound: boolean;
}

interface HeartbeatSeen {
  currentRound: bigint | undefined;
  blockedRound: bigint | undefined;
}

/** A dispatcher whose heartbeat answers the test sets; records what it is sent. */
class ScriptedDispatcher {
  tasks: TaskInfo[] = [];
  blockRound: bigint | undefined;
  finished = false;
  readonly heartbeats: HeartbeatSeen[] = [];
  readonly removals: { taskId: bigint; consumerIndex: bigint; round: bigint }[] = [];
  removeAnswer = true;
  released = 0;
  readonly client = {
    address: "fake:1",
    rpc: {
      clientHeartbeat: async (req: {
        optionalCurrentRound: { case?: string; value?: bigint };
        optionalBlockedRound: { case?: string; value?: bigint };
      }) => {
        this.heartbeats.push({
          currentRound: req.optionalCurrentRound.case === "currentRound" ? req.optionalCurrentRound.value : undefined,
          blockedRound: req.optionalBlockedRound.case === "blockedRound" ? req.optionalBlockedRound.value : undefined,
        });
        return {
          taskInfo: this.tasks,
          iterationFinished: this.finished,
          optionalBlockRound: this.blockRound === undefined ? { case: undefined } : { case: "blockRound", value: this.blockRound },
        };
      },
      maybeRemoveTask: async (req: { taskId: bigint; consumerIndex: bigint; round: bigint }) => {
        this.removals.push({ taskId: req.taskId, consumerIndex: req.consumerIndex, round: req.round });
        if (this.removeAnswer) this.tasks = this.tasks.filter((t) => t.taskId !== req.taskId);
        return { removed: this.removeAnswer };
      },
      releaseIterationClient: async () => {
        this.released++;
        return {};
      },
    },
  };
}

/** Workers whose answers are computed per request; every request is recorded. */
class ScriptedWorkers {
  readonly requests: Request[] = [];
  answer: (r: Request) => Promise<RawElementResponse> | RawElementResponse = (r) => element(r.task * 1000n + r.round!);
  client(): WorkerElementClient {
    return {
      getElement: async (req: {
        taskId: bigint;
        optionalConsumerIndex: { case?: string; value?: bigint };
        optionalRoundIndex: { case?: string; value?: bigint };
        allowSkip: boolean;
        skippedPreviousRound: boolean;
      }) => {
        const r: Request = {
          task: req.taskId,
          consumer: req.optionalConsumerIndex.case === "consumerIndex" ? req.optionalConsumerIndex.value : undefined,
          round: req.optionalRoundIndex.case === "roundIndex" ? req.optionalRoundIndex.value : undefined,
          allowSkip: req.allowSkip,
          skippedPreviousRound: req.skippedPreviousRound,
        };
        this.requests.push(r);
        return this.answer(r);
      },
    } as unknown as WorkerElementClient;
  }
}

/** An element carrying `v` (decoded by the test's decoder below). */
function element(v: bigint): RawElementResponse {
  return { element: { kind: "uncompressed", bytes: new Uint8Array(new BigInt64Array([v]).buffer) }, elementIndex: 0n, endOfSequence: false, skipTask: false };
}
const SKIP: RawElementResponse = { element: undefined, elementIndex: 0n, endOfSequence: false, skipTask: true };

function taskInfo(taskId: bigint, startingRound = 0n): TaskInfo {
  return create(TaskInfoSchema, { taskId, workerAddress: `w${taskId}:1`, startingRound });
}

function reader(d: ScriptedDispatcher, w: ScriptedWorkers, opts: { consumer?: bigint; max?: number } = {}): RoundRobinReader {
  return new RoundRobinReader({
    dispatcher: d.client as unknown as DispatcherClient,
    iterationClientId: 3000n,
    consumerIndex: opts.consumer ?? 1n,
    worker: () => w.client(),
    maxOutstandingRequests: opts.max ?? 4,
    taskRefreshIntervalMs: 5,
    decode: (_kind, bytes) => [{ value: new BigInt64Array(bytes.slice().buffer)[0] } as unknown as Tensor],
  });
}

async function read(r: RoundRobinReader, n: number): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const x = await r.next();
    assert.not.ok(x.done, `element ${i}`);
    out.push((x.value![0] as unknown as { value: bigint }).value);
  }
  return out;
}

const waitFor = async (cond: () => boolean, what: string) => {
  const deadline = Date.now() + 5_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

test("rounds visit the tasks in the dispatcher's order; requests carry consumer, round and allow_skip", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [taskInfo(4002n), taskInfo(4000n), taskInfo(4001n)];
  const w = new ScriptedWorkers();
  const r = reader(d, w);
  try {
    // Output order is (round, task order), never shuffled: 4002, 4000, 4001 in each round.
    assert.equal(await read(r, 6), [4002000n, 4000000n, 4001000n, 4002001n, 4000001n, 4001001n]);
    const first = w.requests.slice(0, 6);
    assert.equal(first.map((q) => [q.task, q.round]), [
      [4002n, 0n], [4000n, 0n], [4001n, 0n], [4002n, 1n], [4000n, 1n], [4001n, 1n],
    ]);
    assert.ok(w.requests.every((q) => q.consumer === 1n && q.allowSkip), "consumer_index 1, allow_skip");
    await waitFor(() => d.heartbeats.some((h) => h.currentRound !== undefined && h.currentRound >= 2n), "current_round");
    assert.ok(d.heartbeats.every((h) => h.currentRound !== undefined), "every heartbeat carries current_round");
  } finally {
    await r.return();
  }
  assert.is(d.released, 1);
});

test("a skipped round's slot is dropped, and the next request to that task says skipped_previous_round", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [taskInfo(1n), taskInfo(2n)];
  const w = new ScriptedWorkers();
  w.answer = (q) => (q.task === 1n && q.round === 0n ? SKIP : element(q.task * 1000n + q.round!));
  const r = reader(d, w, { max: 1 });
  try {
    assert.equal(await read(r, 3), [2000n, 1001n, 2001n]);
    const toTask1 = w.requests.filter((q) => q.task === 1n);
    assert.equal(toTask1.slice(0, 3).map((q) => q.skippedPreviousRound), [false, true, false]);
  } finally {
    await r.return();
  }
});

test("block_round: accepted below the current round limit, reported as blocked_round, lifted with the new task at its starting round", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [taskInfo(1n)];
  d.blockRound = 3n;
  const w = new ScriptedWorkers();
  const r = reader(d, w, { max: 2 });
  try {
    // Rounds 0..2 only: the limit holds requests for round 3.
    assert.equal(await read(r, 3), [1000n, 1001n, 1002n]);
    await waitFor(() => d.heartbeats.some((h) => h.blockedRound === 3n), "blocked_round 3");
    await new Promise((res) => setTimeout(res, 30));
    assert.ok(w.requests.every((q) => q.round! < 3n), "no request for a round at or past the limit");
    // The dispatcher activates task 2 with starting round 3 and lifts the block.
    d.tasks = [taskInfo(1n), taskInfo(2n, 3n)];
    d.blockRound = undefined;
    assert.equal(await read(r, 4), [1003n, 2003n, 1004n, 2004n]);
    assert.equal(w.requests.filter((q) => q.task === 2n)[0].round, 3n, "the new task is read from its starting round");
  } finally {
    await r.return();
  }
});

test("block_round at or below the current round is rejected: no limit, no blocked_round", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [taskInfo(1n)];
  const w = new ScriptedWorkers();
  const r = reader(d, w, { max: 1 });
  try {
    await read(r, 5);
    d.blockRound = 2n; // the reader is past round 2 already
    const before = d.heartbeats.length;
    await waitFor(() => d.heartbeats.length >= before + 3, "heartbeats");
    assert.equal(await read(r, 3), [1005n, 1006n, 1007n], "reading goes on");
    assert.ok(d.heartbeats.slice(before).every((h) => h.blockedRound === undefined), "never blocked");
  } finally {
    await r.return();
  }
});

test("a task failing with a retryable error is voted out with MaybeRemoveTask after one retry; its slot is dropped", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [taskInfo(1n), taskInfo(2n)];
  const w = new ScriptedWorkers();
  let failures = 0;
  w.answer = (q) => {
    if (q.task === 2n && q.round! >= 1n) {
      failures++;
      throw new ConnectError("worker is gone", Code.Unavailable);
    }
    return element(q.task * 1000n + q.round!);
  };
  const r = reader(d, w, { max: 1, consumer: 2n });
  try {
    assert.equal(await read(r, 5), [1000n, 2000n, 1001n, 1002n, 1003n]);
    assert.is(failures, 2, "first attempt + one retry, then the vote");
    assert.equal(d.removals, [{ taskId: 2n, consumerIndex: 2n, round: 1n }]);
  } finally {
    await r.return();
  }
});

test("a non-retryable worker error ends the read with TF's prefix and the worker's code", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [taskInfo(1n)];
  const w = new ScriptedWorkers();
  w.answer = () => {
    throw new ConnectError("Consumer 1 requested data for round 0, but the current round has already reached 7.", Code.FailedPrecondition);
  };
  const r = reader(d, w);
  try {
    await r.next();
    assert.unreachable("read succeeded");
  } catch (err) {
    assert.is((err as { code: string }).code, "FailedPrecondition");
    assert.match((err as Error).message, /^Failed to get element from worker w1:1: Consumer 1 requested data for round 0/);
  } finally {
    await r.return();
  }
});

test("the read ends when the dispatcher reports the iteration finished and nothing is pending", async () => {
  const d = new ScriptedDispatcher();
  d.tasks = [];
  d.finished = true;
  const r = reader(d, new ScriptedWorkers());
  assert.equal(await r.next(), { done: true, value: undefined });
});

test.run();
