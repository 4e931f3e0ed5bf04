/**
 * The worker's task table and its `WorkerService` handlers, independent of sockets and timers
 * (`WorkerServer` owns those). Follows TF's `DataServiceWorkerImpl`: tasks arrive through
 * `ProcessTask` or heartbeat `new_tasks`, are initialised lazily on their first `GetElement`, and
 * are dropped when the dispatcher lists them in `tasks_to_delete`.
 */
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { TfDataError } from "../../core/errors.js";
import type { TaskDef } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type {
  WorkerHeartbeatRequestSchema,
  WorkerHeartbeatResponse,
} from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import {
  GetElementRequestSchema,
  GetElementResponseSchema,
  type GetElementRequest,
  type GetElementResponse,
  type GetWorkerTasksResponse,
  GetWorkerTasksResponseSchema,
} from "../../gen/tensorflow/core/data/service/worker_pb.js";
import {
  CompressedElementSchema,
  UncompressedElementSchema,
} from "../../gen/tensorflow/core/framework/dataset_pb.js";
import type { StreamElementsRequest, StreamElementsResponse } from "../../gen/tfdata/v1/transfer_pb.js";
import { ELEMENT_STREAM_PROTOCOL, ElementStreams } from "./element-stream.js";
import { initializeTask, type TaskInitContext } from "./task-pipeline.js";
import type { RunnerRequest, RunnerResult, TaskRunner, WireElement } from "./task-runner.js";
import { encodeGetElementResponse } from "./get-element-wire.js";
import type { LocalElementRequest, LocalElementResult } from "./local-workers.js";

/** Most tasks one worker holds at once; `ProcessTask` beyond it is refused (RESOURCE_EXHAUSTED). */
export const MAX_WORKER_TASKS = 100_000;
/** How many ids of finished tasks are remembered to answer end of sequence (oldest forgotten first). */
export const MAX_REMEMBERED_FINISHED_TASKS = 1_000_000;
/** TF's `worker_uid` in open-source builds (no job uid). */
export const OSS_WORKER_UID = -1n;
/** The data-transfer protocol every worker serves at its worker address. */
export const GRPC_TRANSFER_PROTOCOL = "grpc";

/** A task the worker holds. */
class WorkerTask {
  private init: Promise<TaskRunner> | undefined;
  private runner: TaskRunner | undefined;
  private stopped = false;

  constructor(readonly def: TaskDef) {}

  /** The runner, built once; a failed build is forgotten so the next request retries it (as TF). */
  ensureInitialized(ctx: TaskInitContext): Promise<TaskRunner> {
    this.init ??= initializeTask(this.def, ctx).then(
      (runner) => {
        if (this.stopped) runner.cancel();
        return (this.runner = runner);
      },
      (err: unknown) => {
        this.init = undefined;
        throw err;
      },
    );
    return this.init;
  }

  stop(): void {
    this.stopped = true;
    this.runner?.cancel();
  }
}

/** What the state needs from its server. */
export interface WorkerStateHooks {
  /** Context for task initialisation (available once the worker is bound). */
  readonly initContext: () => TaskInitContext;
  /** Whether the `tfdata.v1` element stream is served and advertised. */
  readonly elementStream?: boolean;
  /** Called when a task reached end of sequence and its completion should be reported. */
  readonly onTaskCompleted: () => void;
}

/** Task table + handlers; see the module comment. */
export class WorkerState {
  /** Set once the first heartbeat succeeded. */
  registered = false;
  /** Set when the worker stops; every `GetElement` then answers CANCELLED. */
  cancelled = false;
  /** The advertised address (known once bound). */
  workerAddress = "";

  private readonly tasks = new Map<bigint, WorkerTask>();
  /** Tasks the dispatcher told us to delete: later reads answer end of sequence. */
  private readonly finishedTasks = new Set<bigint>();
  /** Tasks deleted locally at a local client's request (`deleteLocalTask`): reads are an error. */
  private readonly deletedTasks = new Set<bigint>();
  /** Completed tasks not yet acknowledged by `WorkerUpdate`. */
  private readonly pendingCompleted = new Set<bigint>();
  /** Open `tfdata.v1` element streams. */
  readonly streams: ElementStreams;

  constructor(private readonly hooks: WorkerStateHooks) {
    this.streams = new ElementStreams({
      openTask: (taskId) => this.openTask(taskId),
      checkServing: () => this.checkServing(),
      markCompleted: (taskId) => this.markCompleted(taskId),
    });
  }

  /** Number of tasks held (TF's `WorkerServer._num_tasks()`). */
  get numTasks(): number {
    return this.tasks.size;
  }

  /** `ProcessTask`: stores the task if new; building its pipeline waits for the first read. */
  processTask(def: TaskDef | undefined): void {
    if (!def) throw new TfDataError("InvalidArgument", "ProcessTaskRequest.task must be set.");
    if (this.tasks.has(def.taskId)) return;
    if (this.tasks.size >= MAX_WORKER_TASKS) {
      throw new TfDataError("ResourceExhausted",
        `Worker ${this.workerAddress} already holds ${MAX_WORKER_TASKS} tasks; refusing task ${def.taskId}.`);
    }
    this.tasks.set(def.taskId, new WorkerTask(def));
  }

  /** `GetElement` (spec §2.3). */
  async getElement(req: GetElementRequest, ctx?: HandlerContext): Promise<GetElementResponse> {
    const result = await this.nextElement(req);
    switch (result.kind) {
      case "skip":
        return create(GetElementResponseSchema, { skipTask: true });
      case "end":
        return create(GetElementResponseSchema, { endOfSequence: true });
      case "element":
        return elementResponse(result.element, result.elementIndex, wantsJson(ctx));
    }
  }

  /** `GetElement` on serialized messages (see get-element-wire.ts): the same answers, fewer copies. */
  async getElementWire(request: Uint8Array): Promise<readonly Uint8Array[]> {
    let req: GetElementRequest;
    try {
      req = fromBinary(GetElementRequestSchema, request);
    } catch (err) {
      throw new ConnectError(`Malformed GetElementRequest: ${err instanceof Error ? err.message : String(err)}`,
        Code.InvalidArgument);
    }
    return encodeGetElementResponse(await this.nextElement(req));
  }

  /** The runner's answer to one `GetElement`; end of sequence is recorded as the task's completion. */
  private async nextElement(req: GetElementRequest): Promise<RunnerResult> {
    const opened = await this.openTask(req.taskId);
    if (opened === "finished") return { kind: "end" };
    const result = await opened.runner.getNext(runnerRequest(req));
    if (result.kind === "end") this.markCompleted(req.taskId);
    return result;
  }

  /**
   * A local read (TF's `GetElementResult`, protocol "local"): `GetElement` for a client of this
   * process, without RPC; the element index is filled, as TF's local reads see it.
   */
  async getElementResult(req: LocalElementRequest): Promise<LocalElementResult> {
    const result = await this.nextElement(create(GetElementRequestSchema, {
      taskId: req.taskId,
      allowSkip: req.allowSkip,
      skippedPreviousRound: req.skippedPreviousRound ?? false,
      trainerId: req.trainerId ?? "",
      optionalConsumerIndex: req.consumerIndex === undefined ? { case: undefined } : { case: "consumerIndex", value: req.consumerIndex },
      optionalRoundIndex: req.roundIndex === undefined ? { case: undefined } : { case: "roundIndex", value: req.roundIndex },
    }));
    return {
      element: result.kind === "element" ? result.element : undefined,
      elementIndex: result.kind === "element" ? result.elementIndex : 0n,
      endOfSequence: result.kind === "end",
      skipTask: result.kind === "skip",
    };
  }

  /**
   * TF's `DeleteLocalTask`: a local client is done with a task it read exclusively. The task is
   * stopped and reported completed; later reads of it fail (FAILED_PRECONDITION).
   */
  deleteLocalTask(taskId: bigint): void {
    const task = this.tasks.get(taskId);
    if (!task) return;
    this.tasks.delete(taskId);
    this.deletedTasks.add(taskId);
    if (this.deletedTasks.size > MAX_REMEMBERED_FINISHED_TASKS) {
      const oldest = this.deletedTasks.values().next().value;
      if (oldest !== undefined) this.deletedTasks.delete(oldest);
    }
    task.stop();
    this.streams.taskStopped(taskId);
    this.markCompleted(taskId);
  }

  /** `tfdata.v1.ElementStreamService/StreamElements` (see element-stream.ts). */
  streamElements(req: StreamElementsRequest, signal: AbortSignal): AsyncGenerator<StreamElementsResponse> {
    return this.streams.streamElements(req, signal);
  }

  /**
   * A task's runner for a read, initialising the task on first use; `"finished"` for a task the
   * dispatcher deleted (reads answer end of sequence). Throws what GetElement answers otherwise.
   */
  private async openTask(taskId: bigint): Promise<{ runner: TaskRunner; current: () => boolean } | "finished"> {
    this.checkServing();
    const task = this.tasks.get(taskId);
    if (!task) return this.unknownTask(taskId);
    const runner = await task.ensureInitialized(this.hooks.initContext());
    this.checkServing();
    if (this.tasks.get(taskId) !== task) return this.unknownTask(taskId); // deleted while initialising
    return { runner, current: () => this.tasks.get(taskId) === task };
  }

  /** Records that a task reached end of sequence, once, and wakes the completion reporter. */
  private markCompleted(taskId: bigint): void {
    if (this.pendingCompleted.has(taskId)) return;
    this.pendingCompleted.add(taskId);
    this.hooks.onTaskCompleted();
  }

  /** `GetWorkerTasks`: the tasks held, with the fields TF fills. */
  getWorkerTasks(): GetWorkerTasksResponse {
    return create(GetWorkerTasksResponseSchema, {
      tasks: [...this.tasks.values()].map((t) => ({
        workerAddress: this.workerAddress,
        taskId: t.def.taskId,
        iterationId: t.def.iterationId,
      })),
    });
  }

  /** The next `WorkerHeartbeat` request. */
  heartbeatRequest(workerTags: readonly string[]): MessageInitShape<typeof WorkerHeartbeatRequestSchema> {
    return {
      workerAddress: this.workerAddress,
      // The mandatory gRPC entry first (TF peers use it); then our streaming extension, which TF's
      // client skips because it only picks "grpc" unless a data_transfer_protocol is requested.
      transferServers: [
        { protocol: GRPC_TRANSFER_PROTOCOL, address: this.workerAddress },
        ...(this.hooks.elementStream ? [{ protocol: ELEMENT_STREAM_PROTOCOL, address: this.workerAddress }] : []),
      ],
      workerTags: [...workerTags],
      workerUid: OSS_WORKER_UID,
      currentTasks: [...this.tasks.keys()],
    };
  }

  /** Applies a heartbeat answer: adopt `new_tasks`, finish and drop `tasks_to_delete`. */
  applyHeartbeat(res: WorkerHeartbeatResponse): void {
    for (const def of res.newTasks) {
      if (this.deletedTasks.has(def.taskId)) continue;
      try {
        this.processTask(def);
      } catch {
        // Over the task limit: the next heartbeat offers it again.
      }
    }
    for (const taskId of res.tasksToDelete) {
      this.tasks.get(taskId)?.stop();
      this.tasks.delete(taskId);
      this.rememberFinished(taskId);
      this.streams.taskStopped(taskId);
      // The dispatcher no longer counts this task as ours, so there is nothing to report for it
      // (this also ends TF's endless "Task N not found" WorkerUpdate loop after a dispatcher restart).
      this.pendingCompleted.delete(taskId);
    }
  }

  /** Completed task ids not yet acknowledged. */
  pendingCompletions(): bigint[] {
    return [...this.pendingCompleted];
  }

  /** Marks completions as acknowledged by the dispatcher. */
  acknowledgeCompletions(taskIds: readonly bigint[]): void {
    for (const id of taskIds) this.pendingCompleted.delete(id);
  }

  /** Stops every task (worker shutdown). */
  stopAll(): void {
    this.cancelled = true;
    for (const task of this.tasks.values()) task.stop();
    this.streams.stopAll();
  }

  private checkServing(): void {
    if (this.cancelled) throw new ConnectError("Worker is shutting down", Code.Canceled);
    if (!this.registered) throw new ConnectError("Worker has not yet registered with dispatcher.", Code.Unavailable);
  }

  private unknownTask(taskId: bigint): "finished" {
    if (this.deletedTasks.has(taskId)) {
      throw new ConnectError(
        `Got request for local task ${taskId} of worker ${this.workerAddress}, which has been deleted. ` +
          "You may be creating a duplicate iteration which has already finished. To fix this, make sure " +
          "to create your dataset only once, as opposed to re-creating it repeatedly inside a loop.",
        Code.FailedPrecondition,
      );
    }
    if (this.finishedTasks.has(taskId)) return "finished";
    // Perhaps the task has not reached us yet: the client keeps retrying.
    throw new ConnectError(`Task ${taskId} not found`, Code.Unavailable);
  }

  private rememberFinished(taskId: bigint): void {
    this.finishedTasks.add(taskId);
    if (this.finishedTasks.size > MAX_REMEMBERED_FINISHED_TASKS) {
      const oldest = this.finishedTasks.values().next().value;
      if (oldest !== undefined) this.finishedTasks.delete(oldest);
    }
  }
}

/** What a runner needs of a `GetElementRequest` (round-robin and cross-trainer cache fields included). */
function runnerRequest(req: GetElementRequest): RunnerRequest {
  return {
    allowSkip: req.allowSkip,
    consumerIndex: req.optionalConsumerIndex.case === "consumerIndex" ? req.optionalConsumerIndex.value : undefined,
    roundIndex: req.optionalRoundIndex.case === "roundIndex" ? req.optionalRoundIndex.value : undefined,
    skippedPreviousRound: req.skippedPreviousRound,
    trainerId: req.trainerId,
  };
}

/** True when the request came in a JSON codec (Connect JSON), which cannot carry raw fields. */
function wantsJson(ctx: HandlerContext | undefined): boolean {
  return ctx?.requestHeader.get("content-type")?.includes("json") ?? false;
}

/**
 * The response for one element. The core already produced the serialized element message, so it
 * goes on the wire as a raw length-delimited field (3 = compressed, 5 = uncompressed) instead of
 * being parsed into a message only to be serialized again. JSON clients get a parsed message.
 */
export function elementResponse(element: WireElement, elementIndex: bigint, json = false): GetElementResponse {
  const fieldNo = element.kind === "compressed" ? 3 : 5;
  if (json) {
    return create(GetElementResponseSchema, {
      elementIndex,
      element: element.kind === "compressed"
        ? { case: "compressed", value: fromBinary(CompressedElementSchema, element.bytes) }
        : { case: "uncompressed", value: fromBinary(UncompressedElementSchema, element.bytes) },
    });
  }
  // No element_index on the binary path: TF's gRPC handler never writes it (byte-identical replies).
  const res = create(GetElementResponseSchema, {});
  res.$unknown = [{ no: fieldNo, wireType: WireType.LengthDelimited, data: lengthPrefixed(element.bytes) }];
  return res;
}

/** `bytes` preceded by its length as a varint (the body of a length-delimited field). */
function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  let n = bytes.length;
  let varintLen = 1;
  for (let v = n; v >= 0x80; v = Math.floor(v / 128)) varintLen++;
  const out = new Uint8Array(varintLen + bytes.length);
  let i = 0;
  while (n >= 0x80) {
    out[i++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[i++] = n;
  out.set(bytes, i);
  return out;
}
