// CacheDataset (in memory): the first pass that reaches the end of its input records every
// element; later passes over the same dataset (e.g. under a `repeat`) replay the recording
// instead of re-reading the input. Tensors are immutable, so replay shares them.
import { END, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class CacheWriteIterator extends DatasetIterator {
  recorded: Array<Array<Tensor>> = new Array<Array<Tensor>>();
  done: bool = false;

  constructor(public ds: CacheDataset, public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const st = this.input.next(out);
    if (st == END) {
      this.done = true;
      // A pass that saw the whole input completes the cache (the first such pass wins).
      if (this.ds.cache == null) this.ds.cache = this.recorded;
      return END;
    }
    if (st != OK) return st;
    this.recorded.push(out.slice(0));
    return OK;
  }
}

class CacheReadIterator extends DatasetIterator {
  i: i32 = 0;
  constructor(public cache: Array<Array<Tensor>>) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.i >= this.cache.length) return END;
    const e = unchecked(this.cache[this.i++]);
    for (let c = 0; c < e.length; c++) out.push(unchecked(e[c]));
    return OK;
  }
}

export class CacheDataset extends Dataset {
  input: Dataset = new Dataset();
  cache: Array<Array<Tensor>> | null = null;

  makeIterator(): DatasetIterator | null {
    const c = this.cache;
    if (c != null) return new CacheReadIterator(c);
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new CacheWriteIterator(this, it);
  }
}

/** Plan: one input, no attrs (only the in-memory cache: TF's filename ""). */
export function makeCache(node: DatasetNode): Dataset | null {
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new CacheDataset();
  ds.op = node.op;
  ds.input = input;
  return ds;
}
