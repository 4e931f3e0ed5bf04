/**
 * What every reading iterator of an iteration client shares (fcfs-reader.ts, round-robin-reader.ts):
 * the heartbeat loop to the dispatcher, a sticky first error, waking a consumer waiting in
 * `next()`, timers that hold the runtime only while a consumer waits, and closing: cancel what is
 * in flight and release the iteration client exactly once.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import type { TfDataError } from "../../core/errors.js";
import type { ElementKind } from "../../core/core.js";
import type { Tensor } from "../../core/tensor.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ClientHeartbeatRequestSchema, ClientHeartbeatResponse } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { isRetryable } from "../errors.js";
import type { DispatcherClient } from "./dispatcher-client.js";
import { failure } from "./failure.js";
import { releaseIterationClient } from "./release-client.js";
import type { WorkerElementClient } from "./worker-client.js";

/** Node's timers can be (un)referenced; other runtimes' timers are numbers without these. */
export interface HoldableTimer {
  ref?(): void;
  unref?(): void;
}

/** What every reader needs. */
export interface IterationReaderOptions {
  /** The dispatcher (heartbeats, release; round-robin readers also vote on task removal). */
  readonly dispatcher: DispatcherClient;
  /** The iteration client this reader is. */
  readonly iterationClientId: bigint;
  /** The `GetElement` client of a worker address (shared across iterations by the caller). */
  readonly worker: (workerAddress: string) => WorkerElementClient;
  /** Requests in flight plus results waiting (result slots), at most. */
  readonly maxOutstandingRequests: number;
  /** Period of `ClientHeartbeat`. */
  readonly taskRefreshIntervalMs: number;
  /** Turns a serialized element into its components (the core's decoder). */
  readonly decode: (kind: ElementKind, bytes: Uint8Array) => Tensor[];
}

/** A `ClientHeartbeat` request as a reader builds it. */
export type HeartbeatRequest = MessageInitShape<typeof ClientHeartbeatRequestSchema>;

/** See the module comment. Subclasses implement `next()` and the heartbeat's request and answer. */
export abstract class IterationReader implements AsyncIterableIterator<Tensor[]> {
  /** The first error; `next()` throws it (after closing). */
  protected error: TfDataError | undefined;
  protected closed = false;
  /** The dispatcher said the iteration is finished. */
  protected iterationFinished = false;
  /** Aborted on close: cancels requests, streams and pauses. */
  protected readonly abort = new AbortController();
  /** Consumers waiting in `next()` for something to change. */
  protected waiters: (() => void)[] = [];
  /** Timers of pauses, referenced while a consumer waits (see {@link pause}). */
  protected readonly timers = new Set<HoldableTimer>();
  private releasing: Promise<void> | undefined;

  protected readonly dispatcher: DispatcherClient;
  protected readonly iterationClientId: bigint;

  protected constructor(options: IterationReaderOptions) {
    this.dispatcher = options.dispatcher;
    this.iterationClientId = options.iterationClientId;
  }

  abstract next(): Promise<IteratorResult<Tensor[], undefined>>;

  /** The `ClientHeartbeat` request to send now. */
  protected abstract heartbeatRequest(): HeartbeatRequest;
  /** Applies the dispatcher's answer (tasks, rounds, whether the iteration finished). */
  protected abstract applyHeartbeat(res: ClientHeartbeatResponse): void;
  /** Waits until the next heartbeat is due (through {@link pause}). */
  protected abstract heartbeatPause(): Promise<void>;
  /** Called once when the reader closes, before requests are cancelled. */
  protected onClose(): void {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Abandons the iteration: cancels requests, stops heartbeats, releases the iteration client. */
  async return(): Promise<IteratorResult<Tensor[], undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /** Closes once (see {@link return}); later calls wait for the same release. */
  protected async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.onClose();
      this.abort.abort(new ConnectError("The tf.data service iterator was closed", Code.Canceled));
      this.notify();
      this.releasing = releaseIterationClient(this.dispatcher, this.iterationClientId);
    }
    await this.releasing;
  }

  /** Records the first error and wakes the consumer, whose `next()` throws it. */
  protected fail(err: TfDataError): void {
    this.error ??= err;
    this.notify();
  }

  /** Wakes every consumer waiting in `next()`. */
  protected notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until {@link notify}; pauses' timers hold the runtime meanwhile. */
  protected waitForChange(): Promise<void> {
    for (const t of this.timers) t.ref?.();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Heartbeats until the iteration finishes, the reader closes or fails; retryable errors are retried. */
  protected async heartbeatLoop(): Promise<void> {
    const id = this.iterationClientId;
    while (!this.closed && !this.iterationFinished && !this.error) {
      try {
        const res = await this.dispatcher.rpc.clientHeartbeat(this.heartbeatRequest(), { signal: this.abort.signal });
        this.applyHeartbeat(res);
      } catch (err) {
        if (this.closed) return;
        if (!isRetryable(err)) {
          this.fail(failure(`Failed to heartbeat to dispatcher from iteration client id ${id}`, err));
          return;
        }
      }
      if (this.iterationFinished) return;
      await this.heartbeatPause();
    }
  }

  /**
   * Waits `ms` (or until woken through `onWake`, or closed). An abandoned iterator must not keep a
   * Node process alive, so the timer holds the runtime only while someone awaits `next()`.
   */
  protected pause(ms: number, onWake?: (wake: () => void) => void): Promise<void> {
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
}
