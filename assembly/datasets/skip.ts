// SkipDataset: the input without its first `count` elements; count < 0 skips them all (as TF,
// by reading the whole input, so an input error still surfaces and an endless input never ends).
import { failed, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class SkipIterator extends DatasetIterator {
  skipped: i64 = 0;
  constructor(public count: i64, public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    while (this.count < 0 || this.skipped < this.count) {
      const st = this.input.next(out);
      out.length = 0;
      if (st != OK) return st;
      this.skipped++;
    }
    return this.input.next(out);
  }
}

export class SkipDataset extends Dataset {
  count: i64 = 0;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new SkipIterator(this.count, it);
  }
}

/** Plan: one input; attrs: count (integer, < 0 = skip everything). */
export function makeSkip(node: DatasetNode): Dataset | null {
  const ds = new SkipDataset();
  ds.op = node.op;
  ds.count = node.attrs.int("count");
  if (failed()) return null;
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
