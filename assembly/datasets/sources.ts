// TensorDataset (one element: the given components) and TensorSliceDataset (one element per row
// of the components' leading axis). The components come in the plan as a serialized
// UncompressedElement (bytes attr "components"), decoded once when the dataset is built.
import { decodeUncompressed } from "../codec/uncompressed";
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK } from "../core/status";
import { allocTensor, Tensor } from "../core/tensor";
import { DT_VARIANT, dtypeSize } from "../core/dtype";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { commonLeadingDim, rowElements, rowShape, sliceRows } from "./rows";

/** Decodes the "components" attr of `node`; null with an error recorded. */
function decodeComponents(node: DatasetNode): Array<Tensor> | null {
  const bytes = node.attrs.bytes("components");
  if (failed()) return null;
  const out = new Array<Tensor>();
  if (!decodeUncompressed(changetype<usize>(bytes), <usize>bytes.byteLength, out)) return null;
  return out;
}

class TensorIterator extends DatasetIterator {
  done: bool = false;
  constructor(public comps: Array<Tensor>) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    this.done = true;
    // Tensors are immutable once made, so the element can be shared by every pass.
    for (let i = 0; i < this.comps.length; i++) out.push(unchecked(this.comps[i]));
    return OK;
  }
}

export class TensorDataset extends Dataset {
  comps: Array<Tensor> = new Array<Tensor>();

  makeIterator(): DatasetIterator | null {
    return new TensorIterator(this.comps);
  }
}

/** Plan attrs: components (bytes: a serialized UncompressedElement). */
export function makeTensor(node: DatasetNode): Dataset | null {
  const comps = decodeComponents(node);
  if (comps == null) return null;
  const ds = new TensorDataset();
  ds.op = node.op;
  ds.comps = comps;
  return ds;
}

export class TensorSliceIterator extends DatasetIterator {
  i: i64 = 0;
  constructor(public ds: TensorSliceDataset) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const ds = this.ds;
    if (this.i >= ds.rows) return END;
    for (let c = 0; c < ds.comps.length; c++) {
      const src = unchecked(ds.comps[c]);
      const rowBytes = unchecked(ds.rowBytes[c]);
      let t: Tensor | null;
      if (rowBytes >= 0) {
        // Fixed width: one allocation and one copy per component (the row shape is shared).
        t = allocTensor(src.dtype, unchecked(ds.rowShapes[c]));
        if (t != null) memory.copy(t.dataPtr, src.dataPtr + <usize>(this.i * rowBytes), <usize>rowBytes);
      } else {
        t = sliceRows(src, this.i, 1, true);
      }
      if (t == null) {
        out.length = 0;
        return errorCode();
      }
      out.push(t);
    }
    this.i++;
    return OK;
  }
}

export class TensorSliceDataset extends Dataset {
  comps: Array<Tensor> = new Array<Tensor>();
  rows: i64 = 0;
  /** Per component: the shape of a row, and its bytes (-1 for strings and variants). */
  rowShapes: Array<StaticArray<i64>> = new Array<StaticArray<i64>>();
  rowBytes: Array<i64> = new Array<i64>();

  makeIterator(): DatasetIterator | null {
    return new TensorSliceIterator(this);
  }
}

/** Plan attrs: components (bytes: a serialized UncompressedElement, each of rank >= 1, same dim 0). */
export function makeTensorSlice(node: DatasetNode): Dataset | null {
  const comps = decodeComponents(node);
  if (comps == null) return null;
  if (comps.length == 0) {
    fail(INVALID_ARGUMENT, "needs at least one component");
    return null;
  }
  const rows = commonLeadingDim(comps, "TensorSliceDataset");
  if (rows < 0) return null;
  const ds = new TensorSliceDataset();
  ds.op = node.op;
  ds.comps = comps;
  ds.rows = rows;
  for (let c = 0; c < comps.length; c++) {
    const t = unchecked(comps[c]);
    ds.rowShapes.push(rowShape(t));
    const size = dtypeSize(t.dtype);
    ds.rowBytes.push(size == 0 || t.dtype == DT_VARIANT ? -1 : rowElements(t) * <i64>size);
  }
  return ds;
}
