// Coordinated reads (round robin), dispatcher half: pending tasks for workers that join a running
// round-robin iteration, the accept / reject protocol in ClientHeartbeat (block_round), the
// latest round tracked per iteration (TF's quirk fixed), and MaybeRemoveTask's all-consumers vote
// with its wait, through a real gRPC server.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createClient, type Client } from "@connectrpc/connect";
import { Dataset } from "../../../src/dataset/index.js";
import { DispatcherService } from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { createNodeTransport } from "../../../src/runtime/node-transport.js";
import { dispatcherRoutes } from "../../../src/service/dispatcher/handlers.js";
import type { Dispatcher } from "../../../src/service/dispatcher/dispatcher.js";
import { type ListeningServer, platform, setPlatform } from "../../../src/service/platform.js";
import {
  clientHeartbeat,
  heartbeat,
  iterationRequest,
  jobRequest,
  makeDispatcher,
  registerRequest,
  rejection,
  rrHeartbeat,
  stopDispatchers,
} from "./fixtures.js";

setPlatform(nodePlatform);
const listeners: ListeningServer[] = [];
test.after.each(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  await stopDispatchers();
});

/** Serves `d` on 127.0.0.1 and returns a gRPC client of it. */
async function serve(d: Dispatcher): Promise<Client<typeof DispatcherService>> {
  const l = await platform().listen(dispatcherRoutes(d), { host: "127.0.0.1", port: 0 });
  listeners.push(l);
  return createClient(DispatcherService, createNodeTransport(`127.0.0.1:${l.port}`, "grpc"));
}

/**
 * A round-robin job "rr" with 2 consumers over an infinite dataset: workers w1, w2 registered,
 * iteration 2000 with tasks 4000 (w1), 4001 (w2), clients 3000 and 3001.
 */
async function rrIteration(taskRemovalTimeoutMs?: number) {
  const ctx = makeDispatcher({}, { taskRemovalTimeoutMs });
  const { d } = ctx;
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.workerHeartbeat(heartbeat("w2:2"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(10).repeat(), cardinality: -1n }));
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "rr", numConsumers: 2n }));
  const c0 = (await d.getOrCreateIteration(iterationRequest(jobId))).iterationClientId;
  const c1 = (await d.getOrCreateIteration(iterationRequest(jobId))).iterationClientId;
  return { ...ctx, datasetId, jobId, c0, c1 };
}

const blockRound = (r: { optionalBlockRound: { case?: string; value?: bigint } }) =>
  r.optionalBlockRound.case === "blockRound" ? r.optionalBlockRound.value : undefined;

test("a round-robin iteration starts with a real task per worker, starting round 0, and num_consumers in the TaskDefs", async () => {
  const { d, c0, workers } = await rrIteration();
  const res = await d.clientHeartbeat(rrHeartbeat(c0, 0n));
  assert.equal(res.taskInfo.map((t) => [t.taskId, t.workerAddress, t.startingRound]), [[4000n, "w1:1", 0n], [4001n, "w2:2", 0n]]);
  assert.is(blockRound(res), undefined);
  assert.equal(workers.pushed.map((t) => t.optionalNumConsumers), [{ case: "numConsumers", value: 2n }, { case: "numConsumers", value: 2n }]);
});

test("ports coordinated_read_ft_test.testAddWorkers (dispatcher half): a new worker gets a pending task, accepted by every consumer, then active from the agreed round", async () => {
  const { d, c0, c1 } = await rrIteration();
  await d.clientHeartbeat(rrHeartbeat(c0, 5n));
  await d.clientHeartbeat(rrHeartbeat(c1, 4n));
  // w3 joins: a pending task targeting one past the iteration's latest round (5 + 1). TF looks the
  // round up per iteration in a map keyed by client id, so it would always propose round 1.
  const hb = await d.workerHeartbeat(heartbeat("w3:3"));
  assert.equal(hb.newTasks.map((t) => [t.taskId, t.optionalNumConsumers.value]), [[4002n, 2n]]); // pushed early
  assert.equal(d.debugState.pendingTasks(2000n).map((p) => [p.task.id, p.targetRound]), [[4002n, 6n]]);
  // Clients see block_round 6 and not the task yet.
  let r = await d.clientHeartbeat(rrHeartbeat(c0, 5n));
  assert.is(blockRound(r), 6n);
  assert.equal(r.taskInfo.map((t) => t.taskId), [4000n, 4001n]);
  // c0 promises not to start round 6 (blocked_round 6 <= target): accepted.
  r = await d.clientHeartbeat(rrHeartbeat(c0, 5n, 6n));
  assert.equal([...d.debugState.pendingTasks(2000n)[0].readyConsumers], [c0]);
  assert.is(blockRound(r), 6n);
  // c1 accepts too: the task becomes active with starting round 6, block_round disappears.
  r = await d.clientHeartbeat(rrHeartbeat(c1, 5n, 6n));
  assert.is(blockRound(r), undefined);
  assert.equal(r.taskInfo.map((t) => [t.taskId, t.workerAddress, t.startingRound]),
    [[4000n, "w1:1", 0n], [4001n, "w2:2", 0n], [4002n, "w3:3", 6n]]);
  assert.equal(d.debugState.pendingTasks(2000n), []);
});

test("a client already at or past the target round rejects it: new target = its round + 2, then + 4 (backoff by failures)", async () => {
  const { d, c0, c1 } = await rrIteration();
  await d.workerHeartbeat(heartbeat("w3:3"));
  const head = () => d.debugState.pendingTasks(2000n)[0];
  assert.is(head().targetRound, 1n); // no round reported yet: 0 + 1
  await d.clientHeartbeat(rrHeartbeat(c0, 0n, 1n)); // c0 accepts
  // c1 is already in round 3 >= 1: rejection; the accepted set is cleared.
  let r = await d.clientHeartbeat(rrHeartbeat(c1, 3n));
  assert.equal([head().targetRound, head().failures, [...head().readyConsumers]], [5n, 1, []]);
  assert.is(blockRound(r), 5n);
  // c0 is at round 7 by now: rejected again, offset 2^(1+1) = 4 from ITS latest round.
  r = await d.clientHeartbeat(rrHeartbeat(c0, 7n));
  assert.equal([head().targetRound, head().failures], [11n, 2]);
  // Both block at 11: promoted with starting round 11.
  await d.clientHeartbeat(rrHeartbeat(c0, 8n, 11n));
  r = await d.clientHeartbeat(rrHeartbeat(c1, 9n, 11n));
  assert.equal(r.taskInfo.at(-1)?.startingRound, 11n);
});

test("a rejection and an acceptance in the same heartbeat: the client accepts the new target round only on a later heartbeat", async () => {
  const { d, c0 } = await rrIteration();
  await d.workerHeartbeat(heartbeat("w3:3"));
  // current 4 >= target 1 rejects (new target 6); blocked 1 <= old target 1 and c0 is new: accepted too.
  await d.clientHeartbeat(rrHeartbeat(c0, 4n, 1n));
  const head = d.debugState.pendingTasks(2000n)[0];
  assert.equal([head.targetRound, head.failures, [...head.readyConsumers]], [6n, 1, [c0]]);
});

test("pending tasks form a FIFO: only the head is negotiated; block_round is the head's target", async () => {
  const { d, c0, c1 } = await rrIteration();
  await d.clientHeartbeat(rrHeartbeat(c0, 2n));
  await d.workerHeartbeat(heartbeat("w3:3"));
  await d.clientHeartbeat(rrHeartbeat(c0, 4n));
  // The rejection moved the head to 4 + 2 = 6; w4 joins later with target 4 + 1 = 5.
  await d.workerHeartbeat(heartbeat("w4:4"));
  assert.equal(d.debugState.pendingTasks(2000n).map((p) => [p.task.workerAddress, p.targetRound]), [["w3:3", 6n], ["w4:4", 5n]]);
  await d.clientHeartbeat(rrHeartbeat(c0, 4n, 6n));
  const r = await d.clientHeartbeat(rrHeartbeat(c1, 4n, 6n));
  assert.is(blockRound(r), 5n); // now w4's task is the head
  assert.equal(r.taskInfo.map((t) => t.workerAddress), ["w1:1", "w2:2", "w3:3"]);
});

test("a worker registering later joins non-round-robin iterations with a real task and round-robin ones with a pending task", async () => {
  const { d, datasetId } = await rrIteration();
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "plain" }));
  await d.getOrCreateIteration(iterationRequest(jobId));
  const hb = await d.workerHeartbeat(heartbeat("w3:3"));
  assert.equal(hb.newTasks.map((t) => [t.iterationId, t.optionalNumConsumers.case]), [[2000n, "numConsumers"], [2001n, undefined]]);
  assert.equal(d.debugState.pendingTasks(2000n).map((p) => p.task.workerAddress), ["w3:3"]);
  assert.equal(d.debugState.tasksForIteration(2001n).map((t) => t.workerAddress), ["w1:1", "w2:2", "w3:3"]);
});

test("MaybeRemoveTask through gRPC: all consumers vote for the same round -> removed; the task leaves heartbeats; the worker is told to delete it and gets a pending task back", async () => {
  const { d, c0 } = await rrIteration();
  const rpc = await serve(d);
  const [a, b] = await Promise.all([
    rpc.maybeRemoveTask({ taskId: 4000n, consumerIndex: 0n, round: 3n }),
    rpc.maybeRemoveTask({ taskId: 4000n, consumerIndex: 1n, round: 3n }),
  ]);
  assert.equal([a.removed, b.removed], [true, true]);
  assert.is(d.debugState.hasTask(4000n), false);
  assert.equal((await rpc.clientHeartbeat(rrHeartbeat(c0, 3n))).taskInfo.map((t) => t.taskId), [4001n]);
  // A late vote for a removed task: removed.
  assert.is((await rpc.maybeRemoveTask({ taskId: 4000n, consumerIndex: 0n, round: 3n })).removed, true);
  // The worker (e.g. restarted) still reports the task: delete it; it rejoins via a pending task.
  const hb = await rpc.workerHeartbeat(heartbeat("w1:1", [4000n]));
  assert.equal(hb.tasksToDelete, [4000n]);
  assert.equal(hb.newTasks.map((t) => t.taskId), [4002n]);
  assert.equal(d.debugState.pendingTasks(2000n).map((p) => [p.task.id, p.targetRound]), [[4002n, 4n]]);
});

test("MaybeRemoveTask: consumers voting for different rounds all get false; nothing is removed", async () => {
  const { d } = await rrIteration();
  const rpc = await serve(d);
  const first = rpc.maybeRemoveTask({ taskId: 4001n, consumerIndex: 0n, round: 3n });
  await new Promise((r) => setTimeout(r, 20));
  const second = await rpc.maybeRemoveTask({ taskId: 4001n, consumerIndex: 1n, round: 4n });
  assert.equal([(await first).removed, second.removed], [false, false]);
  assert.is(d.debugState.hasTask(4001n), true);
  // A fresh vote afterwards can still succeed.
  const again = await Promise.all([0n, 1n].map((c) => rpc.maybeRemoveTask({ taskId: 4001n, consumerIndex: c, round: 5n })));
  assert.equal(again.map((x) => x.removed), [true, true]);
});

test("MaybeRemoveTask: a lone vote times out (TF: 10 s; here 60 ms) and answers false", async () => {
  const { d } = await rrIteration(60);
  const rpc = await serve(d);
  const started = Date.now();
  assert.is((await rpc.maybeRemoveTask({ taskId: 4000n, consumerIndex: 1n, round: 2n })).removed, false);
  const waited = Date.now() - started;
  assert.ok(waited >= 55 && waited < 5000, `waited ${waited} ms`);
  assert.is(d.debugState.hasTask(4000n), true);
});

test("MaybeRemoveTask errors: non-round-robin task (TF's message), consumer index out of range, unknown task = removed", async () => {
  const { d, datasetId } = await rrIteration();
  const rpc = await serve(d);
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "plain" }));
  await d.getOrCreateIteration(iterationRequest(jobId)); // tasks 4002, 4003
  assert.equal(await rejection(d.maybeRemoveTask({ taskId: 4002n, consumerIndex: 0n, round: 0n } as never)), {
    code: "FailedPrecondition", message: "MaybeRemoveTask called on a non-round-robin task.",
  });
  const range = await rejection(d.maybeRemoveTask({ taskId: 4000n, consumerIndex: 2n, round: 0n } as never));
  assert.is(range.code, "InvalidArgument");
  assert.match(range.message, "consumer_index 2 is out of range: the job has 2 consumers (0..1)");
  assert.is((await rpc.maybeRemoveTask({ taskId: 4999n, consumerIndex: 0n, round: 0n })).removed, true);
});

test("stopping the dispatcher ends a pending vote with false (no hang, no timer left)", async () => {
  const { d } = await rrIteration(60_000);
  const vote = d.maybeRemoveTask({ taskId: 4000n, consumerIndex: 0n, round: 1n } as never);
  await new Promise((r) => setTimeout(r, 10));
  await d.stop();
  assert.is((await vote).removed, false);
});

test("a lost worker's round-robin tasks are left to the consumers' removal vote", async () => {
  const { d, clock, c0 } = await rrIteration();
  clock.advance(11 * 60 * 1000); // past the default 10 min worker timeout
  await d.workerHeartbeat(heartbeat("w2:2", [4001n]));
  await d.runMaintenance();
  assert.equal(d.missingWorkers(), ["w1:1"]);
  assert.is(d.debugState.taskFromId(4000n).finished, false);
  assert.equal((await d.clientHeartbeat(clientHeartbeat(c0))).taskInfo.map((t) => t.taskId), [4000n, 4001n]);
});

test.run();
