// The fault-tolerant dispatcher: every state change is journaled (TFRecord `journal_<N>` files
// under <workDir>/tf_data_dispatcher_journal) before its RPC answers, a restart with the same
// workDir replays everything, writes to a new journal file, and corruption is DATA_LOSS. Dataset
// graphs live in <workDir>/datasets/<id>. Several cases port the dispatcher half of TF's
// tensorflow/python/data/experimental/kernel_tests/service/fault_tolerance_test.py: there TF
// restarts its dispatcher mid-read; here the restart happens between the same RPCs a worker and a
// client would make, and the state the next RPC sees is checked exactly.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Dataset } from "../../../src/dataset/index.js";
import {
  DisableCompressionAtRuntimeRequestSchema,
  ReleaseIterationClientRequestSchema,
} from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import type { Dispatcher } from "../../../src/service/dispatcher/dispatcher.js";
import type { DispatcherState } from "../../../src/service/dispatcher/state.js";
import { setPlatform } from "../../../src/service/platform.js";
import {
  clientHeartbeat,
  completed,
  Compression,
  drainSplits,
  heartbeat,
  iterationRequest,
  jobRequest,
  makeStoredDispatcher,
  registerRequest,
  rejection,
  removeTmpDirs,
  rrHeartbeat,
  ShardingPolicy,
  splitRequest,
  splitValue,
  stopDispatchers,
  tmpWorkDir,
} from "./fixtures.js";

setPlatform(nodePlatform);
test.after.each(async () => {
  await stopDispatchers();
  removeTmpDirs();
});

const JOURNAL = "tf_data_dispatcher_journal";
const release = (iterationClientId: bigint) => create(ReleaseIterationClientRequestSchema, { iterationClientId });

/** Everything a restart must restore, as plain data. */
function snapshot(s: DispatcherState) {
  return {
    next: [s.nextAvailableDatasetId(), s.nextAvailableJobId(), s.nextAvailableIterationId(),
      s.nextAvailableIterationClientId(), s.nextAvailableTaskId()],
    workers: s.listWorkers().map((w) => [w.address, [...w.tags]]),
    iterations: s.listIterations().map((it) => ({
      id: it.id, job: [it.job.id, it.job.name, it.job.datasetId, it.job.shardingPolicy, it.job.numConsumers],
      repetition: it.repetition, clients: it.numClients, finished: it.finished, gc: it.garbageCollected,
      released: it.lastClientReleasedMicros, cursor: it.distributedEpochState,
      tasks: s.tasksForIteration(it.id).map((t) => [t.id, t.workerAddress, t.finished, t.startingRound]),
      pending: it.pendingTasks.map((p) => [p.task.id, p.targetRound, [...p.readyConsumers], p.failures]),
    })),
    clients: [3000n, 3001n, 3002n, 3003n, 3004n, 3005n, 3006n].map((c) => s.hasIterationClient(c)),
    compression: ["1000", "1001", "ds"].map((id) => s.compressionDisabledAtRuntime(id)),
    byWorker: ["w1:1", "w2:2", "w3:3"].map((a) => s.tasksForWorker(a)?.map((t) => t.id)),
  };
}

/** Builds a state with every kind of update: datasets, workers, jobs of each kind, splits, RR, GC. */
async function richState(d: Dispatcher) {
  await d.workerHeartbeat(heartbeat("w1:1", [], ["A"]));
  await d.workerHeartbeat(heartbeat("w2:2"));
  const a = (await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(10), compression: Compression.SNAPPY }))).datasetId;
  const b = (await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(5) }))).datasetId;
  await d.getOrRegisterDataset(registerRequest({ id: "ds", dataset: Dataset.range(3), compression: Compression.SNAPPY }));
  await d.disableCompressionAtRuntime(create(DisableCompressionAtRuntimeRequestSchema, { datasetId: a, disableCompressionAtRuntime: true }));
  // OFF job, one task finished, one client released.
  const off = (await d.getOrCreateJob(jobRequest(a, { name: "off" }))).jobId;
  const c0 = (await d.getOrCreateIteration(iterationRequest(off))).iterationClientId;
  await d.workerUpdate(completed("w1:1", 4000n));
  await d.releaseIterationClient(release(c0));
  // DYNAMIC job with some splits handed out.
  const dyn = (await d.getOrCreateJob(jobRequest(b, { name: "dyn", policy: ShardingPolicy.DYNAMIC }))).jobId;
  const c1 = (await d.getOrCreateIteration(iterationRequest(dyn))).iterationClientId;
  for (let i = 0; i < 3; i++) await d.getSplit(splitRequest(2001n));
  // Round-robin job; a third worker joins and gets a pending task, accepted by one consumer.
  const rr = (await d.getOrCreateJob(jobRequest(b, { name: "rr", numConsumers: 2n }))).jobId;
  const c2 = (await d.getOrCreateIteration(iterationRequest(rr))).iterationClientId;
  const c3 = (await d.getOrCreateIteration(iterationRequest(rr))).iterationClientId;
  await d.workerHeartbeat(heartbeat("w3:3"));
  await d.clientHeartbeat(rrHeartbeat(c2, 0n, 1n));
  // An anonymous job, garbage collected (journaled, unlike TF).
  const anon = (await d.getOrCreateJob(jobRequest(b))).jobId;
  const c4 = (await d.getOrCreateIteration(iterationRequest(anon))).iterationClientId;
  return { a, b, off, dyn, rr, c1, c2, c3, c4 };
}

test("a fault-tolerant restart restores ids, datasets, workers, jobs, iterations, tasks, clients, split cursors, pending tasks and compression decisions", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir, { jobGcTimeoutMs: 1000 });
  const ids = await richState(first.d);
  await first.d.releaseIterationClient(release(ids.c4));
  first.clock.advance(2000);
  for (const w of ["w1:1", "w2:2", "w3:3"]) await first.d.workerHeartbeat(heartbeat(w, (first.d.debugState.tasksForWorker(w) ?? []).map((t) => t.id)));
  await first.d.runMaintenance();
  const before = snapshot(first.d.debugState);
  assert.is(before.iterations.find((it) => it.job[0] === ids.rr)?.pending.length, 1);
  assert.ok(before.iterations.some((it) => it.gc), "an iteration was garbage collected");
  assert.equal(before.iterations.find((it) => it.job[0] === ids.dyn)?.cursor, { repetitions: [0n], indices: [3n] });
  assert.is(first.d.journalFile, `${JOURNAL}/journal_0`);
  await first.d.stop();

  const second = await makeStoredDispatcher(workDir, { jobGcTimeoutMs: 1000 }, { clock: first.clock, workers: first.workers });
  assert.equal(snapshot(second.d.debugState), before);
  assert.is(second.d.journalFile, `${JOURNAL}/journal_1`);
  assert.equal(readdirSync(join(workDir, JOURNAL)), ["journal_0", "journal_1"]);
  // The restored state keeps working: the split cursor continues, ids continue, clients continue.
  assert.equal(await drainSplits(second.d, 2001n), [3n, 4n]);
  assert.is((await second.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(1) }))).datasetId, "1002");
  assert.is((await second.d.clientHeartbeat(clientHeartbeat(ids.c1))).iterationFinished, false);
  await second.d.stop();
  // And a third start replays both files.
  const third = await makeStoredDispatcher(workDir, {}, { clock: first.clock, workers: first.workers });
  assert.is(third.d.debugState.hasDataset("1002"), true);
  assert.equal(third.d.debugState.iterationFromId(2001n).distributedEpochState, { repetitions: [1n], indices: [0n] });
  assert.is(third.d.journalFile, `${JOURNAL}/journal_2`);
});

test("every mutation is journaled (fsync'd) before its RPC answers: the journal grows with each RPC", async () => {
  const workDir = tmpWorkDir();
  const { d } = await makeStoredDispatcher(workDir);
  const file = join(workDir, JOURNAL, "journal_0");
  const size = () => readFileSync(file).length;
  assert.is(size(), 0);
  await d.workerHeartbeat(heartbeat("w1:1"));
  const s1 = size();
  assert.ok(s1 > 0);
  await d.workerHeartbeat(heartbeat("w1:1")); // no change, nothing journaled
  assert.is(size(), s1);
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(4) }));
  const s2 = size();
  assert.ok(s2 > s1);
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { policy: ShardingPolicy.DYNAMIC }));
  await d.getOrCreateIteration(iterationRequest(jobId));
  const s3 = size();
  await d.getSplit(splitRequest(2000n));
  assert.ok(size() > s3, "each split is journaled before it is returned");
});

test("graphs are stored as <workDir>/datasets/<id> (one TFRecord); TaskDefs carry that path, GetDatasetDef reads it", async () => {
  const workDir = tmpWorkDir();
  const { d, workers } = await makeStoredDispatcher(workDir, { faultTolerantMode: false });
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(4) }));
  assert.ok(existsSync(join(workDir, "datasets", datasetId)));
  assert.is(existsSync(join(workDir, JOURNAL)), false, "no journal without faultTolerantMode");
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId));
  await d.getOrCreateIteration(iterationRequest(jobId));
  assert.equal(workers.pushed[0].dataset, { case: "path", value: join(workDir, "datasets", datasetId) });
  const def = (await d.getDatasetDef({ datasetId } as Parameters<Dispatcher["getDatasetDef"]>[0])).datasetDef;
  assert.equal(def?.graph?.node.map((n) => n.op), Dataset.range(4).toGraphDef().node.map((n) => n.op));
});

test("ports fault_tolerance_test.testDispatcherRestartDuringDistributedEpoch (dispatcher half): 50 splits, restart, the other 50, each exactly once", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir);
  await first.d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await first.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(100) }));
  const { jobId } = await first.d.getOrCreateJob(jobRequest(datasetId, { policy: ShardingPolicy.DYNAMIC }));
  const { iterationClientId } = await first.d.getOrCreateIteration(iterationRequest(jobId));
  const got: bigint[] = [];
  for (let i = 0; i < 50; i++) got.push(splitValue(await first.d.getSplit(splitRequest(2000n))) as bigint);
  await first.d.stop();
  const second = await makeStoredDispatcher(workDir, {}, { clock: first.clock, workers: first.workers });
  got.push(...await drainSplits(second.d, 2000n));
  assert.equal(got, Array.from({ length: 100 }, (_, i) => BigInt(i)));
  // The worker finishes; the restored client sees the end.
  await second.d.workerUpdate(completed("w1:1", 4000n));
  assert.is((await second.d.clientHeartbeat(clientHeartbeat(iterationClientId))).iterationFinished, true);
});

test("ports fault_tolerance_test.testDispatcherRestartDuringDistributedEpochRepeat (dispatcher half): restarts at 50, 250, 450, 500 of range(100) x 5", async () => {
  const workDir = tmpWorkDir();
  let ctx = await makeStoredDispatcher(workDir);
  await ctx.d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await ctx.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(100).repeat(5) }));
  const { jobId } = await ctx.d.getOrCreateJob(jobRequest(datasetId, { policy: ShardingPolicy.DYNAMIC }));
  await ctx.d.getOrCreateIteration(iterationRequest(jobId));
  const got: bigint[] = [];
  let repetition = 0n;
  for (const breakpoint of [50, 250, 450, 500]) {
    while (got.length < breakpoint) {
      const v = splitValue(await ctx.d.getSplit(splitRequest(2000n, repetition)));
      if (v === "EOS") repetition++; // the worker's repeat() resets its provider
      else got.push(v);
    }
    await ctx.d.stop();
    ctx = await makeStoredDispatcher(workDir, {}, { clock: ctx.clock, workers: ctx.workers });
  }
  const expected = Array.from({ length: 5 }, () => Array.from({ length: 100 }, (_, i) => BigInt(i))).flat();
  assert.equal(got, expected);
  assert.equal(readdirSync(join(workDir, JOURNAL)).length, 5);
});

test("ports fault_tolerance_test.testDispatcherManyRestarts / testDispatcherRestartBetweenIterations (dispatcher half): datasets and jobs survive every restart", async () => {
  const workDir = tmpWorkDir();
  let ctx = await makeStoredDispatcher(workDir);
  await ctx.d.workerHeartbeat(heartbeat("w1:1"));
  const ids: string[] = [];
  for (let n = 10; n < 15; n++) {
    ids.push((await ctx.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(n) }))).datasetId);
    await ctx.d.stop();
    ctx = await makeStoredDispatcher(workDir, {}, { clock: ctx.clock, workers: ctx.workers });
  }
  assert.equal(ids, ["1000", "1001", "1002", "1003", "1004"]);
  for (const id of ids) {
    const { jobId } = await ctx.d.getOrCreateJob(jobRequest(id, { name: `job-${id}` }));
    await ctx.d.getOrCreateIteration(iterationRequest(jobId));
  }
  await ctx.d.stop();
  ctx = await makeStoredDispatcher(workDir, {}, { clock: ctx.clock, workers: ctx.workers });
  // The worker heartbeats after the restart holding nothing: it gets every task back.
  const hb = await ctx.d.workerHeartbeat(heartbeat("w1:1"));
  assert.equal(hb.newTasks.map((t) => [t.taskId, t.datasetId]), ids.map((id, i) => [4000n + BigInt(i), id]));
});

test("ports fault_tolerance_test.testDispatcherAndWorkerRestart (dispatcher half): a worker restarted with the same address gets its tasks again", async () => {
  const workDir = tmpWorkDir();
  let ctx = await makeStoredDispatcher(workDir);
  await ctx.d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await ctx.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(100) }));
  const { jobId } = await ctx.d.getOrCreateJob(jobRequest(datasetId));
  const { iterationClientId } = await ctx.d.getOrCreateIteration(iterationRequest(jobId));
  await ctx.d.stop();
  ctx = await makeStoredDispatcher(workDir, {}, { clock: ctx.clock, workers: ctx.workers });
  assert.equal((await ctx.d.workerHeartbeat(heartbeat("w1:1", []))).newTasks.map((t) => t.taskId), [4000n]);
  assert.equal((await ctx.d.clientHeartbeat(clientHeartbeat(iterationClientId))).taskInfo.map((t) => t.taskId), [4000n]);
});

test("fault-tolerant mode: an unknown client is a plain NOT_FOUND (TF); without it, the message mentions restarts", async () => {
  const { d } = await makeStoredDispatcher(tmpWorkDir());
  assert.equal(await rejection(d.clientHeartbeat(clientHeartbeat(3999n))), {
    code: "NotFound", message: "Iteration client id not found: 3999",
  });
});

test("restored clients get a fresh heartbeat time: not released before clientTimeoutMs after the restart", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir, { clientTimeoutMs: 1000, jobGcTimeoutMs: 100_000, workerTimeoutMs: 100_000 });
  await first.d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await first.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(3) }));
  const { jobId } = await first.d.getOrCreateJob(jobRequest(datasetId));
  const { iterationClientId } = await first.d.getOrCreateIteration(iterationRequest(jobId));
  await first.d.clientHeartbeat(clientHeartbeat(iterationClientId));
  await first.d.stop();
  first.clock.advance(10_000); // the dispatcher was down for a while
  const second = await makeStoredDispatcher(workDir, { clientTimeoutMs: 1000, jobGcTimeoutMs: 100_000, workerTimeoutMs: 100_000 },
    { clock: first.clock, workers: first.workers });
  first.clock.advance(900);
  await second.d.runMaintenance();
  assert.is(second.d.debugState.hasIterationClient(iterationClientId), true);
  first.clock.advance(200);
  await second.d.runMaintenance();
  assert.is(second.d.debugState.hasIterationClient(iterationClientId), false);
});

test("a journal record with a bad checksum makes start fail with DATA_LOSS naming the file; the server does not stay bound", async () => {
  const workDir = tmpWorkDir();
  const { d } = await makeStoredDispatcher(workDir);
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(4) }));
  await d.stop();
  const file = join(workDir, JOURNAL, "journal_0");
  const bytes = readFileSync(file);
  bytes[bytes.length - 6] ^= 0xff; // inside the last record's data
  writeFileSync(file, bytes);
  const server = new DispatchServer({ host: "127.0.0.1", workDir, faultTolerantMode: true }, false);
  try {
    await server.start();
    assert.unreachable("start should fail");
  } catch (err) {
    assert.is((err as { code: string }).code, "DataLoss");
    assert.match((err as Error).message, `${file} is corrupted: the data checksum of the record at byte`);
  }
  assert.throws(() => server.target, /not bound yet/);
  await server.stop();
});

test("a journal record that is not an Update is DATA_LOSS", async () => {
  const workDir = tmpWorkDir();
  const { d } = await makeStoredDispatcher(workDir);
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.stop();
  const { encodeRecord } = await import("../../../src/service/dispatcher/tfrecord.js");
  appendFileSync(join(workDir, JOURNAL, "journal_0"), encodeRecord(new Uint8Array([0xff, 0xff, 0xff])));
  const err = await rejection(makeStoredDispatcher(workDir));
  assert.is(err.code, "DataLoss");
  assert.match(err.message, "record 1 (at byte");
  assert.match(err.message, "is not a serialized tensorflow.data.Update");
});

test("a torn final record (an append cut by a crash, never acknowledged) is skipped with a log line", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir);
  await first.d.workerHeartbeat(heartbeat("w1:1"));
  await first.d.stop();
  appendFileSync(join(workDir, JOURNAL, "journal_0"), new Uint8Array([7, 0, 0, 0, 0, 0])); // half a header
  const log: string[] = [];
  const second = await makeStoredDispatcher(workDir, {}, { log });
  assert.is(second.d.numWorkers(), 1);
  assert.ok(log.some((l) => l.includes("journal_0 ends in an incomplete record")), log.join("\n"));
  await second.d.workerHeartbeat(heartbeat("w2:2"));
  await second.d.stop();
  // journal_0 still ends torn; journal_1 continues after it: a third start reads both.
  const third = await makeStoredDispatcher(workDir);
  assert.is(third.d.numWorkers(), 2);
});

test("without faultTolerantMode nothing survives a restart (TF), and re-registered ids overwrite old dataset files", async () => {
  const workDir = tmpWorkDir();
  const first = await makeStoredDispatcher(workDir, { faultTolerantMode: false });
  await first.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(4) }));
  await first.d.stop();
  const second = await makeStoredDispatcher(workDir, { faultTolerantMode: false });
  assert.is(second.d.debugState.hasDataset("1000"), false);
  await second.d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(9) }));
  const def = (await second.d.getDatasetDef({ datasetId: "1000" } as Parameters<Dispatcher["getDatasetDef"]>[0])).datasetDef;
  const rangeConsts = def?.graph?.node.filter((n) => n.op === "Const").length;
  assert.is(rangeConsts, 3);
  assert.equal(readdirSync(join(workDir, "datasets")), ["1000"]);
});

test("DispatchServer: fault tolerance through a real server, and RPCs during replay are UNAVAILABLE", async () => {
  const workDir = tmpWorkDir();
  const config = { host: "127.0.0.1", workDir, faultTolerantMode: true } as const;
  const a = new DispatchServer(config);
  await a.start();
  await a.dispatcher.workerHeartbeat(heartbeat("w1:1"));
  await a.dispatcher.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(3) }));
  await a.stop();
  const b = new DispatchServer(config, false);
  const started = b.start();
  assert.equal((await rejection(b.dispatcher.getWorkers())).message, "Dispatcher has not started yet.");
  await started;
  assert.is(b.numWorkers(), 1);
  assert.is(b.dispatcher.debugState.hasDataset("1000"), true);
  await b.stop();
});

test.run();
