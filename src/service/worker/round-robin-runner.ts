/**
 * The round-robin task runner (TF's `RoundRobinTaskRunner`, spec §3.5): coordinated reads, where
 * every consumer of a job reads the same task in the same round, so that in each training step all
 * replicas get elements from one worker (e.g. batches of one bucket).
 *
 * - A prefetcher keeps up to `numConsumers` elements ready.
 * - Round r delivers `numConsumers` consecutive elements of the task, element i to consumer i. It
 *   starts when requests for round r from all consumers are in and r is past the current round;
 *   the round's elements are then taken from the prefetcher, waiting at most
 *   {@link ROUND_ROBIN_SKIP_WAIT_MS} when the request allows skipping. If not enough are ready in
 *   time the round is skipped: every consumer gets `skip` for it.
 * - A request for a round older than the current one fails (FAILED_PRECONDITION): the consumer
 *   was restarted with the same iteration name.
 * - After a worker restart (current round unknown), once requests for rounds `first` and
 *   `first + 1` together cover all consumers, a partial round `first` is served to the consumers
 *   that asked for it (skipped when the `first + 1` requests say `skipped_previous_round`).
 * - End of input is an error: round-robin reads need an infinite dataset.
 */
import { TfDataError } from "../../core/errors.js";
import { afterIo, cancelled, type PulledElement, type PullSource } from "./runner-source.js";
import type { RunnerRequest, RunnerResult, TaskRunner } from "./task-runner.js";

/** How long the last request of a round waits for the round's elements before skipping it (TF: 100 ms). */
export const ROUND_ROBIN_SKIP_WAIT_MS = 100;

/** Options of {@link RoundRobinTaskRunner}. */
export interface RoundRobinOptions {
  /** Fill wait before a round is skipped; default {@link ROUND_ROBIN_SKIP_WAIT_MS}. */
  readonly skipWaitMs?: number;
}

/** TF's message when a round-robin task's input ends. */
export const ROUND_ROBIN_END_OF_SEQUENCE_MESSAGE =
  "Encountered end of sequence on a round-robin read iterator. Please ensure that the dataset used for " +
  "round-robin reading has infinite cardinality, e.g. by adding a .repeat() transformation at the end.";

function failedPrecondition(message: string): TfDataError {
  return new TfDataError("FailedPrecondition", message);
}

/**
 * Keeps up to `roundSize` elements of the task ready (TF's `PrefetchThread`). The first error
 * (end of input included) is sticky.
 */
class RoundPrefetcher {
  private readonly buffer: PulledElement[] = [];
  private status: unknown;
  private stopped = false;
  private index = 0n;
  private wakeProducer: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly source: PullSource, private readonly roundSize: number) {
    void this.run();
  }

  /** The sticky error, if the input failed or ended. */
  get error(): unknown {
    return this.status;
  }

  /** Calls `fn` whenever the buffer, the error or the stopped flag changes. */
  onChange(fn: () => void): void {
    this.listeners.add(fn);
  }

  /**
   * A round's elements: waits up to `waitMs` (Infinity = until they exist) for `roundSize`
   * elements and takes them all; `undefined` when the wait ran out. Rejects on the sticky error
   * or when stopped.
   */
  async fill(waitMs: number): Promise<PulledElement[] | undefined> {
    const deadline = performance.now() + waitMs;
    while (this.buffer.length < this.roundSize && !this.stopped && this.status === undefined) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      await this.changed(remaining);
    }
    if (this.status !== undefined) throw this.status;
    if (this.stopped) throw cancelled("Prefetch thread cancelled");
    if (this.buffer.length < this.roundSize) return undefined;
    const round = this.buffer.splice(0, this.buffer.length);
    this.wakeProducer?.();
    return round;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeProducer?.();
    this.notify();
    this.source.close();
  }

  /** Resolves on the next change, or after `ms` (Infinity = no timer). */
  private changed(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      this.listeners.add(done);
      if (Number.isFinite(ms)) timer = setTimeout(done, ms);
    });
  }

  private notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.length >= this.roundSize) {
        await new Promise<void>((resolve) => (this.wakeProducer = resolve));
        this.wakeProducer = undefined;
        continue;
      }
      // Let answers already handed to the transport go out before computing the next element.
      await afterIo();
      if (this.stopped) return;
      let pulled: PulledElement | null;
      try {
        pulled = await this.source.next();
      } catch (err) {
        if (this.stopped) return;
        this.status = err;
        this.notify();
        return;
      }
      if (this.stopped) return;
      if (pulled === null) {
        this.status = failedPrecondition(ROUND_ROBIN_END_OF_SEQUENCE_MESSAGE);
        this.notify();
        return;
      }
      // Indices are the runner's own (TF counts in its prefetch thread).
      this.buffer.push({ element: pulled.element, elementIndex: this.index++ });
      this.notify();
    }
  }
}

/** See the module comment. */
export class RoundRobinTaskRunner implements TaskRunner {
  private readonly prefetcher: RoundPrefetcher;
  private readonly skipWaitMs: number;
  /** The round being served; -1 until the first round starts (also right after a restart). */
  private currentRound = -1n;
  /** The smallest round any request asked for. */
  private firstRound: bigint | undefined;
  /** Requests waiting, by round and consumer. */
  private readonly requests = new Map<bigint, Map<bigint, RunnerRequest>>();
  /** The current round's elements (element i for consumer i); empty when skipped. */
  private roundElements: PulledElement[] = [];
  private roundSkipped = false;
  private isCancelled = false;
  private roundWaiters: (() => void)[] = [];
  /** Serializes round preparation (TF holds its mutex while it fills a round). */
  private lockTail: Promise<void> = Promise.resolve();

  constructor(source: PullSource, private readonly numConsumers: number, opts: RoundRobinOptions = {}) {
    this.skipWaitMs = opts.skipWaitMs ?? ROUND_ROBIN_SKIP_WAIT_MS;
    this.prefetcher = new RoundPrefetcher(source, numConsumers);
    // An input failure wakes requests waiting for a round; they then fail with it.
    this.prefetcher.onChange(() => {
      if (this.prefetcher.error !== undefined) this.wakeRoundWaiters();
    });
  }

  async getNext(req: RunnerRequest): Promise<RunnerResult> {
    if (this.isCancelled) throw cancelled("Worker is shutting down.");
    const { consumer, round } = this.validate(req);
    await this.prepareRound(req, consumer, round);
    if (this.roundSkipped) return { kind: "skip" };
    const pulled = this.roundElements[Number(consumer)];
    return { kind: "element", element: pulled.element, elementIndex: pulled.elementIndex };
  }

  cancel(): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    this.prefetcher.stop();
    this.wakeRoundWaiters();
  }

  /** TF's `ValidateRequest`. */
  private validate(req: RunnerRequest): { consumer: bigint; round: bigint } {
    const consumer = req.consumerIndex;
    const round = req.roundIndex;
    // TF reads unset oneofs as 0; a request without them is not a round-robin read, so refuse it.
    if (consumer === undefined || round === undefined || consumer < 0n || round < 0n) {
      throw failedPrecondition(
        "RoundRobinTaskRunner needs to know the consumer index and element index of each request.");
    }
    if (consumer >= BigInt(this.numConsumers)) {
      throw failedPrecondition(`Requesting data for consumer index ${consumer}, but the task is configured for ` +
        `only ${this.numConsumers} consumers`);
    }
    return { consumer, round };
  }

  /** TF's `PrepareRound`: registers the request, starts a round when due, waits for its round. */
  private async prepareRound(req: RunnerRequest, consumer: bigint, round: bigint): Promise<void> {
    const release = await this.lock();
    if (this.firstRound === undefined || round < this.firstRound) this.firstRound = round;
    let waiting = this.requests.get(round);
    if (!waiting) this.requests.set(round, (waiting = new Map()));
    waiting.set(consumer, req);
    try {
      try {
        if (this.currentRound < round && waiting.size === this.numConsumers) {
          this.currentRound = round;
          await this.prepareFullRound(req.allowSkip ? this.skipWaitMs : Infinity);
        }
        if (this.currentRound < 0n && this.partialRoundReady()) await this.preparePartialRound();
      } finally {
        release();
      }
      while (!this.isCancelled && this.currentRound < round) {
        if (this.prefetcher.error !== undefined) throw this.prefetcher.error;
        await new Promise<void>((resolve) => this.roundWaiters.push(resolve));
      }
      if (this.currentRound < round && this.isCancelled) throw cancelled("Worker is shutting down.");
      if (this.currentRound !== round) {
        throw failedPrecondition(`Consumer ${consumer} requested data for round ${round}, but the current round ` +
          `has already reached ${this.currentRound}. This may indicate that the consumer was restarted with the ` +
          "same iteration name.`");
      }
      if (this.prefetcher.error !== undefined) throw this.prefetcher.error;
    } finally {
      if (waiting.get(consumer) === req) waiting.delete(consumer);
      if (waiting.size === 0 && this.requests.get(round) === waiting) this.requests.delete(round);
    }
  }

  /** Requests for rounds `first` and `first + 1` cover every consumer (TF's restart condition). */
  private partialRoundReady(): boolean {
    const first = this.firstRound;
    if (first === undefined) return false;
    const a = this.requests.get(first)?.size ?? 0;
    const b = this.requests.get(first + 1n)?.size ?? 0;
    return b > 0 && a + b === this.numConsumers;
  }

  private async prepareFullRound(waitMs: number): Promise<void> {
    try {
      const elements = await this.prefetcher.fill(waitMs);
      this.roundElements = elements ?? [];
      // Not ready in time: every consumer skips this round and moves on to its next task.
      this.roundSkipped = elements === undefined;
    } finally {
      this.wakeRoundWaiters();
    }
  }

  /** Serves round `first` to the consumers that asked for it, so they catch up with the others. */
  private async preparePartialRound(): Promise<void> {
    const first = this.firstRound!;
    this.currentRound = first;
    try {
      const next = this.requests.get(first + 1n)?.values().next().value;
      if (next?.skippedPreviousRound) {
        this.roundElements = [];
        this.roundSkipped = true;
        return;
      }
      this.roundElements = (await this.prefetcher.fill(Infinity)) ?? [];
      this.roundSkipped = false;
    } finally {
      this.wakeRoundWaiters();
    }
  }

  private wakeRoundWaiters(): void {
    const waiters = this.roundWaiters;
    this.roundWaiters = [];
    for (const w of waiters) w();
  }

  private lock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.lockTail;
    this.lockTail = previous.then(() => held);
    return previous.then(() => release);
  }
}
