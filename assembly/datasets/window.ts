// WindowDataset: groups the input into windows of `size` elements taken `stride` apart, a new
// window every `shift` elements. Each output element has one scalar variant per input component,
// holding a dataset of that component's window (TF's "nest of datasets"); the last windows are
// partial unless `dropRemainder`.
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK, PENDING } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { datasetTensor } from "./dataset-value";
import { buildInput } from "./registry";

class ListIterator extends DatasetIterator {
  i: i32 = 0;
  constructor(public items: Array<Tensor>) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.i >= this.items.length) return END;
    out.push(unchecked(this.items[this.i++]));
    return OK;
  }
}

/** A finite dataset of single-component elements held in memory: one window of one component. */
export class ListDataset extends Dataset {
  constructor(public items: Array<Tensor>) {
    super();
    this.op = "window";
  }

  makeIterator(): DatasetIterator | null {
    return new ListIterator(this.items);
  }
}

class WindowIterator extends DatasetIterator {
  buffer: Array<Array<Tensor>> = new Array<Array<Tensor>>();
  inputDone: bool = false;
  /** Input elements still to drop past the buffer (the shift) before the next window. */
  toDrop: i64 = 0;
  /** A window already built, held while its shift waits for a split (PENDING). */
  held: Array<Tensor> | null = null;

  constructor(public ds: WindowDataset, public input: DatasetIterator) {
    super();
  }

  /** Reads and discards `toDrop` input elements (fewer at end of input). */
  private drop(): i32 {
    const e = new Array<Tensor>();
    while (this.toDrop > 0 && !this.inputDone) {
      const st = this.input.next(e);
      e.length = 0;
      if (st == END) this.inputDone = true;
      else if (st != OK) return st;
      else this.toDrop--;
    }
    this.toDrop = 0;
    return OK;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const held = this.held;
    if (held != null) {
      // Resume the shift of the window built before a PENDING, then hand that window out.
      const st = this.drop();
      if (st == PENDING) return st;
      this.held = null;
      if (st != OK) return st;
      for (let i = 0; i < held.length; i++) out.push(unchecked(held[i]));
      return OK;
    }
    const ds = this.ds;
    const target = <i32>((ds.size - 1) * ds.stride + 1);
    const buf = this.buffer;
    if (this.inputDone && (buf.length == 0 || (ds.dropRemainder && buf.length < target))) return END;
    while (!this.inputDone && buf.length < target) {
      const e = new Array<Tensor>();
      const st = this.input.next(e);
      if (st == END) this.inputDone = true;
      else if (st != OK) return st;
      else buf.push(e);
    }
    if (buf.length == 0 || (ds.dropRemainder && buf.length < target)) return END;
    const count = 1 + (buf.length - 1) / <i32>ds.stride;
    const ncomp = buf[0].length;
    for (let c = 0; c < ncomp; c++) {
      const items = new Array<Tensor>(count);
      for (let i = 0; i < count; i++) unchecked(items[i] = buf[i * <i32>ds.stride][c]);
      const t = datasetTensor(new ListDataset(items));
      if (t == null) {
        out.length = 0;
        return errorCode();
      }
      out.push(t);
    }
    // Shift: drop `shift` elements, reading (and discarding) past the buffer when it is shorter.
    const shift = ds.shift;
    if (shift >= <i64>buf.length) {
      this.toDrop = shift - <i64>buf.length;
      buf.length = 0;
      const st = this.drop();
      if (st == PENDING) {
        this.held = out.slice(0);
        out.length = 0;
        return st;
      }
      if (st != OK) {
        out.length = 0;
        return st;
      }
    } else {
      buf.splice(0, <i32>shift);
    }
    return OK;
  }
}

export class WindowDataset extends Dataset {
  size: i64 = 1;
  shift: i64 = 1;
  stride: i64 = 1;
  dropRemainder: bool = false;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new WindowIterator(this, it);
  }
}

/** Largest window size or stride span accepted (the window is buffered in memory). */
export const MAX_WINDOW_SPAN: i64 = 1 << 24;

/** Plan: one input; attrs: size, shift, stride (all > 0), dropRemainder. */
export function makeWindow(node: DatasetNode): Dataset | null {
  const ds = new WindowDataset();
  ds.op = node.op;
  ds.size = node.attrs.int("size");
  ds.shift = node.attrs.int("shift");
  ds.stride = node.attrs.int("stride");
  ds.dropRemainder = node.attrs.boolOr("dropRemainder", false);
  if (failed()) return null;
  if (ds.size <= 0) {
    fail(INVALID_ARGUMENT, "Window size must be greater than zero.");
    return null;
  }
  if (ds.shift <= 0) {
    fail(INVALID_ARGUMENT, "Window shift must be greater than zero.");
    return null;
  }
  if (ds.stride <= 0) {
    fail(INVALID_ARGUMENT, "Window stride must be greater than zero.");
    return null;
  }
  if ((ds.size - 1) > MAX_WINDOW_SPAN / ds.stride || ds.shift > MAX_WINDOW_SPAN * 64) {
    fail(INVALID_ARGUMENT, "window span (size - 1) * stride + 1 is larger than " + MAX_WINDOW_SPAN.toString() + " elements");
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
