// RebatchDatasetV2: regroups the rows of the input's batches into batches of `batchSizes[k]`
// rows (cycling through the list), rows flowing across input batch boundaries. The last, partial
// batch is kept unless `dropRemainder`.
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";
import { concatRows, sliceRows } from "./rows";

class RebatchIterator extends DatasetIterator {
  current: Array<Tensor> = new Array<Tensor>();
  rows: i64 = 0;
  pos: i64 = 0;
  k: i32 = 0;
  inputDone: bool = false;
  done: bool = false;

  constructor(public ds: RebatchDataset, public input: DatasetIterator) {
    super();
  }

  /** Reads input batches until one has rows left; false at end of input (or an error). */
  private fill(): i32 {
    while (this.pos >= this.rows) {
      if (this.inputDone) return END;
      const cur = this.current;
      const st = this.input.next(cur);
      if (st == END) {
        this.inputDone = true;
        cur.length = 0;
        return END;
      }
      if (st != OK) return st;
      let rows: i64 = -1;
      for (let c = 0; c < cur.length; c++) {
        const t = unchecked(cur[c]);
        if (t.shape.length == 0) return fail(INVALID_ARGUMENT, "Cannot rebatch dataset: All components must have at least one dimension. Perhaps your input dataset is not batched?");
        const d = unchecked(t.shape[0]);
        if (rows < 0) rows = d;
        else if (d != rows) {
          return fail(INVALID_ARGUMENT, "Cannot rebatch dataset: All components must have the same size in the first dimension.");
        }
      }
      this.rows = rows < 0 ? 0 : rows;
      this.pos = 0;
    }
    return OK;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const ds = this.ds;
    const want = unchecked(ds.batchSizes[this.k]);
    // Pieces of the output batch per component: slices of successive input batches.
    const pieces = new Array<Array<Tensor>>();
    let have: i64 = 0;
    while (have < want) {
      const st = this.fill();
      if (st == END) break;
      if (st != OK) return st;
      const take = min(want - have, this.rows - this.pos);
      const cur = this.current;
      for (let c = 0; c < cur.length; c++) {
        if (pieces.length <= c) pieces.push(new Array<Tensor>());
        const t = sliceRows(unchecked(cur[c]), this.pos, take, false);
        if (t == null) return errorCode();
        unchecked(pieces[c]).push(t);
      }
      this.pos += take;
      have += take;
    }
    if (have < want) {
      this.done = true;
      if (have == 0 && want > 0) return END;
      if (ds.dropRemainder) return END;
    }
    if (pieces.length == 0) {
      // A zero-size batch (batch size 0): TF yields empty slices of the current input batch.
      const st = this.fill();
      if (st != OK) {
        this.done = true;
        return st;
      }
      const cur = this.current;
      for (let c = 0; c < cur.length; c++) {
        const t = sliceRows(unchecked(cur[c]), this.pos, 0, false);
        if (t == null) return errorCode();
        out.push(t);
      }
    } else {
      for (let c = 0; c < pieces.length; c++) {
        const p = unchecked(pieces[c]);
        const t = p.length == 1 ? unchecked(p[0]) : concatRows(p, have);
        if (t == null) return errorCode();
        out.push(t);
      }
    }
    this.k = (this.k + 1) % ds.batchSizes.length;
    return OK;
  }
}

export class RebatchDataset extends Dataset {
  batchSizes: StaticArray<i64> = new StaticArray<i64>(0);
  dropRemainder: bool = false;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new RebatchIterator(this, it);
  }
}

/** Plan: one input; attrs: batchSizes (list of integers >= 0, not empty), dropRemainder. */
export function makeRebatch(node: DatasetNode): Dataset | null {
  const list = node.attrs.list("batchSizes");
  const drop = node.attrs.boolOr("dropRemainder", false);
  if (failed()) return null;
  if (list.length == 0) {
    fail(INVALID_ARGUMENT, "batch_sizes must contain at least one element.");
    return null;
  }
  const sizes = new StaticArray<i64>(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = unchecked(list[i]);
    if (v < 0 || Math.floor(v) != v) {
      fail(INVALID_ARGUMENT, "batch_sizes must be non-negative integers, got " + v.toString());
      return null;
    }
    unchecked(sizes[i] = <i64>v);
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new RebatchDataset();
  ds.op = node.op;
  ds.batchSizes = sizes;
  ds.dropRemainder = drop;
  ds.input = input;
  return ds;
}
