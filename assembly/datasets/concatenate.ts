// ConcatenateDataset: the elements of input 0, then those of input 1.
import { END, errorCode } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class ConcatenateIterator extends DatasetIterator {
  /** Which input is being read (0, 1; 2 = done). */
  which: i32 = 0;
  current: DatasetIterator | null;

  constructor(public ds: ConcatenateDataset, first: DatasetIterator) {
    super();
    this.current = first;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    while (this.which < 2) {
      const st = this.current!.next(out);
      if (st != END) return st;
      this.which++;
      if (this.which == 1) {
        const it = this.ds.second.makeIterator();
        if (it == null) {
          this.which = 2;
          return errorCode();
        }
        this.current = it;
      }
    }
    return END;
  }
}

export class ConcatenateDataset extends Dataset {
  first: Dataset = new Dataset();
  second: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.first.makeIterator();
    if (it == null) return null;
    return new ConcatenateIterator(this, it);
  }
}

/** Plan: two inputs (`input`, `other`), no attrs. */
export function makeConcatenate(node: DatasetNode): Dataset | null {
  const first = buildInput(node, 0);
  if (first == null) return null;
  const second = buildInput(node, 1);
  if (second == null) return null;
  const ds = new ConcatenateDataset();
  ds.op = node.op;
  ds.first = first;
  ds.second = second;
  return ds;
}
