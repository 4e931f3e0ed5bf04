// `splitSource`: a source dataset whose elements come from the splits of a host-fed split provider
// (DYNAMIC sharding; see split-provider.ts) instead of from its own position, as TF's sources do
// when their iterator context carries split providers:
// - RangeDataset: a split is the element value itself (cast to the output dtype);
// - TensorSliceDataset: a split is the index of the slice;
// - TensorDataset: every split yields the one element.
// The host rewrites a task's plan so that each of its sources (in TF's source order) is wrapped
// in a `splitSource` over one provider (src/graph/split-sources.ts).
import { storeI64As } from "../core/cast";
import { END, errorCode, fail, failed, INVALID_ARGUMENT, OK, OUT_OF_RANGE, PENDING } from "../core/status";
import { allocTensor, scalarShape, Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { RangeDataset } from "./range";
import { buildInput } from "./registry";
import { TensorDataset, TensorSliceDataset, TensorSliceIterator } from "./sources";
import { lookupSplitProvider, recordPending, SplitProvider } from "./split-provider";

const KIND_RANGE: i32 = 1;
const KIND_SLICE: i32 = 2;
const KIND_TENSOR: i32 = 3;

class SplitSourceIterator extends DatasetIterator {
  done: bool = false;
  slices: TensorSliceIterator | null = null;

  constructor(private ds: SplitSourceDataset, private provider: SplitProvider) {
    super();
    if (ds.kind == KIND_SLICE) this.slices = new TensorSliceIterator(changetype<TensorSliceDataset>(ds.source));
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    if (this.done) return END;
    const p = this.provider;
    if (!p.has()) {
      if (p.ended) {
        this.done = true;
        return END;
      }
      recordPending(p);
      return PENDING;
    }
    const split = p.take();
    const ds = this.ds;
    if (ds.kind == KIND_RANGE) {
      const r = changetype<RangeDataset>(ds.source);
      const t = allocTensor(r.dtype, scalarShape());
      if (t == null) return errorCode();
      storeI64As(r.dtype, t.dataPtr, 0, split);
      out.push(t);
      return OK;
    }
    if (ds.kind == KIND_SLICE) {
      const s = changetype<TensorSliceDataset>(ds.source);
      if (split < 0 || split >= s.rows) {
        return fail(OUT_OF_RANGE, "split " + split.toString() + " is not a slice index of this TensorSliceDataset (it has " +
          s.rows.toString() + " slices)");
      }
      const it = this.slices!;
      it.i = split;
      return it.next(out);
    }
    const comps = changetype<TensorDataset>(ds.source).comps;
    for (let i = 0; i < comps.length; i++) out.push(unchecked(comps[i]));
    return OK;
  }
}

export class SplitSourceDataset extends Dataset {
  source: Dataset = new Dataset();
  kind: i32 = 0;
  provider: SplitProvider | null = null;
  /** Iterators made so far: each one after the first starts the provider's next repetition. */
  made: i32 = 0;

  makeIterator(): DatasetIterator | null {
    const p = lookupSplitProvider(this.provider!.id);
    if (p == null) return null;
    if (this.made > 0) p.reset();
    this.made++;
    return new SplitSourceIterator(this, p);
  }
}

/** Plan: one input (a range, tensorSlice or tensor source); attr provider (an open split provider id). */
export function makeSplitSource(node: DatasetNode): Dataset | null {
  const id = <i32>node.attrs.int("provider");
  if (failed()) return null;
  const p = lookupSplitProvider(id);
  if (p == null) return null;
  const source = buildInput(node, 0);
  if (source == null) return null;
  const ds = new SplitSourceDataset();
  ds.op = node.op;
  ds.source = source;
  ds.provider = p;
  if (source instanceof RangeDataset) ds.kind = KIND_RANGE;
  else if (source instanceof TensorSliceDataset) ds.kind = KIND_SLICE;
  else if (source instanceof TensorDataset) ds.kind = KIND_TENSOR;
  else {
    fail(INVALID_ARGUMENT, "a " + source.op + " dataset cannot read its elements from splits (only range, tensorSlice and " +
      "tensor sources can)");
    return null;
  }
  return ds;
}
