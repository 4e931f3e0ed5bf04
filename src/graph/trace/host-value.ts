/**
 * Constant values known at trace time, and TF's rules for turning JS values into them.
 *
 * A traced function captures JS constants (`x.mul(2)`, `constant([1, 2])`) as `Const` nodes. TF
 * converts Python values with numpy's rules plus its own defaults (`make_tensor_proto`): a list of
 * Python ints becomes int32 (int64 if a value does not fit), a float becomes float32, and a
 * requested dtype must be compatible (an int dtype rejects 2.5). A JS number is a Python `int`
 * when it is integer-valued and a Python `float` otherwise; `float(2)` marks an integer-valued
 * number as a float. TypedArrays and core `Tensor`s behave like numpy arrays: their dtype is
 * fixed and a requested dtype casts them (numpy `astype`).
 *
 * The same values feed shape inference (a `Reshape` whose shape is a constant has a static
 * shape), so they are kept as flat JS arrays: int64/uint64 as bigint, other ints and floats as
 * number, bool as boolean, strings as UTF-8 bytes.
 */
import { create } from "@bufbuild/protobuf";
import { TensorProtoSchema, type TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema } from "../../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { DType, dtypeName, dtypeSize } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from "../../core/js-values.js";
import { Tensor } from "../../core/tensor.js";

/** One element of a host value. */
export type HostScalar = number | bigint | boolean | Uint8Array;

/**
 * A constant tensor known while tracing. `values` has one entry per element, or a single entry
 * that fills the whole shape (TF's `tf.constant(0, shape=[2, 3])` stores one value).
 */
export interface HostValue {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: readonly HostScalar[];
}

/** A JS number TF should treat as a Python `float` even when it is integer-valued: `float(2)`. */
export class FloatLiteral {
  constructor(readonly value: number) {}
}

/** Marks `value` as a float literal (`x.mul(float(2))` is TF's `x * 2.0`). */
export function float(value: number): FloatLiteral {
  return new FloatLiteral(value);
}

/** A JS value the tracer can turn into a constant. */
export type JsConstant =
  | number | bigint | boolean | string | FloatLiteral
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | Float32Array | Float64Array
  | Tensor
  | readonly JsConstant[];

const INTEGER: ReadonlySet<DType> = new Set([DType.int8, DType.int16, DType.int32, DType.int64,
  DType.uint8, DType.uint16, DType.uint32, DType.uint64]);
const FLOATING: ReadonlySet<DType> = new Set([DType.float16, DType.bfloat16, DType.float32, DType.float64]);

/** Whether `d` is an integer dtype (signed or unsigned). */
export function isInteger(d: DType): boolean {
  return INTEGER.has(d);
}

/** Whether `d` is a real floating-point dtype. */
export function isFloating(d: DType): boolean {
  return FLOATING.has(d);
}

/** Whether `d` is complex. */
export function isComplex(d: DType): boolean {
  return d === DType.complex64 || d === DType.complex128;
}

/** Number of elements of a static shape. */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function intBits(d: DType): [bits: number, signed: boolean] {
  switch (d) {
    case DType.int8: return [8, true];
    case DType.int16: return [16, true];
    case DType.int32: return [32, true];
    case DType.int64: return [64, true];
    case DType.uint8: return [8, false];
    case DType.uint16: return [16, false];
    case DType.uint32: return [32, false];
    default: return [64, false];
  }
}

/** `v` wrapped into integer dtype `d` (two's complement), as numpy and TF's converters do. */
export function wrapInt(v: bigint, d: DType): number | bigint {
  const [bits, signed] = intBits(d);
  const w = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
  return bits === 64 ? w : Number(w);
}

/** `x` rounded to the precision of floating dtype `d`. */
export function roundFloat(x: number, d: DType): number {
  switch (d) {
    case DType.float32: return Math.fround(x);
    case DType.float16: return f16BitsToNumber(numberToF16Bits(x));
    case DType.bfloat16: return bf16BitsToNumber(numberToBf16Bits(x));
    default: return x;
  }
}

const utf8 = new TextEncoder();

type LeafKind = "int" | "float" | "bool" | "str" | "bigint";

function leafKind(v: unknown): LeafKind | null {
  if (typeof v === "boolean") return "bool";
  if (typeof v === "bigint") return "bigint";
  if (typeof v === "string") return "str";
  if (v instanceof FloatLiteral) return "float";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  return null;
}

/** Python-like text of a JS value, for TF-style messages (`2.5`, `'abc'`, `[1, 2]`). */
export function pyRepr(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof FloatLiteral) return Number.isInteger(v.value) ? `${v.value}.0` : String(v.value);
  if (typeof v === "number") return Number.isNaN(v) ? "nan" : !Number.isFinite(v) ? (v > 0 ? "inf" : "-inf") : String(v);
  if (v instanceof Tensor) return `Tensor(${v.toString()})`;
  if (ArrayBuffer.isView(v)) return `array(${v.constructor.name})`;
  return String(v);
}

function pyTypeName(kind: LeafKind): string {
  return kind === "bigint" ? "int" : kind;
}

function typedArrayDType(v: ArrayBufferView): DType | null {
  if (v instanceof Int8Array) return DType.int8;
  if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) return DType.uint8;
  if (v instanceof Int16Array) return DType.int16;
  if (v instanceof Uint16Array) return DType.uint16;
  if (v instanceof Int32Array) return DType.int32;
  if (v instanceof Uint32Array) return DType.uint32;
  if (v instanceof BigInt64Array) return DType.int64;
  if (v instanceof BigUint64Array) return DType.uint64;
  if (v instanceof Float32Array) return DType.float32;
  if (v instanceof Float64Array) return DType.float64;
  return null;
}

/** A conversion failure: TF raises TypeError/ValueError; callers may retry without a dtype hint. */
function convertError(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

/** Whether `v` is a numpy-like array (TypedArray or core Tensor) rather than a Python-like value. */
export function isArrayLike(v: unknown): v is Tensor | ArrayBufferView {
  return v instanceof Tensor || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function arrayLikeValue(v: Tensor | ArrayBufferView): HostValue {
  if (v instanceof Tensor) {
    const data = v.data;
    let values: HostScalar[];
    if (Array.isArray(data)) values = [...(data as readonly Uint8Array[])];
    else if (v.dtype === DType.float16) values = Array.from(data as Uint16Array, f16BitsToNumber);
    else if (v.dtype === DType.bfloat16) values = Array.from(data as Uint16Array, bf16BitsToNumber);
    else if (v.dtype === DType.bool) values = Array.from(data as Uint8Array, (b) => b !== 0);
    else values = Array.from(data as ArrayLike<number | bigint>);
    return { dtype: v.dtype, shape: [...v.shape], values };
  }
  const dtype = typedArrayDType(v);
  if (dtype === null) throw convertError(`cannot convert a ${v.constructor.name} to a tensor`);
  return { dtype, shape: [(v as unknown as ArrayLike<unknown>).length], values: Array.from(v as unknown as ArrayLike<number | bigint>) };
}

/** Dense dims of a nested JS array (TF's `_GetDenseDimensions` + numpy's rectangularity check). */
function denseShape(v: unknown, where: unknown): number[] {
  if (!Array.isArray(v)) return [];
  if (v.length === 0) return [0];
  const inner = denseShape(v[0], where);
  for (const item of v) {
    const s = denseShape(item, where);
    if (s.length !== inner.length || s.some((d, i) => d !== inner[i])) {
      throw convertError(`Can't convert non-rectangular Python sequence to Tensor: ${pyRepr(where)}`);
    }
  }
  return [v.length, ...inner];
}

function flattenLeaves(v: unknown, out: unknown[]): unknown[] {
  if (Array.isArray(v)) for (const item of v) flattenLeaves(item, out);
  else out.push(v);
  return out;
}

/** Casts one JS leaf to an element of `dtype`, numpy style (ints wrap, floats round). */
function castLeaf(v: unknown, dtype: DType): HostScalar {
  const num = v instanceof FloatLiteral ? v.value : v;
  if (dtype === DType.string) {
    if (typeof num === "string") return utf8.encode(num);
    if (num instanceof Uint8Array) return num;
    throw convertError(`Expected string, but got ${pyRepr(v)}`);
  }
  if (dtype === DType.bool) return typeof num === "bigint" ? num !== 0n : Boolean(num);
  const n = typeof num === "boolean" ? (num ? 1 : 0) : num;
  if (isInteger(dtype)) {
    const big = typeof n === "bigint" ? n : BigInt(Math.trunc(Number(n)));
    return wrapInt(big, dtype);
  }
  if (isFloating(dtype)) return roundFloat(Number(n), dtype);
  throw convertError(`conversion of constants to ${dtypeName(dtype)} is not supported`);
}

/** numpy's `astype`: `v` as `dtype`, element by element. */
export function astype(v: HostValue, dtype: DType): HostValue {
  if (v.dtype === dtype) return v;
  if ((v.dtype === DType.string) !== (dtype === DType.string)) {
    throw convertError(`cannot cast a ${dtypeName(v.dtype)} array to ${dtypeName(dtype)}`);
  }
  return { dtype, shape: v.shape, values: v.values.map((x) => castLeaf(x, dtype)) };
}

/** TF's `_AssertCompatible`: every leaf must suit `dtype` (an int dtype rejects 2.5). */
function assertCompatible(leaves: readonly unknown[], kinds: readonly LeafKind[], dtype: DType): void {
  for (let i = 0; i < leaves.length; i++) {
    const k = kinds[i];
    let ok: boolean;
    if (isInteger(dtype)) ok = k === "int" || k === "bigint" || k === "bool";
    else if (isFloating(dtype) || isComplex(dtype)) ok = k !== "str";
    else if (dtype === DType.bool) ok = k === "bool";
    else if (dtype === DType.string) ok = k === "str";
    else ok = false;
    if (!ok) {
      throw convertError(`Expected ${dtypeName(dtype)}, but got ${pyRepr(leaves[i])} of type '${pyTypeName(k)}'.`);
    }
  }
}

/** The dtype numpy + TF infer for Python-like leaves without a requested dtype. */
function inferDType(leaves: readonly unknown[], kinds: readonly LeafKind[], whole: unknown): DType {
  if (kinds.length === 0) return DType.float32; // np.array([]) is float64, which TF narrows
  const has = (k: LeafKind) => kinds.includes(k);
  if (has("str")) {
    if (kinds.every((k) => k === "str")) return DType.string;
    throw convertError(`Failed to convert elements of ${pyRepr(whole)} to Tensor. Consider casting elements to a supported type.`);
  }
  if (kinds.every((k) => k === "bool")) return DType.bool;
  if (has("float")) return DType.float32;
  if (has("bigint")) return DType.int64;
  // Python ints: int64, narrowed to int32 when every value fits.
  const fits = leaves.every((v) => {
    const n = typeof v === "boolean" ? 0 : Number(v);
    return n >= -2147483648 && n <= 2147483647;
  });
  return fits ? DType.int32 : DType.int64;
}

/**
 * A JS value as a constant, with TF's conversion rules (`tf.constant(value, dtype)`).
 * Throws InvalidArgument with TF's message when the value does not suit `dtype`.
 */
export function hostValueFromJs(value: unknown, dtype?: DType): HostValue {
  if (isArrayLike(value)) {
    const v = arrayLikeValue(value);
    return dtype === undefined ? v : astype(v, dtype);
  }
  const shape = denseShape(value, value);
  const leaves = flattenLeaves(value, []);
  const kinds = leaves.map((leaf) => {
    const k = leafKind(leaf);
    if (k === null) throw convertError(`Attempt to convert a value (${pyRepr(leaf)}) with an unsupported type to a Tensor.`);
    return k;
  });
  if (dtype !== undefined) assertCompatible(leaves, kinds, dtype);
  const target = dtype ?? inferDType(leaves, kinds, value);
  return { dtype: target, shape, values: leaves.map((leaf) => castLeaf(leaf, target)) };
}

/** The flat elements of `v` expanded to its full shape (a single fill value repeated). */
export function fullValues(v: HostValue): HostScalar[] {
  const n = numElements(v.shape);
  if (v.values.length === n) return [...v.values];
  if (v.values.length === 0) return new Array<HostScalar>(n).fill(zeroOf(v.dtype));
  // TF fills the rest with the last value given.
  const out = [...v.values];
  while (out.length < n) out.push(v.values[v.values.length - 1]);
  return out;
}

/** The zero of `dtype`. */
export function zeroOf(dtype: DType): HostScalar {
  if (dtype === DType.bool) return false;
  if (dtype === DType.string) return new Uint8Array(0);
  if (dtype === DType.int64 || dtype === DType.uint64) return 0n;
  return 0;
}

/** The values of an integer host value as JS numbers (for axes, shapes, sizes). */
export function intValues(v: HostValue): number[] {
  return fullValues(v).map((x) => Number(x));
}

/** Dtypes TF stores as raw `tensor_content` bytes when a constant has several values. */
const TENSOR_CONTENT_TYPES: ReadonlySet<DType> = new Set([DType.float16, DType.float32, DType.float64,
  DType.int32, DType.uint8, DType.int16, DType.int8, DType.int64, DType.uint32, DType.uint64, DType.bfloat16]);

function contentBytes(v: HostValue): Uint8Array {
  const size = dtypeSize(v.dtype);
  const out = new Uint8Array(v.values.length * size);
  const view = new DataView(out.buffer);
  v.values.forEach((x, i) => {
    const o = i * size;
    switch (v.dtype) {
      case DType.float16: view.setUint16(o, numberToF16Bits(Number(x)), true); break;
      case DType.bfloat16: view.setUint16(o, numberToBf16Bits(Number(x)), true); break;
      case DType.float32: view.setFloat32(o, Number(x), true); break;
      case DType.float64: view.setFloat64(o, Number(x), true); break;
      case DType.int8: view.setInt8(o, Number(x)); break;
      case DType.uint8: view.setUint8(o, Number(x)); break;
      case DType.int16: view.setInt16(o, Number(x), true); break;
      case DType.int32: view.setInt32(o, Number(x), true); break;
      case DType.uint32: view.setUint32(o, Number(x), true); break;
      case DType.int64: view.setBigInt64(o, BigInt(x as bigint), true); break;
      case DType.uint64: view.setBigUint64(o, BigInt(x as bigint), true); break;
    }
  });
  return out;
}

/**
 * The `TensorProto` TF writes for a constant (`make_tensor_proto`): raw `tensor_content` when
 * every element is given, there are several and the dtype is a fixed-width number; otherwise the
 * typed `*_val` field with the values as given (one value may fill a larger shape).
 */
export function tensorProtoOf(v: HostValue): TensorProto {
  const t = create(TensorProtoSchema, {
    dtype: v.dtype as DataType,
    tensorShape: create(TensorShapeProtoSchema, { dim: v.shape.map((size) => ({ size: BigInt(size) })) }),
  });
  const n = numElements(v.shape);
  if (v.values.length === n && n > 1 && TENSOR_CONTENT_TYPES.has(v.dtype)) {
    t.tensorContent = contentBytes(v);
    return t;
  }
  const nums = () => v.values.map((x) => Number(x));
  switch (v.dtype) {
    case DType.float32: t.floatVal = nums(); break;
    case DType.float64: t.doubleVal = nums(); break;
    case DType.float16: t.halfVal = v.values.map((x) => numberToF16Bits(Number(x))); break;
    case DType.bfloat16: t.halfVal = v.values.map((x) => numberToBf16Bits(Number(x))); break;
    case DType.int8: case DType.int16: case DType.int32: case DType.uint8: case DType.uint16: t.intVal = nums(); break;
    case DType.uint32: t.uint32Val = nums(); break;
    case DType.int64: t.int64Val = v.values.map((x) => BigInt(x as bigint)); break;
    case DType.uint64: t.uint64Val = v.values.map((x) => BigInt(x as bigint)); break;
    case DType.bool: t.boolVal = v.values.map((x) => Boolean(x)); break;
    case DType.string: t.stringVal = v.values.map((x) => x as Uint8Array); break;
    default:
      throw new TfDataError("Unimplemented", `constants of dtype ${dtypeName(v.dtype)} are not supported`);
  }
  return t;
}
