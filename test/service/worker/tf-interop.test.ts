// Our WorkerServer registered with TensorFlow 2.21's own DispatchServer: TF's client reads through
// it (compression None and AUTO), and so does ours. Interop (b) of issue 2, from the worker's side.
// Our worker advertises the tfdata.v1 element stream next to "grpc": TF's dispatcher passes the
// entry on, TF's client ignores it (GetElement), and our client uses it.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Dataset } from "../../../src/dataset/dataset.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform, type Platform } from "../../../src/service/platform.js";
import { distribute } from "../../../src/service/client/distribute.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import type { RawClient } from "../../../src/service/client/worker-client.js";
import { tfPython } from "../../helpers/tf.js";
import { startTfClient, startTfCluster, type TfClient, type TfCluster } from "../../helpers/tf-drivers.js";

setPlatform(nodePlatform);

const RANGE_10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const sorted = (xs: unknown[]) => [...(xs as number[])].map(Number).sort((a, b) => a - b);

const interop = suite("our worker + TF dispatcher");

if (!tfPython()) {
  interop.skip("TF dispatcher and TF client with our worker", () => {});
} else {
  let cluster: Promise<TfCluster>;
  let client: Promise<TfClient>;
  let worker: WorkerServer | undefined;

  interop.before(async () => {
    // Started here, awaited in the tests, so a failure is a test failure.
    cluster = startTfCluster({ workers: 0 });
    client = startTfClient();
    cluster.catch(() => {});
    client.catch(() => {});
  });

  interop.after(async () => {
    await worker?.stop();
    await Promise.allSettled([cluster.then((c) => c.stop()), client.then((c) => c.stop())]);
  });

  interop("our worker registers with TF's dispatcher (GetVersion 9, heartbeat)", async () => {
    const c = await cluster;
    worker = new WorkerServer({ dispatcherAddress: c.dispatcher!, heartbeatIntervalMs: 100 });
    await worker.start();
    assert.match(worker.address, /^localhost:\d+$/);
    assert.is(await c.numWorkers(c.dispatcher!), 1);
  });

  interop("TF's client reads range(10) from our worker, compression None", async () => {
    const [c, tf] = await Promise.all([cluster, client]);
    const { elements } = await tf.read({ service: `grpc://${c.dispatcher}`, range: 10, compression: null });
    assert.equal(sorted(elements), RANGE_10);
  });

  interop("TF's client reads range(10) from our worker, compression AUTO", async () => {
    const [c, tf] = await Promise.all([cluster, client]);
    const { elements } = await tf.read({ service: `grpc://${c.dispatcher}`, range: 10, compression: "AUTO" });
    assert.equal(sorted(elements), RANGE_10);
  });

  interop("TF's client reads batches from our worker", async () => {
    const [c, tf] = await Promise.all([cluster, client]);
    const { elements } = await tf.read({ service: `grpc://${c.dispatcher}`, range: 10, batch: 4, compression: "AUTO" });
    assert.equal(elements, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  interop("our client reads through TF's dispatcher and our worker, over the element stream", async () => {
    const c = await cluster;
    const methods: string[] = [];
    const name = (path: string) => path.slice(path.lastIndexOf("/") + 1);
    // Records RPCs made through Connect transports and through a runtime's plain-gRPC client.
    const node = nodePlatform as Platform & { createRawClient?: (address: string) => RawClient };
    const spying: Platform = {
      ...node,
      createTransport(address, protocol) {
        const t = node.createTransport(address, protocol);
        return {
          unary: (m, ...rest) => (methods.push(m.name), t.unary(m, ...rest)),
          stream: (m, ...rest) => (methods.push(m.name), t.stream(m, ...rest)),
        };
      },
      ...(node.createRawClient ? {
        createRawClient(address: string): RawClient {
          const raw = node.createRawClient!(address);
          return {
            call: (path, ...rest) => (methods.push(name(path)), raw.call(path, ...rest)),
            stream: (path, ...rest) => (methods.push(name(path)), raw.stream(path, ...rest)),
          };
        },
      } : {}),
    };
    setPlatform(spying);
    try {
      const ds = Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: `grpc://${c.dispatcher}`, taskRefreshIntervalHintMs: 50,
      }));
      assert.equal(await ds.toArray(), [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
    } finally {
      setPlatform(nodePlatform);
    }
    assert.ok(methods.includes("StreamElements"), "TF's dispatcher handed our client the stream entry");
    assert.not.ok(methods.includes("GetElement"));
  });
}

interop.run();
