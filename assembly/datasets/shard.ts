// ShardDataset: every `numShards`-th element of the input, starting at `index`. With
// `requireNonEmpty` (TF's require_non_empty), a shard that gets no element is an error.
import { END, fail, failed, INVALID_ARGUMENT, OK, PENDING } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class ShardIterator extends DatasetIterator {
  /** Index (in the input) of the next element the input will give. */
  nextIndex: i64 = 0;
  done: bool = false;
  /** An element held while the non-empty check waits for a split (PENDING). */
  held: Array<Tensor> | null = null;

  constructor(public ds: ShardDataset, public input: DatasetIterator) {
    super();
  }

  /** Reads and drops input elements until `nextIndex == target`; false at end of input. */
  private skipTo(target: i64, out: Array<Tensor>): i32 {
    while (this.nextIndex < target) {
      const st = this.input.next(out);
      out.length = 0;
      if (st != OK) return st;
      this.nextIndex++;
    }
    return OK;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const ds = this.ds;
    const held = this.held;
    if (held != null) {
      // The element taken before a PENDING in the non-empty check: finish the check, then give it.
      for (let i = 0; i < held.length; i++) out.push(unchecked(held[i]));
      this.held = null;
    } else {
      let skip = (ds.index - this.nextIndex) % ds.numShards;
      if (skip < 0) skip += ds.numShards;
      let st = this.skipTo(this.nextIndex + skip, out);
      if (st == OK) st = this.input.next(out);
      if (st != OK) {
        out.length = 0;
        if (st == END) this.done = true;
        return st;
      }
      this.nextIndex++;
    }
    if (ds.requireNonEmpty && this.nextIndex < ds.numShards) {
      // As TF: a rewrite-introduced shard checks that the input has an element for every shard.
      const kept = new Array<Tensor>();
      const s2 = this.skipTo(ds.numShards, kept);
      if (s2 == PENDING) {
        this.held = out.slice(0);
        out.length = 0;
        return s2;
      }
      if (s2 == END) {
        out.length = 0;
        this.done = true;
        return fail(INVALID_ARGUMENT, "Could not apply FILE based sharding: the dataset only has " +
          this.nextIndex.toString() + " file(s), which is not enough for the required " + ds.numShards.toString() +
          " shards/workers. If you are using datasets with distribution strategy, consider setting the auto " +
          "sharding policy to either DATA or OFF using the `experimental_distribute.auto_shard_policy` option " +
          "of `tf.data.Options()`. Or, split your input files into a larger number of small files such that " +
          "number of files is greater than number of shards/workers.");
      }
      if (s2 != OK) {
        out.length = 0;
        return s2;
      }
    }
    return OK;
  }
}

export class ShardDataset extends Dataset {
  numShards: i64 = 1;
  index: i64 = 0;
  requireNonEmpty: bool = false;
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new ShardIterator(this, it);
  }
}

/** Plan: one input; attrs: numShards (> 0), index (0 <= index < numShards), requireNonEmpty. */
export function makeShard(node: DatasetNode): Dataset | null {
  const ds = new ShardDataset();
  ds.op = node.op;
  ds.numShards = node.attrs.int("numShards");
  ds.index = node.attrs.int("index");
  ds.requireNonEmpty = node.attrs.boolOr("requireNonEmpty", false);
  if (failed()) return null;
  if (ds.numShards <= 0) {
    fail(INVALID_ARGUMENT, "Number of shards must be greater than zero (currently num_shards = " + ds.numShards.toString() + ").");
    return null;
  }
  if (ds.index < 0 || ds.index >= ds.numShards) {
    fail(INVALID_ARGUMENT, "Index must be between 0 and " + (ds.numShards - 1).toString() + " (currently index = " +
      ds.index.toString() + ").");
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
