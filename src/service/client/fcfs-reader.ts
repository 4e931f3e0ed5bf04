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
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { ElementKind } from "../../core/core.js";
import { TfDataError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { TaskInfo } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { ClientHeartbeatResponse } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { isRetryable } from "../errors.js";
import type { DispatcherClient } from "./dispatcher-client.js";
import { failure } from "./failure.js";
import { computeBackoffMs } from "./retry.js";
import type { WorkerElementClient } from "./worker-client.js";

/** Skips in a row, per task, after which requests stop saying `allow_skip` (TF: 5). */
export const SKIPS_PER_TASK_BEFORE_BLOCKING = 5;
/**
 * First wait before re-asking whether the iteration finished once every known task ended; it
 * doubles up to the task refresh interval. (TF waits a full interval: the end of an iteration is
 * then noticed up to a second late.)
 */
export const FINISH_POLL_MIN_MS = 5;
/** How long `ReleaseIterationClient` may take before the iterator stops waiting for it. */
export const RELEASE_TIMEOUT_MS = 5_000;

/** What a reader needs. */
export interface FcfsReaderOptions {
  /** The dispatcher (heartbeats, release). */
  readonly dispatcher: DispatcherClient;
  /** The iteration client this reader is. */
  readonly iterationClientId: bigint;
  /** The `GetElement` client of a worker address (shared across iterations by the caller). */
  readonly worker: (workerAddress: string) => WorkerElementClient;
  /** Requests in flight plus results waiting, at most. */
  readonly maxOutstandingRequests: number;
  /** Period of `ClientHeartbeat`. */
  readonly taskRefreshIntervalMs: number;
  /** Turns a serialized element into its components (the core's decoder). */
  readonly decode: (kind: ElementKind, bytes: Uint8Array) => Tensor[];
}

interface ReadTask {
  readonly info: TaskInfo;
  readonly worker: WorkerElementClient;
  inUse: boolean;
  endOfSequence: boolean;
  numRetries: number;
}

/** Node's timers can be (un)referenced; other runtimes' timers are numbers without these. */
interface HoldableTimer {
  ref?(): void;
  unref?(): void;
}

interface QueuedElement {
  readonly kind: ElementKind;
  readonly bytes: Uint8Array;
}

/** See the module comment. Iterate with `for await`; `break` releases the iteration client. */
export class FcfsReader implements AsyncIterableIterator<Tensor[]> {
  private tasks: ReadTask[] = [];
  private nextTaskIndex = 0;
  private readonly results: QueuedElement[] = [];
  private outstanding = 0;
  private iterationFinished = false;
  private error: TfDataError | undefined;
  private closed = false;
  private consecutiveSkips = 0;
  private readonly abort = new AbortController();
  private waiters: (() => void)[] = [];
  private releasing: Promise<void> | undefined;
  private wakeHeartbeat: (() => void) | undefined;
  /** Pending timers of {@link pause}; they keep the runtime alive only while a consumer waits. */
  private readonly timers = new Set<HoldableTimer>();
  private finishPolls = 0;

  constructor(private readonly opts: FcfsReaderOptions) {
    void this.heartbeatLoop();
  }

  [Symbol.asyncIterator](): this {
    return this;
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
        this.pump();
        try {
          return { done: false, value: this.opts.decode(queued.kind, queued.bytes) };
        } catch (err) {
          this.fail(failure("Failed to decode an element from the tf.data service", err));
          continue;
        }
      }
      if (this.iterationFinished && this.outstanding === 0) {
        await this.close();
        return { done: true, value: undefined };
      }
      for (const t of this.timers) t.ref?.();
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Abandons the iteration: cancels requests, stops heartbeats, releases the iteration client. */
  async return(): Promise<IteratorResult<Tensor[], undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Number of tasks currently known (for tests and introspection). */
  get numTasks(): number {
    return this.tasks.length;
  }

  private async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.abort.abort(new ConnectError("The tf.data service iterator was closed", Code.Canceled));
      this.notify();
      this.releasing = this.opts.dispatcher.rpc
        .releaseIterationClient({ iterationClientId: this.opts.iterationClientId }, { timeoutMs: RELEASE_TIMEOUT_MS })
        .then(() => {}, () => {}); // best effort: the dispatcher also times silent clients out
    }
    await this.releasing;
  }

  private fail(err: TfDataError): void {
    this.error ??= err;
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private async heartbeatLoop(): Promise<void> {
    const signal = this.abort.signal;
    const id = this.opts.iterationClientId;
    while (!this.closed && !this.iterationFinished) {
      try {
        const res = await this.opts.dispatcher.rpc.clientHeartbeat({ iterationClientId: id }, { signal });
        this.applyHeartbeat(res);
      } catch (err) {
        if (this.closed) return;
        if (!isRetryable(err)) {
          this.fail(failure(`Failed to heartbeat to dispatcher from iteration client id ${id}`, err));
          return;
        }
      }
      if (this.iterationFinished) return;
      const refresh = this.opts.taskRefreshIntervalMs;
      const delay = this.allTasksEnded() ? Math.min(refresh, FINISH_POLL_MIN_MS * 2 ** this.finishPolls++) : refresh;
      await this.pause(delay, (wake) => (this.wakeHeartbeat = wake));
      this.wakeHeartbeat = undefined;
    }
  }

  /**
   * Waits `ms` (or until woken or closed). An abandoned iterator must not keep a Node process
   * alive, so the timer holds the runtime only while someone awaits `next()`.
   */
  private pause(ms: number, onWake?: (wake: () => void) => void): Promise<void> {
    const signal = this.abort.signal;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms) as unknown as HoldableTimer;
      const timers = this.timers;
      timers.add(timer);
      if (this.waiters.length === 0) timer.unref?.();
      function done() {
        clearTimeout(timer as unknown as ReturnType<typeof setTimeout>);
        timers.delete(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      onWake?.(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private allTasksEnded(): boolean {
    return this.tasks.length > 0 && this.tasks.every((t) => t.endOfSequence);
  }

  private applyHeartbeat(res: ClientHeartbeatResponse): void {
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
      } else if (i < this.nextTaskIndex) {
        this.nextTaskIndex--;
      }
    }
    this.tasks = kept;
    if (listed.size > 0) {
      for (const info of listed.values()) {
        this.tasks.push({
          info,
          worker: this.opts.worker(info.workerAddress),
          inUse: false,
          endOfSequence: false,
          numRetries: 0,
        });
      }
      shuffle(this.tasks); // spread clients over workers (TF shuffles each client's task order)
      this.nextTaskIndex = 0;
    }
    this.pump();
  }

  /** Starts requests while the window allows and a task is free. */
  private pump(): void {
    while (!this.closed && !this.error && this.results.length + this.outstanding < this.opts.maxOutstandingRequests) {
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
      if (!task.inUse && !task.endOfSequence) {
        this.nextTaskIndex = (index + 1) % n;
        return task;
      }
    }
    return undefined;
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
    task.worker.getElement({ taskId: task.info.taskId, allowSkip }, signal).then(
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
