/**
 * The workers running in this process, by advertised address (TF's `LocalWorkers`). A worker
 * joins once it registered with its dispatcher and leaves when it stops. A client reading with
 * `targetWorkers: "LOCAL"` reads only these workers, by calling them directly (TF's `"local"`
 * data-transfer protocol: no RPC, no serialization of the request or the answer), and deletes
 * the tasks it read from them when it is done.
 */
import type { RunnerRequest, WireElement } from "./task-runner.js";

/** `DataTransferServerInfo.protocol` of in-process reads (TF's `kLocalTransferProtocol`). */
export const LOCAL_TRANSFER_PROTOCOL = "local";

/** A `GetElement` request, as a local read makes it. */
export interface LocalElementRequest extends RunnerRequest {
  /** The task to read. */
  readonly taskId: bigint;
}

/** What a worker answers a local read (a `GetElementResponse` that was never serialized). */
export interface LocalElementResult {
  /** The element in wire form, when there is one. */
  readonly element: WireElement | undefined;
  /** Position of the element in its task (local reads see it; TF's gRPC path leaves it 0). */
  readonly elementIndex: bigint;
  /** The task has no more elements. */
  readonly endOfSequence: boolean;
  /** Nothing for this request (FCFS `allow_skip`, or a skipped round-robin round). */
  readonly skipTask: boolean;
}

/** A worker of this process, as clients see it. */
export interface LocalWorker {
  /** Its advertised address (the key clients find it by, from `TaskInfo.worker_address`). */
  readonly address: string;
  /** `GetElement` without RPC; rejects with the same codes the RPC answers. */
  getElementResult(req: LocalElementRequest): Promise<LocalElementResult>;
  /**
   * Deletes a task a local client read exclusively (TF's `DeleteLocalTask`): it is stopped,
   * reported completed, and later reads of it fail with FAILED_PRECONDITION.
   */
  deleteLocalTask(taskId: bigint): void;
}

const workers = new Map<string, LocalWorker>();

/** The registry of this process's workers. */
export const LocalWorkers = {
  /** Registers `worker` under its address (replacing an earlier one with that address). */
  add(worker: LocalWorker): void {
    workers.set(worker.address, worker);
  },
  /** The worker of this process at `address`, if any. */
  get(address: string): LocalWorker | undefined {
    return workers.get(address);
  },
  /** True when no worker runs in this process. */
  empty(): boolean {
    return workers.size === 0;
  },
  /** Removes `worker` (only if it is the one registered under its address). */
  remove(worker: LocalWorker): void {
    if (workers.get(worker.address) === worker) workers.delete(worker.address);
  },
} as const;
