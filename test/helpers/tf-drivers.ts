// Typed handles on the python drivers in test/interop/: a TF 2.21 cluster and a TF 2.21 client.
// Each is one long-lived python process (TF's import costs seconds), driven by JSON commands;
// `sharedTfCluster()` / `sharedTfClient()` share one of each across the suites of a run.
import type { JsonChild } from "./json-child.js";
import { spawnPython } from "./tf.js";

/** How long a TF process gets to import TensorFlow and start its servers. */
export const TF_START_TIMEOUT_MS = 90_000;
/** How long one TF client read may take before the client is declared stuck and killed. */
export const TF_READ_TIMEOUT_MS = 60_000;

/**
 * `DispatcherConfig` proto fields for a TF dispatcher (snake_case, as the proto), including the
 * proto-only ones Python's namedtuple lacks (`client_timeout_ms`).
 */
export interface TfDispatcherConfig {
  port?: number;
  worker_timeout_ms?: number;
  client_timeout_ms?: number;
  job_gc_check_interval_ms?: number;
  job_gc_timeout_ms?: number;
}

/** Options of one TF worker started by {@link TfCluster.newWorker}. */
export interface TfWorkerOptions {
  /** `WorkerConfig.heartbeat_interval_ms` (default: the cluster's `--heartbeat-ms`, else TF's 30 s). */
  heartbeatMs?: number;
  /** Port to bind (default: any free port). */
  port?: number;
  /** Address advertised to the dispatcher and clients (default `localhost:%port%`), e.g. a proxy. */
  workerAddress?: string;
}

/** TensorFlow `DispatchServer`s and `WorkerServer`s hosted by one python process. */
export interface TfCluster {
  /** `localhost:PORT` of the dispatcher started with the cluster (null with `dispatcherAddress` or `dispatcher: false`). */
  readonly dispatcher: string | null;
  /** `localhost:PORT` of each worker started with the cluster. */
  readonly workers: readonly string[];
  /** `tf.__version__` of the python running the cluster. */
  readonly version: string;
  /** Starts one more TF dispatcher in the same process; returns `localhost:PORT`. */
  newDispatcher(config?: TfDispatcherConfig): Promise<string>;
  /**
   * Starts one more TF worker registered with `dispatcher` (any implementation); returns
   * `localhost:PORT` of the bound port (the key for {@link stopServer}).
   */
  newWorker(dispatcher: string, opts?: TfWorkerOptions): Promise<string>;
  /** Stops one server started by this cluster. */
  stopServer(address: string): Promise<void>;
  /** Number of workers a TF dispatcher of this cluster knows. */
  numWorkers(dispatcher: string): Promise<number>;
  /** Stops every server and the python process. */
  stop(): Promise<void>;
  readonly process: JsonChild;
}

/**
 * Starts `test/interop/tf_cluster.py`: a TF dispatcher (unless `dispatcherAddress` is given, then
 * the workers register there) plus `workers` TF workers.
 */
export async function startTfCluster(opts: {
  workers?: number;
  dispatcherAddress?: string;
  heartbeatMs?: number;
  /** false: start no dispatcher (servers come from `newDispatcher` / `newWorker`). Default true. */
  dispatcher?: boolean;
  /** The python to run (default: `tfPython()`), e.g. another TF version's venv. */
  python?: string;
} = {}): Promise<TfCluster> {
  const args = ["--workers", String(opts.workers ?? 0)];
  if (opts.dispatcherAddress) args.push("--dispatcher-address", opts.dispatcherAddress);
  else if (opts.dispatcher === false) args.push("--no-dispatcher");
  if (opts.heartbeatMs !== undefined) args.push("--heartbeat-ms", String(opts.heartbeatMs));
  const child = spawnPython("test/interop/tf_cluster.py", args, { python: opts.python });
  let ready;
  try {
    ready = await child.next("ready", TF_START_TIMEOUT_MS);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    dispatcher: (ready.dispatcher as string | null) ?? null,
    workers: (ready.workers as string[]) ?? [],
    version: String(ready.version ?? "unknown"),
    newDispatcher: async (config) =>
      (await child.request({ cmd: "dispatcher", config: config ?? {} }, TF_START_TIMEOUT_MS)).dispatcher as string,
    newWorker: async (dispatcher, w = {}) => (await child.request({
      cmd: "worker",
      dispatcher,
      heartbeat_ms: w.heartbeatMs ?? null,
      port: w.port ?? 0,
      worker_address: w.workerAddress ?? null,
    }, TF_START_TIMEOUT_MS)).worker as string,
    stopServer: async (address) => { await child.request({ cmd: "stop", address }); },
    numWorkers: async (dispatcher) => (await child.request({ cmd: "num_workers", dispatcher })).count as number,
    stop: () => child.stop(),
    process: child,
  };
}

/** What {@link TfClient.read} reads: `tf.data.Dataset.range(range)[.batch(batch)]` distributed. */
export interface TfReadOptions {
  /** `grpc://host:port` or `host:port`. */
  service: string;
  range?: number;
  batch?: number;
  /** `null` (None), `"AUTO"` or `"SNAPPY"`. Default null. */
  compression?: null | "AUTO" | "SNAPPY";
  processingMode?: string;
  jobName?: string;
}

/** What a {@link TfClient} session reads: a golden-corpus pipeline (Python twin) or `range(n)`. */
export type TfDatasetSpec = { corpus: string } | { range: number };

/** Options of a TF client session (TF's `distribute` arguments). */
export interface TfSessionOptions {
  dataset: TfDatasetSpec;
  /** `grpc://host:port` or `host:port`. */
  service: string;
  /** `"parallel_epochs"` or `"distributed_epoch"`. Default parallel_epochs. */
  processingMode?: string;
  /** `null` (None), `"AUTO"` or `"SNAPPY"`. Default null. */
  compression?: null | "AUTO" | "SNAPPY";
  /** TF's private `task_refresh_interval_hint_ms` (client heartbeat period); default TF's 1 s. */
  refreshMs?: number;
  maxOutstandingRequests?: number;
  jobName?: string;
}

/** One component as the golden fixtures store it (see `test/golden/fixtures.ts` `ComponentJson`). */
export type TfComponentJson =
  | { readonly dtype: string; readonly shape: readonly number[]; readonly data: string }
  | { readonly dtype: "string"; readonly shape: readonly number[]; readonly strings: readonly string[] };

/** What a session read returned. */
export interface TfReadResult {
  /** The elements read by this call: each a list of flat components. */
  elements: TfComponentJson[][];
  /** Elements read by the session so far. */
  total: number;
  /** The dataset ended (end of sequence). */
  done: boolean;
  /** The deadline passed before the read was satisfied (TF's client kept retrying). */
  timedOut: boolean;
  /** The read failed with this error (elements before it are still returned). */
  error: string | null;
  seconds: number;
}

/** TF 2.21's own tf.data service client in a python process. */
export interface TfClient {
  /** Reads the distributed dataset to its end; the elements as JSON (`.tolist()` of each). */
  read(opts: TfReadOptions, timeoutMs?: number): Promise<{ elements: unknown[]; seconds: number }>;
  /** Opens, drains (within `timeoutMs`) and closes a session in one command. */
  readDataset(opts: TfSessionOptions, timeoutMs: number): Promise<TfReadResult>;
  /** Opens a session: an iterator read step by step by {@link take} / {@link drain}. */
  open(session: string, opts: TfSessionOptions): Promise<void>;
  /** Reads `count` more elements of a session, waiting at most `timeoutMs`. */
  take(session: string, count: number, timeoutMs: number): Promise<TfReadResult>;
  /** Reads a session to its end, waiting at most `timeoutMs`. */
  drain(session: string, timeoutMs: number): Promise<TfReadResult>;
  /** Closes a session (a read still blocked inside TF is abandoned on its thread). */
  close(session: string): Promise<void>;
  /** `tf.__version__` of the client's python. */
  readonly version: string;
  stop(): Promise<void>;
}

/** Slack on top of a python-side deadline before the process is declared stuck. */
const DEADLINE_SLACK_MS = 30_000;

function sessionFields(o: TfSessionOptions): Record<string, unknown> {
  return {
    dataset: o.dataset,
    service: o.service,
    processing_mode: o.processingMode ?? "parallel_epochs",
    compression: o.compression ?? null,
    refresh_ms: o.refreshMs ?? null,
    max_outstanding_requests: o.maxOutstandingRequests ?? null,
    job_name: o.jobName ?? null,
  };
}

function readResult(ev: Record<string, unknown>): TfReadResult {
  return {
    elements: ev.elements as TfComponentJson[][],
    total: ev.total as number,
    done: ev.done as boolean,
    timedOut: ev.timed_out as boolean,
    error: (ev.error as string | null) ?? null,
    seconds: ev.seconds as number,
  };
}

/**
 * Starts `test/interop/tf_client.py --serve`. A read that times out kills the process (TF's
 * client would retry forever) and the next read starts a fresh one.
 */
export async function startTfClient(opts: { python?: string } = {}): Promise<TfClient> {
  let child: JsonChild | null = null;
  let version = "unknown";
  const ensure = async (): Promise<JsonChild> => {
    if (child) return child;
    const c = spawnPython("test/interop/tf_client.py", ["--serve"], { python: opts.python });
    try {
      version = String((await c.next("ready", TF_START_TIMEOUT_MS)).version ?? "unknown");
    } catch (err) {
      await c.stop();
      throw err;
    }
    child = c;
    return c;
  };
  await ensure();
  /** A command with a python-side deadline; a process that misses it by far is replaced. */
  const command = async (cmd: Record<string, unknown>, deadlineMs: number) => {
    const c = await ensure();
    try {
      return await c.request(cmd, deadlineMs + DEADLINE_SLACK_MS);
    } catch (err) {
      if (!/failed:/.test(String((err as Error).message))) {
        child = null;
        await c.stop(500);
      }
      throw err;
    }
  };
  return {
    get version() {
      return version;
    },
    async readDataset(o, timeoutMs) {
      return readResult(await command({ cmd: "read_dataset", ...sessionFields(o), timeout_s: timeoutMs / 1000 }, timeoutMs));
    },
    async open(session, o) {
      await command({ cmd: "open", session, ...sessionFields(o) }, TF_READ_TIMEOUT_MS);
    },
    async take(session, count, timeoutMs) {
      return readResult(await command({ cmd: "take", session, count, timeout_s: timeoutMs / 1000 }, timeoutMs));
    },
    async drain(session, timeoutMs) {
      return readResult(await command({ cmd: "drain", session, timeout_s: timeoutMs / 1000 }, timeoutMs));
    },
    async close(session) {
      await command({ cmd: "close", session }, TF_READ_TIMEOUT_MS);
    },
    async read(opts, timeoutMs = TF_READ_TIMEOUT_MS) {
      const c = await ensure();
      try {
        const ev = await c.request({
          cmd: "read",
          service: opts.service,
          range: opts.range ?? 10,
          batch: opts.batch ?? null,
          compression: opts.compression ?? null,
          processing_mode: opts.processingMode ?? "parallel_epochs",
          job_name: opts.jobName ?? null,
        }, timeoutMs);
        return { elements: ev.elements as unknown[], seconds: ev.seconds as number };
      } catch (err) {
        if (!/failed:/.test(String((err as Error).message))) {
          // Timed out or died: the process is unusable; replace it on the next read.
          child = null;
          await c.stop(500);
        }
        throw err;
      }
    },
    async stop() {
      const c = child;
      child = null;
      await c?.stop();
    },
  };
}

/** How long shared TF processes outlive their last lease (the next suite usually takes them over). */
export const SHARED_IDLE_STOP_MS = 3_000;

/** A lease on a process shared by the suites of one test run. */
export interface SharedLease<T> {
  /** The shared handle (started by the first lease). */
  readonly value: Promise<T>;
  /** Gives the lease back; the process stops {@link SHARED_IDLE_STOP_MS} after the last release. */
  release(): void;
}

/** A refcounted, lazily started process whose stop waits a little for the next taker. */
function sharedProcess<T extends { stop(): Promise<void> }>(start: () => Promise<T>): () => SharedLease<T> {
  let value: Promise<T> | undefined;
  let leases = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(idle);
    leases++;
    value ??= start();
    value.catch(() => { value = undefined; });
    const mine = value;
    let released = false;
    return {
      value: mine,
      release() {
        if (released) return;
        released = true;
        if (--leases > 0) return;
        // Never keeps the run alive: at exit, json-child's hook kills the process anyway.
        idle = setTimeout(() => {
          const v = value;
          value = undefined;
          void v?.then((p) => p.stop(), () => {});
        }, SHARED_IDLE_STOP_MS);
        idle.unref?.();
      },
    };
  };
}

/**
 * A TF cluster process shared by every suite of the run (TF's import costs seconds per process):
 * no dispatcher of its own; suites start and stop their servers by command.
 */
export const sharedTfCluster: () => SharedLease<TfCluster> = sharedProcess(() => startTfCluster({ dispatcher: false }));

/** A TF client process shared by every suite of the run; suites close their own sessions. */
export const sharedTfClient: () => SharedLease<TfClient> = sharedProcess(() => startTfClient());
