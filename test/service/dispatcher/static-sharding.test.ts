// Static sharding (FILE, DATA, FILE_OR_DATA, HINT), dispatcher half: the configured worker list
// (`DispatcherConfig.workerAddresses`), TF's refusal of unlisted workers, `%port%` patterns, and
// the `num_workers` / `worker_index` every TaskDef of a static job carries. (The graph rewrite is
// the worker's.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Dataset } from "../../../src/dataset/index.js";
import { DispatcherService } from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { createNodeTransport } from "../../../src/runtime/node-transport.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { setPlatform } from "../../../src/service/platform.js";
import {
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

const STATIC = [ShardingPolicy.FILE, ShardingPolicy.DATA, ShardingPolicy.FILE_OR_DATA, ShardingPolicy.HINT];

test("ports auto_shard_test's cluster setup: a worker not in workerAddresses is refused with TF's FAILED_PRECONDITION, registering nothing", async () => {
  const { d } = makeDispatcher({ workerAddresses: ["a:1", "b:%port%"] });
  assert.equal(await rejection(d.workerHeartbeat(heartbeat("c:1"))), {
    code: "FailedPrecondition",
    message: "Failed to assign an index for worker c:1. Configured workers list: [a:1, b:%port%]. The worker's " +
      "address is not configured, or other workers are already running at the configured host. If your worker has " +
      "restarted, make sure it runs at the same address and port.",
  });
  assert.is(d.numWorkers(), 0);
  await d.workerHeartbeat(heartbeat("b:9"));
  // b's open entry is now claimed by b:9; another b worker has no entry left.
  assert.match((await rejection(d.workerHeartbeat(heartbeat("b:10")))).message,
    "Failed to assign an index for worker b:10. Configured workers list: [a:1, b:9].");
  await d.workerHeartbeat(heartbeat("b:9")); // the same worker keeps heartbeating
  assert.is(d.numWorkers(), 1);
});

test("TaskDefs of static jobs carry num_workers = len(workerAddresses) and worker_index = position, in any registration order", async () => {
  const workerAddresses = ["localhost:%port%", "localhost:%port_b%", "other:5", "host3"];
  const { d, workers } = makeDispatcher({ workerAddresses });
  for (const w of ["other:5", "localhost:7001", "host3:4444", "localhost:7002"]) await d.workerHeartbeat(heartbeat(w));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(20) }));
  for (const policy of STATIC) {
    const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: ShardingPolicy[policy], policy }));
    await d.getOrCreateIteration(iterationRequest(jobId));
  }
  const byWorker = (policy: ShardingPolicy) => workers.pushed
    .filter((t) => t.processingModeDef?.shardingPolicy === policy)
    .map((t) => [t.workerAddress, t.numWorkers, t.workerIndex]);
  for (const policy of STATIC) {
    assert.equal(byWorker(policy), [
      ["other:5", 4n, 2n], ["localhost:7001", 4n, 0n], ["host3:4444", 4n, 3n], ["localhost:7002", 4n, 1n],
    ], ShardingPolicy[policy]);
  }
  // OFF and DYNAMIC jobs leave both fields 0, as TF.
  for (const policy of [ShardingPolicy.OFF, ShardingPolicy.DYNAMIC]) {
    const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: `x${policy}`, policy }));
    await d.getOrCreateIteration(iterationRequest(jobId));
    assert.equal(byWorker(policy).map(([, n, i]) => [n, i]), [[0n, 0n], [0n, 0n], [0n, 0n], [0n, 0n]]);
  }
});

test("a worker that registers after the iteration was created gets its index in the heartbeat's new_tasks", async () => {
  const { d } = makeDispatcher({ workerAddresses: ["w:1", "w:2"] });
  await d.workerHeartbeat(heartbeat("w:2"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(20) }));
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "data", policy: ShardingPolicy.DATA }));
  await d.getOrCreateIteration(iterationRequest(jobId));
  const hb = await d.workerHeartbeat(heartbeat("w:1"));
  assert.equal(hb.newTasks.map((t) => [t.workerAddress, t.numWorkers, t.workerIndex]), [["w:1", 2n, 0n]]);
});

test("static policies without workerAddresses are refused at GetOrCreateJob (TF fails every later task assignment instead)", async () => {
  const { d } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w:1"));
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(20) }));
  for (const policy of STATIC) {
    const err = await rejection(d.getOrCreateJob(jobRequest(datasetId, { policy })));
    assert.is(err.code, "FailedPrecondition", ShardingPolicy[policy]);
    assert.match(err.message, "needs a fixed worker list: start the dispatcher with DispatcherConfig.workerAddresses");
  }
  assert.is(d.debugState.nextAvailableJobId(), 5000n);
});

test("after a fault-tolerant restart the claimed entries and indices are the same (replayed registrations)", async () => {
  const workDir = tmpWorkDir();
  const config = { workerAddresses: ["h:%port%", "h:%port%"] };
  const first = await makeStoredDispatcher(workDir, config);
  await first.d.workerHeartbeat(heartbeat("h:8"));
  await first.d.workerHeartbeat(heartbeat("h:7"));
  await first.d.stop();
  const { d, workers } = await makeStoredDispatcher(workDir, config, { clock: first.clock, workers: first.workers });
  assert.match((await rejection(d.workerHeartbeat(heartbeat("h:9")))).message, "Configured workers list: [h:8, h:7]");
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(4) }));
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "hint", policy: ShardingPolicy.HINT }));
  await d.getOrCreateIteration(iterationRequest(jobId));
  assert.equal(workers.pushed.map((t) => [t.workerAddress, t.workerIndex]), [["h:8", 0n], ["h:7", 1n]]);
});

test("through gRPC: the refusal reaches a worker as FAILED_PRECONDITION", async () => {
  const server = new DispatchServer({ host: "127.0.0.1", workerAddresses: ["127.0.0.1:%port%"] });
  await server.start();
  try {
    const rpc = createClient(DispatcherService, createNodeTransport(`127.0.0.1:${server.port}`, "grpc"));
    await rpc.workerHeartbeat(heartbeat("127.0.0.1:5000"));
    try {
      await rpc.workerHeartbeat(heartbeat("10.0.0.1:5000"));
      assert.unreachable("expected a refusal");
    } catch (err) {
      const ce = ConnectError.from(err);
      assert.is(ce.code, Code.FailedPrecondition);
      assert.match(ce.rawMessage, "Failed to assign an index for worker 10.0.0.1:5000.");
    }
    assert.is(server.numWorkers(), 1);
  } finally {
    await server.stop();
  }
});

test.run();
