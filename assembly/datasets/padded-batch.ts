// PaddedBatchDatasetV2: batches `batchSize` elements, padding each component to a common shape:
// per dim, the padded shape's size, or (-1) the largest size in the batch, filling the gaps with
// the component's padding value. The last, partial batch is kept unless `dropRemainder`.
import { decodeUncompressed } from "../codec/uncompressed";
import { DT_STRING, DT_VARIANT, dtypeName, dtypeSize } from "../core/dtype";
import { DATA_LOSS, END, errorCode, fail, failed, INVALID_ARGUMENT, OK, PENDING, UNIMPLEMENTED } from "../core/status";
import { allocTensor, Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { MAX_BATCH_SIZE } from "./batch";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";

/**
 * Copies element `e` (shape `es`) into row `row` of `out` (row shape `os`, same rank, every dim
 * >= e's), one contiguous run of the innermost dim at a time. Fixed-width dtypes only.
 */
function copyIntoRow(e: Tensor, out: Tensor, row: i64, os: StaticArray<i64>): void {
  const rank = os.length;
  const size = <usize>dtypeSize(e.dtype);
  let rowElems: i64 = 1;
  for (let d = 0; d < rank; d++) rowElems *= unchecked(os[d]);
  const base = out.dataPtr + <usize>(row * rowElems) * size;
  if (e.numElements == 0) return;
  if (rank == 0) {
    memory.copy(base, e.dataPtr, size);
    return;
  }
  const es = e.shape;
  const inner = unchecked(es[rank - 1]);
  const runBytes = <usize>inner * size;
  // Strides of the output row, in elements.
  const strides = new StaticArray<i64>(rank);
  let s: i64 = 1;
  for (let d = rank - 1; d >= 0; d--) {
    unchecked(strides[d] = s);
    s *= unchecked(os[d]);
  }
  const idx = new StaticArray<i64>(rank);
  const runs = e.numElements / inner;
  let src = e.dataPtr;
  for (let r: i64 = 0; r < runs; r++) {
    let off: i64 = 0;
    for (let d = 0; d < rank - 1; d++) off += unchecked(idx[d]) * unchecked(strides[d]);
    memory.copy(base + <usize>off * size, src, runBytes);
    src += runBytes;
    // Advance the index over all dims but the innermost.
    for (let d = rank - 2; d >= 0; d--) {
      const v = unchecked(idx[d]) + 1;
      if (v < unchecked(es[d])) {
        unchecked(idx[d] = v);
        break;
      }
      unchecked(idx[d] = 0);
    }
  }
}

/** Output positions (within a row of shape `os`) of each element of a tensor of shape `es`. */
function rowPositions(es: StaticArray<i64>, os: StaticArray<i64>, n: i64): StaticArray<i64> {
  const rank = os.length;
  const out = new StaticArray<i64>(<i32>n);
  if (n == 0) return out;
  const strides = new StaticArray<i64>(rank);
  let s: i64 = 1;
  for (let d = rank - 1; d >= 0; d--) {
    unchecked(strides[d] = s);
    s *= unchecked(os[d]);
  }
  const idx = new StaticArray<i64>(rank);
  for (let j: i64 = 0; j < n; j++) {
    let off: i64 = 0;
    for (let d = 0; d < rank; d++) off += unchecked(idx[d]) * unchecked(strides[d]);
    unchecked(out[<i32>j] = off);
    for (let d = rank - 1; d >= 0; d--) {
      const v = unchecked(idx[d]) + 1;
      if (v < unchecked(es[d])) {
        unchecked(idx[d] = v);
        break;
      }
      unchecked(idx[d] = 0);
    }
  }
  return out;
}

/** Builds the padded batch of one string component. */
function padStrings(parts: Array<Tensor>, shape: StaticArray<i64>, rowShape: StaticArray<i64>, pad: Tensor): Tensor | null {
  const n = parts.length;
  let rowElems: i64 = 1;
  for (let d = 0; d < rowShape.length; d++) rowElems *= unchecked(rowShape[d]);
  const total = <i32>(rowElems * n);
  const ptrs = new StaticArray<usize>(total);
  const lens = new StaticArray<u32>(total);
  const padPtr = pad.stringPtr(0);
  const padLen = pad.stringLen(0);
  for (let k = 0; k < total; k++) {
    unchecked(ptrs[k] = padPtr);
    unchecked(lens[k] = padLen);
  }
  for (let i = 0; i < n; i++) {
    const e = unchecked(parts[i]);
    const pos = rowPositions(e.shape, rowShape, e.numElements);
    const base = <i64>i * rowElems;
    for (let j = 0; j < pos.length; j++) {
      const k = <i32>(base + unchecked(pos[j]));
      unchecked(ptrs[k] = e.stringPtr(j));
      unchecked(lens[k] = e.stringLen(j));
    }
  }
  let bytes: u64 = 0;
  for (let k = 0; k < total; k++) bytes += <u64>unchecked(lens[k]);
  const out = allocTensor(DT_STRING, shape, bytes);
  if (out == null) return null;
  const offs = out.offsets!;
  let p: u32 = 0;
  for (let k = 0; k < total; k++) {
    unchecked(offs[k] = p);
    const l = unchecked(lens[k]);
    memory.copy(out.dataPtr + <usize>p, unchecked(ptrs[k]), <usize>l);
    p += l;
  }
  unchecked(offs[total] = p);
  return out;
}

/** Fills every element of a fixed-width tensor with the scalar `pad`. */
function fillWith(out: Tensor, pad: Tensor): void {
  const size = <usize>dtypeSize(out.dtype);
  const n = <usize>out.numElements;
  const dst = out.dataPtr;
  const src = pad.dataPtr;
  // All-zero padding is the allocation's content already.
  let zero = true;
  for (let b: usize = 0; b < size; b++) if (load<u8>(src + b) != 0) zero = false;
  if (zero) return;
  if (size == 1) {
    memory.fill(dst, load<u8>(src), n);
    return;
  }
  for (let i: usize = 0; i < n; i++) memory.copy(dst + i * size, src, size);
}

class PaddedBatchIterator extends DatasetIterator {
  done: bool = false;
  elems: Array<Array<Tensor>> = new Array<Array<Tensor>>();

  constructor(public ds: PaddedBatchDataset, public input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const ds = this.ds;
    const size = <i32>ds.batchSize;
    // The batch being filled stays in `elems` across a PENDING (a split to wait for).
    const elems = this.elems;
    while (elems.length < size) {
      const e = new Array<Tensor>();
      const st = this.input.next(e);
      if (st == END) {
        this.done = true;
        break;
      }
      if (st == PENDING) return st;
      if (st != OK) {
        elems.length = 0;
        return st;
      }
      if (e.length != ds.paddedShapes.length) {
        elems.length = 0;
        return fail(INVALID_ARGUMENT, "padded_batch: elements have " + e.length.toString() + " components but " +
          ds.paddedShapes.length.toString() + " padded shapes are given");
      }
      elems.push(e);
    }
    const n = elems.length;
    if (n == 0 || (ds.dropRemainder && n < size)) {
      elems.length = 0;
      return END;
    }
    const parts = new Array<Tensor>(n);
    for (let c = 0; c < ds.paddedShapes.length; c++) {
      for (let i = 0; i < n; i++) unchecked(parts[i] = elems[i][c]);
      const t = this.padComponent(c, parts);
      if (t == null) {
        out.length = 0;
        elems.length = 0;
        return errorCode();
      }
      out.push(t);
    }
    elems.length = 0;
    return OK;
  }

  private padComponent(c: i32, parts: Array<Tensor>): Tensor | null {
    const ds = this.ds;
    const padded = unchecked(ds.paddedShapes[c]);
    const pad = unchecked(ds.paddingValues[c]);
    const rank = padded.length;
    const rowShape = new StaticArray<i64>(rank);
    for (let d = 0; d < rank; d++) unchecked(rowShape[d] = padded[d] < 0 ? 0 : padded[d]);
    for (let i = 0; i < parts.length; i++) {
      const e = unchecked(parts[i]);
      if (e.dtype != pad.dtype) {
        fail(INVALID_ARGUMENT, "padded_batch: component " + c.toString() + " of element " + i.toString() + " is " +
          dtypeName(e.dtype) + " but its padding value is " + dtypeName(pad.dtype));
        return null;
      }
      if (e.shape.length != rank) {
        fail(INVALID_ARGUMENT, "All elements in a batch must have the same rank as the padded shape for component" +
          c.toString() + ": expected rank " + rank.toString() + " but got element with rank " + e.shape.length.toString());
        return null;
      }
      for (let d = 0; d < rank; d++) {
        const sz = unchecked(e.shape[d]);
        if (unchecked(padded[d]) < 0) {
          if (sz > unchecked(rowShape[d])) unchecked(rowShape[d] = sz);
        } else if (sz > unchecked(rowShape[d])) {
          fail(DATA_LOSS, "Attempted to pad to a smaller size than the input element.");
          return null;
        }
      }
    }
    const shape = new StaticArray<i64>(rank + 1);
    unchecked(shape[0] = parts.length);
    for (let d = 0; d < rank; d++) unchecked(shape[d + 1] = rowShape[d]);
    if (pad.dtype == DT_STRING) return padStrings(parts, shape, rowShape, pad);
    if (pad.dtype == DT_VARIANT) {
      fail(UNIMPLEMENTED, "padded_batch of variant components is not supported");
      return null;
    }
    const out = allocTensor(pad.dtype, shape);
    if (out == null) return null;
    fillWith(out, pad);
    for (let i = 0; i < parts.length; i++) copyIntoRow(unchecked(parts[i]), out, i, rowShape);
    return out;
  }
}

export class PaddedBatchDataset extends Dataset {
  batchSize: i64 = 1;
  dropRemainder: bool = false;
  /** Per component: the padded shape, -1 for "the largest in the batch". */
  paddedShapes: Array<StaticArray<i64>> = new Array<StaticArray<i64>>();
  /** Per component: the scalar padding value. */
  paddingValues: Array<Tensor> = new Array<Tensor>();
  input: Dataset = new Dataset();

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    return new PaddedBatchIterator(this, it);
  }
}

/**
 * Plan: one input; attrs: batchSize (> 0), dropRemainder, paddedShapes (flattened as
 * [rank, dims...] per component, -1 dims padded to the batch's largest), paddingValues (bytes: a
 * serialized UncompressedElement of one scalar per component).
 */
export function makePaddedBatch(node: DatasetNode): Dataset | null {
  const ds = new PaddedBatchDataset();
  ds.op = node.op;
  ds.batchSize = node.attrs.int("batchSize");
  ds.dropRemainder = node.attrs.boolOr("dropRemainder", false);
  const shapes = node.attrs.list("paddedShapes");
  const values = node.attrs.bytes("paddingValues");
  if (failed()) return null;
  if (ds.batchSize <= 0 || ds.batchSize > MAX_BATCH_SIZE) {
    fail(INVALID_ARGUMENT, "Batch size must be greater than zero and at most " + MAX_BATCH_SIZE.toString() + ", got " +
      ds.batchSize.toString());
    return null;
  }
  if (!decodeUncompressed(changetype<usize>(values), <usize>values.byteLength, ds.paddingValues)) return null;
  let p = 0;
  while (p < shapes.length) {
    const rank = <i32>unchecked(shapes[p++]);
    if (rank < 0 || p + rank > shapes.length) {
      fail(INVALID_ARGUMENT, "malformed paddedShapes attribute");
      return null;
    }
    const sh = new StaticArray<i64>(rank);
    for (let d = 0; d < rank; d++) {
      const v = unchecked(shapes[p++]);
      if (v < -1 || Math.floor(v) != v) {
        fail(INVALID_ARGUMENT, "padded shape dims must be integers >= -1, got " + v.toString());
        return null;
      }
      unchecked(sh[d] = <i64>v);
    }
    ds.paddedShapes.push(sh);
  }
  if (ds.paddedShapes.length != ds.paddingValues.length) {
    fail(INVALID_ARGUMENT, "Number of padded shapes (" + ds.paddedShapes.length.toString() +
      ") must match the number of padding values (" + ds.paddingValues.length.toString() + ")");
    return null;
  }
  for (let i = 0; i < ds.paddingValues.length; i++) {
    if (unchecked(ds.paddingValues[i]).shape.length != 0) {
      fail(INVALID_ARGUMENT, "All padding values must be scalars");
      return null;
    }
  }
  const input = buildInput(node, 0);
  if (input == null) return null;
  ds.input = input;
  return ds;
}
