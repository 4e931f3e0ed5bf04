/**
 * JS values as dataset elements: what `Dataset.fromTensors` / `fromTensorSlices` (and padding
 * values) accept, converted as TF's `convert_to_tensor` converts Python values.
 *
 * The rule (TF treats a Python list as a tensor and a tuple as a structure; JS has only arrays):
 * - a plain JS array is a tensor (nested arrays give higher ranks), like a Python list;
 * - `tuple(a, b, ...)` is a tuple (TF's `(a, b)`), and a plain object `{a, b}` a dict (flattened
 *   by sorted key, as TF does);
 * - numbers, bigints, booleans, strings, typed arrays and `Tensor`s are tensors.
 *
 * Dtypes, as TF infers them from Python values: integer-valued numbers -> int32 (int64 when one
 * does not fit in int32, as Python ints), other numbers (and NaN, +-Infinity) -> float32, bigint
 * -> int64, boolean -> bool, string -> string (UTF-8), an empty array -> float32. A JS number
 * cannot tell `1.0` from `1`: pass a `Float32Array` or a `Tensor` for floats that happen to be
 * integral. Typed arrays and `Tensor`s keep their dtype (`Uint8Array` is uint8, not bytes).
 */
import { DType, dtypeName } from "../core/dtype.js";
import { TfDataError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { SymbolicTensor } from "../graph/trace/symbolic-tensor.js";
import { describe } from "./arguments.js";
import type { ElementSpec } from "./structure.js";
import { TensorSpec } from "./tensor-spec.js";

const TUPLE = Symbol.for("tfdata.tuple");

/** A TF tuple: an array marked as a structure (not a tensor). Made by `tuple(...)`. */
export type Tuple<T extends readonly unknown[] = unknown[]> = Readonly<T> & { readonly [TUPLE]: true };

/**
 * Marks its arguments as a TF tuple, the structure Python writes `(a, b)`, for
 * `Dataset.fromTensors` / `fromTensorSlices` / `paddedBatch`: a plain JS array is a tensor there.
 * Example: `Dataset.fromTensorSlices(tuple([1, 2, 3], ["a", "b", "c"]))` yields `[1, "a"]`-like pairs.
 */
export function tuple<T extends unknown[]>(...items: T): Tuple<T> {
  const out = [...items] as unknown as Tuple<T>;
  Object.defineProperty(out, TUPLE, { value: true });
  return Object.freeze(out);
}

/** Whether `v` was made by `tuple(...)`. */
export function isTuple(v: unknown): v is Tuple {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** Whether `v` is a plain object (a dict), not a class instance or array. */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A typed array (any but DataView). */
type TypedArray = Exclude<ArrayBufferView, DataView>;

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function typedArrayDType(a: TypedArray, what: string): DType {
  if (a instanceof Float32Array) return DType.float32;
  if (a instanceof Float64Array) return DType.float64;
  if (a instanceof Int32Array) return DType.int32;
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return DType.uint8;
  if (a instanceof Int8Array) return DType.int8;
  if (a instanceof Int16Array) return DType.int16;
  if (a instanceof Uint16Array) return DType.uint16;
  if (a instanceof Uint32Array) return DType.uint32;
  if (a instanceof BigInt64Array) return DType.int64;
  if (a instanceof BigUint64Array) return DType.uint64;
  throw new TfDataError("InvalidArgument", `${what}: unsupported typed array ${a.constructor.name}`);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The dtype TF infers for a list of JS scalars (all of one kind). */
function inferDType(leaves: readonly unknown[], what: string): DType {
  if (leaves.length === 0) return DType.float32;
  let bools = 0, strings = 0, bigints = 0, ints = 0, floats = 0, int64s = 0;
  for (const v of leaves) {
    if (typeof v === "boolean") bools++;
    else if (typeof v === "string") strings++;
    else if (typeof v === "bigint") bigints++;
    else if (typeof v === "number") {
      if (Number.isInteger(v)) {
        ints++;
        if (v < INT32_MIN || v > INT32_MAX) int64s++;
      } else floats++;
    } else {
      throw new TfDataError("InvalidArgument", `${what}: cannot convert ${describe(v)} to a tensor element (use numbers, ` +
        "bigints, booleans, strings, typed arrays, Tensors, tuple(...) or plain objects)");
    }
  }
  const kinds = [bools > 0, strings > 0, bigints + ints + floats > 0].filter(Boolean).length;
  if (kinds > 1) {
    throw new TfDataError("InvalidArgument", `${what}: a tensor's values must all be numbers, all booleans or all ` +
      "strings; this array mixes them (use tuple(...) for a structure of different tensors)");
  }
  if (bools > 0) return DType.bool;
  if (strings > 0) return DType.string;
  if (floats > 0) {
    if (bigints > 0) throw new TfDataError("InvalidArgument", `${what}: cannot mix bigints and non-integer numbers in one tensor`);
    return DType.float32;
  }
  return bigints > 0 || int64s > 0 ? DType.int64 : DType.int32;
}

function checkIntegers(leaves: readonly unknown[], dtype: DType, what: string): void {
  if (dtype !== DType.int64) return;
  for (const v of leaves) {
    const b = typeof v === "bigint" ? v : BigInt(v as number);
    if (b < INT64_MIN || b > INT64_MAX) {
      throw new TfDataError("InvalidArgument", `${what}: Can't convert Python sequence with out-of-range integer to ` +
        `Tensor (${typeof v === "bigint" ? `${v}n` : v} does not fit in int64).`);
    }
  }
}

/** Stacks equal-dtype, equal-shape tensors along a new leading axis (a JS array of tensors). */
function stackTensors(parts: readonly Tensor[], outer: readonly number[], what: string): Tensor {
  const first = parts[0];
  for (const p of parts) {
    if (p.dtype !== first.dtype || p.shape.length !== first.shape.length || p.shape.some((d, i) => d !== first.shape[i])) {
      throw new TfDataError("InvalidArgument", `${what}: an array of tensors must hold tensors of one dtype and shape ` +
        `to be stacked, got ${first} and ${p}`);
    }
  }
  const shape = [...outer, ...first.shape];
  if (first.dtype === DType.string || first.dtype === DType.variant) {
    return new Tensor(first.dtype, shape, parts.flatMap((p) => [...(p.data as readonly Uint8Array[])]));
  }
  const src = parts.map((p) => p.data as Exclude<ArrayBufferView, DataView>);
  const bytes = src.reduce((n, d) => n + d.byteLength, 0);
  const buf = new Uint8Array(bytes);
  let pos = 0;
  for (const d of src) {
    buf.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  const Ctor = (src[0] as unknown as { constructor: new (b: ArrayBuffer) => Exclude<ArrayBufferView, DataView> }).constructor;
  return new Tensor(first.dtype, shape, new Ctor(buf.buffer) as never);
}

function shapeOfArray(value: readonly unknown[], what: string): { shape: number[]; leaves: unknown[] } {
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v)) {
    if (isTuple(v)) {
      throw new TfDataError("InvalidArgument", `${what}: a tuple(...) cannot be inside a tensor (a JS array); nest ` +
        "tuples in tuples or objects");
    }
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  const leaves: unknown[] = [];
  const walk = (x: unknown, axis: number): void => {
    if (axis === shape.length) {
      if (Array.isArray(x)) throw ragged();
      leaves.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[axis] || isTuple(x)) throw ragged();
    for (const y of x) walk(y, axis + 1);
  };
  const ragged = () => new TfDataError("InvalidArgument", `${what}: Can't convert non-rectangular Python sequence to ` +
    "Tensor. (The nested arrays have different lengths.)");
  walk(value, 0);
  return { shape, leaves };
}

/**
 * `value` as a tensor, following TF's `convert_to_tensor` for Python values (see the file
 * comment). `dtype`, when given, is the dtype to convert JS scalars to (as `convert_to_tensor(x,
 * dtype)`); typed arrays and tensors must already have it. The result owns its data (typed arrays
 * are copied, so later changes to them do not leak into the dataset).
 */
export function toTensor(value: unknown, what: string, dtype?: DType): Tensor {
  if (value instanceof Tensor) {
    if (dtype !== undefined && value.dtype !== dtype) throw dtypeMismatch(value.dtype, dtype, what);
    return value;
  }
  if (isTypedArray(value)) {
    const dt = typedArrayDType(value, what);
    if (dtype !== undefined && dt !== dtype) throw dtypeMismatch(dt, dtype, what);
    const copy = (value as unknown as { slice(): TypedArray }).slice();
    const data = copy instanceof Uint8ClampedArray ? new Uint8Array(copy.buffer) : copy;
    return new Tensor(dt, [(value as unknown as { length: number }).length], data as never);
  }
  if (Array.isArray(value)) {
    const { shape, leaves } = shapeOfArray(value, what);
    if (leaves.length > 0 && leaves.every((l) => l instanceof Tensor || isTypedArray(l))) {
      const parts = leaves.map((l) => toTensor(l, what, dtype));
      return stackTensors(parts, shape, what);
    }
    const dt = dtype ?? inferDType(leaves, what);
    checkIntegers(leaves, dt, what);
    return Tensor.fromValues(leaves, dt, shape);
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean" || typeof value === "string") {
    const dt = dtype ?? inferDType([value], what);
    checkIntegers([value], dt, what);
    return Tensor.fromValues(value, dt, []);
  }
  throw new TfDataError("InvalidArgument", `${what}: cannot convert ${describe(value)} to a tensor`);
}

function dtypeMismatch(got: DType, want: DType, what: string): TfDataError {
  return new TfDataError("InvalidArgument", `${what}: Tensor conversion requested dtype ${dtypeName(want)} for Tensor ` +
    `with dtype ${dtypeName(got)}`);
}

/** A leaf of a source value: a constant tensor, or a symbolic one inside a traced function. */
export type SourceLeaf = Tensor | SymbolicTensor;

/** A source value taken apart: its leaves in TF's flattening order and a rebuilder of its nesting. */
export interface NormalizedElement {
  readonly leaves: readonly SourceLeaf[];
  /** The element spec whose components (in flattening order) are `specs`. */
  pack(specs: readonly TensorSpec[]): ElementSpec;
}

/**
 * Takes a source value apart (TF's `structure.normalize_element`): leaves converted to tensors,
 * tuples and dicts kept as the element's nesting. Empty structures are rejected as TF does.
 */
export function normalizeElement(value: unknown, what: string): NormalizedElement {
  const leaves: SourceLeaf[] = [];
  // The nesting, with leaf positions as numbers (dict keys in sorted order, as TF flattens).
  type Node = number | { tuple: Node[] } | { dict: [string, Node][] };
  const walk = (v: unknown, path: string): Node => {
    if (v instanceof SymbolicTensor) {
      leaves.push(v);
      return leaves.length - 1;
    }
    if (isTuple(v)) {
      if (v.length === 0) throw empty();
      return { tuple: v.map((x, i) => walk(x, `${path}[${i}]`)) };
    }
    if (isDict(v)) {
      // Leaves are numbered in sorted-key order (TF's flattening); the spec keeps the given order.
      const keys = Object.keys(v);
      if (keys.length === 0) throw empty();
      const nodes = new Map<string, Node>();
      for (const k of [...keys].sort()) nodes.set(k, walk(v[k], `${path}.${k}`));
      return { dict: keys.map((k): [string, Node] => [k, nodes.get(k)!]) };
    }
    if (v === undefined || v === null) {
      throw new TfDataError("InvalidArgument", `${path}: cannot convert ${String(v)} to a tensor`);
    }
    leaves.push(toTensor(v, path));
    return leaves.length - 1;
  };
  const empty = () => new TfDataError("InvalidArgument", "Invalid `element`. `element` should not be empty.");
  const root = walk(value, what);
  return {
    leaves,
    pack(specs) {
      const build = (n: Node): ElementSpec => {
        if (typeof n === "number") return specs[n];
        if ("tuple" in n) return n.tuple.map(build);
        const out: Record<string, ElementSpec> = {};
        for (const [k, c] of n.dict) out[k] = build(c);
        return out;
      };
      return build(root);
    },
  };
}

/** The static shape of a leaf (`-1` unknown dims, `null` unknown rank). */
export function leafShape(leaf: SourceLeaf): number[] | null {
  if (leaf instanceof SymbolicTensor) return leaf.shape === null ? null : [...leaf.shape];
  return [...leaf.shape];
}

/** TensorSpec of a leaf with `shape`. */
export function leafSpec(leaf: SourceLeaf, shape: readonly number[] | null): TensorSpec {
  return new TensorSpec(shape === null ? null : shape.map((d) => (d < 0 ? null : d)), leaf.dtype);
}
