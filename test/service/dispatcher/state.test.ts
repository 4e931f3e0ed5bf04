// DispatcherState as an event-sourced store: updates apply in order, counters are "max seen + 1",
// a bad update throws without changing anything, and replaying a log rebuilds the same state.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Update, UpdateSchema } from "../../../src/gen/tensorflow/core/data/service/journal_pb.js";
import { DispatcherState } from "../../../src/service/dispatcher/state.js";
import { Compression, ShardingPolicy } from "./fixtures.js";

const u = (x: MessageInitShape<typeof UpdateSchema>["updateType"]): Update => create(UpdateSchema, { updateType: x });

function log(): Update[] {
  return [
    u({ case: "registerDataset", value: { datasetId: "1000", metadata: { compression: Compression.OFF, cardinality: 10n } } }),
    u({ case: "registerDataset", value: { datasetId: "1001", metadata: {} } }),
    u({ case: "registerWorker", value: { workerAddress: "w1:1", workerTags: ["A"] } }),
    u({ case: "createJob", value: { jobId: 5000n, jobName: "j", datasetId: "1000", processingModeDef: { shardingPolicy: ShardingPolicy.OFF } } }),
    u({ case: "createIteration", value: { iterationId: 2000n, jobId: 5000n, repetition: 0n } }),
    u({ case: "createTask", value: { taskId: 4000n, iterationId: 2000n, workerAddress: "w1:1" } }),
    u({ case: "acquireIterationClient", value: { iterationId: 2000n, iterationClientId: 3000n } }),
    u({ case: "registerWorker", value: { workerAddress: "w2:2" } }),
    u({ case: "createTask", value: { taskId: 4001n, iterationId: 2000n, workerAddress: "w2:2" } }),
    u({ case: "finishTask", value: { taskId: 4000n } }),
    u({ case: "compressionDisabledAtRuntime", value: { datasetId: "1001", compressionDisabled: true } }),
  ];
}

function snapshot(s: DispatcherState) {
  return {
    nextIds: [s.nextAvailableDatasetId(), s.nextAvailableJobId(), s.nextAvailableIterationId(),
      s.nextAvailableIterationClientId(), s.nextAvailableTaskId()],
    workers: s.listWorkers().map((w) => [w.address, [...w.tags]]),
    iterations: s.listIterations().map((it) => [it.id, it.job.name, it.repetition, it.numClients, it.finished]),
    tasks: s.listIterations().map((it) => s.tasksForIteration(it.id).map((t) => [t.id, t.workerAddress, t.finished])),
    byWorker: ["w1:1", "w2:2"].map((a) => s.tasksForWorker(a)?.map((t) => t.id)),
    compression: s.compressionDisabledAtRuntime("1001"),
  };
}

test("a log of updates builds the expected state; counters are max seen + 1", () => {
  const s = new DispatcherState();
  for (const x of log()) s.apply(x);
  assert.equal(snapshot(s), {
    nextIds: ["1002", 5001n, 2001n, 3001n, 4002n],
    workers: [["w1:1", ["A"]], ["w2:2", []]],
    iterations: [[2000n, "j", 0n, 1, false]],
    tasks: [[[4000n, "w1:1", true], [4001n, "w2:2", false]]],
    byWorker: [[], [4001n]],
    compression: true,
  });
  s.apply(u({ case: "finishTask", value: { taskId: 4001n } }));
  assert.is(s.iterationFromId(2000n).finished, true);
  assert.equal(s.listActiveClientIds(), []);
});

test("replaying the same log gives the same state", () => {
  const a = new DispatcherState();
  const b = new DispatcherState();
  for (const x of log()) a.apply(x);
  for (const x of log()) b.apply(create(UpdateSchema, x));
  assert.equal(snapshot(a), snapshot(b));
});

test("ids requested out of order move the counters past them", () => {
  const s = new DispatcherState();
  s.apply(u({ case: "registerDataset", value: { datasetId: "1001", metadata: {} } }));
  assert.is(s.nextAvailableDatasetId(), "1000");
  s.apply(u({ case: "registerDataset", value: { datasetId: "1000", metadata: {} } }));
  assert.is(s.nextAvailableDatasetId(), "1002");
  s.apply(u({ case: "createJob", value: { jobId: 7000n, jobName: "x", datasetId: "1000" } }));
  assert.is(s.nextAvailableJobId(), 7001n);
});

test("inconsistent updates throw Internal and change nothing", () => {
  const s = new DispatcherState();
  for (const x of log()) s.apply(x);
  const before = snapshot(s);
  const bad: Update[] = [
    u({ case: "registerDataset", value: { datasetId: "1000", metadata: {} } }),
    u({ case: "registerDataset", value: { datasetId: "", metadata: {} } }),
    u({ case: "registerWorker", value: { workerAddress: "w1:1" } }),
    u({ case: "createJob", value: { jobId: 5000n, jobName: "other", datasetId: "1000" } }),
    u({ case: "createJob", value: { jobId: 5009n, jobName: "j", datasetId: "1000" } }),
    u({ case: "createJob", value: { jobId: 5009n, jobName: "k", datasetId: "nope" } }),
    u({ case: "createIteration", value: { iterationId: 2001n, jobId: 5000n, repetition: 0n } }),
    u({ case: "createIteration", value: { iterationId: 2001n, jobId: 9n, repetition: 1n } }),
    u({ case: "createTask", value: { taskId: 4000n, iterationId: 2000n, workerAddress: "w1:1" } }),
    u({ case: "createTask", value: { taskId: 4009n, iterationId: 2000n, workerAddress: "w9:9" } }),
    u({ case: "finishTask", value: { taskId: 4999n } }),
    u({ case: "acquireIterationClient", value: { iterationId: 2000n, iterationClientId: 3000n } }),
    u({ case: "releaseIterationClient", value: { iterationClientId: 3999n } }),
    u({ case: "garbageCollectIteration", value: { iterationId: 2999n } }),
    u({ case: "produceSplit", value: { iterationId: 2000n } }),
    u({ case: "compressionDisabledAtRuntime", value: { datasetId: "nope", compressionDisabled: true } }),
    create(UpdateSchema, {}),
  ];
  for (const x of bad) {
    assert.throws(() => s.apply(x), (e: { code?: string }) => e.code === "Internal", x.updateType.case);
  }
  assert.throws(() => s.apply(u({ case: "snapshot", value: { path: "/x" } })), (e: { code?: string }) => e.code === "Unimplemented");
  assert.equal(snapshot(s), before);
});

test("lookups of unknown entities are NotFound with TF's messages", () => {
  const s = new DispatcherState();
  const msg = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return [(e as { code: string }).code, (e as Error).message];
    }
    return undefined;
  };
  assert.equal(msg(() => s.datasetFromId("7")), ["NotFound", "Dataset id 7 not found"]);
  assert.equal(msg(() => s.jobFromId(5000n)), ["NotFound", "Job with id 5000 not found"]);
  assert.equal(msg(() => s.iterationFromId(2000n)), ["NotFound", "Iteration id 2000 not found"]);
  assert.equal(msg(() => s.taskFromId(4000n)), ["NotFound", "Task 4000 not found"]);
  assert.equal(msg(() => s.iterationForIterationClientId(3000n)), ["NotFound", "Iteration client id not found: 3000"]);
});

test("removing a task drops it from its iteration and worker; GC finishes an iteration", () => {
  const s = new DispatcherState();
  for (const x of log()) s.apply(x);
  s.apply(u({ case: "removeTask", value: { taskId: 4001n } }));
  assert.equal(s.tasksForIteration(2000n).map((t) => t.id), [4000n]);
  assert.equal(s.tasksForWorker("w2:2"), []);
  assert.is(s.hasTask(4001n), false);
  s.apply(u({ case: "garbageCollectIteration", value: { iterationId: 2000n } }));
  const it = s.iterationFromId(2000n);
  assert.ok(it.finished && it.garbageCollected);
  // A GC'd key may be created again.
  s.apply(u({ case: "createIteration", value: { iterationId: 2001n, jobId: 5000n, repetition: 0n } }));
  assert.is(s.iterationByKey("j", 0n)?.id, 2001n);
});

test("check() throws exactly when apply() would, and never changes anything", () => {
  const s = new DispatcherState();
  for (const x of log()) s.apply(x);
  const before = snapshot(s);
  s.check(u({ case: "finishTask", value: { taskId: 4001n } }));
  s.check(u({ case: "registerWorker", value: { workerAddress: "w3:3" } }));
  assert.equal(snapshot(s), before);
  assert.throws(() => s.check(u({ case: "finishTask", value: { taskId: 4999n } })), /completion of unknown task 4999/);
  assert.equal(snapshot(s), before);
});

/** A DYNAMIC iteration 2000 with two split providers. */
function dynamicState(): DispatcherState {
  const s = new DispatcherState();
  s.apply(u({ case: "registerDataset", value: { datasetId: "1000", metadata: {} } }));
  s.apply(u({ case: "createJob", value: { jobId: 5000n, jobName: "d", datasetId: "1000",
    processingModeDef: { shardingPolicy: ShardingPolicy.DYNAMIC } } }));
  s.apply(u({ case: "createIteration", value: { iterationId: 2000n, jobId: 5000n, repetition: 0n, numSplitProviders: 2n } }));
  return s;
}

const split = (repetition: bigint, p: bigint, finished = false) =>
  u({ case: "produceSplit", value: { iterationId: 2000n, repetition, splitProviderIndex: p, finished } });

test("split cursor: produced splits count per provider; end of splits moves to the next repetition at 0", () => {
  const s = dynamicState();
  const des = () => s.iterationFromId(2000n).distributedEpochState!;
  s.apply(split(0n, 0n));
  s.apply(split(0n, 0n));
  s.apply(split(0n, 1n));
  assert.equal([des().repetitions, des().indices], [[0n, 0n], [2n, 1n]]);
  s.apply(split(0n, 0n, true));
  assert.equal([des().repetitions, des().indices], [[1n, 0n], [0n, 1n]]);
  // An update for an older repetition is inconsistent (GetSplit answers end_of_splits without one).
  assert.throws(() => s.apply(split(0n, 0n)), /repetition 0 < current 1/);
  assert.throws(() => s.apply(split(0n, 2n)), /split provider index 2 out of range/);
});

test("split cursor (deliberate fix of TF): skipping to a later repetition restarts the provider at 0", () => {
  // TF keeps counting from the old position (its journal then restores the provider past splits
  // it never handed out); the live provider was reset, so the cursor must be too.
  const s = dynamicState();
  const des = () => s.iterationFromId(2000n).distributedEpochState!;
  for (let i = 0; i < 5; i++) s.apply(split(0n, 1n));
  s.apply(split(2n, 1n));
  assert.equal([des().repetitions, des().indices], [[0n, 2n], [0n, 1n]]);
  s.apply(split(2n, 1n, true));
  assert.equal([des().repetitions, des().indices], [[0n, 3n], [0n, 0n]]);
});

test("static-sharding worker indices follow registrations, and replay restores them", () => {
  const workerAddresses = ["a:1", "b:%port%", "b:%port%", "c"];
  const reg = (a: string) => u({ case: "registerWorker", value: { workerAddress: a } });
  const s = new DispatcherState({ workerAddresses });
  for (const a of ["b:7", "c:9", "a:1", "b:8"]) {
    s.validateWorker(a);
    s.apply(reg(a));
  }
  assert.equal(["a:1", "b:7", "b:8", "c:9"].map((a) => s.workerIndex(a)), [0, 1, 2, 3]);
  assert.throws(() => s.validateWorker("b:9"), /Failed to assign an index for worker b:9. Configured workers list: \[a:1, b:7, b:8, c:9\]/);
  const replayed = new DispatcherState({ workerAddresses });
  for (const a of ["b:7", "c:9", "a:1", "b:8"]) replayed.apply(reg(a));
  assert.equal(["a:1", "b:7", "b:8", "c:9"].map((a) => replayed.workerIndex(a)), [0, 1, 2, 3]);
});

test("a removed pending task leaves the pending queue", () => {
  const s = new DispatcherState();
  for (const x of log()) s.apply(x);
  s.apply(u({ case: "createJob", value: { jobId: 5001n, jobName: "rr", datasetId: "1000",
    optionalNumConsumers: { case: "numConsumers", value: 2n } } }));
  s.apply(u({ case: "createIteration", value: { iterationId: 2001n, jobId: 5001n, repetition: 0n } }));
  s.apply(u({ case: "createPendingTask", value: { taskId: 4002n, iterationId: 2001n, workerAddress: "w1:1", startingRound: 3n } }));
  assert.equal(s.pendingTasks(2001n).map((p) => [p.task.id, p.targetRound]), [[4002n, 3n]]);
  assert.ok(s.workerHasTaskIn(2001n, "w1:1"));
  s.apply(u({ case: "removeTask", value: { taskId: 4002n } }));
  assert.equal(s.pendingTasks(2001n), []);
  assert.equal(s.tasksForWorker("w1:1"), []);
});

test.run();
