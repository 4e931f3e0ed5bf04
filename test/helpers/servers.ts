// Starts and stops our own DispatchServer / WorkerServer (Node runtime) for tests and runners.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./tf.js";

/** The slice of the public API (issue 2) these helpers use. */
interface ServerLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}
interface DispatchServerLike extends ServerLike {
  readonly target: string;
}
/** Our package's Node entry, as far as these helpers need it. */
export interface NodeServiceApi {
  DispatchServer: new (config?: unknown, start?: boolean) => DispatchServerLike;
  DispatcherConfig: new (init?: Record<string, unknown>) => unknown;
  WorkerServer: new (config: unknown, start?: boolean) => ServerLike;
  WorkerConfig: new (init: Record<string, unknown>) => unknown;
}

/** Interface test servers bind (never all interfaces). */
export const LOOPBACK = "127.0.0.1";

/** Path of the Node package entry in the source tree. */
const NODE_ENTRY = join(REPO_ROOT, "src", "entry", "node.ts");

let api: Promise<NodeServiceApi> | undefined;

/**
 * Loads our Node entry (`src/entry/node.ts`) and checks it exports the service classes. Rejects
 * with a message naming what is missing.
 */
export function loadNodeService(): Promise<NodeServiceApi> {
  api ??= (async () => {
    if (!existsSync(NODE_ENTRY)) throw new Error(`${NODE_ENTRY} does not exist yet`);
    const mod = (await import(pathToFileURL(NODE_ENTRY).href)) as Record<string, unknown>;
    const missing = ["DispatchServer", "DispatcherConfig", "WorkerServer", "WorkerConfig"].filter((k) => typeof mod[k] !== "function");
    if (missing.length) throw new Error(`src/entry/node.ts does not export ${missing.join(", ")} yet`);
    return mod as unknown as NodeServiceApi;
  })();
  return api;
}

/** A running dispatcher plus workers, all ours, on 127.0.0.1 with OS-chosen ports. */
export interface LocalService {
  /** `grpc://localhost:PORT`, as `DispatchServer.target`. */
  readonly target: string;
  /** `localhost:PORT` of the dispatcher. */
  readonly dispatcher: string;
  readonly workers: readonly ServerLike[];
  readonly dispatchServer: DispatchServerLike;
  /** Stops the workers, then the dispatcher. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts our DispatchServer and `workers` WorkerServers registered with it (default 1).
 * `dispatcherAddress` instead registers the workers with an existing dispatcher (e.g. TF's) and
 * starts no dispatcher of ours; then `dispatcher`/`target` name that one.
 */
export async function startLocalService(opts: {
  workers?: number;
  dispatcherAddress?: string;
  workerConfig?: Record<string, unknown>;
  dispatcherConfig?: Record<string, unknown>;
} = {}): Promise<LocalService> {
  const { DispatchServer, DispatcherConfig, WorkerServer, WorkerConfig } = await loadNodeService();
  let dispatchServer: DispatchServerLike | undefined;
  let dispatcher = opts.dispatcherAddress;
  const workers: ServerLike[] = [];
  const stopAll = async () => {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await dispatchServer?.stop();
  };
  try {
    if (!dispatcher) {
      dispatchServer = new DispatchServer(new DispatcherConfig({ port: 0, host: LOOPBACK, ...opts.dispatcherConfig }), false);
      await dispatchServer.start();
      dispatcher = dispatchServer.target.split("://")[1];
    }
    for (let i = 0; i < (opts.workers ?? 1); i++) {
      const w = new WorkerServer(new WorkerConfig({ dispatcherAddress: dispatcher, port: 0, host: LOOPBACK, ...opts.workerConfig }), false);
      workers.push(w);
      await w.start();
    }
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    target: `grpc://${dispatcher}`,
    dispatcher,
    workers,
    dispatchServer: dispatchServer as DispatchServerLike,
    stop: () => (stopping ??= stopAll()),
  };
}
