// distribute / registerDataset / fromDatasetId end to end against our DispatchServer and
// WorkerServers: the acceptance (1 worker = 0..9, 3 workers = 3 × {0..9}), repetitions,
// compression AUTO and null, shared jobs, the RPC sequence of one iteration, and failures.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { TfDataError } from "../../../src/core/errors.js";
import type { Tensor } from "../../../src/core/tensor.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { TensorSpec } from "../../../src/dataset/tensor-spec.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import { realPipelineDeps, type PipelineDeps } from "../../../src/service/worker/task-pipeline.js";
import { DataServiceSource } from "../../../src/service/client/data-service-source.js";
import { DispatcherClient } from "../../../src/service/client/dispatcher-client.js";
import { distribute, fromDatasetId, registerDataset } from "../../../src/service/client/distribute.js";
import { ShardingPolicy } from "../../../src/service/client/processing-mode.js";
import { parseService } from "../../../src/service/client/service-address.js";
import { FakeDispatcher } from "../worker/fake-dispatcher.js";
import { rejects } from "../../helpers/rejects.js";

setPlatform(nodePlatform);

/** Fast intervals so each test takes milliseconds, not seconds. */
const HEARTBEAT_MS = 50;
const REFRESH_MS = 50;

interface Cluster {
  dispatcher: DispatchServer;
  workers: WorkerServer[];
  service: string;
  stop(): Promise<void>;
}

async function startCluster(numWorkers: number): Promise<Cluster> {
  const dispatcher = new DispatchServer({ host: "127.0.0.1" });
  await dispatcher.start();
  const workers = Array.from({ length: numWorkers }, () => new WorkerServer({
    dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS,
  }));
  await Promise.all(workers.map((w) => w.start()));
  return {
    dispatcher,
    workers,
    service: dispatcher.target,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await dispatcher.stop();
    },
  };
}

function sorted(values: unknown[]): string[] {
  return values.map(String).sort((a, b) => Number(a) - Number(b));
}

function copies(n: number, k: number): string[] {
  return Array.from({ length: k }, (_, i) => Array(n).fill(String(i))).flat();
}

test("one worker: Dataset.range(10) through distribute gives the int64 values 0..9 in order", async () => {
  const c = await startCluster(1);
  try {
    const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: c.service, taskRefreshIntervalHintMs: REFRESH_MS }));
    assert.equal(ds.elementSpec, new TensorSpec([], "int64"));
    const values = await ds.toArray();
    assert.equal(values, [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
  } finally {
    await c.stop();
  }
});

test("three workers under parallel_epochs give exactly 3 × {0..9}, with compression AUTO and null", async () => {
  const c = await startCluster(3);
  try {
    for (const compression of ["AUTO", null] as const) {
      const ds = Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: c.service, compression, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      const values = await ds.toArray();
      assert.ok(values.every((v) => typeof v === "bigint"), "int64 elements stay bigint");
      assert.equal(sorted(values), copies(3, 10), `compression ${compression}`);
    }
  } finally {
    await c.stop();
  }
});

test("iterating the same distributed dataset again starts a new repetition and reads the data again", async () => {
  const c = await startCluster(2);
  try {
    const opts = { processingMode: "parallel_epochs" as const, service: c.service, jobName: "shared", taskRefreshIntervalHintMs: REFRESH_MS };
    const ds = Dataset.range(5).apply(distribute(opts));
    assert.equal(sorted(await ds.toArray()), copies(2, 5), "repetition 0");
    assert.equal(sorted(await ds.toArray()), copies(2, 5), "repetition 1 reads everything again");
    // A second distributed dataset with the same job name starts at repetition 0, which is
    // finished: TF's documented "job names must not be reused" behaviour, proving the counter is per object.
    const other = Dataset.range(5).apply(distribute(opts));
    assert.equal(await other.toArray(), [], "repetition 0 of the shared job is already finished");
    assert.equal(sorted(await other.toArray()), [], "repetition 1 of the shared job is finished too");
    assert.equal(sorted(await other.toArray()), copies(2, 5), "repetition 2 is new");
  } finally {
    await c.stop();
  }
});

test("a reader of a shared job prefetches no more than TF's 16 elements: a paused reader leaves the rest to the others", async () => {
  const c = await startCluster(1);
  try {
    const id = await registerDataset(c.service, Dataset.range(300), { compression: null });
    const opts = { jobName: "fair", taskRefreshIntervalHintMs: REFRESH_MS }; // maxOutstandingRequests autotuned
    const a = (await fromDatasetId("parallel_epochs", c.service, id, undefined, opts))[Symbol.asyncIterator]();
    try {
      await a.next(); // reader a takes one element and pauses, its stream open
      const b = await (await fromDatasetId("parallel_epochs", c.service, id, undefined, opts)).toArray();
      // a holds at most its window (16) besides the element it took.
      assert.ok(b.length >= 300 - 1 - 16, `reader b got ${b.length} of 300 elements`);
      assert.ok(b.length < 300);
    } finally {
      await a.return?.(undefined);
    }
  } finally {
    await c.stop();
  }
});

test("connect:// and grpc-web:// speak Connect and gRPC-web to the dispatcher and the workers", async () => {
  const c = await startCluster(2);
  try {
    for (const scheme of ["connect", "grpc-web"]) {
      const ds = Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: `${scheme}://${c.dispatcher._address}`, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      assert.equal(sorted(await ds.toArray()), copies(2, 10), scheme);
    }
  } finally {
    await c.stop();
  }
});

test("batched elements keep their shapes through the service (AUTO and null)", async () => {
  const c = await startCluster(1);
  try {
    for (const compression of ["AUTO", null] as const) {
      const ds = Dataset.range(10).batch(4).apply(distribute({
        processingMode: "parallel_epochs", service: c.service, compression, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      const batches = (await ds.toArray()) as Tensor[];
      assert.equal(batches.map((t) => t.shape), [[4], [4], [2]]);
      assert.equal(batches.map((t) => [...(t.data as BigInt64Array)]), [[0n, 1n, 2n, 3n], [4n, 5n, 6n, 7n], [8n, 9n]]);
    }
  } finally {
    await c.stop();
  }
});

test("registerDataset + fromDatasetId: readers sharing a job name split one copy first-come-first-served", async () => {
  const c = await startCluster(1);
  try {
    const id = await registerDataset(c.service, Dataset.range(20), { compression: null });
    assert.type(id, "string");
    assert.is(await registerDataset(c.service, Dataset.range(20), { compression: null, datasetId: id }), id, "same requested id");
    const opts = { jobName: "split", maxOutstandingRequests: 1, taskRefreshIntervalHintMs: REFRESH_MS };
    const a = await fromDatasetId("parallel_epochs", c.service, id, undefined, opts); // element spec from the dispatcher
    const b = await fromDatasetId("parallel_epochs", c.service, id, new TensorSpec([], "int64"), opts);
    assert.equal(a.elementSpec, new TensorSpec([], "int64"));
    const [ea, eb] = await Promise.all([a.toArray(), b.toArray()]);
    assert.equal(sorted([...ea, ...eb]), copies(1, 20), "together the readers saw each element once");
    await rejects(fromDatasetId("parallel_epochs", c.service, "no-such-id", undefined, { taskRefreshIntervalHintMs: REFRESH_MS }),
      "NotFound", /no-such-id.*registerDataset/);
  } finally {
    await c.stop();
  }
});

test("one iteration's RPCs: version check, config, metadata, compression vote, job, iteration(repetition), heartbeats, release", async () => {
  const c = await startCluster(1);
  try {
    const calls: { method: string; message: Record<string, unknown> }[] = [];
    const spy: Interceptor = (next) => async (req) => {
      calls.push({ method: req.method.name, message: req.message as Record<string, unknown> });
      return next(req);
    };
    const address = c.dispatcher._address;
    const dispatcher = new DispatcherClient(address, "grpc", createGrpcTransport({ baseUrl: `http://${address}`, interceptors: [spy] }));
    const id = await registerDataset(c.service, Dataset.range(100));
    const source = new DataServiceSource({
      service: { protocol: "grpc", address },
      processingMode: ShardingPolicy.OFF,
      datasetId: () => Promise.resolve(id),
      maxOutstandingRequests: 2,
      taskRefreshIntervalMs: REFRESH_MS,
      dispatcher,
    });
    const it = source.iterate();
    const first = await it.next();
    assert.is(first.done, false);
    await it.return!();
    const names = calls.map((x) => x.method);
    assert.equal(names.slice(0, 6), [
      "GetVersion", "GetDataServiceConfig", "GetDataServiceMetadata", "DisableCompressionAtRuntime",
      "GetOrCreateJob", "GetOrCreateIteration",
    ]);
    assert.is(calls[3].message.disableCompressionAtRuntime, false, "the client votes to keep compression");
    assert.is(calls[5].message.repetition, 0n);
    assert.ok(names.includes("ClientHeartbeat"));
    assert.is(names[names.length - 1], "ReleaseIterationClient", "abandoning the iterator releases the client");
    // A second iterator is the next repetition; the prepared metadata is reused.
    calls.length = 0;
    const again = source.iterate();
    assert.is((await again.next()).done, false);
    await again.return!();
    assert.equal(calls.slice(0, 2).map((x) => x.method), ["GetOrCreateJob", "GetOrCreateIteration"]);
    assert.is(calls[1].message.repetition, 1n);
  } finally {
    await c.stop();
  }
});

test("breaking out of for-await releases the iteration; the workers keep serving", async () => {
  const c = await startCluster(1);
  try {
    const ds = Dataset.range(1000).apply(distribute({ processingMode: "parallel_epochs", service: c.service, taskRefreshIntervalHintMs: REFRESH_MS }));
    let n = 0;
    for await (const v of ds) {
      assert.is(v, BigInt(n));
      if (++n === 3) break;
    }
    assert.is(n, 3);
    const small = Dataset.range(3).apply(distribute({ processingMode: "parallel_epochs", service: c.service, taskRefreshIntervalHintMs: REFRESH_MS }));
    assert.equal(await small.toArray(), [0n, 1n, 2n]);
  } finally {
    await c.stop();
  }
});

test("an iterator dropped without return() does not keep the process alive", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./abandoned-iterator-child.ts", import.meta.url))], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearTimeout(timer);
  assert.match(out, /done/, out);
  assert.is(code, 0, `child output: ${out}`);
});

test("distributed_epoch: two workers split one copy of the data between them", async () => {
  const c = await startCluster(2);
  try {
    const ds = Dataset.range(40).apply(distribute({ processingMode: "distributed_epoch", service: c.service, taskRefreshIntervalHintMs: REFRESH_MS }));
    assert.equal(sorted(await ds.toArray()), copies(1, 40), "every element exactly once");
  } finally {
    await c.stop();
  }
});

test("a worker error fails the iterator with its code and the worker's address", async () => {
  const dispatcher = new DispatchServer({ host: "127.0.0.1" });
  await dispatcher.start();
  const failing: PipelineDeps = {
    ...realPipelineDeps,
    lower: () => {
      throw new TfDataError("Unimplemented", "Unsupported op 'PyFunc' in node 'py'");
    },
  };
  const worker = new WorkerServer({ dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS },
    true, { pipelineDeps: () => Promise.resolve(failing) });
  try {
    await worker.start();
    const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS }));
    await rejects(ds.toArray(), "Unimplemented", new RegExp(`^Failed to get element from worker ${worker.address}: .*PyFunc`));
  } finally {
    await worker.stop();
    await dispatcher.stop();
  }
});

test("a dispatcher speaking another version is refused, naming both versions", async () => {
  const fake = await new FakeDispatcher().start();
  fake.version = 7n;
  try {
    const ds = Dataset.range(3).apply(distribute({ processingMode: "parallel_epochs", service: `grpc://${fake.address}` }));
    try {
      await ds.toArray();
      assert.unreachable("should fail");
    } catch (err) {
      assert.match(String((err as Error).message), /running version 7, while the client is running version 9/);
    }
  } finally {
    await fake.stop();
  }
});

test("argument validation: TF's messages, unimplemented options refused", () => {
  const base = { processingMode: "parallel_epochs" as const, service: "grpc://localhost:5050" };
  const code = (f: () => unknown): [string, string] => {
    try {
      f();
    } catch (err) {
      return [(err as TfDataError).code, (err as Error).message];
    }
    return ["none", ""];
  };
  assert.equal(code(() => distribute(base))[0], "none");
  assert.equal(code(() => distribute({ ...base, service: "localhost:5050" }))[0], "none");
  assert.equal(code(() => distribute({ ...base, service: "connect://localhost:5050" }))[0], "none");
  assert.equal(code(() => distribute({ ...base, service: ["grpc", "localhost:5050"] }))[0], "none");
  assert.match(code(() => distribute({ ...base, service: "" }))[1], /`service` must not be empty/);
  assert.match(code(() => distribute({ ...base, service: "grpc://a://b:1" }))[1], /Malformed `service` string has multiple ':\/\/'/);
  assert.match(code(() => distribute({ ...base, service: "http://localhost:1" }))[1], /Unsupported tf.data service protocol 'http'/);
  assert.match(code(() => distribute({ ...base, processingMode: "sometimes" as never }))[1], /processing mode should be/);
  assert.match(code(() => distribute({ ...base, compression: "GZIP" as never }))[1], /Invalid `compression` argument/);
  assert.match(code(() => distribute({ ...base, jobName: "" }))[1], /`jobName` must not be empty/);
  assert.match(code(() => distribute({ ...base, maxOutstandingRequests: 0 }))[1], /must be positive or -1/);
  assert.equal(code(() => distribute({ ...base, consumerIndex: 0, numConsumers: 2, jobName: "j" }))[0], "none");
  assert.match(code(() => distribute({ ...base, consumerIndex: 0, numConsumers: 2 }))[1], /`jobName` must be set when setting `numConsumers`/);
  assert.match(code(() => distribute({ ...base, consumerIndex: 0 }))[1], /both `consumerIndex` and `numConsumers`/);
  assert.equal(code(() => distribute({ ...base, targetWorkers: "LOCAL" }))[0], "none");
  assert.match(code(() => distribute({ ...base, job_name: "x" } as never))[1], /no option 'job_name'; did you mean 'jobName'/);
  assert.equal(parseService("connect://h:1"), { protocol: "connect", address: "h:1" });
  assert.equal(parseService("grpc-web://h:1"), { protocol: "grpc-web", address: "h:1" });
  assert.equal(parseService("h:1"), { protocol: "grpc", address: "h:1" });
  assert.equal(parseService(["grpc", "[::1]:5050"]), { protocol: "grpc", address: "[::1]:5050" });
  const distributed = Dataset.range(3).apply(distribute(base));
  assert.match(code(() => distributed.apply(distribute(base)))[1], /has no graph to register/);
});

test.run();
