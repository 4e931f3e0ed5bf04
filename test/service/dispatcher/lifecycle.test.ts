// Lifecycle: iteration GC, client timeout and release, and lost workers. Several cases port the
// dispatcher half of TF's data_service_ops_test.py GC tests (same timeouts, same expectations on
// which tasks the worker is told to drop). Lost workers are where we deliberately differ from TF
// (TF only logs them): their unfinished tasks are finished so every iteration can end.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { Dataset } from "../../../src/dataset/index.js";
import { ReleaseIterationClientRequestSchema } from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import type { Dispatcher } from "../../../src/service/dispatcher/dispatcher.js";
import { setPlatform } from "../../../src/service/platform.js";
import {
  clientHeartbeat,
  completed,
  drainSplits,
  heartbeat,
  iterationRequest,
  jobRequest,
  makeDispatcher,
  makeStoredDispatcher,
  registerRequest,
  rejection,
  removeTmpDirs,
  ShardingPolicy,
  stopDispatchers,
  tmpWorkDir,
} from "./fixtures.js";

setPlatform(nodePlatform);
test.after.each(async () => {
  await stopDispatchers();
  removeTmpDirs();
});

const release = (iterationClientId: bigint) => create(ReleaseIterationClientRequestSchema, { iterationClientId });

/** A worker heartbeat reporting exactly the tasks the dispatcher assigned it (a healthy worker). */
async function healthy(d: Dispatcher, address: string) {
  return d.workerHeartbeat(heartbeat(address, (d.debugState.tasksForWorker(address) ?? []).map((t) => t.id)));
}

async function dataset(d: Dispatcher) {
  return (await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(100) }))).datasetId;
}

for (const jobName of [undefined, "test"]) {
  test(`ports data_service_ops_test.testGcUnusedJob (job_name=${jobName ?? "None"}; dispatcher half): gc 50/20 ms, the worker is told to drop the task`, async () => {
    const { d, clock } = makeDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 20 });
    await d.workerHeartbeat(heartbeat("w:1"));
    const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d), { name: jobName }));
    const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
    await d.clientHeartbeat(clientHeartbeat(iterationClientId));
    assert.equal((await d.workerHeartbeat(heartbeat("w:1", [4000n]))).tasksToDelete, []);
    await d.releaseIterationClient(release(iterationClientId)); // `del it`
    clock.advance(19);
    await d.runMaintenance();
    assert.equal((await d.workerHeartbeat(heartbeat("w:1", [4000n]))).tasksToDelete, []);
    clock.advance(1);
    await d.runMaintenance();
    assert.equal((await d.workerHeartbeat(heartbeat("w:1", [4000n]))).tasksToDelete, [4000n]);
  });
}

test("ports data_service_ops_test.testDontGcUsedJob (dispatcher half): only the job without a live iterator is collected", async () => {
  const { d, clock } = makeDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 20 });
  await d.workerHeartbeat(heartbeat("w:1"));
  const id = await dataset(d);
  const j1 = (await d.getOrCreateJob(jobRequest(id, { name: "test1" }))).jobId;
  const j2 = (await d.getOrCreateJob(jobRequest(id, { name: "test2" }))).jobId;
  const it1 = (await d.getOrCreateIteration(iterationRequest(j1))).iterationClientId;
  const it2 = (await d.getOrCreateIteration(iterationRequest(j2))).iterationClientId;
  const it3 = (await d.getOrCreateIteration(iterationRequest(j2))).iterationClientId; // keeps test2 alive
  assert.equal(d.debugState.tasksForWorker("w:1")?.map((t) => t.id), [4000n, 4001n]);
  await d.releaseIterationClient(release(it1));
  await d.releaseIterationClient(release(it2));
  clock.advance(100);
  await d.clientHeartbeat(clientHeartbeat(it3));
  await d.runMaintenance();
  assert.equal(d.debugState.tasksForWorker("w:1")?.map((t) => t.id), [4001n]);
});

test("ports data_service_ops_test.testGcAndRecreate (dispatcher half): the same job collected and recreated three times, on 3 workers", async () => {
  const { d, clock } = makeDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 20 });
  for (const w of ["w:1", "w:2", "w:3"]) await d.workerHeartbeat(heartbeat(w));
  const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d), { name: "test" }));
  for (let round = 0n; round < 3n; round++) {
    const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
    const it = d.debugState.iterationForIterationClientId(iterationClientId);
    assert.is(it.id, 2000n + round);
    assert.is(d.debugState.tasksForIteration(it.id).length, 3);
    await d.releaseIterationClient(release(iterationClientId));
    clock.advance(50);
    for (const w of ["w:1", "w:2", "w:3"]) await healthy(d, w);
    await d.runMaintenance();
    assert.ok(it.garbageCollected);
    for (const w of ["w:1", "w:2", "w:3"]) assert.equal(d.debugState.tasksForWorker(w), []);
  }
});

test("ports data_service_ops_test.testKeepClientAliveBeforeReading (dispatcher half): a heartbeating client is kept for 3 s with client_timeout_ms=1000", async () => {
  const { d, clock } = makeDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 20, clientTimeoutMs: 1000 });
  await d.workerHeartbeat(heartbeat("w:1"));
  const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d)));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  for (let t = 0; t < 3000; t += 100) {
    clock.advance(100);
    await d.clientHeartbeat(clientHeartbeat(iterationClientId));
    await healthy(d, "w:1");
    await d.runMaintenance();
  }
  assert.is(d.debugState.hasIterationClient(iterationClientId), true);
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, false);
});

test("ports data_service_ops_test.testGcClient (dispatcher half): a client silent for client_timeout_ms is released; its next heartbeat is NOT_FOUND", async () => {
  const { d, clock } = makeDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 20, clientTimeoutMs: 50 });
  await d.workerHeartbeat(heartbeat("w:1"));
  const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d)));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  // Never released before its first heartbeat, however long it takes.
  clock.advance(60_000);
  await healthy(d, "w:1");
  await d.runMaintenance();
  assert.is(d.debugState.hasIterationClient(iterationClientId), true);
  await d.clientHeartbeat(clientHeartbeat(iterationClientId));
  clock.advance(51);
  await healthy(d, "w:1");
  await d.runMaintenance();
  assert.is(d.debugState.hasIterationClient(iterationClientId), false);
  const err = await rejection(d.clientHeartbeat(clientHeartbeat(iterationClientId)));
  assert.equal(err, { code: "NotFound", message: `Unknown iteration client id ${iterationClientId}. The dispatcher ` +
    "is not configured to be fault tolerant, so this could be caused by a dispatcher restart." });
  // The released client's iteration is collected by the next passes.
  clock.advance(20);
  await d.runMaintenance();
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, true);
});

test("a client of a garbage-collected iteration that is still acquired gets TF's FAILED_PRECONDITION", async () => {
  const { d, clock } = makeDispatcher({ jobGcTimeoutMs: 20 });
  await d.workerHeartbeat(heartbeat("w:1"));
  const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d), { name: "j" }));
  const a = (await d.getOrCreateIteration(iterationRequest(jobId))).iterationClientId;
  await d.releaseIterationClient(release(a));
  clock.advance(30);
  await healthy(d, "w:1");
  await d.runMaintenance();
  // An iterator that acquired the GC'd key earlier cannot exist (numClients was 0), but a client
  // acquiring it now gets a fresh iteration; the old id stays collected.
  const b = (await d.getOrCreateIteration(iterationRequest(jobId))).iterationClientId;
  assert.is(d.debugState.iterationForIterationClientId(b).id, 2001n);
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, true);
});

test("lost worker, OFF (deliberately unlike TF): its unfinished tasks finish so the iteration ends; its copy is dropped", async () => {
  const { d, clock } = makeDispatcher({ workerTimeoutMs: 1000 });
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.workerHeartbeat(heartbeat("w2:2"));
  const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d), { name: "j" }));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  clock.advance(600);
  await healthy(d, "w1:1");
  clock.advance(600); // w2 silent for 1200 ms > 1000
  await d.runMaintenance();
  assert.equal(d.missingWorkers(), ["w2:2"]);
  assert.is(d.debugState.taskFromId(4001n).finished, true);
  assert.is(d.debugState.iterationFromId(2000n).finished, false); // w1 still reading its copy
  await d.workerUpdate(completed("w1:1", 4000n));
  assert.is((await d.clientHeartbeat(clientHeartbeat(iterationClientId))).iterationFinished, true);
  // TF would wait forever for w2's task here.
});

test("lost worker: new iterations skip it; when it comes back it joins those, not the ones whose copy was dropped", async () => {
  const { d, clock } = makeDispatcher({ workerTimeoutMs: 1000 });
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.workerHeartbeat(heartbeat("w2:2"));
  const id = await dataset(d);
  const j1 = (await d.getOrCreateJob(jobRequest(id, { name: "before" }))).jobId;
  await d.getOrCreateIteration(iterationRequest(j1)); // 2000: tasks 4000 (w1), 4001 (w2)
  clock.advance(1500);
  await healthy(d, "w1:1");
  await d.runMaintenance(); // w2 lost: 4001 finished
  const j2 = (await d.getOrCreateJob(jobRequest(id, { name: "during" }))).jobId;
  await d.getOrCreateIteration(iterationRequest(j2)); // 2001: only w1 -> 4002
  assert.equal(d.debugState.tasksForIteration(2001n).map((t) => t.workerAddress), ["w1:1"]);
  // w2 restarts (same address, holding nothing).
  const hb = await d.workerHeartbeat(heartbeat("w2:2"));
  assert.equal(hb.newTasks.map((t) => [t.taskId, t.iterationId]), [[4003n, 2001n]]);
  assert.equal(d.missingWorkers(), []);
  assert.equal(d.debugState.tasksForIteration(2000n).map((t) => [t.id, t.finished]), [[4000n, false], [4001n, true]]);
});

test("lost worker, DYNAMIC: its task finishes; the others drain the splits and the iteration ends (at-most-once)", async () => {
  const { d, clock } = makeDispatcher({ workerTimeoutMs: 1000 });
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.workerHeartbeat(heartbeat("w2:2"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(10) }));
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "d", policy: ShardingPolicy.DYNAMIC }));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  // w2 took two splits, then died with them.
  await d.getSplit({ iterationId: 2000n, repetition: 0n, splitProviderIndex: 0n } as never);
  await d.getSplit({ iterationId: 2000n, repetition: 0n, splitProviderIndex: 0n } as never);
  clock.advance(1500);
  await healthy(d, "w1:1");
  await d.runMaintenance();
  assert.is(d.debugState.taskFromId(4001n).finished, true);
  assert.equal(await drainSplits(d, 2000n), [2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
  await d.workerUpdate(completed("w1:1", 4000n));
  assert.is((await d.clientHeartbeat(clientHeartbeat(iterationClientId))).iterationFinished, true);
});

test("lost-worker task completions are journaled: after a restart the iteration is still finished", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir, { workerTimeoutMs: 1000 });
  await first.d.workerHeartbeat(heartbeat("w1:1"));
  const { jobId } = await first.d.getOrCreateJob(jobRequest(await dataset(first.d)));
  await first.d.getOrCreateIteration(iterationRequest(jobId));
  first.clock.advance(2000);
  await first.d.runMaintenance();
  assert.is(first.d.debugState.iterationFromId(2000n).finished, true);
  await first.d.stop();
  const second = await makeStoredDispatcher(workDir, { workerTimeoutMs: 1000 }, { clock: first.clock, workers: first.workers });
  assert.is(second.d.debugState.iterationFromId(2000n).finished, true);
});

test("a worker that died with a fault-tolerant dispatcher is still detected as lost after the restart (TF forgets it)", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir, { workerTimeoutMs: 1000 });
  await first.d.workerHeartbeat(heartbeat("w1:1"));
  const { jobId } = await first.d.getOrCreateJob(jobRequest(await dataset(first.d)));
  await first.d.getOrCreateIteration(iterationRequest(jobId));
  await first.d.stop();
  const second = await makeStoredDispatcher(workDir, { workerTimeoutMs: 1000 }, { clock: first.clock, workers: first.workers });
  first.clock.advance(900);
  await second.d.runMaintenance();
  assert.equal(second.d.missingWorkers(), []);
  first.clock.advance(200);
  await second.d.runMaintenance();
  assert.equal(second.d.missingWorkers(), ["w1:1"]);
  assert.is(second.d.debugState.iterationFromId(2000n).finished, true);
});

test("every interval is configurable: with real timers in milliseconds, a silent client is released, its iteration collected, a silent worker lost", async () => {
  const server = new DispatchServer({
    host: "127.0.0.1", jobGcCheckIntervalMs: 10, jobGcTimeoutMs: 20, clientTimeoutMs: 30, workerTimeoutMs: 300,
  });
  await server.start();
  try {
    const d = server.dispatcher;
    const { jobId } = await d.getOrCreateJob(jobRequest(await dataset(d), { name: "j" }));
    await d.workerHeartbeat(heartbeat("w1:1"));
    await d.workerHeartbeat(heartbeat("w2:2"));
    const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
    await d.clientHeartbeat(clientHeartbeat(iterationClientId));
    const deadline = Date.now() + 5000;
    // w1 keeps heartbeating; the client and w2 go silent.
    while (Date.now() < deadline && !(d.debugState.iterationFromId(2000n).garbageCollected || d.missingWorkers().length > 0)) {
      await healthy(d, "w1:1");
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.is(d.debugState.hasIterationClient(iterationClientId), false, "client released");
    // Client release (30 ms) + GC (20 ms) beats the worker timeout (300 ms): collected, not finished by loss.
    assert.is(d.debugState.iterationFromId(2000n).garbageCollected, true);
    while (Date.now() < deadline && d.missingWorkers().length === 0) {
      await healthy(d, "w1:1");
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(d.missingWorkers(), ["w2:2"]);
  } finally {
    await server.stop();
  }
});

test.run();
