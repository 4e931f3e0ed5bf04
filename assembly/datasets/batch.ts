// BatchDatasetV2: stacks `batchSize` consecutive elements; the last, partial batch is kept unless
// `dropRemainder`.
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK, PENDING, addContext } from "../core/status";
import { stack } from "../core/stack";
import { allocTensor, sameShape, shapeString, Tensor } from "../core/tensor";
import { DT_STRING, DT_VARIANT, dtypeName } from "../core/dtype";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

/** Largest batch size accepted (the stacked tensor is still bounded by the memory caps). */
export const MAX_BATCH_SIZE: i64 = 1 << 30;
/**
 * Bytes per component a batch tensor starts with when the batch size would need more: it grows
 * by doubling, so `batch(<huge>)` over a short input does not allocate for rows it never gets.
 */
export const INITIAL_BATCH_BYTES: i64 = 8 << 20;

/**
 * Fills batches. Fixed-width components are copied into the batch tensor as each element arrives
 * (one memory.copy per component per element, and the element is garbage at once); a batch with a
 * string or variant component collects its elements and stacks them at the end. Shape and dtype
 * mismatches are reported once the batch's elements were all read, as TF's CopyBatch does.
 */
class BatchIterator extends DatasetIterator {
  done: bool = false;
  /** Collect mode: the elements of the batch being filled (kept across PENDING). */
  elems: Array<Array<Tensor>> = new Array<Array<Tensor>>();
  /** Copy mode: the batch tensors being filled (`capacity` rows), and how many rows are filled. */
  acc: Array<Tensor> = new Array<Tensor>();
  capacity: i32 = 0;
  filled: i32 = 0;
  /** Copy mode: the first element's components (dtype and shape every later one must match). */
  firstDtypes: StaticArray<i32> = new StaticArray<i32>(0);
  firstShapes: Array<StaticArray<i64>> = new Array<StaticArray<i64>>();
  /** The first mismatch found in the batch being filled (reported when the batch is complete). */
  mismatch: string | null = null;
  /** Reused for every input element. */
  scratch: Array<Tensor> = new Array<Tensor>();

  constructor(public ds: BatchDataset, public input: DatasetIterator) {
    super();
  }

  private reset(): void {
    this.elems.length = 0;
    this.acc.length = 0;
    this.capacity = 0;
    this.filled = 0;
    this.mismatch = null;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const size = <i32>this.ds.batchSize;
    for (;;) {
      const have = this.acc.length > 0 ? this.filled : this.elems.length;
      if (have >= size) break;
      const e = this.scratch;
      const st = this.input.next(e);
      if (st == END) {
        this.done = true;
        break;
      }
      if (st == PENDING) return st; // the batch being filled stays for the next call
      if (st != OK) {
        this.reset();
        return st;
      }
      if (have == 0) {
        if (!this.begin(e, size)) {
          this.reset();
          addContext("batch");
          return errorCode();
        }
      }
      const ncomp = this.acc.length > 0 ? this.acc.length : (this.elems.length > 0 ? this.elems[0].length : e.length);
      if (e.length != ncomp) {
        this.reset();
        return fail(INVALID_ARGUMENT, "batch: elements have different numbers of components (" +
          ncomp.toString() + " and " + e.length.toString() + ")");
      }
      if (this.acc.length > 0) {
        if (this.filled == this.capacity && this.mismatch == null && !this.grow(size)) {
          this.reset();
          addContext("batch");
          return errorCode();
        }
        this.copyIn(e);
      } else {
        this.elems.push(e.slice(0));
      }
    }
    if (this.acc.length > 0) return this.finishCopied(out, size);
    return this.finishCollected(out, size);
  }

  /** Starts a batch with its first element `e`: copy mode for all-fixed-width elements. */
  private begin(e: Array<Tensor>, size: i32): bool {
    for (let c = 0; c < e.length; c++) {
      const d = unchecked(e[c]).dtype;
      if (d == DT_STRING || d == DT_VARIANT) return true; // collect mode
    }
    const n = e.length;
    const dtypes = new StaticArray<i32>(n);
    this.firstShapes.length = 0;
    let rowBytes: i64 = 1;
    for (let c = 0; c < n; c++) {
      const t = unchecked(e[c]);
      unchecked(dtypes[c] = t.dtype);
      this.firstShapes.push(t.shape);
      const b = <i64>t.data.byteLength;
      if (b > rowBytes) rowBytes = b;
    }
    const fit = INITIAL_BATCH_BYTES / rowBytes;
    this.capacity = fit >= <i64>size ? size : <i32>max<i64>(fit, 1);
    for (let c = 0; c < n; c++) {
      const acc = allocRows(unchecked(e[c]), this.capacity);
      if (acc == null) {
        this.acc.length = 0;
        return false;
      }
      this.acc.push(acc);
    }
    this.firstDtypes = dtypes;
    return true;
  }

  /** Doubles the batch tensors' rows (up to the batch size), keeping the filled ones. */
  private grow(size: i32): bool {
    const rows = <i32>min<i64>(<i64>this.capacity * 2, <i64>size);
    for (let c = 0; c < this.acc.length; c++) {
      const old = unchecked(this.acc[c]);
      const shape = new StaticArray<i64>(old.shape.length);
      for (let d = 0; d < old.shape.length; d++) unchecked(shape[d] = old.shape[d]);
      unchecked(shape[0] = rows);
      const t = allocTensor(old.dtype, shape);
      if (t == null) return false;
      memory.copy(t.dataPtr, old.dataPtr, <usize>old.data.byteLength);
      unchecked(this.acc[c] = t);
    }
    this.capacity = rows;
    return true;
  }

  /** Copies element `e` into row `filled` of the batch tensors (after checking it matches). */
  private copyIn(e: Array<Tensor>): void {
    const row = this.filled;
    for (let c = 0; c < e.length; c++) {
      const t = unchecked(e[c]);
      const acc = unchecked(this.acc[c]);
      if (this.mismatch == null) {
        const first = unchecked(this.firstShapes[c]);
        if (t.dtype != unchecked(this.firstDtypes[c])) {
          this.mismatch = "Cannot batch tensors of different dtypes in component " + c.toString() +
            ". First element had dtype " + dtypeName(unchecked(this.firstDtypes[c])) + " and element " + row.toString() +
            " had dtype " + dtypeName(t.dtype) + ".";
        } else if (!sameShape(t.shape, first)) {
          this.mismatch = "Cannot batch tensors with different shapes in component " + c.toString() +
            ". First element had shape " + shapeString(first) + " and element " + row.toString() + " had shape " +
            shapeString(t.shape) + ".";
        }
      }
      if (this.mismatch != null) continue; // keep reading the batch, as TF does, but copy no more
      const len = <usize>t.data.byteLength;
      memory.copy(acc.dataPtr + <usize>row * len, t.dataPtr, len);
    }
    this.filled = row + 1;
  }

  private finishCopied(out: Array<Tensor>, size: i32): i32 {
    const n = this.filled;
    if (this.mismatch != null) {
      const message = this.mismatch!;
      this.reset();
      fail(INVALID_ARGUMENT, message);
      addContext("batch");
      return errorCode();
    }
    if (n == 0 || (this.ds.dropRemainder && n < size)) {
      this.reset();
      return END;
    }
    for (let c = 0; c < this.acc.length; c++) {
      const acc = unchecked(this.acc[c]);
      if (n == this.capacity) {
        out.push(acc);
        continue;
      }
      // A partial batch (the last one), or one that outgrew its start: exactly `n` rows.
      const shape = new StaticArray<i64>(acc.shape.length);
      for (let d = 0; d < acc.shape.length; d++) unchecked(shape[d] = acc.shape[d]);
      unchecked(shape[0] = n);
      const t = allocTensor(acc.dtype, shape);
      if (t == null) {
        this.reset();
        out.length = 0;
        addContext("batch");
        return errorCode();
      }
      memory.copy(t.dataPtr, acc.dataPtr, <usize>t.data.byteLength);
      out.push(t);
    }
    this.reset();
    return OK;
  }

  private finishCollected(out: Array<Tensor>, size: i32): i32 {
    const elems = this.elems;
    const n = elems.length;
    if (n == 0 || (this.ds.dropRemainder && n < size)) {
      this.reset();
      return END;
    }
    const ncomp = elems[0].length;
    const parts = new Array<Tensor>(n);
    for (let c = 0; c < ncomp; c++) {
      for (let i = 0; i < n; i++) unchecked(parts[i] = elems[i][c]);
      const t = stack(parts, c);
      if (t == null) {
        out.length = 0;
        this.reset();
        addContext("batch");
        return errorCode();
      }
      out.push(t);
    }
    this.reset();
    return OK;
  }
}

/** A zero-filled tensor of `rows` rows shaped like `t` (`[rows, ...t.shape]`). */
function allocRows(t: Tensor, rows: i32): Tensor | null {
  const rank = t.shape.length;
  const shape = new StaticArray<i64>(rank + 1);
  unchecked(shape[0] = rows);
  for (let d = 0; d < rank; d++) unchecked(shape[d + 1] = t.shape[d]);
  return allocTensor(t.dtype, shape);
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
