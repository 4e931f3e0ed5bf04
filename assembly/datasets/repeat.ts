// RepeatDataset: the input `count` times (count < 0: forever). As TF, a pass that yields nothing
// ends an endless repeat instead of spinning, except over sources that read splits (`splitFed`,
// DYNAMIC sharding): there an empty pass only means other workers took that repetition's splits,
// so the next repetition is tried (TF skips the check when split providers are present).
import { END, errorCode, failed, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class RepeatIterator extends DatasetIterator {
  pass: i64 = 0;
  current: DatasetIterator | null = null;
  /** No element yet in the current pass. */
  firstCall: bool = true;
  done: bool = false;

  constructor(public ds: RepeatDataset) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const ds = this.ds;
    for (;;) {
      if (this.done) return END;
      if (ds.count >= 0 && this.pass >= ds.count) {
        this.done = true;
        return END;
      }
      if (this.current == null) {
        const it = ds.input.makeIterator();
        if (it == null) return errorCode();
        this.current = it;
        this.firstCall = true;
      }
      const st = this.current!.next(out);
      if (st == OK) {
        this.firstCall = false;
        return OK;
      }
      if (st != END) return st;
      this.current = null;
      if (ds.count < 0 && this.firstCall && !ds.splitFed) {
        this.done = true;
        return END;
      }
      this.pass++;
    }
    return END;
  }
}

export class RepeatDataset extends Dataset {
  count: i64 = -1;
  splitFed: bool = false;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    return new RepeatIterator(this);
  }
}

/** Plan: one input; attrs: count (integer, < 0 = forever), splitFed (bool, default false). */
export function makeRepeat(node: DatasetNode): Dataset | null {
  const ds = new RepeatDataset();
  ds.op = node.op;
  ds.count = node.attrs.int("count");
  ds.splitFed = node.attrs.boolOr("splitFed", false);
  if (failed()) return null;
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
