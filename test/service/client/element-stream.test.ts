// The reading client over the tfdata.v1 element stream: used whenever a worker advertises it,
// GetElement otherwise (TF workers, `dataTransferProtocol: "grpc"`, a worker that does not serve
// it); bounded memory through credits (elements and bytes); errors keep their codes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Transport } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { TfDataError } from "../../../src/core/errors.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform, type Platform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { WorkerServer, type WorkerServerInternals } from "../../../src/service/worker/worker-server.js";
import { realPipelineDeps, type PipelineDeps } from "../../../src/service/worker/task-pipeline.js";
import { DataServiceSource } from "../../../src/service/client/data-service-source.js";
import { distribute, registerDataset } from "../../../src/service/client/distribute.js";
import { FcfsReader } from "../../../src/service/client/fcfs-reader.js";
import { DispatcherClient } from "../../../src/service/client/dispatcher-client.js";
import { WorkerElementClient, type RawClient } from "../../../src/service/client/worker-client.js";
import { ShardingPolicy } from "../../../src/service/client/processing-mode.js";
import { DispatcherService } from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { WorkerService } from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import { createClient } from "@connectrpc/connect";
import { getCore } from "../../../src/core/core.js";
import { FakeDispatcher, fakeDeps, taskDef } from "../worker/fake-dispatcher.js";

const HEARTBEAT_MS = 50;
const REFRESH_MS = 50;

/** RPC method names every client transport made, in order. */
const calls: string[] = [];

function spy(t: Transport): Transport {
  return {
    unary: (method, ...rest) => {
      calls.push(method.name);
      return t.unary(method, ...rest);
    },
    stream: (method, ...rest) => {
      calls.push(method.name);
      return t.stream(method, ...rest);
    },
  };
}

/** The same for a runtime's plain-gRPC client (Node may read elements without Connect). */
function spyRaw(raw: RawClient): RawClient {
  const name = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  return {
    call: (path, ...rest) => {
      calls.push(name(path));
      return raw.call(path, ...rest);
    },
    stream: (path, ...rest) => {
      calls.push(name(path));
      return raw.stream(path, ...rest);
    },
  };
}

type RawPlatform = Platform & { createRawClient?: (address: string) => RawClient };
const node = nodePlatform as RawPlatform;
const spyPlatform: RawPlatform = {
  ...node,
  createTransport: (a, p) => spy(node.createTransport(a, p)),
  ...(node.createRawClient ? { createRawClient: (a: string) => spyRaw(node.createRawClient!(a)) } : {}),
};

/** Elements each worker's sources produced so far. */
interface Counted {
  produced: number;
}

function counting(counter: Counted, base: PipelineDeps = realPipelineDeps): () => Promise<PipelineDeps> {
  return () => Promise.resolve({
    ...base,
    createParallelSource: undefined, // every task reads through the wrapped one-thread source
    async createSource(plan) {
      const src = await base.createSource(plan);
      return {
        next() {
          const e = src.next();
          if (e) counter.produced++;
          return e;
        },
        close: () => src.close(),
      };
    },
  });
}

interface Cluster {
  dispatcher: DispatchServer;
  workers: WorkerServer[];
  counters: Counted[];
  stop(): Promise<void>;
}

async function startCluster(numWorkers: number, internals: WorkerServerInternals = {}): Promise<Cluster> {
  const dispatcher = new DispatchServer({ host: "127.0.0.1" });
  await dispatcher.start();
  const counters = Array.from({ length: numWorkers }, () => ({ produced: 0 }));
  const workers = counters.map((c) => new WorkerServer({
    dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS,
  }, true, { pipelineDeps: counting(c), ...internals }));
  await Promise.all(workers.map((w) => w.start()));
  return {
    dispatcher,
    workers,
    counters,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await dispatcher.stop();
    },
  };
}

async function withSpy<T>(fn: () => Promise<T>): Promise<T> {
  calls.length = 0;
  setPlatform(spyPlatform);
  try {
    return await fn();
  } finally {
    setPlatform(nodePlatform);
  }
}

const count = (name: string) => calls.filter((c) => c === name).length;
const sorted = (xs: unknown[]) => xs.map(String).sort((a, b) => Number(a) - Number(b));
const copies = (n: number, k: number) => sorted(Array.from({ length: n * k }, (_, i) => i % k));
const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

test("our client reads our workers over the element stream: in order per worker, all copies", async () => {
  await withSpy(async () => {
    const one = await startCluster(1);
    try {
      const ds = Dataset.range(2000).apply(distribute({
        processingMode: "parallel_epochs", service: one.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      assert.equal(await ds.toArray(), Array.from({ length: 2000 }, (_, i) => BigInt(i)), "one worker: in order");
      assert.ok(count("StreamElements") >= 1, "the stream was used");
      assert.is(count("GetElement"), 0, "GetElement was not");
      assert.ok(count("GrantCredits") >= 1, "credits were granted as elements were consumed");
    } finally {
      await one.stop();
    }
    const three = await startCluster(3);
    try {
      const ds = Dataset.range(50).apply(distribute({
        processingMode: "parallel_epochs", service: three.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      assert.equal(sorted(await ds.toArray()), copies(3, 50));
    } finally {
      await three.stop();
    }
  });
});

test("GetElement is used for workers that do not advertise the stream, and with dataTransferProtocol 'grpc'", async () => {
  await withSpy(async () => {
    const plain = await startCluster(1, { elementStream: false });
    try {
      const ds = Dataset.range(20).apply(distribute({
        processingMode: "parallel_epochs", service: plain.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      assert.equal(await ds.toArray(), Array.from({ length: 20 }, (_, i) => BigInt(i)));
      assert.is(count("StreamElements"), 0);
      assert.ok(count("GetElement") >= 20);
    } finally {
      await plain.stop();
    }
    calls.length = 0;
    const c = await startCluster(1);
    try {
      const ds = Dataset.range(20).apply(distribute({
        processingMode: "parallel_epochs", service: c.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
        dataTransferProtocol: "grpc",
      }));
      assert.equal(await ds.toArray(), Array.from({ length: 20 }, (_, i) => BigInt(i)));
      assert.is(count("StreamElements"), 0);
      assert.ok(count("GetElement") >= 20);
    } finally {
      await c.stop();
    }
  });
});

test("backpressure: an explicit maxOutstandingRequests bounds what the worker produces ahead of the reader", async () => {
  const c = await startCluster(1);
  try {
    const max = 3;
    const ds = Dataset.range(10_000).apply(distribute({
      processingMode: "parallel_epochs", service: c.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
      maxOutstandingRequests: max,
    }));
    const it = ds[Symbol.asyncIterator]();
    for (let consumed = 1; consumed <= 20; consumed++) {
      assert.is((await it.next()).value, BigInt(consumed - 1));
      if (consumed % 10 === 0) {
        await settle();
        // Held by the reader (queued or granted) at most `max`, plus the runner's one prefetched element.
        assert.ok(c.counters[0].produced <= consumed + max + 1,
          `after ${consumed} consumed the worker produced ${c.counters[0].produced}`);
      }
    }
    await it.return!();
  } finally {
    await c.stop();
  }
});

test("backpressure: the byte window bounds what the worker produces ahead of the reader", async () => {
  const c = await startCluster(1);
  try {
    const id = await registerDataset(c.dispatcher.target, Dataset.range(100_000).batch(100), { compression: null });
    const elementBytes = 100 * 8 + 32; // 100 int64 plus the TensorProto around them (about)
    const windowBytes = 4 * elementBytes;
    const source = new DataServiceSource({
      service: { protocol: "grpc", address: c.dispatcher._address },
      processingMode: ShardingPolicy.OFF,
      datasetId: () => Promise.resolve(id),
      maxOutstandingRequests: -1,
      taskRefreshIntervalMs: REFRESH_MS,
      streamWindow: { bytes: windowBytes },
    });
    const it = source.iterate();
    for (let consumed = 1; consumed <= 30; consumed++) {
      assert.is((await it.next()).done, false);
      if (consumed % 10 === 0) {
        await settle();
        // The window's bytes (about 4 elements) plus one overshooting element, plus the prefetched one.
        assert.ok(c.counters[0].produced <= consumed + 4 + 1 + 1,
          `after ${consumed} consumed the worker produced ${c.counters[0].produced}`);
      }
    }
    await it.return!();
  } finally {
    await c.stop();
  }
});

test("a worker error mid-stream fails the iterator with its code and address, after the elements before it", async () => {
  const dispatcher = new DispatchServer({ host: "127.0.0.1" });
  await dispatcher.start();
  const failAfter = 5;
  const failing: PipelineDeps = {
    ...realPipelineDeps,
    createParallelSource: undefined, // every task reads through the wrapped one-thread source
    async createSource(plan) {
      const src = await realPipelineDeps.createSource(plan);
      let n = 0;
      return {
        next() {
          if (n++ === failAfter) throw new TfDataError("DataLoss", "record 5 is corrupt");
          return src.next();
        },
        close: () => src.close(),
      };
    },
  };
  const worker = new WorkerServer({ dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS },
    true, { pipelineDeps: () => Promise.resolve(failing) });
  try {
    await worker.start();
    const ds = Dataset.range(100).apply(distribute({ processingMode: "parallel_epochs", service: dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS }));
    const got: unknown[] = [];
    try {
      for await (const v of ds) got.push(v);
      assert.unreachable("should fail");
    } catch (err) {
      assert.instance(err, TfDataError);
      assert.is((err as TfDataError).code, "DataLoss");
      assert.match((err as Error).message, new RegExp(`^Failed to get element from worker ${worker.address}: record 5 is corrupt`));
    }
    assert.equal(got, [0n, 1n, 2n, 3n, 4n], "the elements produced before the failure were delivered");
  } finally {
    await worker.stop();
    await dispatcher.stop();
  }
});

test("a worker that advertises the stream but does not serve it is read with GetElement", async () => {
  // A dispatcher stand-in hands the reader a task whose worker claims the stream; the worker
  // (elementStream: false) answers StreamElements with UNIMPLEMENTED.
  const fake = await new FakeDispatcher().start();
  const worker = new WorkerServer({
    dispatcherAddress: fake.address, host: "127.0.0.1", workerAddress: "127.0.0.1:%port%", heartbeatIntervalMs: HEARTBEAT_MS,
  }, true, { pipelineDeps: fakeDeps({ stripped: 0, closed: 0 }), elementStream: false });
  const { listen } = nodePlatform;
  let finished = false;
  const server = await listen((router) => {
    router.service(DispatcherService, {
      getVersion: () => ({ version: 9n }),
      clientHeartbeat: () => finished ? { iterationFinished: true } : {
        taskInfo: [{
          workerAddress: worker.address, taskId: 77n, iterationId: 1n,
          transferServers: [{ protocol: "grpc", address: worker.address }, { protocol: "tfdata-stream", address: worker.address }],
        }],
      },
      releaseIterationClient: () => ({}),
    });
  }, { host: "127.0.0.1", port: 0 });
  try {
    await worker.start();
    await createClient(WorkerService, nodePlatform.createTransport(worker.address, "grpc"))
      .processTask({ task: taskDef({ taskId: 77n, workerAddress: worker.address, graph: "range:6" }) });
    const core = await getCore();
    const clients = new Map<string, WorkerElementClient>();
    const reader = new FcfsReader({
      dispatcher: new DispatcherClient(`127.0.0.1:${server.port}`, "grpc"),
      iterationClientId: 1n,
      worker: (a) => clients.get(a) ?? clients.set(a, new WorkerElementClient(spy(nodePlatform.createTransport(a, "grpc")))).get(a)!,
      maxOutstandingRequests: 4,
      taskRefreshIntervalMs: REFRESH_MS,
      decode: (k, b) => core.decodeElement(k, b),
      streamWindow: { elements: 16, bytes: 1 << 20 },
    });
    calls.length = 0;
    const got: bigint[] = [];
    for (;;) {
      const r = await reader.next();
      if (r.done) break;
      got.push((r.value[0].data as BigInt64Array)[0]);
      if (got.length === 6) finished = true;
    }
    assert.equal(got, [0n, 1n, 2n, 3n, 4n, 5n]);
    assert.is(count("StreamElements"), 1, "the stream was tried once");
    assert.ok(count("GetElement") >= 6, "then GetElement read the task");
  } finally {
    await worker.stop();
    await server.close();
    await fake.stop();
  }
});

test("a stream that fails with a retryable code is reopened with backoff and the read completes", async () => {
  await withSpy(async () => {
    let failures = 3;
    const c = await startCluster(1, {
      pipelineDeps: () => Promise.resolve({
        ...realPipelineDeps,
        createParallelSource: undefined, // every task starts through the failing createSource
        async createSource(plan) {
          // The task's pipeline fails to start as on an overloaded worker (UNAVAILABLE, retryable);
          // a failed start is forgotten, so a later read tries again.
          if (failures > 0) {
            failures--;
            throw new ConnectError("worker is busy", Code.Unavailable);
          }
          return realPipelineDeps.createSource(plan);
        },
      }),
    });
    try {
      const ds = Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: c.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      assert.equal(await ds.toArray(), Array.from({ length: 10 }, (_, i) => BigInt(i)));
      assert.is(failures, 0);
      assert.ok(count("StreamElements") >= 4, `the stream was reopened (${count("StreamElements")} opens)`);
      assert.is(count("GetElement"), 0, "it stayed on the stream");
    } finally {
      await c.stop();
    }
  });
});

test.run();
