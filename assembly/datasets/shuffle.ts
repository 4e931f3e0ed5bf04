// ShuffleDatasetV3 (TF's `Dataset.shuffle`), with TF's element order for a given seed:
// - a seed generator lives in the dataset and gives each new iterator its (seed, seed2): fixed
//   seeds when `reshuffleEachIteration` is false, else two draws from a Philox stream keyed by
//   the dataset's seeds (so epoch k of a repeated shuffle reproduces TF's epoch k);
// - the iterator keeps a ring buffer of `bufferSize` elements holding one contiguous range
//   [start, end) of input positions; each output takes uniformly `philox() % (end - start)`,
//   yields the element at ring slot (start + offset) % bufferSize, moves the element of slot
//   start % bufferSize into the hole, and advances start; the buffer is refilled before each draw.
import { END, fail, failed, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { PhiloxStream } from "./philox";
import { buildInput } from "./registry";

/** Largest buffer size accepted (the buffer grows with the input, so this only bounds the ring). */
export const MAX_SHUFFLE_BUFFER: i64 = 1 << 40;

class ShuffleIterator extends DatasetIterator {
  private rng: PhiloxStream;
  private ring: Array<Array<Tensor>> = new Array<Array<Tensor>>();
  private start: i64 = 0;
  private end: i64 = 0;
  private inputDone: bool = false;

  constructor(private bufferSize: i64, private input: DatasetIterator, seed: i64, seed2: i64) {
    super();
    this.rng = new PhiloxStream(<u64>seed, <u64>seed2);
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const size = this.bufferSize;
    while (!this.inputDone && this.end - this.start < size) {
      const e = new Array<Tensor>();
      const st = this.input.next(e);
      if (st == END) {
        this.inputDone = true;
        break;
      }
      if (st != OK) return st;
      const slot = <i32>(this.end % size);
      if (slot == this.ring.length) this.ring.push(e);
      else unchecked(this.ring[slot] = e);
      this.end++;
    }
    if (this.end == this.start) {
      this.ring.length = 0;
      return END;
    }
    const offset = <i64>this.rng.next() % (this.end - this.start);
    const index = <i32>((this.start + offset) % size);
    const first = <i32>(this.start % size);
    const e = unchecked(this.ring[index]);
    unchecked(this.ring[index] = this.ring[first]);
    this.start++;
    for (let i = 0; i < e.length; i++) out.push(unchecked(e[i]));
    return OK;
  }
}

export class ShuffleDataset extends Dataset {
  bufferSize: i64 = 1;
  seed: i64 = 0;
  seed2: i64 = 0;
  reshuffle: bool = true;
  input: Dataset = new Dataset();
  /** TF's RandomSeedGenerator: the stream each new iterator draws its seeds from. */
  private seedStream: PhiloxStream | null = null;

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    let s1 = this.seed, s2 = this.seed2;
    if (this.reshuffle) {
      if (this.seedStream == null) this.seedStream = new PhiloxStream(<u64>this.seed, <u64>this.seed2);
      const g = this.seedStream!;
      s1 = <i64>g.next();
      s2 = <i64>g.next();
    }
    return new ShuffleIterator(this.bufferSize, it, s1, s2);
  }
}

/**
 * Plan: one input; attrs bufferSize (> 0), seed, seed2 (the seeds TF's op receives; the host
 * replaces the (0, 0) "pick random seeds" pair with random ones), reshuffleEachIteration.
 */
export function makeShuffle(node: DatasetNode): Dataset | null {
  const ds = new ShuffleDataset();
  ds.op = node.op;
  const a = node.attrs;
  ds.bufferSize = a.int("bufferSize");
  ds.seed = a.int("seed");
  ds.seed2 = a.int("seed2");
  ds.reshuffle = a.boolOr("reshuffleEachIteration", true);
  if (failed()) return null;
  if (ds.bufferSize <= 0 || ds.bufferSize > MAX_SHUFFLE_BUFFER) {
    fail(INVALID_ARGUMENT, "buffer_size must be greater than zero (and at most " + MAX_SHUFFLE_BUFFER.toString() + "), got " +
      ds.bufferSize.toString());
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
