// RepeatDataset: the input `count` times (count < 0: forever). As TF, a pass that yields nothing
// ends an endless repeat instead of spinning.
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
      if (ds.count < 0 && this.firstCall) {
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
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    return new RepeatIterator(this);
  }
}

/** Plan: one input; attrs: count (integer, < 0 = forever). */
export function makeRepeat(node: DatasetNode): Dataset | null {
  const ds = new RepeatDataset();
  ds.op = node.op;
  ds.count = node.attrs.int("count");
  if (failed()) return null;
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
