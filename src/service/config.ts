/**
 * Server configurations: TensorFlow's `DispatcherConfig` and `WorkerConfig`
 * (`tensorflow.data.experimental`, service_config.proto) with the same fields in camelCase and the
 * same runtime defaults. Validation happens in the constructor, so a bad config fails where it is
 * written, not later inside a server.
 *
 * Unlike TF's Python namedtuples, a field this library does not implement yet is never silently
 * ignored: setting it to anything but its default throws, naming the issue that will add it.
 *
 * Deliberate extension: `host`, the interface to bind. TF always binds every interface
 * (`0.0.0.0`); `host` defaults to the same, and tests set `"127.0.0.1"`.
 */
import { TfDataError } from "../core/errors.js";

/** Largest TCP port. */
const MAX_PORT = 65535;
/** Longest `workDir` accepted (PATH_MAX on Linux). */
export const MAX_WORK_DIR_LENGTH = 4096;
/** Most entries in `workerAddresses`. */
export const MAX_CONFIGURED_WORKERS = 10_000;
/** Longest address string accepted in a config (host names are at most 253 characters). */
export const MAX_ADDRESS_LENGTH = 1024;

/** How the dispatcher's deployment is described to clients (TF's `DeploymentMode`, informational). */
export type DeploymentModeName = "UNSPECIFIED" | "COLOCATED" | "REMOTE" | "HYBRID";
const DEPLOYMENT_MODES: readonly DeploymentModeName[] = ["UNSPECIFIED", "COLOCATED", "REMOTE", "HYBRID"];

/** RPC protocol a server speaks (TF's `protocol` field). Only TF's insecure `"grpc"` exists here. */
export type ServerProtocol = "grpc";

/** Options accepted by `new DispatcherConfig(...)`; every field is optional (`undefined`/`null` = default). */
export interface DispatcherConfigInit {
  /** Port to bind; 0 picks a free port. Default 0. */
  port?: number | null;
  /** Interface to bind (extension; TF binds all interfaces). Default: all interfaces. */
  host?: string | null;
  /** Credentials protocol; only `"grpc"` (insecure gRPC, TF's default). */
  protocol?: string | null;
  /**
   * Directory for the registered dataset graphs (`<workDir>/datasets/<id>`, read by workers through
   * `TaskDef.path`, so it should be reachable by them) and, with `faultTolerantMode`, the journal.
   * Default `""`: graphs in memory, sent inline to workers.
   */
  workDir?: string | null;
  /**
   * Journal every state change to `<workDir>/tf_data_dispatcher_journal` before answering, so a
   * dispatcher restarted with the same `workDir` recovers its state. Requires `workDir`.
   */
  faultTolerantMode?: boolean | null;
  /**
   * Fixed worker list for static sharding (FILE, DATA, FILE_OR_DATA, HINT): `"host:port"`, or
   * `"host"` / `"host:%port%"` to accept any port of that host. When set, only listed workers may
   * register, and a worker's index is its position in the list.
   */
  workerAddresses?: readonly string[] | null;
  /** Informational deployment mode returned to clients. Default `"UNSPECIFIED"` (treated as REMOTE). */
  deploymentMode?: DeploymentModeName | Lowercase<DeploymentModeName> | number | null;
  /** Period of the maintenance pass (client timeout, iteration GC). Default 600000 (10 min). */
  jobGcCheckIntervalMs?: number | null;
  /** How long an iteration must be client-less before it is garbage collected; -1 = never (and no maintenance pass). Default 300000. */
  jobGcTimeoutMs?: number | null;
  /** Allow garbage collection of DYNAMIC iterations (re-creating one revisits data). Default false. */
  gcDynamicShardingJobs?: boolean | null;
  /** A client silent this long is released. Default 300000 (5 min). */
  clientTimeoutMs?: number | null;
  /**
   * A worker silent this long is declared lost, and its unfinished tasks are finished so their
   * iterations can end (TF only logs it). Default 600000 (10 min).
   */
  workerTimeoutMs?: number | null;
  /** Snapshot streams per worker. Not implemented yet (distributed snapshots). Default 3. */
  workerMaxConcurrentSnapshots?: number | null;
}

/** Options accepted by `new WorkerConfig(...)`; only `dispatcherAddress` is required. */
export interface WorkerConfigInit {
  /** `host:port` of the dispatcher, without a scheme (e.g. `dispatcher.target.split("://")[1]`). */
  dispatcherAddress: string;
  /** Address the worker advertises; the first `%port%` becomes the bound port. Default `"localhost:%port%"`. */
  workerAddress?: string | null;
  /** Port to bind; 0 picks a free port. Default 0. */
  port?: number | null;
  /** Interface to bind (extension; TF binds all interfaces). Default: all interfaces. */
  host?: string | null;
  /** Credentials protocol; only `"grpc"`. */
  protocol?: string | null;
  /** Period of the worker heartbeat. Default 30000. */
  heartbeatIntervalMs?: number | null;
  /** Retry budget for dispatcher calls. Default 3600000 (1 h). */
  dispatcherTimeoutMs?: number | null;
  /** Tags reported at registration and copied into TaskInfo (e.g. `"COLOCATED"`); non-empty strings. */
  workerTags?: readonly string[] | null;
  /** Alternative data-transfer protocol. Not implemented yet (only `"grpc"`). */
  dataTransferProtocol?: string | null;
  /** Port of the alternative data-transfer server. Not implemented yet. */
  dataTransferPort?: number | null;
  /** Advertised address of the alternative data-transfer server. Not implemented yet. */
  dataTransferAddress?: string | null;
  /** Cross-trainer cache budget per task, bytes (> 0). Default 10 GiB. */
  crossTrainerCacheSizeBytes?: number | null;
  /** Distributed snapshot chunk size. Not implemented yet (distributed snapshots). */
  snapshotMaxChunkSizeBytes?: number | null;
  /** Pause before shutting the server down so in-flight replies finish. Not implemented yet. Default 0. */
  shutdownQuietPeriodMs?: number | null;
}

/** TF's `DispatcherConfig` defaults (dispatcher_impl.cc `ApplyConfigDefaults`). */
export const DISPATCHER_DEFAULTS = {
  port: 0,
  protocol: "grpc" as ServerProtocol,
  jobGcCheckIntervalMs: 10 * 60 * 1000,
  jobGcTimeoutMs: 5 * 60 * 1000,
  clientTimeoutMs: 5 * 60 * 1000,
  workerTimeoutMs: 10 * 60 * 1000,
  workerMaxConcurrentSnapshots: 3,
} as const;

/** TF's `WorkerConfig` defaults (server_lib.py / worker_impl.cc). */
export const WORKER_DEFAULTS = {
  workerAddress: "localhost:%port%",
  port: 0,
  protocol: "grpc" as ServerProtocol,
  heartbeatIntervalMs: 30 * 1000,
  dispatcherTimeoutMs: 60 * 60 * 1000,
  crossTrainerCacheSizeBytes: 10 * 1024 ** 3,
  shutdownQuietPeriodMs: 0,
} as const;

/**
 * Configuration of a `DispatchServer` (TF's `tf.data.experimental.service.DispatcherConfig`).
 *
 * @example new DispatcherConfig({ port: 5050, host: "127.0.0.1", clientTimeoutMs: 1000 })
 */
export class DispatcherConfig {
  /** Port to bind (0 = any free port). */
  readonly port: number;
  /** Interface to bind; `undefined` = all interfaces, as TF. */
  readonly host: string | undefined;
  /** Credentials protocol (`"grpc"`). */
  readonly protocol: ServerProtocol;
  /** Directory for dataset graphs and the journal; `""` = in memory only. */
  readonly workDir: string;
  /** Journal state changes so a restart recovers them (needs `workDir`). */
  readonly faultTolerantMode: boolean;
  /** Fixed worker list for static sharding; empty = any worker may register. */
  readonly workerAddresses: readonly string[];
  /** Deployment mode reported to clients. */
  readonly deploymentMode: DeploymentModeName;
  /** Maintenance pass period, ms. */
  readonly jobGcCheckIntervalMs: number;
  /** Iteration GC timeout, ms; -1 = never. */
  readonly jobGcTimeoutMs: number;
  /** Allow garbage collection of DYNAMIC iterations. */
  readonly gcDynamicShardingJobs: boolean;
  /** Client release timeout, ms. */
  readonly clientTimeoutMs: number;
  /** Lost-worker timeout, ms. */
  readonly workerTimeoutMs: number;
  /** Snapshot streams per worker. */
  readonly workerMaxConcurrentSnapshots: number;

  constructor(init: DispatcherConfigInit = {}) {
    const where = "DispatcherConfig";
    checkKnownKeys(where, init, DISPATCHER_KEYS);
    this.port = port(where, init.port);
    this.host = host(where, init.host);
    this.protocol = protocol(where, init.protocol);
    this.workDir = workDir(where, init.workDir);
    this.faultTolerantMode = bool(where, "faultTolerantMode", init.faultTolerantMode, false);
    if (this.faultTolerantMode && this.workDir === "") {
      throw invalid(`${where}.faultTolerantMode is true, but no workDir is configured (TF: "fault_tolerant_mode ` +
        'is True, but no work_dir is configured."). Set workDir to a directory that survives restarts.');
    }
    this.workerAddresses = workerAddresses(where, init.workerAddresses);
    this.deploymentMode = deploymentMode(where, init.deploymentMode);
    this.jobGcCheckIntervalMs = positiveInt(where, "jobGcCheckIntervalMs", init.jobGcCheckIntervalMs,
      DISPATCHER_DEFAULTS.jobGcCheckIntervalMs);
    this.jobGcTimeoutMs = init.jobGcTimeoutMs === -1
      ? -1
      : positiveInt(where, "jobGcTimeoutMs", init.jobGcTimeoutMs, DISPATCHER_DEFAULTS.jobGcTimeoutMs, " or -1 (never)");
    this.gcDynamicShardingJobs = bool(where, "gcDynamicShardingJobs", init.gcDynamicShardingJobs, false);
    this.clientTimeoutMs = positiveInt(where, "clientTimeoutMs", init.clientTimeoutMs, DISPATCHER_DEFAULTS.clientTimeoutMs);
    this.workerTimeoutMs = positiveInt(where, "workerTimeoutMs", init.workerTimeoutMs, DISPATCHER_DEFAULTS.workerTimeoutMs);
    const snapshots = positiveInt(where, "workerMaxConcurrentSnapshots", init.workerMaxConcurrentSnapshots,
      DISPATCHER_DEFAULTS.workerMaxConcurrentSnapshots);
    if (snapshots !== DISPATCHER_DEFAULTS.workerMaxConcurrentSnapshots) {
      throw unimplemented(where, "workerMaxConcurrentSnapshots", "distributed snapshots");
    }
    this.workerMaxConcurrentSnapshots = snapshots;
    Object.freeze(this);
  }
}

/**
 * Configuration of a `WorkerServer` (TF's `tf.data.experimental.service.WorkerConfig`).
 *
 * @example new WorkerConfig({ dispatcherAddress: "localhost:5050", port: 5051 })
 */
export class WorkerConfig {
  /** `host:port` of the dispatcher. */
  readonly dispatcherAddress: string;
  /** Advertised address template (`%port%` is replaced by the bound port). */
  readonly workerAddress: string;
  /** Port to bind (0 = any free port). */
  readonly port: number;
  /** Interface to bind; `undefined` = all interfaces, as TF. */
  readonly host: string | undefined;
  /** Credentials protocol (`"grpc"`). */
  readonly protocol: ServerProtocol;
  /** Heartbeat period, ms. */
  readonly heartbeatIntervalMs: number;
  /** Retry budget for dispatcher calls, ms. */
  readonly dispatcherTimeoutMs: number;
  /** Worker tags (non-empty strings). */
  readonly workerTags: readonly string[];
  /** Always `""` (no alternative data-transfer server yet). */
  readonly dataTransferProtocol: string;
  /** Always 0 (no alternative data-transfer server yet). */
  readonly dataTransferPort: number;
  /** Always `""` (no alternative data-transfer server yet). */
  readonly dataTransferAddress: string;
  /** Cross-trainer cache budget, bytes. */
  readonly crossTrainerCacheSizeBytes: number;
  /** Always 0 (= runtime default; no distributed snapshots yet). */
  readonly snapshotMaxChunkSizeBytes: number;
  /** Always 0 until a quiet period is implemented. */
  readonly shutdownQuietPeriodMs: number;

  constructor(init: WorkerConfigInit) {
    const where = "WorkerConfig";
    if (init === null || typeof init !== "object") {
      throw invalid(`${where} needs an options object with at least dispatcherAddress, e.g. ` +
        `new WorkerConfig({ dispatcherAddress: "localhost:5050" }).`);
    }
    checkKnownKeys(where, init, WORKER_KEYS);
    this.dispatcherAddress = dispatcherAddress(where, init.dispatcherAddress);
    this.workerAddress = workerAddress(where, init.workerAddress);
    this.port = port(where, init.port);
    this.host = host(where, init.host);
    this.protocol = protocol(where, init.protocol);
    this.heartbeatIntervalMs = positiveInt(where, "heartbeatIntervalMs", init.heartbeatIntervalMs,
      WORKER_DEFAULTS.heartbeatIntervalMs);
    this.dispatcherTimeoutMs = positiveInt(where, "dispatcherTimeoutMs", init.dispatcherTimeoutMs,
      WORKER_DEFAULTS.dispatcherTimeoutMs);
    this.workerTags = workerTags(where, init.workerTags);
    const dtp = init.dataTransferProtocol ?? "";
    if (typeof dtp !== "string") throw invalid(`${where}.dataTransferProtocol must be a string.`);
    if (dtp !== "" && dtp !== "grpc") throw unimplemented(where, "dataTransferProtocol", "alternative data-transfer protocols");
    this.dataTransferProtocol = "";
    this.dataTransferPort = notImplemented(where, "dataTransferPort", init.dataTransferPort, 0,
      "alternative data-transfer protocols");
    this.dataTransferAddress = notImplemented(where, "dataTransferAddress", init.dataTransferAddress, "",
      "alternative data-transfer protocols");
    this.crossTrainerCacheSizeBytes = positiveInt(where, "crossTrainerCacheSizeBytes", init.crossTrainerCacheSizeBytes,
      WORKER_DEFAULTS.crossTrainerCacheSizeBytes);
    this.snapshotMaxChunkSizeBytes = notImplemented(where, "snapshotMaxChunkSizeBytes", init.snapshotMaxChunkSizeBytes, 0,
      "distributed snapshots");
    this.shutdownQuietPeriodMs = notImplemented(where, "shutdownQuietPeriodMs", init.shutdownQuietPeriodMs, 0,
      "shutdown quiet period");
    Object.freeze(this);
  }
}

const DISPATCHER_KEYS: ReadonlySet<string> = new Set([
  "port", "host", "protocol", "workDir", "faultTolerantMode", "workerAddresses", "deploymentMode",
  "jobGcCheckIntervalMs", "jobGcTimeoutMs", "gcDynamicShardingJobs", "clientTimeoutMs", "workerTimeoutMs",
  "workerMaxConcurrentSnapshots",
]);
const WORKER_KEYS: ReadonlySet<string> = new Set([
  "dispatcherAddress", "workerAddress", "port", "host", "protocol", "heartbeatIntervalMs", "dispatcherTimeoutMs",
  "workerTags", "dataTransferProtocol", "dataTransferPort", "dataTransferAddress", "crossTrainerCacheSizeBytes",
  "snapshotMaxChunkSizeBytes", "shutdownQuietPeriodMs",
]);

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

function unimplemented(where: string, field: string, what: string): TfDataError {
  return new TfDataError("Unimplemented", `${where}.${field} is not implemented yet (${what}); leave it unset.`);
}

/** A misspelt option (e.g. `dispatcher_address`) would otherwise be silently ignored. */
function checkKnownKeys(where: string, init: object, known: ReadonlySet<string>): void {
  if (init === null || typeof init !== "object" || Array.isArray(init)) {
    throw invalid(`${where} expects an options object, got ${describe(init)}.`);
  }
  for (const key of Object.keys(init)) {
    if (!known.has(key)) {
      const hint = [...known].find((k) => k.toLowerCase() === key.replace(/_/g, "").toLowerCase());
      throw invalid(`${where} has no option '${key}'${hint ? `; did you mean '${hint}'?` : ""} ` +
        `Known options: ${[...known].join(", ")}.`);
    }
  }
}

/** Accepts only the default (or unset) for a field that is not implemented yet. */
function notImplemented<T extends string | number | boolean>(
  where: string, field: string, value: T | null | undefined, dflt: T, what: string,
): T {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== typeof dflt) throw invalid(`${where}.${field} must be a ${typeof dflt}, got ${describe(value)}.`);
  if (value !== dflt) throw unimplemented(where, field, what);
  return dflt;
}

function bool(where: string, field: string, value: boolean | null | undefined, dflt: boolean): boolean {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== "boolean") throw invalid(`${where}.${field} must be a boolean, got ${describe(value)}.`);
  return value;
}

function workDir(where: string, value: string | null | undefined): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw invalid(`${where}.workDir must be a string (a directory path), got ${describe(value)}.`);
  if (value.length > MAX_WORK_DIR_LENGTH || /[\u0000-\u001f]/.test(value)) {
    throw invalid(`${where}.workDir must be a directory path of at most ${MAX_WORK_DIR_LENGTH} characters without ` +
      `control characters, got ${describe(value.slice(0, 64))}.`);
  }
  return value;
}

function workerAddresses(where: string, value: readonly string[] | null | undefined): readonly string[] {
  if (value === undefined || value === null) return Object.freeze([]);
  if (!Array.isArray(value)) throw invalid(`${where}.workerAddresses must be an array of strings, got ${describe(value)}.`);
  if (value.length > MAX_CONFIGURED_WORKERS) {
    throw invalid(`${where}.workerAddresses lists ${value.length} workers; at most ${MAX_CONFIGURED_WORKERS} are accepted.`);
  }
  const fixed = new Set<string>();
  for (const a of value) {
    if (typeof a !== "string" || a.length === 0 || a.length > MAX_ADDRESS_LENGTH || /[\s\u0000-\u001f/]/.test(a)) {
      throw invalid(`${where}.workerAddresses entries are "host:port", "host" or "host:%port%" (any port of ` +
        `that host), got ${describe(a)}.`);
    }
    const open = !a.includes(":") || /:%port(_[A-Za-z0-9_]+)?%$/.test(a) || /^\[[^\]]*\]$/.test(a);
    if (!open) {
      if (fixed.has(a)) {
        throw invalid(`${where}.workerAddresses lists ${a} twice; each worker has one index, so a repeated ` +
          "fixed address would leave a shard without a worker.");
      }
      fixed.add(a);
    }
  }
  return Object.freeze([...value]);
}

function port(where: string, value: number | null | undefined): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > MAX_PORT) {
    throw invalid(`${where}.port must be an integer in 0..${MAX_PORT} (0 = any free port), got ${describe(value)}.`);
  }
  return value;
}

function host(where: string, value: string | null | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ADDRESS_LENGTH || /[\s/]/.test(value)) {
    throw invalid(`${where}.host must be a host name or IP address such as "127.0.0.1" or "0.0.0.0", got ${describe(value)}.`);
  }
  return value;
}

function protocol(where: string, value: string | null | undefined): ServerProtocol {
  if (value === undefined || value === null || value === "grpc") return "grpc";
  if (typeof value !== "string") throw invalid(`${where}.protocol must be a string, got ${describe(value)}.`);
  throw new TfDataError("Unimplemented",
    `${where}.protocol '${value}' is not supported; only "grpc" (insecure gRPC, TF's default) is implemented.`);
}

function positiveInt(where: string, field: string, value: number | null | undefined, dflt: number, extra = ""): number {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`${where}.${field} must be a positive integer${extra}, got ${describe(value)}.`);
  }
  return value;
}

function deploymentMode(where: string, value: DispatcherConfigInit["deploymentMode"]): DeploymentModeName {
  if (value === undefined || value === null) return "UNSPECIFIED";
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < DEPLOYMENT_MODES.length) {
    return DEPLOYMENT_MODES[value];
  }
  if (typeof value === "string") {
    const upper = value.toUpperCase().replace(/^DEPLOYMENT_MODE_/, "");
    const found = DEPLOYMENT_MODES.find((m) => m === upper);
    if (found) return found;
  }
  throw invalid(`Invalid tf.data service deployment mode: ${describe(value)}. ` +
    `Supported modes are COLOCATED, REMOTE, and HYBRID (${where}.deploymentMode).`);
}

function dispatcherAddress(where: string, value: unknown): string {
  if (value === undefined || value === null || value === "") {
    throw invalid(`${where}.dispatcherAddress is required: the dispatcher's host:port, e.g. "localhost:5050".`);
  }
  if (typeof value !== "string") throw invalid(`${where}.dispatcherAddress must be a string, got ${describe(value)}.`);
  if (value.includes("://")) {
    throw invalid(`${where}.dispatcherAddress must be host:port without a scheme, got '${value}'; ` +
      `use '${value.slice(value.indexOf("://") + 3)}' (e.g. dispatcher.target.split("://")[1]).`);
  }
  checkHostPort(where, "dispatcherAddress", value, false);
  return value;
}

function workerAddress(where: string, value: string | null | undefined): string {
  if (value === undefined || value === null || value === "") return WORKER_DEFAULTS.workerAddress;
  if (typeof value !== "string") throw invalid(`${where}.workerAddress must be a string, got ${describe(value)}.`);
  if (value.includes("://")) {
    throw invalid(`${where}.workerAddress must be host:port without a scheme (e.g. "localhost:%port%"), got '${value}'.`);
  }
  checkHostPort(where, "workerAddress", value, true);
  return value;
}

/** Checks `host:port` (IPv6 as `[::1]:port`); with `allowTemplate`, the port may be `%port%`. */
function checkHostPort(where: string, field: string, value: string, allowTemplate: boolean): void {
  const m = /^(\[[^\]]+\]|[^:\s/[\]]+):([^:]+)$/.exec(value);
  const portText = m?.[2];
  const portOk = portText !== undefined &&
    ((/^\d{1,5}$/.test(portText) && Number(portText) > 0 && Number(portText) <= MAX_PORT) ||
      (allowTemplate && portText === "%port%"));
  if (value.length > MAX_ADDRESS_LENGTH || !m || !portOk) {
    throw invalid(`${where}.${field} must be host:port${allowTemplate ? " (the port may be %port%)" : ""}, ` +
      `e.g. "localhost:5050"; got ${describe(value)}.`);
  }
}

function workerTags(where: string, value: readonly string[] | null | undefined): readonly string[] {
  if (value === undefined || value === null) return Object.freeze([]);
  if (!Array.isArray(value)) throw invalid(`${where}.workerTags must be an array of strings, got ${describe(value)}.`);
  for (const tag of value) {
    if (typeof tag !== "string" || tag.length === 0) {
      // TF's wording first ("Worker tags cannot be empty. Got tags {, COLOCATED}").
      const shown = value.map((t) => (typeof t === "string" ? t : describe(t))).join(", ");
      throw invalid(`Worker tags cannot be empty. Got tags {${shown}}: ${where}.workerTags must contain ` +
        `non-empty strings, got ${describe(tag)}.`);
    }
  }
  return Object.freeze([...value]);
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}
