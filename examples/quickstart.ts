// Quick start: TensorFlow's WorkerServer example, in TypeScript. `npm start` runs it.
// An embedded dispatcher and worker serve `Dataset.range(10)`; the client reads it back through
// the tf.data service (gRPC on loopback) and prints the ten int64 values 0..9 as bigints.
import { Dataset, DispatchServer, WorkerServer, WorkerConfig, distribute } from "../src/entry/node.js";

const dispatcher = new DispatchServer(); // (config?, start = true)
await dispatcher.start(); // idempotent; resolves once bound
const worker = new WorkerServer(new WorkerConfig({ dispatcherAddress: dispatcher.target.split("://")[1] }));
await worker.start(); // resolves once registered with the dispatcher
const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: dispatcher.target }));
console.log(await ds.toArray()); // the ten int64 values 0..9, no precision lost
await worker.stop();
await dispatcher.stop(); // join() resolves once stopped
