/**
 * `tfdata`: runs a dispatcher or a worker as a dedicated process, blocking like TF's `join()`.
 *
 *   tfdata dispatcher --port 5050
 *   tfdata worker --port 5051 --dispatcher-address localhost:5050
 *
 * Prints one line once serving, and stops cleanly on SIGINT/SIGTERM (sockets closed, exit 0).
 * Usage errors exit 2, start failures exit 1. Node-only, like `src/runtime`.
 */
import { pathToFileURL } from "node:url";
import { nodePlatform } from "../runtime/node.js";
import { setPlatform } from "../service/platform.js";
import { DispatcherConfig, WorkerConfig } from "../service/config.js";
import { DispatchServer } from "../service/dispatch-server.js";
import { WorkerServer } from "../service/worker/worker-server.js";
import { type Command, parseArgs, usage, UsageError } from "./args.js";

/** After a stop signal, how long the process waits for a clean stop before exiting anyway. */
export const STOP_DEADLINE_MS = 1800;

/** Exit code of a usage error (bad command, flag or config value). */
const EXIT_USAGE = 2;
/** Exit code of a failure to start (or of a second stop signal). */
const EXIT_FAILURE = 1;

/** The server a command runs, as far as the CLI needs it. */
interface Server {
  start(): Promise<void>;
  stop(): Promise<void>;
  join(): Promise<void>;
}

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs the command line `argv` (without `node` and the script) until the server stops; resolves to
 * the process exit code. Installs SIGINT/SIGTERM handlers for the server's lifetime.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`tfdata: ${err.message}\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (command.kind === "help") {
    io.out(usage());
    return 0;
  }

  setPlatform(nodePlatform);
  let server: Server;
  let describe: () => string;
  try {
    if (command.kind === "dispatcher") {
      const s = new DispatchServer(new DispatcherConfig(command.config), false);
      server = s;
      describe = () => `tfdata dispatcher listening on ${s.target}`;
    } else {
      const s = new WorkerServer(new WorkerConfig(command.config), false);
      server = s;
      describe = () => `tfdata worker listening on grpc://${s.address}, registered with dispatcher ` +
        s.config.dispatcherAddress;
    }
  } catch (err) {
    io.err(`tfdata: ${(err as Error).message}`);
    return EXIT_USAGE;
  }

  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested) {
      io.err(`tfdata: second ${signal}, exiting now`);
      process.exit(EXIT_FAILURE);
    }
    stopRequested = true;
    const deadline = setTimeout(() => {
      // Exiting closes every socket anyway; the warning says a stop() path needs fixing.
      io.err(`tfdata: the server did not stop within ${STOP_DEADLINE_MS} ms; exiting anyway`);
      process.exit(0);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    void server.stop().finally(() => clearTimeout(deadline));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // Said once the signal handlers are in place: from here on a stop signal exits cleanly.
  io.err(command.kind === "worker"
    ? `tfdata worker starting; registering with dispatcher ${command.config.dispatcherAddress} (retried until it answers)`
    : "tfdata dispatcher starting");
  try {
    try {
      await server.start();
    } catch (err) {
      if (stopRequested) return 0; // stopped while starting (e.g. still waiting for the dispatcher)
      io.err(`tfdata: failed to start: ${(err as Error).message}`);
      await server.stop().catch(() => {});
      return EXIT_FAILURE;
    }
    if (!stopRequested) io.out(describe());
    await server.join().catch(() => {});
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** True when this module is the process's entry script (`node --import tsx src/cli/main.ts ...`). */
function isEntryScript(): boolean {
  const script = process.argv[1];
  return script !== undefined && import.meta.url === pathToFileURL(script).href;
}

if (isEntryScript()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`tfdata: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(EXIT_FAILURE);
    },
  );
}
