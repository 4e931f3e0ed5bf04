/**
 * Worker indices for static sharding (FILE, DATA, FILE_OR_DATA, HINT), as TF's
 * `WorkerIndexResolver`: `DispatcherConfig.workerAddresses` lists the fixed worker set; a worker's
 * index is its position in that list. An entry may leave the port open — `"host"`,
 * `"host:%port%"` or `"host:%port_name%"` — and then matches the first worker registering from
 * that host, which from then on owns the entry (with its concrete port).
 */
import { TfDataError } from "../../core/errors.js";

/** Host and port of an address, as TF's `URL` splits it (`host` alone has no port). */
function splitAddress(address: string): { host: string; port: string | undefined } {
  const m = /^(.*):([A-Za-z0-9_]+|%port(?:_[A-Za-z0-9_]+)?%)$/.exec(address);
  return m ? { host: m[1], port: m[2] } : { host: address, port: undefined };
}

/** True for a `%port%` / `%port_xxx%` placeholder port. */
function hasDynamicPort(address: string): boolean {
  const { port } = splitAddress(address);
  return port !== undefined && port.startsWith("%port") && port.endsWith("%");
}

/** True if a configured entry without a fixed port is claimed by `worker` (same host, concrete port). */
function matchesOpenEntry(configured: string, worker: string): boolean {
  const c = splitAddress(configured);
  const w = splitAddress(worker);
  return (c.port === undefined || hasDynamicPort(configured)) && w.port !== undefined && !hasDynamicPort(worker) &&
    c.host === w.host;
}

/** Resolves worker indices from the configured worker list; see the module comment. */
export class WorkerIndexResolver {
  private readonly addresses: string[];

  constructor(configured: readonly string[]) {
    this.addresses = [...configured];
  }

  /** True when no worker list is configured (any worker may register; no static sharding). */
  get empty(): boolean {
    return this.addresses.length === 0;
  }

  /** The number of configured workers (`TaskDef.num_workers`). */
  get size(): number {
    return this.addresses.length;
  }

  /** Refuses a worker that matches no configured entry, with TF's `FAILED_PRECONDITION` message. */
  validateWorker(address: string): void {
    if (this.addresses.length === 0) return;
    for (const configured of this.addresses) {
      if (configured === address || matchesOpenEntry(configured, address)) return;
    }
    throw new TfDataError("FailedPrecondition", `Failed to assign an index for worker ${address}. Configured ` +
      `workers list: [${this.addresses.join(", ")}]. The worker's address is not configured, or other workers ` +
      "are already running at the configured host. If your worker has restarted, make sure it runs at the same " +
      "address and port.");
  }

  /** Records a registered worker: it claims the first open entry of its host unless listed exactly. */
  addWorker(address: string): void {
    for (let i = 0; i < this.addresses.length; i++) {
      if (this.addresses[i] === address) return;
      if (matchesOpenEntry(this.addresses[i], address)) {
        this.addresses[i] = address;
        return;
      }
    }
  }

  /** The worker's index (`TaskDef.worker_index`), or TF's `NOT_FOUND`. */
  workerIndex(address: string): number {
    const i = this.addresses.indexOf(address);
    if (i < 0) {
      throw new TfDataError("NotFound", `Failed to shard dataset in tf.data service: Worker ${address} is not in ` +
        `the workers list. Got workers list ${this.addresses.join(",")}.`);
    }
    return i;
  }
}
