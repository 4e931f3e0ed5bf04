// Typed handles on the python drivers in test/interop/: a TF 2.21 cluster and a TF 2.21 client.
// Each is one long-lived python process (TF's import costs seconds), driven by JSON commands.
import type { JsonChild } from "./json-child.js";
import { spawnPython } from "./tf.js";

/** How long a TF process gets to import TensorFlow and start its servers. */
export const TF_START_TIMEOUT_MS = 90_000;
/** How long one TF client read may take before the client is declared stuck and killed. */
export const TF_READ_TIMEOUT_MS = 60_000;

/** TensorFlow `DispatchServer`s and `WorkerServer`s hosted by one python process. */
export interface TfCluster {
  /** `localhost:PORT` of the dispatcher started with the cluster (null with `dispatcherAddress`). */
  readonly dispatcher: string | null;
  /** `localhost:PORT` of each worker started with the cluster. */
  readonly workers: readonly string[];
  /** Starts one more TF dispatcher in the same process; returns `localhost:PORT`. */
  newDispatcher(): Promise<string>;
  /** Starts one more TF worker registered with `dispatcher` (any implementation). */
  newWorker(dispatcher: string): Promise<string>;
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
export async function startTfCluster(opts: { workers?: number; dispatcherAddress?: string; heartbeatMs?: number } = {}): Promise<TfCluster> {
  const args = ["--workers", String(opts.workers ?? 0)];
  if (opts.dispatcherAddress) args.push("--dispatcher-address", opts.dispatcherAddress);
  if (opts.heartbeatMs !== undefined) args.push("--heartbeat-ms", String(opts.heartbeatMs));
  const child = spawnPython("test/interop/tf_cluster.py", args);
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
    newDispatcher: async () => (await child.request({ cmd: "dispatcher" }, TF_START_TIMEOUT_MS)).dispatcher as string,
    newWorker: async (dispatcher) => (await child.request({ cmd: "worker", dispatcher }, TF_START_TIMEOUT_MS)).worker as string,
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

/** TF 2.21's own tf.data service client in a python process. */
export interface TfClient {
  /** Reads the distributed dataset to its end; the elements as JSON (`.tolist()` of each). */
  read(opts: TfReadOptions, timeoutMs?: number): Promise<{ elements: unknown[]; seconds: number }>;
  stop(): Promise<void>;
}

/**
 * Starts `test/interop/tf_client.py --serve`. A read that times out kills the process (TF's
 * client would retry forever) and the next read starts a fresh one.
 */
export async function startTfClient(): Promise<TfClient> {
  let child: JsonChild | null = null;
  const ensure = async (): Promise<JsonChild> => {
    if (child) return child;
    const c = spawnPython("test/interop/tf_client.py", ["--serve"]);
    try {
      await c.next("ready", TF_START_TIMEOUT_MS);
    } catch (err) {
      await c.stop();
      throw err;
    }
    child = c;
    return c;
  };
  await ensure();
  return {
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
