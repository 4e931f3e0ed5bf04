/**
 * The all-consumers vote of `MaybeRemoveTask` (TF's `TaskRemover`): a round-robin task is removed
 * only when every consumer asks to remove it for the same round, so all consumers drop it at the
 * same point and stay in step.
 *
 * The first request fixes the round. Each request waits until all `numConsumers` consumers asked
 * for that round (→ removed, every waiter answers true), another consumer asks for a different
 * round (→ every waiter answers false), or `timeoutMs` passes (→ false; TF: 10 s).
 */

/** TF's wait for the other consumers' votes (`kWaitTimeoutUs`). */
export const TASK_REMOVAL_TIMEOUT_MS = 10_000;

interface Waiter {
  readonly consumer: bigint;
  readonly settle: (removed: boolean) => void;
}

/** One task's removal vote. */
export class TaskRemover {
  private round: bigint | undefined;
  private removed = false;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly numConsumers: bigint, private readonly timeoutMs: number) {}

  /** True once the vote succeeded. */
  get isRemoved(): boolean {
    return this.removed;
  }

  /** True when nobody is waiting (the remover can be dropped unless it removed the task). */
  get idle(): boolean {
    return this.waiters.size === 0;
  }

  /** Consumer `consumer` asks to remove the task in `round`; resolves whether it was removed. */
  requestRemoval(consumer: bigint, round: bigint): Promise<boolean> {
    if (this.removed) return Promise.resolve(true);
    if (this.waiters.size === 0) this.round = round;
    if (round !== this.round) {
      // Consumers disagree: everyone waiting gives up, and so does this request.
      this.round = undefined;
      this.settleAll(false);
      return Promise.resolve(false);
    }
    const consumers = new Set([...this.waiters].map((w) => w.consumer));
    consumers.add(consumer);
    if (BigInt(consumers.size) >= this.numConsumers) {
      this.removed = true;
      this.round = undefined;
      this.settleAll(true);
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        consumer,
        settle: (removed) => {
          if (timer !== undefined) clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(removed);
        },
      };
      this.waiters.add(waiter);
      timer = setTimeout(() => waiter.settle(false), this.timeoutMs);
    });
  }

  /** Answers every waiting request `false` (dispatcher shutting down). */
  cancel(): void {
    this.settleAll(false);
  }

  private settleAll(removed: boolean): void {
    for (const w of [...this.waiters]) w.settle(removed);
  }
}
