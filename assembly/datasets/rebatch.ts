// RebatchDatasetV2: regroups the rows of the input's batches into batches of `batchSizes[k]`
// rows (cycling through the list), rows flowing across input batch boundaries. The last, partial
// batch is kept unless `dropRemainder`.
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK, PENDING } from "../core/status";
import { allocTensor, Tensor } from "../core/tensor";
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

  /** The output batch being assembled (see next()). */
  pieces: Array<Array<Tensor>> = new Array<Array<Tensor>>();
  have: i64 = 0;

  constructor(public ds: RebatchDataset, public input: DatasetIterator) {
    super();
  }

  /** Starts a new output batch (a new array: `next` may still hold the old one). */
  private dropPartial(): void {
    this.pieces = new Array<Array<Tensor>>();
    this.have = 0;
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
        if (t.shape.length == 0) return fail(INVALID_ARGUMENT, "Input element must have a non-scalar value in each component.");
        const d = unchecked(t.shape[0]);
        if (rows < 0) rows = d;
        else if (d != rows) {
          return fail(INVALID_ARGUMENT, "Input element must have the same batch size in each component. Component 0 had size " +
            rows.toString() + " but component " + c.toString() + " had size, " + d.toString() + ".");
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
    // Pieces of the output batch per component: slices of successive input batches. They stay in
    // `this.pieces` / `this.have` across a PENDING (a split to wait for).
    const pieces = this.pieces;
    while (this.have < want) {
      const st = this.fill();
      if (st == END) break;
      if (st == PENDING) return st;
      if (st != OK) {
        this.dropPartial();
        return st;
      }
      const take = min(want - this.have, this.rows - this.pos);
      const cur = this.current;
      for (let c = 0; c < cur.length; c++) {
        if (pieces.length <= c) pieces.push(new Array<Tensor>());
        const t = sliceRows(unchecked(cur[c]), this.pos, take, false);
        if (t == null) {
          this.dropPartial();
          return errorCode();
        }
        unchecked(pieces[c]).push(t);
      }
      this.pos += take;
      this.have += take;
    }
    const have = this.have;
    this.dropPartial();
    if (have < want) {
      this.done = true;
      if (have == 0 && want > 0) return END;
      if (ds.dropRemainder) return END;
    }
    if (want == 0) {
      // As TF: an empty batch shaped by the declared output shapes (unknown dims 0), no input read.
      for (let c = 0; c < ds.zeroShapes.length; c++) {
        const t = allocTensor(unchecked(ds.dtypes[c]), unchecked(ds.zeroShapes[c]));
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
  /** Output dtypes, and the shapes of an empty batch (for batch size 0). */
  dtypes: StaticArray<i32> = new StaticArray<i32>(0);
  zeroShapes: Array<StaticArray<i64>> = new Array<StaticArray<i64>>();
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new RebatchIterator(this, it);
  }
}

/**
 * Plan: one input; attrs: batchSizes (list of integers >= 0, not empty), dropRemainder,
 * dtypes (output dtypes), shapes (output shapes flattened as [rank, dims...], rank -1 unknown,
 * dim -1 unknown).
 */
export function makeRebatch(node: DatasetNode): Dataset | null {
  const list = node.attrs.list("batchSizes");
  const drop = node.attrs.boolOr("dropRemainder", false);
  const dtypes = node.attrs.list("dtypes");
  const shapes = node.attrs.list("shapes");
  if (failed()) return null;
  const ds = new RebatchDataset();
  ds.dtypes = new StaticArray<i32>(dtypes.length);
  let p = 0;
  for (let c = 0; c < dtypes.length; c++) {
    unchecked(ds.dtypes[c] = <i32>dtypes[c]);
    const rank = p < shapes.length ? <i32>shapes[p++] : -2;
    if (rank < -1 || p + max(rank, 0) > shapes.length) {
      fail(INVALID_ARGUMENT, "malformed shapes attribute");
      return null;
    }
    // Unknown rank: TF makes a default (scalar) tensor.
    const sh = new StaticArray<i64>(max(rank, 0));
    for (let d = 0; d < rank; d++) {
      const v = <i64>shapes[p++];
      unchecked(sh[d] = d == 0 || v < 0 ? 0 : v);
    }
    ds.zeroShapes.push(sh);
  }
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
  ds.op = node.op;
  ds.batchSizes = sizes;
  ds.dropRemainder = drop;
  ds.input = input;
  return ds;
}
