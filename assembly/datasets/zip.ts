// ZipDataset: one element from each input, their components concatenated in input order; ends
// when any input ends.
import { END, fail, INVALID_ARGUMENT, OK, PENDING } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class ZipIterator extends DatasetIterator {
  part: Array<Tensor> = new Array<Tensor>();
  /** Components pulled so far for the element being assembled (kept across a PENDING). */
  got: Array<Tensor> = new Array<Tensor>();
  /** The input to pull next for that element. */
  at: i32 = 0;
  done: bool = false;

  constructor(public inputs: Array<DatasetIterator>) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const part = this.part;
    const got = this.got;
    while (this.at < this.inputs.length) {
      const st = unchecked(this.inputs[this.at]).next(part);
      if (st == PENDING) return st;
      if (st != OK) {
        part.length = 0;
        got.length = 0;
        this.at = 0;
        if (st == END) this.done = true;
        return st;
      }
      for (let j = 0; j < part.length; j++) got.push(unchecked(part[j]));
      part.length = 0;
      this.at++;
    }
    for (let j = 0; j < got.length; j++) out.push(unchecked(got[j]));
    got.length = 0;
    this.at = 0;
    return OK;
  }
}

export class ZipDataset extends Dataset {
  inputs: Array<Dataset> = new Array<Dataset>();

  makeIterator(): DatasetIterator | null {
    const its = new Array<DatasetIterator>();
    for (let i = 0; i < this.inputs.length; i++) {
      const it = unchecked(this.inputs[i]).makeIterator();
      if (it == null) return null;
      its.push(it);
    }
    return new ZipIterator(its);
  }
}

/** Plan: one or more inputs (`inputs`), no attrs. */
export function makeZip(node: DatasetNode): Dataset | null {
  if (node.inputs.length == 0) {
    fail(INVALID_ARGUMENT, "needs at least one input dataset");
    return null;
  }
  const ds = new ZipDataset();
  ds.op = node.op;
  for (let i = 0; i < node.inputs.length; i++) {
    const input = buildInput(node, i);
    if (input == null) return null;
    ds.inputs.push(input);
  }
  return ds;
}
