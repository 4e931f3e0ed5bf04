/**
 * A FIFO lock for async code: TF runs every dispatcher RPC under one mutex. An RPC awaits the
 * journal's fsync between deciding on its updates and applying them; RPCs must not interleave
 * there, and taking this lock keeps them serial.
 */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every previously queued function has settled. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
