/**
 * Command-line parsing for `tfdata`: `--flag value` and `--flag=value`, kebab-case flags mapped
 * onto the camelCase config fields. Pure (no process access) so it is easy to test.
 */
import type { DispatcherConfigInit, WorkerConfigInit } from "../service/config.js";

/** A usage error: the CLI prints it with the usage text and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type FlagKind = "int" | "string" | "list";
interface FlagSpec {
  /** Config field the flag sets. */
  readonly field: string;
  readonly kind: FlagKind;
  readonly help: string;
}

/** Flags of `tfdata dispatcher`. */
export const DISPATCHER_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "--port": { field: "port", kind: "int", help: "port to bind (0 = any free port; default 0)" },
  "--host": { field: "host", kind: "string", help: "interface to bind (default: all interfaces, as TF)" },
  "--deployment-mode": { field: "deploymentMode", kind: "string", help: "COLOCATED, REMOTE or HYBRID (informational)" },
  "--job-gc-check-interval-ms": { field: "jobGcCheckIntervalMs", kind: "int", help: "maintenance period (default 600000)" },
  "--job-gc-timeout-ms": { field: "jobGcTimeoutMs", kind: "int", help: "GC unused iterations after this (default 300000; -1 = never)" },
  "--client-timeout-ms": { field: "clientTimeoutMs", kind: "int", help: "release silent clients after this (default 300000)" },
  "--worker-timeout-ms": { field: "workerTimeoutMs", kind: "int", help: "report silent workers after this (default 600000)" },
};

/** Flags of `tfdata worker`. */
export const WORKER_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "--dispatcher-address": { field: "dispatcherAddress", kind: "string", help: "host:port of the dispatcher (required)" },
  "--port": { field: "port", kind: "int", help: "port to bind (0 = any free port; default 0)" },
  "--host": { field: "host", kind: "string", help: "interface to bind (default: all interfaces, as TF)" },
  "--worker-address": { field: "workerAddress", kind: "string", help: 'address advertised to clients (default "localhost:%port%")' },
  "--heartbeat-interval-ms": { field: "heartbeatIntervalMs", kind: "int", help: "heartbeat period (default 30000)" },
  "--dispatcher-timeout-ms": { field: "dispatcherTimeoutMs", kind: "int", help: "retry budget for dispatcher calls (default 3600000)" },
  "--worker-tags": { field: "workerTags", kind: "list", help: "comma-separated tags, e.g. COLOCATED" },
};

/** What the command line asks for. */
export type Command =
  | { kind: "help" }
  | { kind: "dispatcher"; config: DispatcherConfigInit }
  | { kind: "worker"; config: WorkerConfigInit };

/** The usage text printed by `--help` and after a usage error. */
export function usage(): string {
  const table = (flags: Readonly<Record<string, FlagSpec>>) =>
    Object.entries(flags).map(([flag, spec]) =>
      `    ${(flag + (spec.kind === "list" ? " A,B" : spec.kind === "int" ? " N" : " VALUE")).padEnd(34)}${spec.help}`).join("\n");
  return [
    "Usage: tfdata <command> [flags]",
    "",
    "Runs a tf.data service server (wire-compatible with TensorFlow 2.21) until SIGINT or SIGTERM.",
    "",
    "Commands:",
    "  dispatcher   a DispatchServer",
    table(DISPATCHER_FLAGS),
    "  worker       a WorkerServer registered with a dispatcher",
    table(WORKER_FLAGS),
    "",
    "Examples:",
    "  tfdata dispatcher --port 5050",
    "  tfdata worker --port 5051 --dispatcher-address localhost:5050",
    "",
    "  -h, --help   show this help",
  ].join("\n");
}

/** Parses `argv` (without node and script); throws `UsageError` for anything it does not know. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0) throw new UsageError("missing command: expected 'dispatcher' or 'worker'.");
  if (argv.some((a) => a === "-h" || a === "--help") || argv[0] === "help") return { kind: "help" };
  const [command, ...rest] = argv;
  if (command === "dispatcher") return { kind: "dispatcher", config: parseFlags(command, rest, DISPATCHER_FLAGS) };
  if (command === "worker") {
    const config = parseFlags(command, rest, WORKER_FLAGS) as Partial<WorkerConfigInit>;
    if (config.dispatcherAddress === undefined) {
      throw new UsageError("tfdata worker needs --dispatcher-address HOST:PORT (e.g. localhost:5050).");
    }
    return { kind: "worker", config: config as WorkerConfigInit };
  }
  throw new UsageError(`unknown command '${command}': expected 'dispatcher' or 'worker'.`);
}

function parseFlags(command: string, args: readonly string[], flags: Readonly<Record<string, FlagSpec>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = flags[flag];
    if (!spec) {
      throw new UsageError(arg.startsWith("-")
        ? `unknown flag '${flag}' for 'tfdata ${command}'.`
        : `unexpected argument '${arg}' for 'tfdata ${command}'.`);
    }
    let value: string;
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
    } else {
      if (i + 1 >= args.length) throw new UsageError(`flag ${flag} needs a value.`);
      value = args[++i];
    }
    if (spec.field in out) throw new UsageError(`flag ${flag} is given twice.`);
    out[spec.field] = convert(flag, spec.kind, value);
  }
  return out;
}

function convert(flag: string, kind: FlagKind, value: string): unknown {
  if (kind === "int") {
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new UsageError(`flag ${flag} expects an integer, got '${value}'.`);
    }
    return Number(value);
  }
  if (kind === "list") return value === "" ? [] : value.split(",");
  return value;
}
