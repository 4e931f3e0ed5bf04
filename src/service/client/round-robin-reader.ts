/**
 * The reading iterator of a coordinated read (TF's `DataServiceClient` with `consumer_index` /
 * `num_consumers`, spec §3.5): every consumer of the job reads the tasks in the dispatcher's
 * order, in rounds, so that in round r all consumers read the same task.
 *
 * - Round r requests task 0, 1, …, n−1 in order (`consumer_index`, `round_index = r`,
 *   `allow_skip`, the task's `skipped_previous_round`); a task whose `starting_round` is later
 *   than r is not read yet, nor are removed or finished tasks.
 * - A result slot is reserved when a request starts, so the output order is strictly (round, task
 *   order); slots of skipped rounds are dropped. At most `maxOutstandingRequests` slots exist.
 * - Heartbeats carry `current_round` and, once the client accepted a `block_round` from the
 *   dispatcher (a new task is being added), `blocked_round`: requests for rounds at or past the
 *   limit wait until the dispatcher lifts it (the new task then appears with its starting round).
 * - A task that keeps failing with a retryable error is put to a `MaybeRemoveTask` vote after its
 *   first retry; if all consumers agree, it is dropped at the same round everywhere.
 */
import type { ElementKind } from "../../core/core.js";
import { TfDataError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import type { TaskInfo } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { ClientHeartbeatResponse } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { isRetryable } from "../errors.js";
import { failure } from "./failure.js";
import { computeBackoffMs, retry } from "./retry.js";
import { IterationReader, type HeartbeatRequest, type IterationReaderOptions } from "./iteration-reader.js";
import type { WorkerElementClient } from "./worker-client.js";


/** What a round-robin reader needs. */
export interface RoundRobinReaderOptions extends IterationReaderOptions {
  /** This consumer's index in `[0, numConsumers)`. */
  readonly consumerIndex: bigint;
}

interface RoundRobinTask {
  readonly info: TaskInfo;
  readonly worker: WorkerElementClient;
  /** The round of the request in flight. */
  round: bigint;
  inUse: boolean;
  removed: boolean;
  endOfSequence: boolean;
  skippedPreviousRound: boolean;
}

/** A reserved place in the output. */
interface Slot {
  ready: boolean;
  skip: boolean;
  endOfSequence: boolean;
  element: { readonly kind: ElementKind; readonly bytes: Uint8Array } | undefined;
}

/** See the module comment. Iterate with `for await`; `break` releases the iteration client. */
export class RoundRobinReader extends IterationReader {
  private tasks: RoundRobinTask[] = [];
  private nextTaskIndex = 0;
  private currentRound = 0n;
  /** Requests for rounds >= this wait (the dispatcher is adding a task); undefined = no limit. */
  private roundLimit: bigint | undefined;
  private readonly results: Slot[] = [];
  private outstanding = 0;

  constructor(private readonly opts: RoundRobinReaderOptions) {
    super(opts);
    void this.heartbeatLoop();
  }

  /** The round the next request will be for (TF's `current_round_`). */
  get round(): bigint {
    return this.currentRound;
  }

  /** Number of tasks read (for tests and introspection). */
  get numTasks(): number {
    return this.tasks.length;
  }

  async next(): Promise<IteratorResult<Tensor[], undefined>> {
    for (;;) {
      if (this.error) {
        await this.close();
        throw this.error;
      }
      if (this.closed) return { done: true, value: undefined };
      while (this.results.length > 0 && this.results[0].ready) {
        const slot = this.results.shift()!;
        this.pump();
        if (slot.skip) continue;
        if (slot.endOfSequence || !slot.element) {
          await this.close();
          return { done: true, value: undefined };
        }
        try {
          return { done: false, value: this.opts.decode(slot.element.kind, slot.element.bytes) };
        } catch (err) {
          this.fail(failure("Failed to decode an element from the tf.data service", err));
          break;
        }
      }
      if (this.error) continue;
      if (this.iterationFinished && this.outstanding === 0 && this.results.length === 0) {
        await this.close();
        return { done: true, value: undefined };
      }
      await this.waitForChange();
    }
  }

  protected heartbeatRequest(): HeartbeatRequest {
    return {
      iterationClientId: this.iterationClientId,
      optionalCurrentRound: { case: "currentRound", value: this.currentRound },
      optionalBlockedRound: this.roundLimit === undefined ? { case: undefined } : { case: "blockedRound", value: this.roundLimit },
    };
  }

  protected heartbeatPause(): Promise<void> {
    return this.pause(this.opts.taskRefreshIntervalMs);
  }

  protected applyHeartbeat(res: ClientHeartbeatResponse): void {
    if (res.iterationFinished) {
      this.iterationFinished = true;
      this.notify();
    }
    if (res.optionalBlockRound.case === "blockRound") this.tryBlockRound(res.optionalBlockRound.value);
    else this.roundLimit = undefined;
    if (!this.iterationFinished) this.updateTasks(res.taskInfo);
    this.pump();
  }

  /** TF's `TryBlockRound`: accept the limit unless this consumer already started that round. */
  private tryBlockRound(round: bigint): void {
    if (this.roundLimit === round) return;
    if (this.currentRound >= round) return; // the next heartbeat's current_round rejects it
    this.roundLimit = round;
  }

  /** Drops tasks the dispatcher no longer lists and appends new ones, in the dispatcher's order. */
  private updateTasks(listed: readonly TaskInfo[]): void {
    const byId = new Map(listed.map((t) => [t.taskId, t]));
    let index = 0;
    while (index < this.tasks.length) {
      const task = this.tasks[index];
      if (byId.has(task.info.taskId)) {
        byId.delete(task.info.taskId);
        index++;
        continue;
      }
      this.tasks.splice(index, 1);
      if (index < this.nextTaskIndex) this.nextTaskIndex--;
      if (this.tasks.length > 0 && this.nextTaskIndex >= this.tasks.length) this.advanceTaskIndex();
    }
    for (const info of listed) {
      if (!byId.has(info.taskId)) continue;
      this.tasks.push({
        info,
        worker: this.opts.worker(info.workerAddress),
        round: 0n,
        inUse: false,
        removed: false,
        endOfSequence: false,
        skippedPreviousRound: false,
      });
    }
  }

  /** TF's `AdvanceTaskIndex`: past the last task, the next round begins. */
  private advanceTaskIndex(): void {
    this.nextTaskIndex++;
    if (this.nextTaskIndex >= this.tasks.length) {
      this.currentRound++;
      this.nextTaskIndex = 0;
    }
  }

  /** TF's `GetTaskToProcess` for coordinated reads: strictly in order, never past the round limit. */
  private pickTask(): RoundRobinTask | undefined {
    for (let i = 0; i < this.tasks.length; i++) {
      const task = this.tasks[this.nextTaskIndex];
      if (task.inUse || (this.roundLimit !== undefined && this.currentRound >= this.roundLimit)) return undefined;
      if (this.currentRound < task.info.startingRound || task.endOfSequence || task.removed) {
        this.advanceTaskIndex();
        continue;
      }
      task.round = this.currentRound;
      this.advanceTaskIndex();
      return task;
    }
    return undefined;
  }

  /** Starts requests while slots are free and the next task in order can be read. */
  private pump(): void {
    if (this.closed || this.error || this.iterationFinished) return;
    while (this.results.length < this.opts.maxOutstandingRequests) {
      const task = this.pickTask();
      if (!task) return;
      const slot: Slot = { ready: false, skip: false, endOfSequence: false, element: undefined };
      this.results.push(slot);
      void this.fetch(task, slot);
    }
  }

  private async fetch(task: RoundRobinTask, slot: Slot): Promise<void> {
    task.inUse = true;
    this.outstanding++;
    const signal = this.abort.signal;
    try {
      for (let retries = 0; ; retries++) {
        try {
          const res = await task.worker.getElement({
            taskId: task.info.taskId,
            optionalConsumerIndex: { case: "consumerIndex", value: this.opts.consumerIndex },
            optionalRoundIndex: { case: "roundIndex", value: task.round },
            allowSkip: true,
            skippedPreviousRound: task.skippedPreviousRound,
          }, signal);
          if (res.endOfSequence) {
            task.endOfSequence = true;
            slot.endOfSequence = true;
          } else if (res.skipTask) {
            task.skippedPreviousRound = true;
            slot.skip = true;
          } else if (res.element) {
            task.skippedPreviousRound = false;
            slot.element = res.element;
          } else {
            this.fail(new TfDataError("Internal", `Worker ${task.info.workerAddress} answered GetElement for task ` +
              `${task.info.taskId} with neither an element, end_of_sequence nor skip_task.`));
            return;
          }
          slot.ready = true;
          return;
        } catch (err) {
          if (this.closed) return;
          if (!isRetryable(err)) {
            this.fail(failure(`Failed to get element from worker ${task.info.workerAddress}`, err));
            return;
          }
          if (retries > 0 && await this.removedByVote(task)) {
            task.removed = true;
            slot.skip = true;
            slot.ready = true;
            return;
          }
          if (this.closed) return;
          await this.pause(computeBackoffMs(retries));
          if (this.closed) return;
        }
      }
    } catch (err) {
      // A failed removal vote (non-retryable) ends the iterator, as TF's GetElement error does.
      if (!this.closed) this.fail(failure(`Failed to get element from worker ${task.info.workerAddress}`, err));
    } finally {
      task.inUse = false;
      this.outstanding--;
      this.pump();
      this.notify();
    }
  }

  /** `MaybeRemoveTask` for the task's current round, retried while the reader is open. */
  private async removedByVote(task: RoundRobinTask): Promise<boolean> {
    const signal = this.abort.signal;
    const res = await retry(() => this.opts.dispatcher.rpc.maybeRemoveTask({
      taskId: task.info.taskId,
      consumerIndex: this.opts.consumerIndex,
      round: task.round,
    }, { signal }), { description: "request task removal ", signal });
    return res.removed;
  }
}
