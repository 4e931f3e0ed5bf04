// One of our WorkerServers in a Node process of its own: a truly remote worker for the
// target-workers suite (not in the reading process's local-worker registry).
//
// Usage: node --import tsx test/service/client/remote-worker-process.ts DISPATCHER_HOST:PORT TAGS_JSON
// stdout: {"event":"ready","worker":"localhost:PORT"} once bound and registered.
// Exits 0 when stdin closes (after stopping the worker cleanly).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WorkerConfig, WorkerServer } from "../../../src/entry/node.js";

/** Starts the worker, prints "ready", stops on stdin EOF. */
async function main(dispatcherAddress: string | undefined, tags: string | undefined): Promise<void> {
  if (!dispatcherAddress) {
    console.error("usage: remote-worker-process.ts DISPATCHER_HOST:PORT [TAGS_JSON]");
    process.exit(2);
  }
  const worker = new WorkerServer(new WorkerConfig({
    dispatcherAddress,
    port: 0,
    host: "127.0.0.1",
    heartbeatIntervalMs: 50,
    workerTags: tags ? (JSON.parse(tags) as string[]) : [],
  }), false, { warn: (m) => console.error(m) });
  await worker.start();
  process.stdout.write(JSON.stringify({ event: "ready", worker: worker.address }) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => {
    void worker.stop().finally(() => process.exit(0));
  });
}

// Only when run as a program: a test runner importing every file of the folder gets a no-op.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv[2], process.argv[3]);
}
