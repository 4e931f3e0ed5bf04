import { Dataset } from "./src/dataset/dataset.js";
import { nodePlatform } from "./src/runtime/node.js";
import { setPlatform } from "./src/service/platform.js";
import { DispatchServer } from "./src/service/dispatch-server.js";
import { WorkerServer } from "./src/service/worker/worker-server.js";
import { distribute } from "./src/service/client/distribute.js";
setPlatform(nodePlatform);
const d = new DispatchServer({ host: "127.0.0.1" });
await d.start();
const workers = Array.from({ length: Number(process.argv[2] ?? 2) }, () => new WorkerServer({ dispatcherAddress: d._address, host: "127.0.0.1", heartbeatIntervalMs: 50 }));
await Promise.all(workers.map((w) => w.start()));
for (const mode of ["distributed_epoch", "distributed_epoch", "distributed_epoch"]) {
  const ds = Dataset.fromTensorSlices([5, 1, 2, 4]).apply(distribute({ processingMode: mode as never, service: d.target, taskRefreshIntervalHintMs: 50 }));
  console.log(mode, await ds.toArray());
}
const ds2 = Dataset.fromTensorSlices([5n, 1n, 2n, 4n]).apply(distribute({ processingMode: "distributed_epoch", service: d.target, taskRefreshIntervalHintMs: 50 }));
console.log("int64", await ds2.toArray());
await Promise.all(workers.map((w) => w.stop()));
await d.stop();
