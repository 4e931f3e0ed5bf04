/**
 * The reading iterator of one iteration client, first-come-first-served (TF's non-coordinated
 * `DataServiceClient`, spec §3.3 / §3.4):
 *
 * - a heartbeat loop (`ClientHeartbeat` every task refresh interval) learns the iteration's tasks
 *   and whether the iteration is finished;
 * - requests go to the tasks in a shuffled cyclic order, one in flight per task, while
 *   `results waiting + requests in flight < maxOutstandingRequests`; results are queued as they
 *   arrive (so order across tasks is not deterministic);
 * - requests say `allow_skip`; after 5 × #tasks skips in a row they block until data arrives;
 * - retryable errors back off and move on to another task; other errors fail the iterator;
 * - end of sequence only once the dispatcher reports the iteration finished and nothing is queued
 *   or in flight (when every known task has ended, the dispatcher is asked again sooner than the
 *   refresh interval, so the end is noticed quickly);
 * - `ReleaseIterationClient` when the iterator ends, fails or is abandoned (`return()`).
 *
 * Tasks on tfdata-service workers that advertise the `tfdata.v1` element stream are read through
 * one stream each instead (proto/tfdata/v1/transfer.proto): many elements per message, paced by
 * credits this reader grants from one window of elements and bytes shared by all its streams
 * (queued results count against it). A stream's retryable failure backs off and reopens it; a
 * worker that turns out not to serve the stream (UNIMPLEMENTED) is read with `GetElement`.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { StreamElementsResponse } from "../../gen/tfdata/v1/transfer_pb.js";
import type { ElementKind } from "../../core/core.js";
import { TfDataError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { TaskInfo } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { ClientHeartbeatResponse } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { isRetryable } from "../errors.js";
import { failure } from "./failure.js";
import { computeBackoffMs } from "./retry.js";
import { IterationReader, type HeartbeatRequest, type IterationReaderOptions } from "./iteration-reader.js";
import type { WorkerElementClient } from "./worker-client.js";

/** Skips in a row, per task, after which requests stop saying `allow_skip` (TF: 5). */
export const SKIPS_PER_TASK_BEFORE_BLOCKING = 5;
/**
 * First wait before re-asking whether the iteration finished once every known task ended; it
 * doubles up to the task refresh interval. (TF waits a full interval: the end of an iteration is
 * then noticed up to a second late.)
 */
export const FINISH_POLL_MIN_MS = 5;
/**
 * Period of the timer that keeps the runtime alive while a consumer waits on open element streams
 * (transports reference their connection only while a call starts, not while a stream is read).
 */
export const STREAM_WAIT_KEEPALIVE_MS = 60 * 60 * 1000;
/** `DataTransferServerInfo.protocol` of the `tfdata.v1` element stream (worker/element-stream.ts). */
export const ELEMENT_STREAM_PROTOCOL = "tfdata-stream";
/**
 * A stream's credits are topped up once this fraction of its share is missing (fewer, larger
 * `GrantCredits` calls); a stream that ran dry is topped up at once.
 */
export const STREAM_GRANT_FRACTION = 0.25;

/** The elements and bytes all streams of one reader may hold: in flight, granted or queued. */
export interface StreamWindow {
  /** Elements (an explicit `maxOutstandingRequests` bounds this, as TF's memory promise). */
  readonly elements: number;
  /** Bytes of serialized elements (each stream may overshoot by one element). */
  readonly bytes: number;
}

/** What a first-come-first-served reader needs. */
export interface FcfsReaderOptions extends IterationReaderOptions {
  /** Window of the element streams; undefined = never stream (always `GetElement`). */
  readonly streamWindow?: StreamWindow;
  /** Cross-trainer cache: the trainer id sent with every `GetElement` (read-mode.ts). */
  readonly trainerId?: string;
  /**
   * Which tasks to read (`targetWorkers`, read-mode.ts); default all. Skipping one means this
   * reader ends when its own tasks end, not when the iteration does.
   */
  readonly shouldReadTask?: (info: TaskInfo) => boolean;
  /** Called once when the reader closes, with the tasks it read (deletes local tasks, read-mode.ts). */
  readonly onClose?: (tasks: readonly TaskInfo[]) => void;
}

/** A task's open element stream, as this reader accounts for it. */
interface TaskStream {
  /** Set by the worker's first message; needed to grant credits. */
  id: bigint | undefined;
  /** Elements granted and not yet received. */
  creditElements: number;
  /** Bytes granted and not yet received (negative after an overshooting element). */
  creditBytes: number;
  /** A `GrantCredits` call is in flight. */
  granting: boolean;
  readonly abort: AbortController;
}

interface ReadTask {
  readonly info: TaskInfo;
  readonly worker: WorkerElementClient;
  inUse: boolean;
  endOfSequence: boolean;
  numRetries: number;
  /** The worker serving the task's element stream; undefined = read with `GetElement`. */
  streamWorker: WorkerElementClient | undefined;
  /** The open stream, if any. */
  stream: TaskStream | undefined;
}

interface QueuedElement {
  readonly kind: ElementKind;
  readonly bytes: Uint8Array;
}

/** See the module comment. Iterate with `for await`; `break` releases the iteration client. */
export class FcfsReader extends IterationReader {
  private tasks: ReadTask[] = [];
  private nextTaskIndex = 0;
  private readonly results: QueuedElement[] = [];
  /** Byte length of the serialized elements in {@link results}. */
  private queuedBytes = 0;
  private outstanding = 0;
  /** Open element streams. */
  private readonly streams = new Set<TaskStream>();
  /** False once a task was skipped by `shouldReadTask`: then the reader's own tasks decide the end. */
  private shouldFinishIteration = true;
  private consecutiveSkips = 0;
  private wakeHeartbeat: (() => void) | undefined;
  /** Pending timers of {@link pause}; they keep the runtime alive only while a consumer waits. */
  private finishPolls = 0;

  constructor(private readonly opts: FcfsReaderOptions) {
    super(opts);
    void this.heartbeatLoop();
  }

  async next(): Promise<IteratorResult<Tensor[], undefined>> {
    for (;;) {
      if (this.error) {
        await this.close();
        throw this.error;
      }
      if (this.closed) return { done: true, value: undefined };
      const queued = this.results.shift();
      if (queued) {
        this.queuedBytes -= queued.bytes.length;
        this.pump();
        try {
          return { done: false, value: this.opts.decode(queued.kind, queued.bytes) };
        } catch (err) {
          this.fail(failure("Failed to decode an element from the tf.data service", err));
          continue;
        }
      }
      const ended = this.iterationFinished || (!this.shouldFinishIteration && this.allTasksEnded());
      if (ended && this.outstanding === 0 && this.streams.size === 0) {
        await this.close();
        return { done: true, value: undefined };
      }
      const hold = this.streams.size > 0 ? setTimeout(() => {}, STREAM_WAIT_KEEPALIVE_MS) : undefined;
      await this.waitForChange();
      if (hold !== undefined) clearTimeout(hold);
    }
  }

  /** Number of tasks currently known (for tests and introspection). */
  get numTasks(): number {
    return this.tasks.length;
  }

  protected override onClose(): void {
    this.opts.onClose?.(this.tasks.map((t) => t.info));
  }

  protected heartbeatRequest(): HeartbeatRequest {
    return { iterationClientId: this.iterationClientId };
  }

  /** The refresh interval; sooner (doubling from FINISH_POLL_MIN_MS) once every known task ended. */
  protected async heartbeatPause(): Promise<void> {
    const refresh = this.opts.taskRefreshIntervalMs;
    const delay = this.allTasksEnded() ? Math.min(refresh, FINISH_POLL_MIN_MS * 2 ** this.finishPolls++) : refresh;
    await this.pause(delay, (wake) => (this.wakeHeartbeat = wake));
    this.wakeHeartbeat = undefined;
  }

  private allTasksEnded(): boolean {
    return this.tasks.length > 0 && this.tasks.every((t) => t.endOfSequence);
  }

  protected applyHeartbeat(res: ClientHeartbeatResponse): void {
    if (res.iterationFinished) {
      this.iterationFinished = true;
      this.notify();
      return;
    }
    const listed = new Map(res.taskInfo.map((t) => [t.taskId, t]));
    const kept: ReadTask[] = [];
    for (let i = 0; i < this.tasks.length; i++) {
      const task = this.tasks[i];
      if (listed.has(task.info.taskId)) {
        kept.push(task);
        listed.delete(task.info.taskId);
      } else {
        task.stream?.abort.abort(new ConnectError("The task is no longer part of the iteration", Code.Canceled));
        if (i < this.nextTaskIndex) this.nextTaskIndex--;
      }
    }
    this.tasks = kept;
    if (listed.size > 0) {
      const known = this.tasks.length;
      for (const info of listed.values()) {
        if (this.opts.shouldReadTask && !this.opts.shouldReadTask(info)) {
          this.shouldFinishIteration = false; // not ours to read (targetWorkers)
          continue;
        }
        const streamServer = this.opts.streamWindow
          ? info.transferServers.find((s) => s.protocol === ELEMENT_STREAM_PROTOCOL)
          : undefined;
        this.tasks.push({
          info,
          worker: this.opts.worker(info.workerAddress),
          inUse: false,
          endOfSequence: false,
          numRetries: 0,
          streamWorker: streamServer ? this.opts.worker(streamServer.address) : undefined,
          stream: undefined,
        });
      }
      if (this.tasks.length > known) {
        shuffle(this.tasks); // spread clients over workers (TF shuffles each client's task order)
        this.nextTaskIndex = 0;
      }
    }
    this.pump();
  }

  /** Opens streams and grants credits, then starts requests while the window allows and a task is free. */
  private pump(): void {
    if (this.closed || this.error) return;
    if (this.opts.streamWindow) this.pumpStreams(this.opts.streamWindow);
    while (this.results.length + this.outstanding < this.opts.maxOutstandingRequests) {
      const task = this.pickTask();
      if (!task) return;
      this.fetch(task);
    }
  }

  private pickTask(): ReadTask | undefined {
    const n = this.tasks.length;
    for (let i = 0; i < n; i++) {
      const index = (this.nextTaskIndex + i) % n;
      const task = this.tasks[index];
      if (!task.inUse && !task.endOfSequence && !task.streamWorker) {
        this.nextTaskIndex = (index + 1) % n;
        return task;
      }
    }
    return undefined;
  }

  /**
   * Shares the stream window: every streamed task gets an equal share; a share's missing part is
   * granted once it is worth a call (or the stream ran dry), never beyond what the window has free.
   */
  private pumpStreams(window: StreamWindow): void {
    const streamed = this.tasks.filter((t) => t.streamWorker && !t.endOfSequence);
    if (streamed.length === 0) return;
    const shareElements = Math.max(1, Math.floor(window.elements / streamed.length));
    const shareBytes = Math.max(1, Math.floor(window.bytes / streamed.length));
    let freeElements = window.elements - this.results.length;
    let freeBytes = window.bytes - this.queuedBytes;
    for (const s of this.streams) {
      freeElements -= s.creditElements;
      freeBytes -= s.creditBytes;
    }
    // Streams holding the fewest credits first, so a small window rotates among them.
    streamed.sort((a, b) => (a.stream?.creditElements ?? -1) - (b.stream?.creditElements ?? -1));
    for (const task of streamed) {
      if (task.inUse && !task.stream) continue; // backing off before a reopen
      const s = task.stream;
      const haveElements = s?.creditElements ?? 0;
      const haveBytes = s?.creditBytes ?? 0;
      const elements = Math.max(0, Math.min(shareElements - haveElements, freeElements));
      const bytes = Math.max(0, Math.min(shareBytes - haveBytes, freeBytes));
      if (haveElements + elements <= 0 || haveBytes + bytes <= 0) continue; // nothing useful to give yet
      if (!s) {
        freeElements -= elements;
        freeBytes -= bytes;
        this.openStream(task, elements, bytes);
        continue;
      }
      if (s.granting || s.id === undefined || (elements === 0 && bytes === 0)) continue;
      const dry = haveElements <= 0 || haveBytes <= 0;
      if (!dry && elements < shareElements * STREAM_GRANT_FRACTION && bytes < shareBytes * STREAM_GRANT_FRACTION) continue;
      freeElements -= elements;
      freeBytes -= bytes;
      this.grant(task, s, elements, bytes);
    }
  }

  private openStream(task: ReadTask, elements: number, bytes: number): void {
    const abort = new AbortController();
    const s: TaskStream = { id: undefined, creditElements: elements, creditBytes: bytes, granting: false, abort };
    const onClose = () => abort.abort(this.abort.signal.reason);
    this.abort.signal.addEventListener("abort", onClose, { once: true });
    task.inUse = true;
    task.stream = s;
    this.streams.add(s);
    const messages = task.streamWorker!.streamElements({
      taskId: task.info.taskId,
      iterationClientId: this.opts.iterationClientId,
      creditElements: BigInt(elements),
      creditBytes: BigInt(bytes),
    }, abort.signal);
    void this.readStream(task, s, messages).finally(() => {
      this.abort.signal.removeEventListener("abort", onClose);
      abort.abort();
    });
  }

  private async readStream(task: ReadTask, s: TaskStream, messages: AsyncIterable<StreamElementsResponse>): Promise<void> {
    let backoff = false;
    let served = false;
    try {
      for await (const msg of messages) {
        served = true;
        if (s.id === undefined && msg.streamId !== 0n) s.id = msg.streamId;
        if (this.closed) break;
        for (const el of msg.elements) {
          const kind = el.element.case;
          if (kind === undefined) {
            throw new TfDataError("Internal",
              `Worker ${task.info.workerAddress} streamed an element of task ${task.info.taskId} without a payload.`);
          }
          const bytes = el.element.value;
          s.creditElements--;
          s.creditBytes -= bytes.length;
          this.results.push({ kind, bytes });
          this.queuedBytes += bytes.length;
        }
        if (msg.elements.length > 0) task.numRetries = 0;
        if (msg.endOfSequence) {
          task.endOfSequence = true;
          if (this.allTasksEnded()) this.wakeHeartbeat?.();
        }
        this.notify();
        this.pump();
      }
      // A stream that stops short of end of sequence (e.g. a proxy cut it) is reopened.
      backoff = !task.endOfSequence && !this.closed && !s.abort.signal.aborted;
    } catch (err) {
      if (!this.closed && !s.abort.signal.aborted) {
        if (isRetryable(err)) {
          backoff = true;
        } else if (!served && err instanceof ConnectError && err.code === Code.Unimplemented) {
          // Advertised but maybe not served there (a proxy, another implementation): GetElement
          // then either works or reports the task's own UNIMPLEMENTED error.
          task.streamWorker = undefined;
        } else {
          this.fail(failure(`Failed to get element from worker ${task.info.workerAddress}`, err));
        }
      }
    } finally {
      this.streams.delete(s);
      task.stream = undefined;
    }
    if (backoff) await this.pause(computeBackoffMs(task.numRetries++));
    task.inUse = false;
    this.notify();
    this.pump();
  }

  private grant(task: ReadTask, s: TaskStream, elements: number, bytes: number): void {
    s.granting = true;
    s.creditElements += elements;
    s.creditBytes += bytes;
    task.streamWorker!.grantCredits({ streamId: s.id, creditElements: BigInt(elements), creditBytes: BigInt(bytes) },
      s.abort.signal).then(
      () => {
        s.granting = false;
        this.pump();
      },
      async (err: unknown) => {
        // Not granted after all. A stream that ended (NOT_FOUND) is finishing on its own.
        s.creditElements -= elements;
        s.creditBytes -= bytes;
        if (s.abort.signal.aborted || (err instanceof ConnectError && err.code === Code.NotFound)) {
          s.granting = false;
          return;
        }
        await this.pause(computeBackoffMs(0));
        s.granting = false;
        this.pump();
      },
    );
  }

  private fetch(task: ReadTask): void {
    task.inUse = true;
    this.outstanding++;
    const allowSkip = this.consecutiveSkips < SKIPS_PER_TASK_BEFORE_BLOCKING * this.tasks.length;
    const signal = this.abort.signal;
    const done = () => {
      task.inUse = false;
      this.outstanding--;
      this.pump();
      this.notify();
    };
    task.worker.getElement({ taskId: task.info.taskId, allowSkip, trainerId: this.opts.trainerId }, signal).then(
      (res) => {
        task.numRetries = 0;
        if (res.endOfSequence) {
          task.endOfSequence = true;
          if (this.allTasksEnded()) this.wakeHeartbeat?.();
        } else if (res.skipTask) {
          this.consecutiveSkips++;
        } else if (res.element) {
          this.consecutiveSkips = 0;
          if (!this.closed) this.results.push(res.element);
        } else {
          this.fail(new TfDataError("Internal",
            `Worker ${task.info.workerAddress} answered GetElement for task ${task.info.taskId} with neither ` +
              "an element, end_of_sequence nor skip_task."));
        }
        done();
      },
      async (err: unknown) => {
        if (!this.closed) {
          if (isRetryable(err)) {
            // Back off, then let the next request try another task (TF treats it as a skip).
            await this.pause(computeBackoffMs(task.numRetries++));
            this.consecutiveSkips++;
          } else {
            this.fail(failure(`Failed to get element from worker ${task.info.workerAddress}`, err));
          }
        }
        done();
      },
    );
  }
}

/** In-place Fisher–Yates shuffle. */
function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}
