// UnbatchDataset: splits each input element along its leading axis into that many elements. All
// components of an element must share the leading dim.
import { END, errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";
import { sliceRows } from "./rows";

class UnbatchIterator extends DatasetIterator {
  current: Array<Tensor> = new Array<Tensor>();
  rows: i64 = 0;
  i: i64 = 0;
  done: bool = false;

  constructor(public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    while (this.i >= this.rows) {
      const cur = this.current;
      const st = this.input.next(cur);
      if (st == END) this.done = true;
      if (st != OK) {
        cur.length = 0;
        return st;
      }
      let rows: i64 = -1;
      for (let c = 0; c < cur.length; c++) {
        const t = unchecked(cur[c]);
        if (t.shape.length == 0) {
          cur.length = 0;
          return fail(INVALID_ARGUMENT, "Input element must have a non-scalar value in each component.");
        }
        const d = unchecked(t.shape[0]);
        if (rows < 0) rows = d;
        else if (d != rows) {
          cur.length = 0;
          return fail(INVALID_ARGUMENT, "Input element must have the same batch size in each component. Component 0 had size " +
            rows.toString() + " but component " + c.toString() + " had size, " + d.toString() + ".");
        }
      }
      this.rows = rows < 0 ? 0 : rows;
      this.i = 0;
    }
    const cur = this.current;
    for (let c = 0; c < cur.length; c++) {
      const t = sliceRows(unchecked(cur[c]), this.i, 1, true);
      if (t == null) {
        out.length = 0;
        return errorCode();
      }
      out.push(t);
    }
    this.i++;
    return OK;
  }
}

export class UnbatchDataset extends Dataset {
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new UnbatchIterator(it);
  }
}

/** Plan: one input, no attrs. */
export function makeUnbatch(node: DatasetNode): Dataset | null {
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new UnbatchDataset();
  ds.op = node.op;
  ds.input = input;
  return ds;
}

