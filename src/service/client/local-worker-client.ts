/**
 * Reads a worker of this process by calling it (TF's `LocalDataTransferClient`, protocol
 * `"local"`): no RPC, the request is never serialized and the element is handed over in the wire
 * form the core produced. Used for `targetWorkers: "LOCAL"`.
 */
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { GetElementRequestSchema } from "../../gen/tensorflow/core/data/service/worker_pb.js";
import { LocalWorkers } from "../worker/local-workers.js";
import { WorkerElementClient, type RawElementResponse } from "./worker-client.js";

/** A transport for the RPCs a local client never makes (element streams). */
const NO_TRANSPORT: Transport = {
  unary: () => Promise.reject(new ConnectError("A local tf.data worker client makes no RPCs.", Code.Unimplemented)),
  stream: () => Promise.reject(new ConnectError("A local tf.data worker client makes no RPCs.", Code.Unimplemented)),
};

/** `GetElement` on the worker of this process at `address`; see the module comment. */
export class LocalWorkerClient extends WorkerElementClient {
  constructor(readonly address: string) {
    super(NO_TRANSPORT);
  }

  override async getElement(
    request: MessageInitShape<typeof GetElementRequestSchema>,
    signal?: AbortSignal,
  ): Promise<RawElementResponse> {
    const taskId = request.taskId ?? 0n;
    if (signal?.aborted) {
      throw new ConnectError(`Client for worker ${this.address} has been cancelled.`, Code.Canceled);
    }
    const worker = LocalWorkers.get(this.address);
    if (!worker) {
      throw new ConnectError(`Local worker at address ${this.address} is no longer available; cancel request for ` +
        `task ${taskId}.`, Code.Canceled);
    }
    const consumer = request.optionalConsumerIndex;
    const round = request.optionalRoundIndex;
    const read = worker.getElementResult({
      taskId,
      allowSkip: request.allowSkip ?? false,
      skippedPreviousRound: request.skippedPreviousRound ?? false,
      trainerId: request.trainerId ?? "",
      consumerIndex: consumer?.case === "consumerIndex" ? consumer.value : undefined,
      roundIndex: round?.case === "roundIndex" ? round.value : undefined,
    });
    const result = signal ? await raceAbort(read, signal, this.address) : await read;
    return {
      element: result.element,
      elementIndex: result.elementIndex,
      endOfSequence: result.endOfSequence,
      skipTask: result.skipTask,
    };
  }
}

/**
 * Calls waiting on each signal: one abort listener per signal, however many reads are in flight
 * (a reader has up to `maxOutstandingRequests` of them).
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/** `p`, or CANCELLED as soon as `signal` aborts (the worker's answer is then dropped). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal, address: string): Promise<T> {
  let calls = waiting.get(signal);
  if (!calls) {
    const set = new Set<() => void>();
    waiting.set(signal, (calls = set));
    signal.addEventListener("abort", () => {
      for (const cancel of [...set]) cancel();
    }, { once: true });
  }
  const set = calls;
  return new Promise<T>((resolve, reject) => {
    const cancel = () => {
      set.delete(cancel);
      reject(new ConnectError(`Client for worker ${address} has been cancelled.`, Code.Canceled));
    };
    set.add(cancel);
    p.then(
      (v) => {
        set.delete(cancel);
        resolve(v);
      },
      (err: unknown) => {
        set.delete(cancel);
        reject(err);
      },
    );
  });
}
