// WorkerServer against a scriptable fake dispatcher: registration, the GetElement contract
// (codes, skip, end of sequence), completion reporting, heartbeat task changes, stop/join.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { WorkerService, type GetElementResponse } from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import { ProcessingModeDef_ShardingPolicy } from "../../../src/gen/tensorflow/core/protobuf/data_service_pb.js";
import { TfDataError } from "../../../src/core/errors.js";
import { WorkerConfig } from "../../../src/service/config.js";
import { toConnectError } from "../../../src/service/errors.js";
import { platform } from "../../../src/service/platform.js";
import { WorkerServer, type WorkerServerInternals } from "../../../src/service/worker/worker-server.js";
import { WorkerState } from "../../../src/service/worker/worker-state.js";
import { defaultPipelineDeps } from "../../../src/service/worker/task-pipeline.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { create } from "@bufbuild/protobuf";
import { FakeDispatcher, fakeDeps, fakeGraph, taskDef, waitFor } from "./fake-dispatcher.js";

const HEARTBEAT_MS = 50;

interface Fixture {
  dispatcher: FakeDispatcher;
  worker: WorkerServer;
  rpc: Client<typeof WorkerService>;
  log: { stripped: number; closed: number };
  warnings: string[];
}

async function setup(opts: { start?: boolean; internals?: WorkerServerInternals; tags?: string[] } = {}): Promise<Fixture> {
  const dispatcher = await new FakeDispatcher().start();
  const log = { stripped: 0, closed: 0 };
  const warnings: string[] = [];
  const worker = new WorkerServer(new WorkerConfig({
    dispatcherAddress: dispatcher.address,
    workerAddress: "127.0.0.1:%port%",
    host: "127.0.0.1",
    heartbeatIntervalMs: HEARTBEAT_MS,
    workerTags: opts.tags,
  }), false, { pipelineDeps: fakeDeps(log), warn: (m) => warnings.push(m), taskCompletionRetryMs: 50, ...opts.internals });
  if (opts.start !== false) await worker.start();
  const rpc = createClient(WorkerService, platform().createTransport(`127.0.0.1:${worker.port || 1}`, "grpc"));
  return { dispatcher, worker, rpc, log, warnings };
}

async function teardown(f: Fixture): Promise<void> {
  await f.worker.stop();
  await f.dispatcher.stop();
}

function value(res: GetElementResponse): bigint {
  assert.is(res.element.case, "uncompressed", "response carries an uncompressed element");
  const tensor = (res.element.value as { components: { tensorContent: Uint8Array }[] }).components[0];
  const c = tensor.tensorContent;
  return new BigInt64Array(c.buffer.slice(c.byteOffset, c.byteOffset + 8))[0];
}

async function rejectsWith(p: Promise<unknown>, code: Code, pattern: RegExp): Promise<ConnectError> {
  try {
    await p;
  } catch (err) {
    const ce = err instanceof TfDataError ? toConnectError(err) : ConnectError.from(err);
    assert.is(Code[ce.code], Code[code], `code of: ${ce.message}`);
    assert.match(ce.rawMessage, pattern);
    return ce;
  }
  throw new assert.Assertion({ message: `expected a ${Code[code]} rejection`, operator: "rejects", expects: code, actual: "resolved" });
}

test("start() binds, registers by heartbeat and advertises the bound port", async () => {
  const f = await setup({ tags: ["COLOCATED", "a"] });
  try {
    const expected = `127.0.0.1:${f.worker.port}`;
    assert.ok(f.worker.port > 0);
    assert.is(f.worker.address, expected);
    const hb = f.dispatcher.heartbeats[0];
    assert.is(hb.workerAddress, expected);
    // The mandatory gRPC entry first (what TF peers use), then our streaming extension.
    assert.equal(hb.transferServers.map((s) => [s.protocol, s.address]), [["grpc", expected], ["tfdata-stream", expected]]);
    assert.equal(hb.workerTags, ["COLOCATED", "a"]);
    assert.is(hb.workerUid, -1n);
    assert.equal(hb.currentTasks, []);
    await f.worker.start(); // idempotent
    assert.is(f.dispatcher.heartbeats.length >= 1, true);
    // The heartbeat loop keeps going at heartbeatIntervalMs.
    await waitFor(() => f.dispatcher.heartbeats.length >= 3, 2_000, "periodic heartbeats");
  } finally {
    await teardown(f);
  }
});

test("registration is retried while the dispatcher answers UNAVAILABLE", async () => {
  const dispatcher = await new FakeDispatcher().start();
  dispatcher.failHeartbeats = 3;
  const worker = new WorkerServer(new WorkerConfig({
    dispatcherAddress: dispatcher.address, workerAddress: "127.0.0.1:%port%", host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS,
  }), true, { warn: () => {} });
  try {
    await worker.start();
    assert.is(dispatcher.heartbeats.length, 4);
  } finally {
    await worker.stop();
    await dispatcher.stop();
  }
});

test("a dispatcher with another version makes start() fail naming both versions", async () => {
  const dispatcher = await new FakeDispatcher().start();
  dispatcher.version = 8n;
  const worker = new WorkerServer({ dispatcherAddress: dispatcher.address, host: "127.0.0.1" }, false);
  try {
    await rejectsWith(worker.start(), Code.FailedPrecondition, /running version 8, while the client is running version 9/);
    await rejectsWith(worker.join(), Code.FailedPrecondition, /Version mismatch/);
    assert.is(worker.port, 0, "the port is released");
    assert.is(dispatcher.heartbeats.length, 0, "no registration attempt");
  } finally {
    await worker.stop();
    await dispatcher.stop();
  }
});

test("before registration GetElement is UNAVAILABLE; stop() during start cancels it", async () => {
  // A dispatcher address nobody listens on: the worker binds but never registers.
  const probe = await new FakeDispatcher().start();
  const deadAddress = probe.address;
  await probe.stop();
  const warnings: string[] = [];
  const worker = new WorkerServer({ dispatcherAddress: deadAddress, host: "127.0.0.1", workerAddress: "127.0.0.1:%port%" }, false,
    { warn: (m) => warnings.push(m) });
  const starting = worker.start();
  starting.catch(() => {});
  try {
    await waitFor(() => worker.port > 0, 5_000, "bind");
    const rpc = createClient(WorkerService, platform().createTransport(`127.0.0.1:${worker.port}`, "grpc"));
    await rejectsWith(rpc.getElement({ taskId: 4000n }), Code.Unavailable, /^Worker has not yet registered with dispatcher\.$/);
    await waitFor(() => warnings.length > 0, 2_000, "a warning");
    assert.match(warnings[0], new RegExp(`Failed to reach the dispatcher at ${deadAddress}`));
    assert.is(warnings.length, 1, "repeated identical failures are logged once");
  } finally {
    await worker.stop();
  }
  await rejectsWith(starting, Code.Canceled, /shutting down|cancel/i);
  await worker.join();
  await rejectsWith(worker.start(), Code.FailedPrecondition, /stopped/);
});

test("a task end to end: idempotent ProcessTask, elements in order, sticky end of sequence, WorkerUpdate", async () => {
  const f = await setup();
  try {
    const def = taskDef({ taskId: 4000n, workerAddress: f.worker.address, graph: "range:5" });
    await f.rpc.processTask({ task: def });
    await f.rpc.processTask({ task: def });
    assert.is(f.worker.numTasks(), 1);
    const values: bigint[] = [];
    for (let i = 0; i < 5; i++) values.push(value(await f.rpc.getElement({ taskId: 4000n })));
    assert.equal(values, [0n, 1n, 2n, 3n, 4n]);
    const end = await f.rpc.getElement({ taskId: 4000n });
    assert.is(end.endOfSequence, true);
    assert.is(end.element.case, undefined);
    assert.is((await f.rpc.getElement({ taskId: 4000n, allowSkip: true })).endOfSequence, true);
    await waitFor(() => f.dispatcher.updates.length > 0, 2_000, "WorkerUpdate");
    const update = f.dispatcher.updates[0];
    assert.is(update.workerAddress, f.worker.address);
    assert.equal(update.updates.map((u) => [u.taskId, u.completed]), [[4000n, true]]);
    assert.is(f.log.closed, 1, "the pipeline was released at end of sequence");
    assert.is(f.dispatcher.compressionQueries[0], "1000", "asked DisableCompressionAtRuntime for the dataset");
    assert.is(f.log.stripped, 0);
    // The task stays listed until the dispatcher deletes it.
    await waitFor(() => f.dispatcher.heartbeats.some((h) => h.currentTasks.includes(4000n)), 2_000, "current_tasks");
    const tasks = await f.rpc.getWorkerTasks({});
    assert.equal(tasks.tasks.map((t) => [t.taskId, t.iterationId, t.workerAddress]), [[4000n, 2000n, f.worker.address]]);
  } finally {
    await teardown(f);
  }
});

test("elements reach Connect JSON clients as parsed messages", async () => {
  const f = await setup();
  try {
    const json = createClient(WorkerService, createConnectTransport({
      baseUrl: `http://127.0.0.1:${f.worker.port}`, httpVersion: "1.1", useBinaryFormat: false,
    }));
    await json.processTask({ task: taskDef({ taskId: 4003n, workerAddress: f.worker.address, graph: "range:2" }) });
    assert.is(value(await json.getElement({ taskId: 4003n })), 0n);
    assert.is(value(await f.rpc.getElement({ taskId: 4003n })), 1n, "binary clients get the raw field");
  } finally {
    await teardown(f);
  }
});

test("tasks_to_delete drops the task; later reads of it answer end of sequence", async () => {
  const f = await setup();
  try {
    await f.rpc.processTask({ task: taskDef({ taskId: 4001n, workerAddress: f.worker.address, graph: "range:100" }) });
    assert.is(value(await f.rpc.getElement({ taskId: 4001n })), 0n);
    f.dispatcher.tasksToDelete = [4001n];
    await waitFor(() => f.worker.numTasks() === 0, 2_000, "task deletion");
    const res = await f.rpc.getElement({ taskId: 4001n });
    assert.is(res.endOfSequence, true);
    assert.is(f.log.closed, 1, "the deleted task's pipeline was closed");
    assert.is(f.dispatcher.updates.length, 0, "a deleted task is not reported as completed");
  } finally {
    await teardown(f);
  }
});

test("allow_skip answers skip_task while nothing is prefetched, then the element", async () => {
  const f = await setup();
  try {
    await f.rpc.processTask({ task: taskDef({ taskId: 4002n, workerAddress: f.worker.address, graph: "range:3" }) });
    const first = await f.rpc.getElement({ taskId: 4002n, allowSkip: true });
    assert.is(first.skipTask, true);
    assert.is(first.element.case, undefined);
    await new Promise((r) => setTimeout(r, 20));
    const second = await f.rpc.getElement({ taskId: 4002n, allowSkip: true });
    assert.is(second.skipTask, false);
    assert.is(value(second), 0n);
  } finally {
    await teardown(f);
  }
});

test("GetElement error codes: unknown task, wrong worker address, unsupported mode and op", async () => {
  const f = await setup();
  try {
    await rejectsWith(f.rpc.getElement({ taskId: 4999n }), Code.Unavailable, /^Task 4999 not found$/);
    await f.rpc.processTask({ task: taskDef({ taskId: 4010n, workerAddress: "elsewhere:1" }) });
    await rejectsWith(f.rpc.getElement({ taskId: 4010n }), Code.Internal,
      new RegExp(`worker address elsewhere:1 does not match worker's address ${f.worker.address}`));
    await f.rpc.processTask({ task: taskDef({
      taskId: 4011n, workerAddress: f.worker.address,
      extra: { processingModeDef: { shardingPolicy: 99 as ProcessingModeDef_ShardingPolicy } },
    }) });
    await rejectsWith(f.rpc.getElement({ taskId: 4011n }), Code.Unimplemented, /does not know/);
    await f.rpc.processTask({ task: taskDef({
      taskId: 4012n, workerAddress: f.worker.address, extra: { optionalNumConsumers: { case: "numConsumers", value: 2n } },
    }) });
    // A round-robin task needs the consumer and round of each request (TF's RoundRobinTaskRunner).
    await rejectsWith(f.rpc.getElement({ taskId: 4012n }), Code.FailedPrecondition,
      /RoundRobinTaskRunner needs to know the consumer index and element index of each request/);
    await f.rpc.processTask({ task: taskDef({ taskId: 4013n, workerAddress: f.worker.address, graph: "unsupported:PyFunc" }) });
    await rejectsWith(f.rpc.getElement({ taskId: 4013n }), Code.Unimplemented, /PyFunc/);
    await rejectsWith(f.rpc.processTask({}), Code.InvalidArgument, /task must be set/);
    await rejectsWith(f.rpc.getSnapshotTaskProgresses({}), Code.Unimplemented, /GetSnapshotTaskProgresses/);
    // The worker still serves after all of that.
    await f.rpc.processTask({ task: taskDef({ taskId: 4014n, workerAddress: f.worker.address, graph: "range:2" }) });
    assert.is(value(await f.rpc.getElement({ taskId: 4014n })), 0n);
  } finally {
    await teardown(f);
  }
});

test("with the real graph + core: an unsupported op is UNIMPLEMENTED naming it; a range is served", async () => {
  const f = await setup({ internals: { pipelineDeps: defaultPipelineDeps } });
  try {
    const graph = create(GraphDefSchema, { node: [
      { name: "gen", op: "GeneratorDataset" },
      { name: "dataset", op: "_Retval", input: ["gen"], attr: { T: { value: { case: "type", value: 21 } } } },
    ] });
    await f.rpc.processTask({ task: taskDef({
      taskId: 4015n, workerAddress: f.worker.address, extra: { dataset: { case: "datasetDef", value: { graph } } },
    }) });
    await rejectsWith(f.rpc.getElement({ taskId: 4015n }), Code.Unimplemented, /Unsupported op 'GeneratorDataset' in node 'gen'/);
    await f.rpc.processTask({ task: taskDef({
      taskId: 4016n, workerAddress: f.worker.address,
      extra: { dataset: { case: "datasetDef", value: { graph: Dataset.range(3).toGraphDef() } } },
    }) });
    const values = [];
    for (let i = 0; i < 3; i++) values.push(value(await f.rpc.getElement({ taskId: 4016n })));
    assert.equal(values, [0n, 1n, 2n]);
    assert.is((await f.rpc.getElement({ taskId: 4016n })).endOfSequence, true);
  } finally {
    await teardown(f);
  }
});

test("a pipeline error reaches the client and stays", async () => {
  const f = await setup();
  try {
    await f.rpc.processTask({ task: taskDef({ taskId: 4020n, workerAddress: f.worker.address, graph: "fail-at:2" }) });
    assert.is(value(await f.rpc.getElement({ taskId: 4020n })), 0n);
    assert.is(value(await f.rpc.getElement({ taskId: 4020n })), 1n);
    await rejectsWith(f.rpc.getElement({ taskId: 4020n }), Code.InvalidArgument, /element 2 is bad/);
    await rejectsWith(f.rpc.getElement({ taskId: 4020n, allowSkip: true }), Code.InvalidArgument, /element 2 is bad/);
  } finally {
    await teardown(f);
  }
});

test("heartbeat new_tasks are adopted; a path TaskDef reads the graph with GetDatasetDef; compression can be stripped", async () => {
  const f = await setup();
  try {
    f.dispatcher.compressionDisabled = true;
    f.dispatcher.graphs.set("1007", fakeGraph("range:2"));
    f.dispatcher.newTasks = [taskDef({
      taskId: 4030n, workerAddress: f.worker.address, datasetId: "1007",
      extra: { dataset: { case: "path", value: "/shared/datasets/1007" } },
    })];
    await waitFor(() => f.worker.numTasks() === 1, 2_000, "new_tasks adoption");
    assert.equal([value(await f.rpc.getElement({ taskId: 4030n })), value(await f.rpc.getElement({ taskId: 4030n }))], [0n, 1n]);
    assert.equal(f.dispatcher.datasetDefQueries, ["1007"]);
    assert.is(f.log.stripped, 1, "compression map stripped when the dispatcher says compression is disabled");
  } finally {
    await teardown(f);
  }
});

test("a failed WorkerUpdate is sent again", async () => {
  const f = await setup();
  try {
    f.dispatcher.failUpdates = 1;
    await f.rpc.processTask({ task: taskDef({ taskId: 4040n, workerAddress: f.worker.address, graph: "range:0" }) });
    assert.is((await f.rpc.getElement({ taskId: 4040n })).endOfSequence, true);
    await waitFor(() => f.dispatcher.updates.length >= 2, 2_000, "WorkerUpdate retry");
    assert.equal(f.dispatcher.updates[1].updates.map((u) => u.taskId), [4040n]);
    assert.match(f.warnings.join("\n"), /Failed to send task updates to dispatcher/);
  } finally {
    await teardown(f);
  }
});

test("stop() is idempotent, closes the port and resolves join()", async () => {
  const f = await setup();
  const port = f.worker.port;
  let joined = false;
  const join = f.worker.join().then(() => (joined = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.is(joined, false);
  await Promise.all([f.worker.stop(), f.worker.stop()]);
  await join;
  assert.is(joined, true);
  const rpc = createClient(WorkerService, platform().createTransport(`127.0.0.1:${port}`, "grpc"));
  await rejectsWith(rpc.getWorkerTasks({}, { timeoutMs: 2_000 }), Code.Unavailable, /./);
  const beats = f.dispatcher.heartbeats.length;
  await new Promise((r) => setTimeout(r, HEARTBEAT_MS * 3));
  assert.is(f.dispatcher.heartbeats.length, beats, "no heartbeat after stop");
  await f.dispatcher.stop();
});

test("WorkerState: CANCELLED once shutting down", async () => {
  const state = new WorkerState({ initContext: () => { throw new Error("unused"); }, onTaskCompleted: () => {} });
  state.registered = true;
  state.stopAll();
  await rejectsWith(state.getElement({ taskId: 1n } as never), Code.Canceled, /^Worker is shutting down$/);
});

test.run();
