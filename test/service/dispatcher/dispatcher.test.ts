// The dispatcher's semantics, in process: ids, datasets, named jobs, iterations, tasks, late
// workers, completion, compression decisions, maintenance, and validation that leaves state intact.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import {
  DisableCompressionAtRuntimeRequestSchema,
  GetDataServiceMetadataRequestSchema,
  GetDatasetDefRequestSchema,
  ReleaseIterationClientRequestSchema,
  WorkerUpdateRequestSchema,
} from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { StructuredValueSchema } from "../../../src/gen/tensorflow/core/protobuf/struct_pb.js";
import {
  clientHeartbeat,
  completed,
  Compression,
  heartbeat,
  iterationRequest,
  jobRequest,
  makeDispatcher,
  registerRequest,
  rejection,
  ShardingPolicy,
  stopDispatchers,
  TargetWorkers,
} from "./fixtures.js";

test.after.each(stopDispatchers);

test("GetVersion answers 9", () => {
  const { d } = makeDispatcher();
  assert.is(d.getVersion().version, 9n);
});

test("dataset ids count from 1000, requested ids are reused and skipped by the counter", async () => {
  const { d } = makeDispatcher();
  assert.is((await d.getOrRegisterDataset(registerRequest())).datasetId, "1000");
  // No content dedupe: the same graph registers again under a new id (current TF).
  assert.is((await d.getOrRegisterDataset(registerRequest())).datasetId, "1001");
  assert.is((await d.getOrRegisterDataset(registerRequest({ id: "1002" }))).datasetId, "1002");
  assert.is((await d.getOrRegisterDataset(registerRequest({ id: "1002" }))).datasetId, "1002");
  assert.is((await d.getOrRegisterDataset(registerRequest())).datasetId, "1003");
  assert.is((await d.getOrRegisterDataset(registerRequest({ id: "my-ds" }))).datasetId, "my-ds");
});

test("registered graphs are stored with devices cleared and hash tables shared by name", async () => {
  const { d } = makeDispatcher();
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const def = (await d.getDatasetDef(create(GetDatasetDefRequestSchema, { datasetId }))).datasetDef;
  assert.ok(def?.graph);
  assert.equal(def.graph.node.map((n) => n.device), ["", "", ""]);
  const table = def.graph.node.find((n) => n.op === "HashTableV2");
  assert.equal(table?.attr["use_node_name_sharing"]?.value, { case: "b", value: true });
  assert.is(def.graph.node.find((n) => n.op === "RangeDataset")?.attr["use_node_name_sharing"], undefined);
});

test("re-registering a requested id with different metadata fails with TF's message and changes nothing", async () => {
  const { d } = makeDispatcher();
  await d.getOrRegisterDataset(registerRequest({ id: "ds", cardinality: 10n }));
  const err = await rejection(d.getOrRegisterDataset(registerRequest({ id: "ds", cardinality: -1n })));
  assert.is(err.code, "InvalidArgument");
  assert.match(err.message, "Datasets with the same ID should have the same structure");
  assert.match(err.message, "cardinality: 10 -> -1");
  const spec = (v: string) => toBinary(StructuredValueSchema, create(StructuredValueSchema, { kind: { case: "stringValue", value: v } }));
  await d.getOrRegisterDataset(registerRequest({ id: "spec", spec: spec("a") }));
  assert.is((await d.getOrRegisterDataset(registerRequest({ id: "spec", spec: spec("a") }))).datasetId, "spec");
  const err2 = await rejection(d.getOrRegisterDataset(registerRequest({ id: "spec", spec: spec("b") })));
  assert.match(err2.message, "different element_spec");
  const meta = await d.getDataServiceMetadata(create(GetDataServiceMetadataRequestSchema, { datasetId: "ds" }));
  assert.is(meta.metadata?.cardinality, 10n);
  assert.is(d.debugState.nextAvailableDatasetId(), "1000");
});

test("any cardinality is stored as TF does (TF's client sends -19 for range(20).shard(SHARD_HINT, SHARD_HINT))", async () => {
  const { d } = makeDispatcher();
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ cardinality: -19n }));
  const meta = await d.getDataServiceMetadata(create(GetDataServiceMetadataRequestSchema, { datasetId }));
  assert.is(meta.metadata?.cardinality, -19n);
});

test("invalid registrations are refused before any state changes", async () => {
  const { d } = makeDispatcher();
  const noGraph = registerRequest();
  noGraph.dataset = undefined;
  assert.is((await rejection(d.getOrRegisterDataset(noGraph))).code, "InvalidArgument");
  const emptyGraph = registerRequest();
  emptyGraph.dataset!.graph!.node = [];
  assert.match((await rejection(d.getOrRegisterDataset(emptyGraph))).message, "has no nodes");
  for (const id of ["", "a/b", "..", "x\u0001", "z".repeat(300)]) {
    assert.is((await rejection(d.getOrRegisterDataset(registerRequest({ id })))).code, "InvalidArgument", id);
  }
  const badCompression = registerRequest();
  badCompression.metadata!.compression = 17 as Compression;
  assert.match((await rejection(d.getOrRegisterDataset(badCompression))).message, "not a Compression value");
  assert.is(d.debugState.nextAvailableDatasetId(), "1000");
  assert.is(d.debugState.hasDataset("1000"), false);
});

test("jobs: ids from 5000, named jobs shared, anonymous jobs never shared", async () => {
  const { d } = makeDispatcher();
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const a = await d.getOrCreateJob(jobRequest(datasetId, { name: "shared" }));
  const b = await d.getOrCreateJob(jobRequest(datasetId, { name: "shared" }));
  const c = await d.getOrCreateJob(jobRequest(datasetId));
  const e = await d.getOrCreateJob(jobRequest(datasetId));
  assert.is(a.jobId, 5000n);
  assert.is(b.jobId, 5000n);
  assert.is(c.jobId, 5001n);
  assert.is(e.jobId, 5002n);
  assert.match(d.debugState.jobFromId(5001n).name, /^anonymous_job_5001_\d+$/);
});

test("a named job with different parameters is refused with TF's message", async () => {
  const { d } = makeDispatcher();
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  const err = await rejection(d.getOrCreateJob(jobRequest(datasetId, {
    name: "j", policy: ShardingPolicy.DYNAMIC, cache: true, target: TargetWorkers.LOCAL,
  })));
  assert.is(err.code, "InvalidArgument");
  assert.is(err.message, "Tried to create job with name j, but found an existing job with different parameters: " +
    "Existing processing mode: <>; got <sharding_policy: DYNAMIC>. " +
    "Existing cross-trainer cache: <disabled>; got <enabled>. " +
    "Existing target workers: <AUTO>; got <LOCAL>. ");
});

test("every processing mode, coordinated reads and the cross-trainer cache create jobs; impossible combinations are refused", async () => {
  const { d } = makeDispatcher();
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  assert.is((await d.getOrCreateJob(jobRequest(datasetId, { policy: ShardingPolicy.DYNAMIC }))).jobId, 5000n);
  assert.is(d.debugState.jobFromId(5000n).shardingPolicy, ShardingPolicy.DYNAMIC);
  // Static sharding needs DispatcherConfig.workerAddresses (TF would fail every task assignment later).
  for (const policy of [ShardingPolicy.FILE, ShardingPolicy.DATA, ShardingPolicy.FILE_OR_DATA, ShardingPolicy.HINT]) {
    const err = await rejection(d.getOrCreateJob(jobRequest(datasetId, { policy })));
    assert.is(err.code, "FailedPrecondition");
    assert.match(err.message, `Static sharding policy ${ShardingPolicy[policy]} needs a fixed worker list`);
  }
  assert.is((await d.getOrCreateJob(jobRequest(datasetId, { name: "rr", numConsumers: 2n }))).jobId, 5001n);
  assert.is(d.debugState.jobByName("rr")?.numConsumers, 2n);
  assert.is((await d.getOrCreateJob(jobRequest(datasetId, { name: "c", cache: true }))).jobId, 5002n);
  assert.is(d.debugState.jobByName("c")?.useCrossTrainerCache, true);
  assert.match((await rejection(d.getOrCreateJob(jobRequest(datasetId, { numConsumers: 2n })))).message,
    "num_consumers (coordinated reads) needs a job_name");
  assert.match((await rejection(d.getOrCreateJob(jobRequest(datasetId, { name: "x", numConsumers: 2n, cache: true })))).message,
    "cannot be combined with the cross-trainer cache");
  assert.match((await rejection(d.getOrCreateJob(jobRequest(datasetId, { name: "x", numConsumers: 2n, target: TargetWorkers.LOCAL })))).message,
    'target_workers="LOCAL"');
  assert.match((await rejection(d.getOrCreateJob(jobRequest(datasetId, { cache: true })))).message,
    "The cross-trainer cache needs a job_name");
  assert.is((await rejection(d.getOrCreateJob(jobRequest(datasetId, { policy: 9 as ShardingPolicy })))).code,
    "InvalidArgument");
  assert.is((await rejection(d.getOrCreateJob(jobRequest(datasetId, { numConsumers: 0n })))).code, "InvalidArgument");
  assert.is((await rejection(d.getOrCreateJob(jobRequest(datasetId, { name: "" })))).code, "InvalidArgument");
  assert.is((await rejection(d.getOrCreateJob(jobRequest("nope")))).code, "NotFound");
  assert.is((await rejection(d.getOrCreateJob(jobRequest("")))).code, "InvalidArgument");
  // Nothing was created by the refused calls.
  assert.is(d.debugState.nextAvailableJobId(), 5003n);
  assert.is(d.debugState.jobByName("x"), undefined);
});

test("iterations: ids from 2000, clients from 3000, tasks from 4000, one task per worker, pushed by ProcessTask", async () => {
  const { d, workers } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w1:1"));
  await d.workerHeartbeat(heartbeat("w2:2"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  const c1 = await d.getOrCreateIteration(iterationRequest(jobId, 0n));
  assert.is(c1.iterationClientId, 3000n);
  const it = d.debugState.iterationByKey("j", 0n);
  assert.is(it?.id, 2000n);
  assert.equal(d.debugState.tasksForIteration(2000n).map((t) => [t.id, t.workerAddress]), [[4000n, "w1:1"], [4001n, "w2:2"]]);
  assert.equal(workers.pushed.map((t) => [t.taskId, t.workerAddress, t.iterationId, t.datasetId]),
    [[4000n, "w1:1", 2000n, datasetId], [4001n, "w2:2", 2000n, datasetId]]);
  assert.is(workers.pushed[0].dataset.case, "datasetDef");
  assert.is(workers.pushed[0].processingModeDef?.shardingPolicy, ShardingPolicy.OFF);
  // Same key: joins the iteration, new client, no new tasks.
  const c2 = await d.getOrCreateIteration(iterationRequest(jobId, 0n));
  assert.is(c2.iterationClientId, 3001n);
  assert.is(d.debugState.iterationFromId(2000n).numClients, 2);
  assert.is(workers.pushed.length, 2);
  // Next repetition: a fresh iteration.
  await d.getOrCreateIteration(iterationRequest(jobId, 1n));
  assert.is(d.debugState.iterationByKey("j", 1n)?.id, 2001n);
  assert.equal(workers.pushed.slice(2).map((t) => t.taskId), [4002n, 4003n]);
});

test("unreachable workers are skipped when pushing tasks; other push errors fail the RPC", async () => {
  const { d, workers } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  workers.failWith.set("w1:1", Code.Unavailable);
  assert.is((await d.getOrCreateIteration(iterationRequest(jobId, 0n))).iterationClientId, 3000n);
  workers.failWith.set("w1:1", Code.Internal);
  const err = await rejection(d.getOrCreateIteration(iterationRequest(jobId, 1n)));
  assert.is(err.code, Code.Internal);
  assert.match(err.message, "Failed to submit task to worker w1:1");
  // The heartbeat repairs a missed push: the worker gets both tasks as new_tasks.
  const hb = await d.workerHeartbeat(heartbeat("w1:1"));
  assert.equal(hb.newTasks.map((t) => t.taskId), [4000n, 4001n]);
});

test("a worker registering later gets a task for every unfinished iteration", async () => {
  const { d } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  await d.getOrCreateIteration(iterationRequest(jobId, 0n)); // 2000, task 4000
  await d.getOrCreateIteration(iterationRequest(jobId, 1n)); // 2001, task 4001
  await d.workerUpdate(completed("w1:1", 4000n)); // iteration 2000 finishes
  assert.is(d.debugState.iterationFromId(2000n).finished, true);
  const hb = await d.workerHeartbeat(heartbeat("w2:2"));
  assert.equal(hb.newTasks.map((t) => [t.taskId, t.iterationId, t.workerAddress]), [[4002n, 2001n, "w2:2"]]);
  assert.equal(hb.tasksToDelete, []);
  // Late task extends the iteration: not finished until it finishes too.
  await d.workerUpdate(completed("w1:1", 4001n));
  assert.is(d.debugState.iterationFromId(2001n).finished, false);
  await d.workerUpdate(completed("w2:2", 4002n));
  assert.is(d.debugState.iterationFromId(2001n).finished, true);
  assert.is(d.numWorkers(), 2);
});

test("worker heartbeat: new_tasks are assigned tasks not held, tasks_to_delete are held tasks not assigned", async () => {
  const { d } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId));
  await d.getOrCreateIteration(iterationRequest(jobId));
  let hb = await d.workerHeartbeat(heartbeat("w1:1", [4000n, 999n]));
  assert.equal(hb.newTasks, []);
  assert.equal(hb.tasksToDelete, [999n]);
  await d.workerUpdate(completed("w1:1", 4000n));
  hb = await d.workerHeartbeat(heartbeat("w1:1", [4000n]));
  assert.equal(hb.tasksToDelete, [4000n]);
  // Metadata of a known worker is not updated by later heartbeats (TF).
  await d.workerHeartbeat(heartbeat("w1:1", [], ["NEW"]));
  assert.equal(d.debugState.worker("w1:1")?.tags, []);
});

test("WorkerUpdate with an unknown task skips that item and applies the others (TF #52252 fixed)", async () => {
  const { d } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId));
  await d.getOrCreateIteration(iterationRequest(jobId));
  await d.getOrCreateIteration(iterationRequest(jobId, 1n)); // another anonymous-job repetition: task 4001
  // TF fails the whole batch with NOT_FOUND "Task 4242 not found" and the worker retries forever.
  await d.workerUpdate(completed("w1:1", 4242n, 4000n));
  assert.is(d.debugState.taskFromId(4000n).finished, true);
  assert.is(d.debugState.taskFromId(4001n).finished, false);
  assert.is(d.debugState.hasTask(4242n), false);
  assert.is((await rejection(d.workerUpdate(create(WorkerUpdateRequestSchema, {
    updates: [{ taskId: -1n, completed: true }],
  })))).code, "InvalidArgument");
  // Duplicates are ignored.
  await d.workerUpdate(completed("w1:1", 4001n, 4001n));
  await d.workerUpdate(completed("w1:1", 4001n));
  assert.is(d.debugState.taskFromId(4001n).finished, true);
});

test("client heartbeat lists tasks and iteration_finished; unknown or released clients are NOT_FOUND", async () => {
  const { d } = makeDispatcher({ deploymentMode: "COLOCATED" });
  await d.workerHeartbeat(heartbeat("w1:1", [], ["COLOCATED"]));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  let res = await d.clientHeartbeat(clientHeartbeat(iterationClientId));
  assert.equal(res.taskInfo.map((t) => [t.taskId, t.workerAddress, t.iterationId, t.workerTags]),
    [[4000n, "w1:1", 2000n, ["COLOCATED"]]]);
  assert.is(res.taskInfo[0].transferServers[0].address, "w1:1");
  assert.is(res.iterationFinished, false);
  assert.is(res.deploymentMode, 1);
  await d.workerUpdate(completed("w1:1", 4000n));
  res = await d.clientHeartbeat(clientHeartbeat(iterationClientId));
  assert.is(res.iterationFinished, true);
  assert.equal(res.taskInfo.map((t) => t.taskId), [4000n]); // finished tasks stay listed
  await d.releaseIterationClient(create(ReleaseIterationClientRequestSchema, { iterationClientId }));
  const err = await rejection(d.clientHeartbeat(clientHeartbeat(iterationClientId)));
  assert.is(err.code, "NotFound");
  assert.match(err.message, "Unknown iteration client id 3000. The dispatcher is not configured to be fault tolerant");
  const rel = await rejection(d.releaseIterationClient(create(ReleaseIterationClientRequestSchema, { iterationClientId })));
  assert.is(rel.code, "NotFound");
  assert.is(rel.message, "Iteration client id not found: 3000");
  assert.is((await rejection(d.clientHeartbeat(clientHeartbeat(0n)))).code, "InvalidArgument");
});

test("GetOrCreateIteration validates job id and repetition", async () => {
  const { d } = makeDispatcher();
  assert.is((await rejection(d.getOrCreateIteration(iterationRequest(6000n)))).code, "NotFound");
  assert.is((await rejection(d.getOrCreateIteration(iterationRequest(6000n)))).message, "Job with id 6000 not found");
  assert.is((await rejection(d.getOrCreateIteration(iterationRequest(0n)))).code, "InvalidArgument");
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId));
  assert.is((await rejection(d.getOrCreateIteration(iterationRequest(jobId, -1n)))).code, "InvalidArgument");
  assert.is(d.debugState.nextAvailableIterationId(), 2000n);
  assert.is(d.debugState.nextAvailableIterationClientId(), 3000n);
});

test("compression decision: the first caller decides (SNAPPY, FORCED_SNAPPY); OFF has nothing to disable (TF 2.21)", async () => {
  const { d } = makeDispatcher();
  const snappy = (await d.getOrRegisterDataset(registerRequest({ compression: Compression.SNAPPY }))).datasetId;
  const off = (await d.getOrRegisterDataset(registerRequest({ compression: Compression.OFF }))).datasetId;
  const forced = (await d.getOrRegisterDataset(registerRequest({ compression: Compression.FORCED_SNAPPY }))).datasetId;
  const ask = (datasetId: string, disable: boolean) =>
    d.disableCompressionAtRuntime(create(DisableCompressionAtRuntimeRequestSchema, { datasetId, disableCompressionAtRuntime: disable }));
  assert.equal((await ask(snappy, true)).decision, { case: "compressionDisabledAtRuntime", value: true });
  assert.equal((await ask(snappy, false)).decision, { case: "compressionDisabledAtRuntime", value: true });
  assert.equal((await ask(off, true)).decision, { case: "noCompressionToDisable", value: true });
  // Checked against a TF 2.21 dispatcher: only COMPRESSION_OFF answers no_compression_to_disable.
  assert.equal((await ask(forced, false)).decision, { case: "compressionDisabledAtRuntime", value: false });
  assert.equal((await ask(forced, true)).decision, { case: "compressionDisabledAtRuntime", value: false });
  assert.is((await rejection(ask("nope", true))).code, "NotFound");
  assert.is((await rejection(ask("nope", true))).message, "Dataset id nope not found");
});

test("invalid worker heartbeats are refused and register nothing", async () => {
  const { d } = makeDispatcher();
  for (const address of ["", "noport", "host:0", "host:99999", "a b:1", "x".repeat(2000) + ":1"]) {
    assert.is((await rejection(d.workerHeartbeat(heartbeat(address)))).code, "InvalidArgument", address);
  }
  assert.is((await rejection(d.workerHeartbeat(heartbeat("w:1", [], [""])))).code, "InvalidArgument");
  assert.is((await rejection(d.workerHeartbeat(heartbeat("w:1", [], new Array(100).fill("t"))))).code, "InvalidArgument");
  assert.is(d.numWorkers(), 0);
  await d.workerHeartbeat(heartbeat("[::1]:5051"));
  assert.is(d.numWorkers(), 1);
});

test("maintenance releases silent clients and garbage-collects client-less iterations; GC'd keys are recreated", async () => {
  const { d, clock } = makeDispatcher({ jobGcTimeoutMs: 1000, clientTimeoutMs: 500, workerTimeoutMs: 60_000 });
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  // Never timed out before its first heartbeat.
  clock.advance(10_000);
  await d.runMaintenance();
  assert.is(d.debugState.hasIterationClient(iterationClientId), true);
  await d.clientHeartbeat(clientHeartbeat(iterationClientId));
  clock.advance(400);
  await d.runMaintenance();
  assert.is(d.debugState.hasIterationClient(iterationClientId), true);
  clock.advance(200);
  await d.runMaintenance();
  assert.is(d.debugState.hasIterationClient(iterationClientId), false);
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, false);
  clock.advance(1000);
  await d.runMaintenance();
  const it = d.debugState.iterationFromId(2000n);
  assert.is(it.garbageCollected, true);
  assert.is(it.finished, true);
  assert.equal(d.debugState.tasksForWorker("w1:1"), []);
  assert.equal(d.missingWorkers(), []); // silent for 11.6 s < 60 s
  // The same key creates a fresh iteration.
  const again = await d.getOrCreateIteration(iterationRequest(jobId, 0n));
  assert.is(d.debugState.iterationByKey("j", 0n)?.id, 2001n);
  const hb = await d.clientHeartbeat(clientHeartbeat(again.iterationClientId));
  assert.equal(hb.taskInfo.map((t) => t.taskId), [4001n]);
  const back = await d.workerHeartbeat(heartbeat("w1:1", [4000n]));
  assert.equal(back.tasksToDelete, [4000n]); // the collected iteration's task
});

test("GC waits for the last client's release; a worker still holding a GC'd task is told to delete it", async () => {
  const { d, clock } = makeDispatcher({ jobGcTimeoutMs: 1000 });
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  const a = await d.getOrCreateIteration(iterationRequest(jobId));
  const b = await d.getOrCreateIteration(iterationRequest(jobId));
  await d.releaseIterationClient(create(ReleaseIterationClientRequestSchema, { iterationClientId: a.iterationClientId }));
  clock.advance(1500);
  await d.runMaintenance();
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, false); // b still reads
  await d.clientHeartbeat(clientHeartbeat(b.iterationClientId));
  await d.releaseIterationClient(create(ReleaseIterationClientRequestSchema, { iterationClientId: b.iterationClientId }));
  clock.advance(999);
  await d.runMaintenance();
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, false);
  clock.advance(1);
  await d.runMaintenance();
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, true);
  const hb = await d.workerHeartbeat(heartbeat("w1:1", [4000n]));
  assert.equal(hb.tasksToDelete, [4000n]);
  assert.equal(hb.newTasks, []);
});

test("finished iterations are never garbage collected", async () => {
  const { d, clock } = makeDispatcher({ jobGcTimeoutMs: 1000 });
  await d.workerHeartbeat(heartbeat("w1:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest());
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "j" }));
  const a = await d.getOrCreateIteration(iterationRequest(jobId));
  await d.workerUpdate(completed("w1:1", 4000n));
  await d.releaseIterationClient(create(ReleaseIterationClientRequestSchema, { iterationClientId: a.iterationClientId }));
  clock.advance(5000);
  await d.runMaintenance();
  assert.is(d.debugState.iterationFromId(2000n).garbageCollected, false);
  // Re-reading a finished (name, repetition) joins the finished iteration: immediate end of input (TF).
  const again = await d.getOrCreateIteration(iterationRequest(jobId));
  assert.is((await d.clientHeartbeat(clientHeartbeat(again.iterationClientId))).iterationFinished, true);
});

test("stop() makes later RPCs UNAVAILABLE; before start() they are UNAVAILABLE too, except GetVersion", async () => {
  const { d } = makeDispatcher();
  d.stop();
  assert.is((await rejection(() => d.getWorkers())).code, "Unavailable");
  assert.is(d.getVersion().version, 9n);
});

test.run();
