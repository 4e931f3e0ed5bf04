// DispatchServer over a real socket: lifecycle (start/target/stop/join) and every RPC's gRPC code,
// seen by a Connect client speaking gRPC, Connect and gRPC-web through the Node platform.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import { Dataset } from "../../../src/dataset/dataset.js";
import { CAPTURE_HOST, startH2Capture } from "../../helpers/h2-capture.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import * as net from "node:net";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform, platform } from "../../../src/service/platform.js";
import { DispatcherConfig } from "../../../src/service/config.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { DispatcherService } from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { WorkerService } from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import type { TaskDef } from "../../../src/gen/tensorflow/core/data/service/common_pb.js";
import {
  MaybeRemoveTaskResponseSchema,
  WorkerUpdateResponseSchema,
} from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { completed, heartbeat, iterationRequest, jobRequest, registerRequest, ShardingPolicy, clientHeartbeat } from "./fixtures.js";

setPlatform(nodePlatform);

async function rejects(p: Promise<unknown>, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.match(String((e as Error).message), re);
    return;
  }
  assert.unreachable("expected a rejection");
}

const localConfig = () => new DispatcherConfig({ host: "127.0.0.1", port: 0 });

async function code(p: Promise<unknown>): Promise<[Code, string]> {
  try {
    await p;
  } catch (e) {
    const ce = ConnectError.from(e);
    return [ce.code, ce.rawMessage];
  }
  throw new Error("expected an RPC error");
}

/** Resolves true if a TCP connection to 127.0.0.1:port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

const lifecycle = suite("DispatchServer lifecycle");

lifecycle("start() is idempotent, target is grpc://localhost:PORT, stop() closes the port, join() resolves", async () => {
  const server = new DispatchServer(localConfig(), false);
  assert.throws(() => server.target, /not bound yet/);
  const p1 = server.start();
  const p2 = server.start();
  assert.is(p1, p2);
  await p1;
  assert.match(server.target, /^grpc:\/\/localhost:\d+$/);
  assert.is(server._address, server.target.split("://")[1]);
  assert.ok(await accepts(server.port));
  let joined = false;
  const j = server.join().then(() => (joined = true));
  assert.is(joined, false);
  const s1 = server.stop();
  assert.is(server.stop(), s1);
  await s1;
  await j;
  assert.ok(joined);
  assert.is(await accepts(server.port), false);
  await rejects(server.start(), /was stopped/);
});

lifecycle("the constructor starts by default; start() returns the same promise", async () => {
  const server = new DispatchServer({ host: "127.0.0.1" });
  await server.start();
  assert.is(server.numWorkers(), 0);
  await server.stop();
});

lifecycle("a port in use fails start() without an unhandled rejection; stop() still resolves", async () => {
  const a = new DispatchServer(localConfig());
  await a.start();
  const b = new DispatchServer(new DispatcherConfig({ host: "127.0.0.1", port: a.port }));
  await rejects(b.start(), /EADDRINUSE/);
  await b.stop();
  await a.stop();
});

lifecycle("stop() while a client holds an open HTTP/2 session still completes quickly", async () => {
  const server = new DispatchServer(localConfig());
  await server.start();
  const client = createClient(DispatcherService, platform().createTransport(`127.0.0.1:${server.port}`));
  assert.is((await client.getVersion({})).version, 9n);
  const t0 = Date.now();
  await server.stop();
  assert.ok(Date.now() - t0 < 2000, `stop took ${Date.now() - t0} ms`);
});

lifecycle.run();

const rpcs = suite("DispatcherService over the network");
let server: DispatchServer;
let client: Client<typeof DispatcherService>;
let stopWorker: (() => Promise<void>) | undefined;
let workerPort = 0;
const pushed: TaskDef[] = [];

rpcs.before(async () => {
  server = new DispatchServer(localConfig());
  await server.start();
  client = createClient(DispatcherService, platform().createTransport(`127.0.0.1:${server.port}`, "grpc"));
  // A fake worker that records ProcessTask pushes.
  const w = await platform().listen((router) => {
    router.service(WorkerService, {
      processTask: (req) => {
        if (req.task) pushed.push(req.task);
        return {};
      },
    });
  }, { host: "127.0.0.1", port: 0 });
  stopWorker = () => w.close();
  workerPort = w.port;
});

rpcs.after(async () => {
  await stopWorker?.();
  await server.stop();
});

rpcs("GetVersion = 9 over gRPC, Connect and gRPC-web", async () => {
  for (const protocol of ["grpc", "connect", "grpc-web"] as const) {
    const c = createClient(DispatcherService, platform().createTransport(`127.0.0.1:${server.port}`, protocol));
    assert.is((await c.getVersion({})).version, 9n, protocol);
  }
});

rpcs("a full parallel_epochs flow: register worker, dataset, job, iteration, ProcessTask push, heartbeat, completion", async () => {
  const workerAddress = `127.0.0.1:${workerPort}`;
  const hb = await client.workerHeartbeat(heartbeat(workerAddress));
  assert.equal(hb.newTasks, []);
  assert.is(server.numWorkers(), 1);
  assert.equal((await client.getWorkers({})).workers.map((w) => w.address), [workerAddress]);
  const { datasetId } = await client.getOrRegisterDataset(registerRequest());
  assert.is(datasetId, "1000");
  const { jobId } = await client.getOrCreateJob(jobRequest(datasetId, { name: "net" }));
  assert.is(jobId, 5000n);
  const { iterationClientId } = await client.getOrCreateIteration(iterationRequest(jobId));
  assert.is(iterationClientId, 3000n);
  assert.equal(pushed.map((t) => [t.taskId, t.workerAddress]), [[4000n, workerAddress]]);
  let ch = await client.clientHeartbeat(clientHeartbeat(iterationClientId));
  assert.equal(ch.taskInfo.map((t) => t.taskId), [4000n]);
  assert.is(ch.iterationFinished, false);
  await client.workerUpdate(completed(workerAddress, 4000n));
  ch = await client.clientHeartbeat(clientHeartbeat(iterationClientId));
  assert.is(ch.iterationFinished, true);
  const def = await client.getDatasetDef({ datasetId });
  assert.is(def.datasetDef?.graph?.node.length, 3);
  const meta = await client.getDataServiceMetadata({ datasetId });
  assert.is(meta.metadata?.cardinality, 10n);
  assert.is((await client.getDataServiceConfig({})).config?.deploymentMode, 0);
  const dc = await client.disableCompressionAtRuntime({ datasetId, disableCompressionAtRuntime: true });
  assert.equal(dc.decision, { case: "noCompressionToDisable", value: true }); // registered with COMPRESSION_OFF
  await client.releaseIterationClient({ iterationClientId });
});

rpcs("responses are not gzip-compressed even when the client accepts gzip (as TF's dispatcher)", async () => {
  const capture = await startH2Capture({ target: `127.0.0.1:${server.port}` });
  try {
    const gzipClient = createClient(DispatcherService, createGrpcTransport({
      baseUrl: `http://${CAPTURE_HOST}:${capture.port}`, acceptCompression: [compressionGzip],
    }));
    // A graph with a traced function: its GetDatasetDef response is well over Connect's 1 KiB threshold.
    const ds = Dataset.range(10).map((x: T) => x.mul(2).add(1).cast("float32").div(3).sqrt());
    const { datasetId } = await gzipClient.getOrRegisterDataset(registerRequest({ dataset: ds }));
    await gzipClient.getDatasetDef({ datasetId });
    const responses = capture.calls().flatMap((c) => c.responses);
    assert.equal(responses.filter((m) => m.compressed).length, 0, "no response message was compressed");
    assert.ok(responses.some((m) => m.bytes.length > 1024), "a response is big enough to be compressed");
  } finally {
    await capture.close();
  }
});

rpcs("error codes: NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, UNIMPLEMENTED (naming the RPC)", async () => {
  assert.equal(await code(client.getDatasetDef({ datasetId: "nope" })), [Code.NotFound, "Dataset id nope not found"]);
  assert.equal(await code(client.getDataServiceMetadata({ datasetId: "nope" })), [Code.NotFound, "Dataset id nope not found"]);
  assert.is((await code(client.getDatasetDef({ datasetId: "" })))[0], Code.InvalidArgument);
  assert.equal(await code(client.getOrCreateIteration({ jobId: 42424n, repetition: 0n })),
    [Code.NotFound, "Job with id 42424 not found"]);
  assert.is((await code(client.clientHeartbeat({ iterationClientId: 99999n })))[0], Code.NotFound);
  assert.equal(await code(client.releaseIterationClient({ iterationClientId: 99999n })),
    [Code.NotFound, "Iteration client id not found: 99999"]);
  // Unknown tasks in WorkerUpdate are skipped, not fatal (TF #52252 fixed).
  assert.equal(await client.workerUpdate(completed("x:1", 77777n)), create(WorkerUpdateResponseSchema, {}));
  assert.is((await code(client.workerHeartbeat(heartbeat("not an address"))))[0], Code.InvalidArgument);
  assert.is((await code(client.getOrRegisterDataset({})))[0], Code.InvalidArgument);
  const fileShard = await code(client.getOrCreateJob(jobRequest("1000", { policy: ShardingPolicy.FILE })));
  assert.is(fileShard[0], Code.FailedPrecondition);
  assert.match(fileShard[1], "DispatcherConfig.workerAddresses");
  assert.equal(await code(client.getSplit({ iterationId: 2999n })), [Code.NotFound, "Iteration id 2999 not found"]);
  assert.equal(await client.maybeRemoveTask({ taskId: 4999n }), create(MaybeRemoveTaskResponseSchema, { removed: true }));
  for (const [rpc, call] of [
    ["Snapshot", () => client.snapshot({})],
    ["GetSnapshotSplit", () => client.getSnapshotSplit({})],
    ["GetSnapshotStreams", () => client.getSnapshotStreams({})],
  ] as const) {
    const [c, m] = await code(call());
    assert.is(c, Code.Unimplemented, rpc);
    assert.match(m, `tensorflow.data.DispatcherService/${rpc} is not implemented yet`);
  }
  const mismatch = await code(client.getOrCreateJob(create(
    (await import("../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js")).GetOrCreateJobRequestSchema,
    { datasetId: "1000", optionalJobName: { case: "jobName", value: "net" }, targetWorkers: 2 },
  )));
  assert.equal(mismatch, [Code.InvalidArgument,
    "Tried to create job with name net, but found an existing job with different parameters: " +
    "Existing target workers: <AUTO>; got <ANY>. "]);
});

rpcs("garbage bytes on the wire are refused without hurting the server", async () => {
  const res = await fetch(`http://127.0.0.1:${server.port}/tensorflow.data.DispatcherService/GetOrCreateJob`, {
    method: "POST",
    headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
    body: new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]),
  });
  // Connect answers an unparseable request with "internal" (as gRPC C++ does), before our handler.
  assert.is(res.status, 500);
  assert.match(await res.text(), /"code":"internal"/);
  assert.is((await client.getVersion({})).version, 9n);
});

rpcs.run();
