// SelectV2 (tf.where with three arguments): numpy broadcasting of condition, then and else. Select
// (v1): condition of the same shape as the branches, a scalar, or a vector over the first dim.
import { DT_BOOL, DT_STRING, DT_VARIANT, dtypeName } from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { sameShape, shapeString, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { broadcastShape, geometry, rowOffsets } from "./broadcast";
import { sourceIndex } from "./elementwise";
import { fromRuns, Run } from "./gather-util";
import { ALL_DTYPES, checkArity, dtypeAttr, dtypeBit, elemSize, newTensor } from "./helpers";
import { Kernel } from "./kernel";

function selectRows<T>(c: Tensor, t: Tensor, e: Tensor, out: Tensor): void {
  const shapes = new Array<StaticArray<i64>>(3);
  unchecked(shapes[0] = c.shape);
  unchecked(shapes[1] = t.shape);
  unchecked(shapes[2] = e.shape);
  const g = geometry(shapes, out.shape);
  const inner = g.inner;
  const rows = <i32>g.rows;
  const sc = <usize>(g.innerStep(0) ? 1 : 0), st = <usize>(g.innerStep(1) ? 1 : 0), se = <usize>(g.innerStep(2) ? 1 : 0);
  const offs = rowOffsets(g);
  const pc = c.dataPtr, pt = t.dataPtr, pe = e.dataPtr;
  let po = out.dataPtr;
  for (let r = 0; r < rows; r++) {
    const oc = pc + <usize>unchecked(offs[3 * r]);
    const ot = pt + <usize>unchecked(offs[3 * r + 1]) * sizeof<T>();
    const oe = pe + <usize>unchecked(offs[3 * r + 2]) * sizeof<T>();
    for (let i = 0; i < inner; i++) {
      const k = <usize>i;
      const v = load<u8>(oc + k * sc) != 0 ? load<T>(ot + k * st * sizeof<T>()) : load<T>(oe + k * se * sizeof<T>());
      store<T>(po + k * sizeof<T>(), v);
    }
    po += <usize>inner * sizeof<T>();
  }
}

/** Elementwise select over a broadcast of the three operands to `shape`. */
export function selectBroadcast(c: Tensor, t: Tensor, e: Tensor, shape: StaticArray<i64>): Tensor | null {
  const dtype = t.dtype;
  if (dtype == DT_STRING || dtype == DT_VARIANT) {
    let n: i64 = 1;
    for (let i = 0; i < shape.length; i++) n *= unchecked(shape[i]);
    const srcs = new Array<Tensor>(2);
    unchecked(srcs[0] = t);
    unchecked(srcs[1] = e);
    const runs = new Array<Run>();
    for (let i: i64 = 0; i < n; i++) {
      const cond = load<u8>(c.dataPtr + <usize>sourceIndex(c.shape, shape, i)) != 0;
      const src = cond ? t : e;
      runs.push(new Run(cond ? 0 : 1, <i32>sourceIndex(src.shape, shape, i), 1));
    }
    return fromRuns(dtype, srcs, runs, shape);
  }
  const out = newTensor(dtype, shape);
  if (out == null) return null;
  if (out.numElements == 0) return out;
  const size = elemSize(dtype);
  if (size == 1) selectRows<u8>(c, t, e, out);
  else if (size == 2) selectRows<u16>(c, t, e, out);
  else if (size == 4) selectRows<u32>(c, t, e, out);
  else selectRows<u64>(c, t, e, out);
  return out;
}

class SelectV2Kernel extends Kernel {
  dtype: i32 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const c = unchecked(inputs[0]), t = unchecked(inputs[1]), e = unchecked(inputs[2]);
    if (c.dtype != DT_BOOL || t.dtype != this.dtype || e.dtype != this.dtype) {
      return fail(INVALID_ARGUMENT, "SelectV2: inputs are " + dtypeName(c.dtype) + ", " + dtypeName(t.dtype) + ", " + dtypeName(e.dtype) +
        "; expected bool, " + dtypeName(this.dtype) + ", " + dtypeName(this.dtype));
    }
    const te = broadcastShape(t.shape, e.shape);
    let all: StaticArray<i64> | null = null;
    if (te != null) all = broadcastShape(c.shape, te);
    if (all == null) {
      return fail(INVALID_ARGUMENT, "condition " + shapeString(c.shape) + ", then " + shapeString(t.shape) + ", and else " +
        shapeString(e.shape) + " must be broadcastable");
    }
    const out = selectBroadcast(c, t, e, changetype<StaticArray<i64>>(all));
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

class SelectKernel extends Kernel {
  dtype: i32 = 0;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const c = unchecked(inputs[0]), t = unchecked(inputs[1]), e = unchecked(inputs[2]);
    if (c.dtype != DT_BOOL || t.dtype != this.dtype || e.dtype != this.dtype) {
      return fail(INVALID_ARGUMENT, "Select: inputs are " + dtypeName(c.dtype) + ", " + dtypeName(t.dtype) + ", " + dtypeName(e.dtype));
    }
    if (!sameShape(t.shape, e.shape)) {
      return fail(INVALID_ARGUMENT, "'then' and 'else' must have the same size.  but received: " + shapeString(t.shape) + " vs. " +
        shapeString(e.shape));
    }
    let cond = c;
    if (c.rank == 1 && t.rank > 1) {
      if (c.shape[0] != t.shape[0]) {
        return fail(INVALID_ARGUMENT, "Number of batches of 'then' must match size of 'cond', but saw: " + t.shape[0].toString() +
          " vs. " + c.shape[0].toString());
      }
      // Broadcast the vector over the trailing dims: view it as [n, 1, ..., 1].
      const s = new StaticArray<i64>(t.rank);
      unchecked(s[0] = c.shape[0]);
      for (let i = 1; i < t.rank; i++) unchecked(s[i] = 1);
      cond = new Tensor(DT_BOOL, s, c.numElements, c.data);
    } else if (c.rank != 0 && !sameShape(c.shape, t.shape)) {
      return fail(INVALID_ARGUMENT, "'cond' and 'then' must have the same size.  but received: " + shapeString(c.shape) + " vs. " +
        shapeString(t.shape));
    }
    const out = selectBroadcast(cond, t, e, t.shape);
    if (out == null) return errorCode();
    outputs.push(out);
    return OK;
  }
}

/** SelectV2 / Select: inputs condition, t, e; attr T. */
export function makeSelect(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 3, 1)) return null;
  const d = dtypeAttr(ins, "T", ALL_DTYPES | dtypeBit(DT_VARIANT));
  if (d < 0) return null;
  if (ins.kernel == "Select") {
    const k = new SelectKernel();
    k.dtype = d;
    return k;
  }
  const k = new SelectV2Kernel();
  k.dtype = d;
  return k;
}
