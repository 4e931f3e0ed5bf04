// Our client (distribute, registerDataset, fromDatasetId) reading from TensorFlow 2.21's own
// DispatchServer and WorkerServers: interop (c) of issue 2, plus repetitions and batches.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Tensor } from "../../../src/core/tensor.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { distribute, fromDatasetId, registerDataset } from "../../../src/service/client/distribute.js";
import { tfPython } from "../../helpers/tf.js";
import { startTfCluster, type TfCluster } from "../../helpers/tf-drivers.js";

setPlatform(nodePlatform);

const REFRESH_MS = 50;
const sorted = (xs: unknown[]) => xs.map(String).sort((a, b) => Number(a) - Number(b));
const copies = (n: number, k: number) => Array.from({ length: k }, (_, i) => Array(n).fill(String(i))).flat();

const interop = suite("our client + TF dispatcher and 2 TF workers");

if (!tfPython()) {
  interop.skip("our client against a TF cluster", () => {});
} else {
  let cluster: Promise<TfCluster>;
  const service = async () => `grpc://${(await cluster).dispatcher}`;

  interop.before(() => {
    cluster = startTfCluster({ workers: 2, heartbeatMs: 100 });
    cluster.catch(() => {});
  });

  interop.after(async () => {
    await cluster.then((c) => c.stop(), () => {});
  });

  for (const compression of ["AUTO", null] as const) {
    interop(`distribute(range(10)), parallel_epochs, compression ${compression}: 2 × {0..9}, twice`, async () => {
      const ds = Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: await service(), compression, taskRefreshIntervalHintMs: REFRESH_MS,
      }));
      const first = await ds.toArray();
      assert.ok(first.every((v) => typeof v === "bigint"));
      assert.equal(sorted(first), copies(2, 10));
      assert.equal(sorted(await ds.toArray()), copies(2, 10), "the next repetition reads everything again");
    });
  }

  interop("batches built in TS decode from TF's compressed elements", async () => {
    const ds = Dataset.range(7).batch(3).apply(distribute({
      processingMode: "parallel_epochs", service: await service(), taskRefreshIntervalHintMs: REFRESH_MS,
    }));
    const batches = (await ds.toArray()) as Tensor[];
    const rows = batches.map((t) => [...(t.data as BigInt64Array)].map(Number).join(",")).sort();
    assert.equal(rows, ["0,1,2", "0,1,2", "3,4,5", "3,4,5", "6", "6"]);
  });

  interop("registerDataset + fromDatasetId with TF's dispatcher (element spec from TF's metadata)", async () => {
    const id = await registerDataset(await service(), Dataset.range(4));
    const ds = await fromDatasetId("parallel_epochs", await service(), id, undefined, { taskRefreshIntervalHintMs: REFRESH_MS });
    assert.equal(sorted(await ds.toArray()), copies(2, 4));
  });
}

interop.run();
