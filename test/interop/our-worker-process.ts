// One of our WorkerServers in a Node process of its own, so a failure test can SIGKILL it (a crash,
// not a clean stop). Started by failure.test.ts through test/helpers/json-child.ts.
//
// Usage: node --import tsx test/interop/our-worker-process.ts DISPATCHER_HOST:PORT [HEARTBEAT_MS]
// stdout: {"event":"ready","worker":"localhost:PORT"} once bound and registered.
// Exits 0 when stdin closes (after stopping the worker cleanly).
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WorkerConfig, WorkerServer } from "../../src/entry/node.js";

/** Starts the worker, prints "ready", stops on stdin EOF. */
async function main(dispatcherAddress: string | undefined, heartbeat: string | undefined): Promise<void> {
  if (!dispatcherAddress) {
    console.error("usage: our-worker-process.ts DISPATCHER_HOST:PORT [HEARTBEAT_MS]");
    process.exit(2);
  }
  const worker = new WorkerServer(new WorkerConfig({
    dispatcherAddress,
    port: 0,
    host: "127.0.0.1",
    heartbeatIntervalMs: heartbeat ? Number(heartbeat) : null,
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
