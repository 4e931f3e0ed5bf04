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
