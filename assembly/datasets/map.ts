// MapDataset (and ParallelMapDatasetV2, run sequentially): applies a compiled function.
import { END, fail, INVALID_ARGUMENT, OK, addContext } from "../core/status";
import { Tensor } from "../core/tensor";
import { CompiledFunction, compileFunction } from "../kernels/function";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class MapIterator extends DatasetIterator {
  args: Array<Tensor> = new Array<Tensor>();
  constructor(public fn: CompiledFunction, public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const args = this.args;
    const st = this.input.next(args);
    if (st != OK) return st;
    const rs = this.fn.run(args, out);
    args.length = 0;
    if (rs != OK) addContext("map");
    return rs;
  }
}

export class MapDataset extends Dataset {
  fn: CompiledFunction = new CompiledFunction();
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new MapIterator(this.fn, it);
  }
}

/** Plan: one input; function `fn`. */
export function makeMap(node: DatasetNode): Dataset | null {
  const f = node.fn("fn");
  if (f == null) {
    fail(INVALID_ARGUMENT, "needs a function \"fn\"");
    return null;
  }
  const cf = compileFunction(f);
  if (cf == null) {
    addContext("fn");
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new MapDataset();
  ds.op = node.op;
  ds.fn = cf;
  ds.input = input;
  return ds;
}
