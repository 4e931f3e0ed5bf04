// Starts and stops our own DispatchServer / WorkerServer (Node runtime) for tests, runners and
// the bench, always on 127.0.0.1 with OS-chosen ports.
import {
  DispatchServer,
  DispatcherConfig,
  WorkerConfig,
  WorkerServer,
  type DispatcherConfigInit,
  type WorkerConfigInit,
} from "../../src/entry/node.js";

/** Interface test servers bind (never all interfaces). */
export const LOOPBACK = "127.0.0.1";

/** A running set of our servers. */
export interface LocalService {
  /** `grpc://localhost:PORT` of the dispatcher the workers registered with. */
  readonly target: string;
  /** `localhost:PORT` of that dispatcher. */
  readonly dispatcher: string;
  /** Our dispatcher; undefined when the workers registered with someone else's. */
  readonly dispatchServer: DispatchServer | undefined;
  readonly workers: readonly WorkerServer[];
  /** Stops the workers, then the dispatcher. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts our DispatchServer and `workers` WorkerServers registered with it (default 1).
 * With `dispatcherAddress` the workers register with that dispatcher (e.g. TensorFlow's) and no
 * dispatcher of ours starts. Resolves once everything is bound and registered; on failure,
 * whatever started is stopped again.
 *
 * @example
 * const svc = await startLocalService({ workers: 3 });
 * try { ... distribute({ processingMode: "parallel_epochs", service: svc.target }) ... }
 * finally { await svc.stop(); }
 */
export async function startLocalService(opts: {
  workers?: number;
  dispatcherAddress?: string;
  workerConfig?: Partial<WorkerConfigInit>;
  dispatcherConfig?: DispatcherConfigInit;
} = {}): Promise<LocalService> {
  let dispatchServer: DispatchServer | undefined;
  let dispatcher = opts.dispatcherAddress;
  const workers: WorkerServer[] = [];
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
      const w = new WorkerServer(new WorkerConfig({ port: 0, host: LOOPBACK, ...opts.workerConfig, dispatcherAddress: dispatcher }), false);
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
    dispatchServer,
    workers,
    stop: () => (stopping ??= stopAll()),
  };
}
