// Child process of `bench/transfer.ts`: our DispatchServer + one WorkerServer on loopback, in a
// process of their own (so the reading client gets the other core, as TF's C++ threads do).
//
// Usage: node --import tsx bench/transfer-server.ts [--no-stream]
//   --no-stream  the worker does not advertise the streaming extension (clients use GetElement)
// Prints {"event":"ready","target":"grpc://127.0.0.1:P"}; stops and exits 0 when stdin closes.
import { DispatchServer, DispatcherConfig, WorkerConfig, WorkerServer } from "../src/entry/node.js";

const HOST = "127.0.0.1";
const noStream = process.argv.includes("--no-stream");
const dispatcher = new DispatchServer(new DispatcherConfig({ port: 0, host: HOST }), false);
await dispatcher.start();
const address = dispatcher.target.split("://")[1];
const worker = new WorkerServer(new WorkerConfig({ port: 0, host: HOST, dispatcherAddress: address }), false,
  { elementStream: !noStream });
await worker.start();
process.stdout.write(JSON.stringify({ event: "ready", target: `grpc://${address}` }) + "\n");
process.stdin.resume();
process.stdin.on("end", () => {
  void worker.stop().then(() => dispatcher.stop()).then(() => process.exit(0));
});
