// RangeDataset: start, stop, step as Python's range, values cast to the output dtype.
import { storeI64As } from "../core/cast";
import { DT_BOOL, DT_STRING, DT_VARIANT, dtypeName, dtypeSize } from "../core/dtype";
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK } from "../core/status";
import { allocTensor, scalarShape, Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";

class RangeIterator extends DatasetIterator {
  next_: i64;
  done: bool = false;

  constructor(public ds: RangeDataset) {
    super();
    this.next_ = ds.start;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const ds = this.ds;
    if (this.done) return END;
    const v = this.next_;
    if (ds.step > 0 ? v >= ds.stop : v <= ds.stop) {
      this.done = true;
      return END;
    }
    const t = allocTensor(ds.dtype, scalarShape());
    if (t == null) return errorCode();
    storeI64As(ds.dtype, t.dataPtr, 0, v);
    // Stop instead of wrapping when the next value would overflow int64.
    const nv = v + ds.step;
    if ((ds.step > 0 && nv < v) || (ds.step < 0 && nv > v)) this.done = true;
    this.next_ = nv;
    out.push(t);
    return OK;
  }
}

export class RangeDataset extends Dataset {
  start: i64 = 0;
  stop: i64 = 0;
  step: i64 = 1;
  dtype: i32 = 0;

  makeIterator(): DatasetIterator | null {
    return new RangeIterator(this);
  }
}

/** Plan attrs: start, stop, step (integers), dtype (a numeric DataType; TF rejects bool too). */
export function makeRange(node: DatasetNode): Dataset | null {
  const ds = new RangeDataset();
  ds.op = node.op;
  const a = node.attrs;
  ds.start = a.int("start");
  ds.stop = a.int("stop");
  ds.step = a.int("step");
  ds.dtype = <i32>a.intOr("dtype", 9);
  if (failed()) return null;
  if (ds.step == 0) {
    fail(INVALID_ARGUMENT, "step must be a non-zero integer, got 0");
    return null;
  }
  if (dtypeSize(ds.dtype) == 0 || ds.dtype == DT_STRING || ds.dtype == DT_VARIANT || ds.dtype == DT_BOOL) {
    fail(INVALID_ARGUMENT, "dtype must be a numeric dtype (e.g. int64), got " + dtypeName(ds.dtype));
    return null;
  }
  return ds;
}
