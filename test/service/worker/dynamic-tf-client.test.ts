// Issue 4's acceptance for DYNAMIC sharding with real TensorFlow 2.21: TF's own Python client
// reads `distributed_epoch` through two of our workers (registered with our dispatcher, and with
// TF's) and gets each element of range(100) exactly once, with compression AUTO and None.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import { tfPython } from "../../helpers/tf.js";
import { sharedTfClient, sharedTfCluster, type SharedLease, type TfClient, type TfCluster, type TfComponentJson } from "../../helpers/tf-drivers.js";

setPlatform(nodePlatform);

const HEARTBEAT_MS = 100;
/** TF client heartbeat (it also bounds how soon the client sees the iteration finish). */
const REFRESH_MS = 50;
const READ_TIMEOUT_MS = 60_000;

const dyn = suite("TF client, distributed_epoch, our workers");
const python = tfPython();

/** The int64 values of a TF read (one scalar int64 component per element). */
function values(elements: readonly TfComponentJson[][]): bigint[] {
  return elements.map((e) => {
    const c = e[0];
    assert.ok("data" in c && c.dtype === "int64", `not an int64 component: ${JSON.stringify(c)}`);
    return Buffer.from(c.data, "base64").readBigInt64LE(0);
  });
}

async function ourWorkers(dispatcher: string): Promise<WorkerServer[]> {
  const workers = [0, 1].map(() => new WorkerServer({ dispatcherAddress: dispatcher, host: "127.0.0.1",
    heartbeatIntervalMs: HEARTBEAT_MS }));
  await Promise.all(workers.map((w) => w.start()));
  return workers;
}

if (!python) {
  dyn.skip("TF's client reads range(100) exactly once through two of our workers", () => {});
} else {
  let client: SharedLease<TfClient> | undefined;
  let cluster: SharedLease<TfCluster> | undefined;
  dyn.after(() => {
    client?.release();
    cluster?.release();
  });

  async function readTwice(service: string): Promise<void> {
    const tf = await (client ??= sharedTfClient()).value;
    for (const compression of ["AUTO", null] as const) {
      const r = await tf.readDataset({
        dataset: { range: 100 }, service, processingMode: "distributed_epoch", compression, refreshMs: REFRESH_MS,
      }, READ_TIMEOUT_MS);
      assert.is(r.error, null, String(r.error));
      assert.ok(r.done && !r.timedOut, `the read did not end (${r.elements.length} elements)`);
      const got = values(r.elements).sort((a, b) => Number(a - b));
      assert.equal(got, Array.from({ length: 100 }, (_, i) => BigInt(i)), `compression ${compression}`);
    }
  }

  dyn("TF's client reads range(100) exactly once through our dispatcher and two of our workers", async () => {
    const d = new DispatchServer({ host: "127.0.0.1" });
    await d.start();
    const workers = await ourWorkers(d._address);
    try {
      await readTwice(`grpc://${d._address}`);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await d.stop();
    }
  });

  dyn("TF's client reads range(100) exactly once through TF's dispatcher and two of our workers", async () => {
    const tfCluster = await (cluster ??= sharedTfCluster()).value;
    const dispatcher = await tfCluster.newDispatcher();
    const workers = await ourWorkers(dispatcher);
    try {
      await readTwice(`grpc://${dispatcher}`);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await tfCluster.stopServer(dispatcher);
    }
  });
}

dyn.run();
