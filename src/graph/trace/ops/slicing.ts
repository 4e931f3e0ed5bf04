/**
 * Indexing and slicing: `x.index(...)` is TF's `x[...]` (Python's `_slice_helper`), which packs
 * the begin/end/strides of every item into three vectors and emits one `StridedSlice` named
 * `strided_slice` (constants `strided_slice/stack`, `_1`, `_2`). `stridedSlice(...)` is
 * `tf.strided_slice(...)` with explicit vectors and masks.
 *
 * Index items, with their Python spelling:
 * - `2` or a scalar int tensor: `x[2]` (drops the dim);
 * - `"1:"`, `":2"`, `"::-1"`, `":"`: `x[1:]` ... (a slice written as in Python);
 * - `{ start, stop, step }` (numbers, int tensors or null): `x[start:stop:step]`;
 * - `ELLIPSIS` (`"..."`): `x[...]`;
 * - `NEW_AXIS` (`null`): `x[tf.newaxis]`.
 */
import { DType } from "../../../core/dtype.js";
import { TfDataError } from "../../../core/errors.js";
import { applyOp, constantOp, convertToTensor } from "../apply-op.js";
import { pyRepr } from "../host-value.js";
import { SymbolicTensor } from "../symbolic-tensor.js";
import { onesLike, stack } from "./array.js";
import { graphFor, isTensor, type TensorLike } from "./common.js";
import { add } from "./math.js";

/** `x[...]`: the ellipsis item. */
export const ELLIPSIS = "...";

/** `x[tf.newaxis]`: the new-axis item. */
export const NEW_AXIS = null;

/** A slice bound: a number, an int tensor, or null/undefined (open). */
export type SliceBound = number | SymbolicTensor | null | undefined;

/** `start:stop:step`. */
export interface SliceItem {
  readonly start?: SliceBound;
  readonly stop?: SliceBound;
  readonly step?: SliceBound;
}

/** One item of an index expression (see the file comment). */
export type IndexItem = number | SymbolicTensor | string | SliceItem | null;

const SLICE_DTYPES: readonly DType[] = [DType.int16, DType.int32, DType.int64];

function checkIndex(idx: unknown): void {
  if (typeof idx === "number" && Number.isInteger(idx)) return;
  if (idx instanceof SymbolicTensor && SLICE_DTYPES.includes(idx.dtype) && !(idx.shape !== null && idx.shape.length === 1)) return;
  throw new TfDataError("InvalidArgument", "Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar " +
    `tf.int32/tf.int64 tensors are valid indices, got ${idx instanceof SymbolicTensor ? idx.toString() : pyRepr(idx)}`);
}

function parseSliceString(s: string): SliceItem {
  const parts = s.split(":");
  if (parts.length < 2 || parts.length > 3) {
    throw new TfDataError("InvalidArgument", `bad slice '${s}': expected 'start:stop' or 'start:stop:step' (parts may be empty)`);
  }
  const num = (p: string): number | null => {
    const t = p.trim();
    if (t === "") return null;
    if (!/^[+-]?\d+$/.test(t)) throw new TfDataError("InvalidArgument", `bad slice '${s}': '${t}' is not an integer`);
    return Number(t);
  };
  return { start: num(parts[0]), stop: num(parts[1]), step: parts.length === 3 ? num(parts[2]) : null };
}

/** `x[items...]` (TF's `_slice_helper`). */
export function getItem(x: TensorLike, ...items: IndexItem[]): SymbolicTensor {
  const g = graphFor(x, ...items.filter(isTensor));
  const tensor = convertToTensor(g, x);
  const begin: TensorLike[] = [];
  const end: TensorLike[] = [];
  const strides: TensorLike[] = [];
  let beginMask = 0;
  let endMask = 0;
  let ellipsisMask = 0;
  let newAxisMask = 0;
  let shrinkMask = 0;
  items.forEach((raw, index) => {
    const s: IndexItem = typeof raw === "string" && raw !== ELLIPSIS ? parseSliceString(raw) : raw;
    if (s !== null && typeof s === "object" && !(s instanceof SymbolicTensor)) {
      let dtype: DType | undefined;
      for (const t of [s.start, s.stop, s.step]) {
        if (!(t instanceof SymbolicTensor)) continue;
        if (t.dtype === DType.int64) dtype = DType.int64;
        else if (t.dtype === DType.int32 && dtype !== DType.int64) dtype = DType.int32;
        else if (t.dtype === DType.int16 && dtype === undefined) dtype = DType.int16;
      }
      const zero = () => (dtype !== undefined ? constantOp(g, { dtype, shape: [], values: [dtype === DType.int64 ? 0n : 0] }) : 0);
      if (s.start !== null && s.start !== undefined) {
        checkIndex(s.start);
        begin.push(s.start);
      } else {
        begin.push(zero());
        beginMask |= 1 << index;
      }
      if (s.stop !== null && s.stop !== undefined) {
        checkIndex(s.stop);
        end.push(s.stop);
      } else {
        end.push(zero());
        endMask |= 1 << index;
      }
      if (s.step !== null && s.step !== undefined) {
        checkIndex(s.step);
        strides.push(s.step);
      } else if (dtype !== undefined) {
        strides.push(constantOp(g, { dtype, shape: [], values: [dtype === DType.int64 ? 1n : 1] }));
      } else {
        strides.push(1);
      }
    } else if (s === ELLIPSIS) {
      begin.push(0);
      end.push(0);
      strides.push(1);
      ellipsisMask |= 1 << index;
    } else if (s === null) {
      begin.push(0);
      end.push(0);
      strides.push(1);
      newAxisMask |= 1 << index;
    } else {
      checkIndex(s);
      begin.push(s);
      end.push(typeof s === "number" ? s + 1 : add(s as SymbolicTensor, 1));
      if (s instanceof SymbolicTensor && (s.dtype === DType.int16 || s.dtype === DType.int64)) {
        strides.push(constantOp(g, { dtype: s.dtype, shape: [], values: [s.dtype === DType.int64 ? 1n : 1] }));
      } else {
        strides.push(1);
      }
      shrinkMask |= 1 << index;
    }
  });
  return g.nameScope(undefined, "strided_slice", (scope) => {
    let pb: SymbolicTensor;
    let pe: SymbolicTensor;
    let ps: SymbolicTensor;
    if (begin.length > 0) {
      pb = stack(begin);
      pe = stack(end);
      ps = stack(strides);
      if (pb.dtype === DType.int64 || pe.dtype === DType.int64 || ps.dtype === DType.int64) {
        const to64 = (t: SymbolicTensor) => (t.dtype === DType.int64 ? t
          : applyOp(g, "Cast", { inputs: { x: t }, attrs: { DstT: DType.int64 } })[0]);
        pb = to64(pb);
        pe = to64(pe);
        ps = to64(ps);
      }
    } else {
      pb = pe = ps = constantOp(g, { dtype: DType.int32, shape: [0], values: [] });
    }
    return applyOp(g, "StridedSlice", {
      name: scope,
      inputs: { input: tensor, begin: pb, end: pe, strides: ps },
      attrs: {
        begin_mask: beginMask, end_mask: endMask, shrink_axis_mask: shrinkMask,
        new_axis_mask: newAxisMask, ellipsis_mask: ellipsisMask,
      },
    })[0];
  });
}

/** Masks of `stridedSlice` (bit i applies to spec entry i). */
export interface StridedSliceMasks {
  readonly beginMask?: number;
  readonly endMask?: number;
  readonly ellipsisMask?: number;
  readonly newAxisMask?: number;
  readonly shrinkAxisMask?: number;
}

/** `tf.strided_slice(x, begin, end, strides, begin_mask=..., ...)`; strides default to ones. */
export function stridedSlice(x: TensorLike, begin: TensorLike, end: TensorLike, strides?: TensorLike,
  masks: StridedSliceMasks = {}): SymbolicTensor {
  const g = graphFor(x, begin, end, strides);
  const st = strides ?? onesLike(begin);
  return applyOp(g, "StridedSlice", {
    inputs: { input: x, begin, end, strides: st },
    attrs: {
      begin_mask: masks.beginMask ?? 0, end_mask: masks.endMask ?? 0, ellipsis_mask: masks.ellipsisMask ?? 0,
      new_axis_mask: masks.newAxisMask ?? 0, shrink_axis_mask: masks.shrinkAxisMask ?? 0,
    },
  })[0];
}
