// Child process of distribute.test.ts: reads a few elements, drops the iterator without return(),
// stops the servers and expects the process to end by itself (prints "done" first).
import { Dataset } from "../../../src/dataset/dataset.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { distribute } from "../../../src/service/client/distribute.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";

setPlatform(nodePlatform);
const dispatcher = new DispatchServer({ host: "127.0.0.1" });
await dispatcher.start();
const worker = new WorkerServer({ dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: 50 });
await worker.start();
const ds = Dataset.range(1_000_000).apply(distribute({ processingMode: "parallel_epochs", service: dispatcher.target, taskRefreshIntervalHintMs: 50 }));
const it = ds[Symbol.asyncIterator]();
for (let i = 0; i < 3; i++) await it.next();
await worker.stop();
await dispatcher.stop();
console.log("done");
