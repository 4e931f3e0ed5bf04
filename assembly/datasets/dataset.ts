// Datasets (validated, immutable, built once from a plan) and their iterators (stateful, one per
// pass). Keeping them apart lets an op restart its input (a later `repeat`) by making a new
// iterator from the same dataset.
import { fail, INTERNAL } from "../core/status";
import { Tensor } from "../core/tensor";

export class DatasetIterator {
  /**
   * Produces the next element into `out` (cleared by the callee) and returns OK, END at end of
   * sequence, or an error code (with the message recorded). After END or an error, calling again
   * returns END or the same kind of error; it never traps.
   *
   * PENDING (a source waits for a split the host has not provided; see split-provider.ts) is not
   * an error: an iterator that gets it from an input returns it at once, keeping whatever it
   * already pulled (a partly filled batch, a zip's first components, ...) in its own fields, so
   * that the next call resumes exactly where this one stopped.
   */
  next(out: Array<Tensor>): i32 {
    return fail(INTERNAL, "iterator without next()");
  }
}

export class Dataset {
  /** The plan op name, for messages. */
  op: string = "";

  makeIterator(): DatasetIterator | null {
    fail(INTERNAL, "dataset " + this.op + " cannot make an iterator");
    return null;
  }
}
