// ScanDataset (TF's `Dataset.scan`): carries a state through the elements. The function gets
// (state..., element...) and returns (new state..., output...); the state starts at the initial
// state on every pass.
import { decodeUncompressed } from "../codec/uncompressed";
import { dtypeName } from "../core/dtype";
import { addContext, fail, failed, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { CompiledFunction, compileFunction } from "../kernels/function";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

class ScanIterator extends DatasetIterator {
  private state: Array<Tensor>;
  private args: Array<Tensor> = new Array<Tensor>();
  private result: Array<Tensor> = new Array<Tensor>();
  constructor(private ds: ScanDataset, private input: DatasetIterator) {
    super();
    this.state = ds.initial.slice(0);
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const args = this.args;
    const st = this.input.next(args);
    if (st != OK) return st;
    const n = this.state.length;
    // Arguments: the state, then the element's components.
    for (let i = 0; i < n; i++) args.unshift(unchecked(this.state[n - 1 - i]));
    const result = this.result;
    const rs = this.ds.fn.run(args, result);
    args.length = 0;
    if (rs != OK) {
      addContext("scan");
      return rs;
    }
    if (result.length < n) {
      result.length = 0;
      return fail(INVALID_ARGUMENT, "scan function returned " + result.length.toString() + " values, fewer than the " +
        n.toString() + " state components");
    }
    for (let i = 0; i < n; i++) {
      const s = unchecked(result[i]);
      const want = unchecked(this.ds.initial[i]).dtype;
      if (s.dtype != want) {
        result.length = 0;
        return fail(INVALID_ARGUMENT, "State tensor " + i.toString() + " has dtype " + dtypeName(s.dtype) +
          " after this step, but the initial state has " + dtypeName(want));
      }
      unchecked(this.state[i] = s);
    }
    for (let i = n; i < result.length; i++) out.push(unchecked(result[i]));
    result.length = 0;
    return OK;
  }
}

export class ScanDataset extends Dataset {
  fn: CompiledFunction = new CompiledFunction();
  initial: Array<Tensor> = new Array<Tensor>();
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new ScanIterator(this, it);
  }
}

/**
 * Plan: one input; function `fn`; attr initialState (bytes: a serialized UncompressedElement of
 * the initial state components).
 */
export function makeScan(node: DatasetNode): Dataset | null {
  const bytes = node.attrs.bytes("initialState");
  if (failed()) return null;
  const initial = new Array<Tensor>();
  if (!decodeUncompressed(changetype<usize>(bytes), <usize>bytes.byteLength, initial)) {
    addContext("initialState");
    return null;
  }
  const f = node.fn("fn");
  if (f == null) {
    fail(INVALID_ARGUMENT, "needs a function \"fn\"");
    return null;
  }
  if (f.numArgs < initial.length) {
    fail(INVALID_ARGUMENT, "scan function takes " + f.numArgs.toString() + " arguments, fewer than the " +
      initial.length.toString() + " state components");
    return null;
  }
  const cf = compileFunction(f);
  if (cf == null) {
    addContext("fn");
    return null;
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new ScanDataset();
  ds.op = node.op;
  ds.fn = cf;
  ds.initial = initial;
  ds.input = input;
  return ds;
}
