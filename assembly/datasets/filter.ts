// FilterDataset: keeps the elements for which the predicate returns a true scalar bool.
import { DT_BOOL, dtypeName } from "../core/dtype";
import { addContext, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { shapeString, Tensor } from "../core/tensor";
import { CompiledFunction, compileFunction } from "../kernels/function";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class FilterIterator extends DatasetIterator {
  private result: Array<Tensor> = new Array<Tensor>();
  constructor(private fn: CompiledFunction, private input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    const result = this.result;
    while (true) {
      const st = this.input.next(out);
      if (st != OK) return st;
      const rs = this.fn.run(out, result);
      if (rs != OK) {
        out.length = 0;
        addContext("filter predicate");
        return rs;
      }
      if (result.length != 1 || result[0].dtype != DT_BOOL || result[0].numElements != 1 || result[0].rank != 0) {
        const msg = result.length != 1 ? result.length.toString() + " values"
          : dtypeName(result[0].dtype) + " tensor of shape " + shapeString(result[0].shape);
        out.length = 0;
        result.length = 0;
        return fail(INVALID_ARGUMENT, "Filter predicate `predicate` must return a scalar bool, got a " + msg);
      }
      const keep = load<u8>(result[0].dataPtr) != 0;
      result.length = 0;
      if (keep) return OK;
    }
    return OK;
  }
}

export class FilterDataset extends Dataset {
  fn: CompiledFunction = new CompiledFunction();
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new FilterIterator(this.fn, it);
  }
}

/** Plan: one input; function `predicate` (element components in, one scalar bool out). */
export function makeFilter(node: DatasetNode): Dataset | null {
  const f = node.fn("predicate");
  if (f == null) {
    fail(INVALID_ARGUMENT, "needs a function \"predicate\"");
    return null;
  }
  const cf = compileFunction(f);
  if (cf == null) {
    addContext("predicate");
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new FilterDataset();
  ds.op = node.op;
  ds.fn = cf;
  ds.input = input;
  return ds;
}
