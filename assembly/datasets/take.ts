// TakeDataset: the first `count` elements of the input; count < 0 means all of them.
import { END, failed, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class TakeIterator extends DatasetIterator {
  taken: i64 = 0;
  constructor(public count: i64, public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.count >= 0 && this.taken >= this.count) return END;
    const st = this.input.next(out);
    if (st != OK) return st;
    this.taken++;
    return OK;
  }
}

export class TakeDataset extends Dataset {
  count: i64 = -1;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new TakeIterator(this.count, it);
  }
}

/** Plan: one input; attrs: count (integer). */
export function makeTake(node: DatasetNode): Dataset | null {
  const ds = new TakeDataset();
  ds.op = node.op;
  ds.count = node.attrs.int("count");
  if (failed()) return null;
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
