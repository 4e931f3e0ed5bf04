/**
 * The tensor a traced function works with: it has a dtype and a static shape but no data. Every
 * op applied to it is recorded in the function's graph. Methods mirror the free functions of the
 * op modules (`x.add(1)` is `add(x, 1)`, TF's `x + 1`); see `ops/*.ts` for the TF spelling of each.
 *
 * Example: `(x) => x.cast("float32").div(255).sub([0.485, 0.456, 0.406])`.
 */
import type { DType } from "../../core/dtype.js";
import { dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { PlanShape } from "../../core/plan.js";
import type { FuncGraph, OutputInit, TracedOp } from "./func-graph.js";
import type { HostValue } from "./host-value.js";
import { formatShapeTF, mergeShape, ShapeError } from "./shape-algebra.js";
import * as array from "./ops/array.js";
import type { DTypeLike, TensorLike } from "./ops/common.js";
import * as math from "./ops/math.js";
import * as reduce from "./ops/reduce.js";
import * as slicing from "./ops/slicing.js";
import * as strings from "./ops/string.js";

/** A tensor inside a traced function. */
export class SymbolicTensor {
  /** The graph (function body) this tensor belongs to. */
  readonly graph: FuncGraph;
  /** The node that produced it; null for a function argument. */
  readonly op: TracedOp | null;
  /** The TF dtype. */
  readonly dtype: DType;
  /** Where FunctionDef inputs refer to it: `args_0` or `node:output_arg:index`. */
  readonly ref: string;
  /** Its value when known while tracing (constants and what TF can fold). */
  readonly value: HostValue | undefined;
  private staticShape: PlanShape;

  /** @internal Created by the graph (`FuncGraph.addArg` / `addNode`). */
  constructor(graph: FuncGraph, op: TracedOp | null, out: OutputInit, ref: string) {
    this.graph = graph;
    this.op = op;
    this.dtype = out.dtype;
    this.staticShape = out.shape === null ? null : [...out.shape];
    this.ref = ref;
    this.value = out.value;
  }

  /** The static shape: `-1` for a dim unknown until run time, `null` when even the rank is unknown. */
  get shape(): PlanShape {
    return this.staticShape === null ? null : [...this.staticShape];
  }

  /** The static rank, or null when unknown. */
  get rank(): number | null {
    return this.staticShape === null ? null : this.staticShape.length;
  }

  /** TF's tensor name (`add:0`, `args_0:0`), for messages. */
  get name(): string {
    if (this.op === null) return `${this.ref}:0`;
    const parts = this.ref.split(":");
    return `${parts[0]}:${parts[2]}`;
  }

  /** TF's `set_shape`: narrows the static shape; fails when incompatible. */
  setShape(shape: PlanShape): void {
    try {
      this.staticShape = mergeShape(this.staticShape, shape);
    } catch (e) {
      if (e instanceof ShapeError) {
        throw new TfDataError("InvalidArgument", `Shapes ${formatShapeTF(this.staticShape)} and ${formatShapeTF(shape)} are incompatible`);
      }
      throw e;
    }
  }

  /** `<tf.Tensor 'add:0' shape=(2, 3) dtype=float32>`, as TF prints tensors in messages. */
  toString(): string {
    const s = this.staticShape;
    const shape = s === null ? "<unknown>" : s.length === 1 ? `(${dimText(s[0])},)` : `(${s.map(dimText).join(", ")})`;
    return `<tf.Tensor '${this.name}' shape=${shape} dtype=${dtypeName(this.dtype)}>`;
  }

  // Arithmetic (TF's Python operators and tf.math).
  /** `x + y`. */ add(y: TensorLike): SymbolicTensor { return math.add(this, y); }
  /** `x - y`. */ sub(y: TensorLike): SymbolicTensor { return math.sub(this, y); }
  /** `x * y`. */ mul(y: TensorLike): SymbolicTensor { return math.mul(this, y); }
  /** `x / y` (RealDiv; ints are cast to float first). */ div(y: TensorLike): SymbolicTensor { return math.div(this, y); }
  /** `x // y`. */ floorDiv(y: TensorLike): SymbolicTensor { return math.floorDiv(this, y); }
  /** `x % y`. */ floorMod(y: TensorLike): SymbolicTensor { return math.floorMod(this, y); }
  /** `x ** y`. */ pow(y: TensorLike): SymbolicTensor { return math.pow(this, y); }
  /** `-x`. */ neg(): SymbolicTensor { return math.neg(this); }
  /** `abs(x)`. */ abs(): SymbolicTensor { return math.abs(this); }
  /** `tf.math.square(x)`. */ square(): SymbolicTensor { return math.square(this); }
  /** `tf.math.sqrt(x)`. */ sqrt(): SymbolicTensor { return math.sqrt(this); }
  /** `tf.math.rsqrt(x)`. */ rsqrt(): SymbolicTensor { return math.rsqrt(this); }
  /** `tf.math.exp(x)`. */ exp(): SymbolicTensor { return math.exp(this); }
  /** `tf.math.log(x)`. */ log(): SymbolicTensor { return math.log(this); }
  /** `tf.math.round(x)` (half to even). */ round(): SymbolicTensor { return math.round(this); }
  /** `tf.math.floor(x)`. */ floor(): SymbolicTensor { return math.floor(this); }
  /** `tf.math.ceil(x)`. */ ceil(): SymbolicTensor { return math.ceil(this); }
  /** `tf.math.sign(x)`. */ sign(): SymbolicTensor { return math.sign(this); }
  /** `tf.math.maximum(x, y)`. */ maximum(y: TensorLike): SymbolicTensor { return math.maximum(this, y); }
  /** `tf.math.minimum(x, y)`. */ minimum(y: TensorLike): SymbolicTensor { return math.minimum(this, y); }
  /** `tf.clip_by_value(x, lo, hi)`. */ clipByValue(lo: TensorLike, hi: TensorLike): SymbolicTensor { return math.clipByValue(this, lo, hi); }

  // Comparison and logic.
  /** `tf.math.equal(x, y)`. */ equal(y: TensorLike): SymbolicTensor { return math.equal(this, y); }
  /** `tf.math.not_equal(x, y)`. */ notEqual(y: TensorLike): SymbolicTensor { return math.notEqual(this, y); }
  /** `tf.math.less(x, y)`. */ less(y: TensorLike): SymbolicTensor { return math.less(this, y); }
  /** `tf.math.less_equal(x, y)`. */ lessEqual(y: TensorLike): SymbolicTensor { return math.lessEqual(this, y); }
  /** `tf.math.greater(x, y)`. */ greater(y: TensorLike): SymbolicTensor { return math.greater(this, y); }
  /** `tf.math.greater_equal(x, y)`. */ greaterEqual(y: TensorLike): SymbolicTensor { return math.greaterEqual(this, y); }
  /** `tf.math.logical_and(x, y)`. */ logicalAnd(y: TensorLike): SymbolicTensor { return math.logicalAnd(this, y); }
  /** `tf.math.logical_or(x, y)`. */ logicalOr(y: TensorLike): SymbolicTensor { return math.logicalOr(this, y); }
  /** `tf.math.logical_not(x)`. */ logicalNot(): SymbolicTensor { return math.logicalNot(this); }

  // Types and shapes.
  /** `tf.cast(x, dtype)`. */ cast(dtype: DTypeLike): SymbolicTensor { return math.cast(this, dtype); }
  /** `tf.reshape(x, shape)`. */ reshape(shape: TensorLike): SymbolicTensor { return array.reshape(this, shape); }
  /** `tf.expand_dims(x, axis)`. */ expandDims(axis: TensorLike): SymbolicTensor { return array.expandDims(this, axis); }
  /** `tf.squeeze(x, axis)`. */ squeeze(axis?: number | readonly number[]): SymbolicTensor { return array.squeeze(this, axis); }
  /** `x[items...]`: see `ops/slicing.ts` (`x.index(0, "1:", ELLIPSIS, NEW_AXIS)`). */
  index(...items: slicing.IndexItem[]): SymbolicTensor { return slicing.getItem(this, ...items); }
  /** `tf.slice(x, begin, size)`. */ slice(begin: TensorLike, size: TensorLike): SymbolicTensor { return array.slice(this, begin, size); }
  /** `tf.strided_slice(x, begin, end, strides, masks)`. */
  stridedSlice(begin: TensorLike, end: TensorLike, strides?: TensorLike, masks?: slicing.StridedSliceMasks): SymbolicTensor {
    return slicing.stridedSlice(this, begin, end, strides, masks);
  }
  /** `tf.gather(x, indices, axis=axis, batch_dims=batchDims)`. */
  gather(indices: TensorLike, axis?: TensorLike, batchDims?: number): SymbolicTensor { return array.gather(this, indices, axis, batchDims); }
  /** `tf.transpose(x, perm)`. */ transpose(perm?: TensorLike): SymbolicTensor { return array.transpose(this, perm); }
  /** `tf.tile(x, multiples)`. */ tile(multiples: TensorLike): SymbolicTensor { return array.tile(this, multiples); }
  /** `tf.one_hot(x, depth, ...)` (x holds the indices). */
  oneHot(depth: TensorLike, opts?: array.OneHotOptions): SymbolicTensor { return array.oneHot(this, depth, opts); }

  // Reductions.
  /** `tf.math.reduce_sum(x, axis, keepdims)`. */ sum(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.sum(this, axis, keepdims); }
  /** `tf.math.reduce_mean(x, axis, keepdims)`. */ mean(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.mean(this, axis, keepdims); }
  /** `tf.math.reduce_max(x, axis, keepdims)`. */ max(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.max(this, axis, keepdims); }
  /** `tf.math.reduce_min(x, axis, keepdims)`. */ min(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.min(this, axis, keepdims); }
  /** `tf.math.reduce_prod(x, axis, keepdims)`. */ prod(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.prod(this, axis, keepdims); }
  /** `tf.math.reduce_all(x, axis, keepdims)`. */ all(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.all(this, axis, keepdims); }
  /** `tf.math.reduce_any(x, axis, keepdims)`. */ any(axis?: reduce.Axis, keepdims?: boolean): SymbolicTensor { return reduce.any(this, axis, keepdims); }
  /** `tf.math.argmax(x, axis, output_type)`. */ argMax(axis?: TensorLike, outputType?: DTypeLike): SymbolicTensor { return reduce.argMax(this, axis, outputType); }
  /** `tf.math.argmin(x, axis, output_type)`. */ argMin(axis?: TensorLike, outputType?: DTypeLike): SymbolicTensor { return reduce.argMin(this, axis, outputType); }

  // Strings.
  /** `tf.strings.to_number(x, out_type)`. */ stringToNumber(outType?: DTypeLike): SymbolicTensor { return strings.stringToNumber(this, outType); }
  /** `tf.strings.as_string(x, ...)`. */ asString(opts?: strings.AsStringOptions): SymbolicTensor { return strings.asString(this, opts); }
}

function dimText(d: number): string {
  return d < 0 ? "None" : String(d);
}
