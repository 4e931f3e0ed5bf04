// One of our WorkerServers in a Node process of its own: a worker a test can SIGKILL (a crash,
// not a clean stop), or a truly remote one (not in the reading process's local-worker registry).
// Started through test/helpers/json-child.ts.
//
// Usage: node --import tsx test/helpers/worker-process.ts DISPATCHER_HOST:PORT [--heartbeat-ms N] [--tags JSON]
// stdout: {"event":"ready","worker":"localhost:PORT"} once bound and registered.
// Exits 0 when stdin closes (after stopping the worker cleanly).
import { parseArgs } from "node:util";
import { WorkerConfig, WorkerServer } from "../../src/entry/node.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "heartbeat-ms": { type: "string" }, tags: { type: "string" } },
});
const dispatcherAddress = positionals[0];
if (!dispatcherAddress) {
  console.error("usage: worker-process.ts DISPATCHER_HOST:PORT [--heartbeat-ms N] [--tags JSON]");
  process.exit(2);
}
const worker = new WorkerServer(new WorkerConfig({
  dispatcherAddress,
  port: 0,
  host: "127.0.0.1",
  heartbeatIntervalMs: values["heartbeat-ms"] ? Number(values["heartbeat-ms"]) : null,
  workerTags: values.tags ? (JSON.parse(values.tags) as string[]) : [],
}), false, { warn: (m) => console.error(m) });
await worker.start();
process.stdout.write(JSON.stringify({ event: "ready", worker: worker.address }) + "\n");
process.stdin.resume();
process.stdin.on("end", () => {
  void worker.stop().finally(() => process.exit(0));
});
