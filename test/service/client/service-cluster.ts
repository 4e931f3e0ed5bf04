// A DispatchServer plus WorkerServers in this process for the read-mode suites (target workers,
// worker tags, cross-trainer cache). "Remote" workers are WorkerServers that stay out of this
// process's local-worker registry, so for clients here they are exactly what a worker in another
// process is (target-workers.test.ts also checks that against a worker in a child process).
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import type { DispatcherConfigInit, WorkerConfigInit } from "../../../src/service/config.js";
import type { DispatcherDeps } from "../../../src/service/dispatcher/dispatcher.js";
import { WorkerServer, type WorkerServerInternals } from "../../../src/service/worker/worker-server.js";

/** Fast intervals so each test takes milliseconds, not seconds. */
export const HEARTBEAT_MS = 50;
/** TF's test base reads with `task_refresh_interval_hint_ms=20`. */
export const REFRESH_MS = 20;

/** One worker of a test cluster. */
export interface WorkerSpec {
  /** In this process's local-worker registry (default true). */
  readonly local?: boolean;
  /** `WorkerConfig.workerTags`. */
  readonly tags?: string[];
  /** Port to bind (default any). */
  readonly port?: number;
  /** More `WorkerConfig` fields. */
  readonly config?: Partial<WorkerConfigInit>;
}

/** A running cluster. */
export interface ServiceCluster {
  readonly dispatcher: DispatchServer;
  readonly workers: WorkerServer[];
  /** `grpc://localhost:PORT` of the dispatcher. */
  readonly service: string;
  /** Starts one more worker. */
  addWorker(spec?: WorkerSpec): Promise<WorkerServer>;
  /** Stops the workers, then the dispatcher. */
  stop(): Promise<void>;
}

/**
 * Starts a dispatcher (TF's `MultiProcessCluster` defaults to a COLOCATED deployment; pass
 * `dispatcher` to change it) and the given workers, in order.
 */
export async function startServiceCluster(opts: {
  workers?: readonly WorkerSpec[];
  dispatcher?: DispatcherConfigInit;
  deps?: DispatcherDeps;
  internals?: WorkerServerInternals;
} = {}): Promise<ServiceCluster> {
  const dispatcher = new DispatchServer({ host: "127.0.0.1", ...opts.dispatcher }, true, opts.deps);
  await dispatcher.start();
  const workers: WorkerServer[] = [];
  const addWorker = async (spec: WorkerSpec = {}) => {
    const w = new WorkerServer({
      dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS,
      workerTags: spec.tags, port: spec.port, ...spec.config,
    }, false, { ...opts.internals, registerLocalWorker: spec.local ?? true });
    workers.push(w);
    await w.start();
    return w;
  };
  try {
    for (const spec of opts.workers ?? []) await addWorker(spec);
  } catch (err) {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await dispatcher.stop();
    throw err;
  }
  return {
    dispatcher,
    workers,
    service: dispatcher.target,
    addWorker,
    async stop() {
      await Promise.allSettled(workers.map((w) => w.stop()));
      await dispatcher.stop();
    },
  };
}

/** `n` worker specs. */
export function specs(n: number, spec: WorkerSpec = {}): WorkerSpec[] {
  return Array.from({ length: n }, () => spec);
}

/** Up to `n` elements of `ds`'s next iteration, as numbers; the iterator is closed after. */
export async function take(ds: AsyncIterable<unknown>, n: number): Promise<number[]> {
  const out: number[] = [];
  if (n <= 0) return out;
  for await (const v of ds) {
    out.push(Number(v as bigint));
    if (out.length >= n) break;
  }
  return out;
}

/** All elements of `ds`'s next iteration, as numbers. */
export async function all(ds: AsyncIterable<unknown>): Promise<number[]> {
  const out: number[] = [];
  for await (const v of ds) out.push(Number(v as bigint));
  return out;
}

/** Sorted copy (numeric). */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** `k` copies of 0..n-1, sorted. */
export function copies(k: number, n: number): number[] {
  return sorted(Array.from({ length: k }, () => Array.from({ length: n }, (_, i) => i)).flat());
}
