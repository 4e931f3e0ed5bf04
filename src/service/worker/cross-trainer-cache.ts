/**
 * A sliding-window cache shared by concurrent trainers (TF's `CrossTrainerCache`, spec §3.6).
 *
 * Each element of an infinite sequence is read from the sequence once and then served to every
 * trainer id once: a trainer whose next element is still in the window gets it from the cache; a
 * trainer that has read everything in the window extends it by one element (one extender at a
 * time; the others wait for it). The window holds at most `maxBytes`: when a new element does not
 * fit, the oldest elements are dropped, and a trainer that lagged behind the window continues from
 * its start. So trainers may miss elements, but never read one twice.
 */
import { TfDataError } from "../../core/errors.js";

/** Most trainer ids one cache tracks (each costs a map entry for the task's lifetime). */
export const MAX_CACHE_TRAINERS = 100_000;

/** The infinite sequence a cache slides over. */
export interface CachableSequence<T> {
  /** The next element; rejects when the sequence cannot go on (e.g. it ended). */
  next(): Promise<T>;
  /** Estimated memory of one element, in bytes. */
  sizeBytes(element: T): number;
}

/** See the module comment. */
export class CrossTrainerCache<T> {
  /** Cached elements; `elements[head]` has absolute index `start` (evicted slots are cleared). */
  private elements: (T | undefined)[] = [];
  private head = 0;
  private start = 0;
  private bytes = 0;
  private extending = false;
  private status: unknown;
  private waiters: (() => void)[] = [];
  /** Absolute index of each trainer's next element. */
  private readonly cursors = new Map<string, number>();

  /**
   * @param maxBytes the window's budget (> 0); every element must fit in it.
   * @param sequence where new elements come from.
   */
  constructor(private readonly maxBytes: number, private readonly sequence: CachableSequence<T>) {
    if (!(maxBytes > 0)) throw new TfDataError("InvalidArgument", `The cross-trainer cache size must be > 0, got ${maxBytes}.`);
  }

  /** The next element `trainerId` has not read; see the module comment. */
  async get(trainerId: string): Promise<T> {
    if (!trainerId) {
      throw new TfDataError("InvalidArgument", "tf.data service cross-trainer cache requires a non-empty trainer ID.");
    }
    for (;;) {
      if (this.status !== undefined) throw this.status;
      const index = this.indexOf(trainerId);
      if (index < this.start + this.size) {
        if (!this.cursors.has(trainerId) && this.cursors.size >= MAX_CACHE_TRAINERS) {
          throw new TfDataError("ResourceExhausted", `The cross-trainer cache of this task already serves ` +
            `${MAX_CACHE_TRAINERS} trainer ids; use fewer distinct trainer ids per job.`);
        }
        this.cursors.set(trainerId, index + 1);
        return this.elements[this.head + index - this.start] as T;
      }
      if (this.extending) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      this.extending = true;
      try {
        await this.extend();
      } finally {
        this.extending = false;
        this.wake();
      }
    }
  }

  /** Fails every current and later `get` with `status`. */
  cancel(status: unknown): void {
    if (this.status !== undefined) return;
    this.status = status;
    this.elements = [];
    this.head = 0;
    this.wake();
  }

  /** True once cancelled. */
  get isCancelled(): boolean {
    return this.status !== undefined;
  }

  /** Bytes currently cached (for tests and metrics). */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** Number of elements currently cached. */
  get size(): number {
    return this.elements.length - this.head;
  }

  /** Absolute index of the oldest cached element. */
  get startIndex(): number {
    return this.start;
  }

  private indexOf(trainerId: string): number {
    return Math.max(this.cursors.get(trainerId) ?? 0, this.start);
  }

  /** Reads one element from the sequence into the window, evicting old ones to make room. */
  private async extend(): Promise<void> {
    const element = await this.sequence.next();
    const size = this.sequence.sizeBytes(element);
    if (size > this.maxBytes) {
      throw new TfDataError("InvalidArgument", "tf.data service element size is larger than cache size in bytes. " +
        `Got element size: ${size} and cache size: ${this.maxBytes}`);
    }
    if (this.status !== undefined) throw this.status;
    while (this.size > 0 && this.bytes + size > this.maxBytes) {
      this.bytes -= this.sequence.sizeBytes(this.elements[this.head] as T);
      this.elements[this.head] = undefined; // release the memory now
      this.head++;
      this.start++;
    }
    // Drop the evicted slots now and then, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.elements.length) {
      this.elements = this.elements.slice(this.head);
      this.head = 0;
    }
    this.elements.push(element);
    this.bytes += size;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
