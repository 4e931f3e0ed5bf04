// BatchDatasetV2: stacks `batchSize` consecutive elements; the last, partial batch is kept unless
// `dropRemainder`.
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK, PENDING, addContext } from "../core/status";
import { stack } from "../core/stack";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

/** Largest batch size accepted (the stacked tensor is still bounded by the memory caps). */
export const MAX_BATCH_SIZE: i64 = 1 << 30;

class BatchIterator extends DatasetIterator {
  done: bool = false;
  elems: Array<Array<Tensor>> = new Array<Array<Tensor>>();

  constructor(public ds: BatchDataset, public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const size = <i32>this.ds.batchSize;
    // The batch being filled stays in `elems` across a PENDING (a split to wait for).
    const elems = this.elems;
    while (elems.length < size) {
      const e = new Array<Tensor>();
      const st = this.input.next(e);
      if (st == END) {
        this.done = true;
        break;
      }
      if (st == PENDING) return st;
      if (st != OK) {
        elems.length = 0;
        return st;
      }
      if (elems.length > 0 && e.length != elems[0].length) {
        elems.length = 0;
        return fail(INVALID_ARGUMENT, "batch: elements have different numbers of components (" +
          elems[0].length.toString() + " and " + e.length.toString() + ")");
      }
      elems.push(e);
    }
    const n = elems.length;
    if (n == 0 || (this.ds.dropRemainder && n < size)) {
      elems.length = 0;
      return END;
    }
    const ncomp = elems[0].length;
    const parts = new Array<Tensor>(n);
    for (let c = 0; c < ncomp; c++) {
      for (let i = 0; i < n; i++) unchecked(parts[i] = elems[i][c]);
      const t = stack(parts, c);
      if (t == null) {
        out.length = 0;
        elems.length = 0;
        addContext("batch");
        return errorCode();
      }
      out.push(t);
    }
    elems.length = 0;
    return OK;
  }
}

export class BatchDataset extends Dataset {
  batchSize: i64 = 1;
  dropRemainder: bool = false;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new BatchIterator(this, it);
  }
}

/** Plan: one input; attrs: batchSize (> 0), dropRemainder (bool, default false). */
export function makeBatch(node: DatasetNode): Dataset | null {
  const ds = new BatchDataset();
  ds.op = node.op;
  ds.batchSize = node.attrs.int("batchSize");
  ds.dropRemainder = node.attrs.boolOr("dropRemainder", false);
  if (failed()) return null;
  if (ds.batchSize <= 0) {
    fail(INVALID_ARGUMENT, "batchSize must be greater than zero, got " + ds.batchSize.toString());
    return null;
  }
  if (ds.batchSize > MAX_BATCH_SIZE) {
    fail(INVALID_ARGUMENT, "batchSize must be at most " + MAX_BATCH_SIZE.toString() + ", got " + ds.batchSize.toString());
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
