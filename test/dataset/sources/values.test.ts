// JS values as dataset sources: the tensor/tuple/dict rule, TF's dtype inference, the Const
// encoding TF uses (typed field for <= 1 element, tensor_content above), and nested elements end
// to end through toArray() and async iteration.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../../src/core/dtype.js";
import { isTfDataError } from "../../../src/core/errors.js";
import { Tensor } from "../../../src/core/tensor.js";
import { Dataset, TensorSpec, isTuple, tuple } from "../../../src/dataset/index.js";
import { normalizeElement, toTensor } from "../../../src/dataset/source-values.js";
import { constTensorProto, tensorContent } from "../../../src/graph/ops/const-tensor.js";

const code = (c: string, re?: RegExp) => (e: unknown) => isTfDataError(e) && e.code === c && (re === undefined || re.test(e.message));
const dtypeOf = (v: unknown) => toTensor(v, "v").dtype;

test("numbers infer as Python values do: int32, int64 past int32, float32 for non-integers", () => {
  assert.is(dtypeOf(7), DType.int32);
  assert.is(dtypeOf(-(2 ** 31)), DType.int32);
  assert.is(dtypeOf(2 ** 31), DType.int64);
  assert.is(dtypeOf(-(2 ** 31) - 1), DType.int64);
  assert.is(dtypeOf(2.5), DType.float32);
  assert.is(dtypeOf(NaN), DType.float32);
  assert.is(dtypeOf(-Infinity), DType.float32);
  assert.is(dtypeOf([1, 2 ** 40]), DType.int64);
  assert.is(dtypeOf([1, 2.5]), DType.float32);
  assert.is(dtypeOf([]), DType.float32);
  assert.is(dtypeOf([[], []]), DType.float32);
  assert.equal(toTensor([[], []], "v").shape, [2, 0]);
});

test("bigints are int64, booleans bool, strings UTF-8 string; typed arrays and Tensors keep their dtype", () => {
  assert.is(dtypeOf(5n), DType.int64);
  assert.is(dtypeOf([1n, 2]), DType.int64);
  assert.is(dtypeOf(true), DType.bool);
  assert.is(dtypeOf(["a", "b"]), DType.string);
  assert.equal([...(toTensor("\u00e9", "v").data as Uint8Array[])[0]], [0xc3, 0xa9]);
  assert.is(dtypeOf(Uint8Array.of(1, 2)), DType.uint8);
  assert.is(dtypeOf(Float64Array.of(1)), DType.float64);
  assert.is(dtypeOf(BigUint64Array.of(1n)), DType.uint64);
  assert.is(dtypeOf(Tensor.fromValues([1, 2], DType.int16)), DType.int16);
  // An array of typed arrays stacks them, as a Python list of numpy arrays.
  const stacked = toTensor([Int16Array.of(1, 2), Int16Array.of(3, 4)], "v");
  assert.is(stacked.dtype, DType.int16);
  assert.equal(stacked.shape, [2, 2]);
  assert.equal([...(stacked.data as Int16Array)], [1, 2, 3, 4]);
});

test("values TF cannot convert are rejected with a message naming the problem", () => {
  assert.throws(() => toTensor([1, "a"], "v"), code("InvalidArgument", /mixes/));
  assert.throws(() => toTensor([true, 1], "v"), code("InvalidArgument", /mixes/));
  assert.throws(() => toTensor([1n, 1.5], "v"), code("InvalidArgument", /bigints and non-integer/));
  assert.throws(() => toTensor([[1, 2], [3]], "v"), code("InvalidArgument", /non-rectangular/));
  assert.throws(() => toTensor(2n ** 63n, "v"), code("InvalidArgument", /out-of-range integer/));
  assert.throws(() => toTensor([tuple(1, 2)], "v"), code("InvalidArgument", /tuple\(\.\.\.\) cannot be inside a tensor/));
  assert.throws(() => toTensor({ a: 1 }, "v"), code("InvalidArgument", /cannot convert/));
  assert.throws(() => Dataset.fromTensors(null), code("InvalidArgument"));
  assert.throws(() => Dataset.fromTensors({}), code("InvalidArgument", /should not be empty/));
  assert.throws(() => Dataset.fromTensors(new Date()), code("InvalidArgument", /cannot convert/));
});

test("typed arrays are copied: changing them later does not change the dataset", async () => {
  const a = Int32Array.of(1, 2, 3);
  const ds = Dataset.fromTensorSlices(a);
  a[0] = 99;
  assert.equal(await ds.toArray(), [1, 2, 3]);
});

test("tuple() marks a structure; arrays stay tensors; objects are dicts flattened by sorted key", () => {
  const t = tuple(1, [2, 3]);
  assert.ok(isTuple(t));
  assert.not.ok(isTuple([1, 2]));
  const el = normalizeElement({ b: tuple(1, "x"), a: [1.5] }, "v");
  // Leaves in TF's flattening order: a, then b's tuple.
  assert.equal(el.leaves.map((l) => l.dtype), [DType.float32, DType.int32, DType.string]);
  const spec = el.pack(el.leaves.map((l) => new TensorSpec([...(l as Tensor).shape], l.dtype)));
  // The spec keeps the given key order, as TF's element_spec does.
  assert.equal(Object.keys(spec as object), ["b", "a"]);
});

test("Const encoding: one element in the typed field, more in tensor_content (TF's SetAttrValue)", () => {
  assert.equal(constTensorProto(toTensor(7, "v")).intVal, [7]);
  assert.equal(constTensorProto(toTensor([7], "v")).intVal, [7]);
  assert.is(constTensorProto(toTensor([7, 8], "v")).tensorContent.length, 8);
  assert.equal(constTensorProto(toTensor(5n, "v")).int64Val, [5n]);
  assert.equal(constTensorProto(toTensor(true, "v")).boolVal, [true]);
  assert.equal(constTensorProto(Tensor.scalar(1.5, DType.float16)).halfVal, [0x3e00]);
  assert.equal(constTensorProto(Tensor.scalar(7, DType.uint32)).uint32Val, [7]);
  assert.equal(constTensorProto(Tensor.scalar(7n, DType.uint64)).uint64Val, [7n]);
  assert.equal(constTensorProto(Tensor.scalar(0.1, DType.float64)).doubleVal, [0.1]);
  assert.equal([...constTensorProto(toTensor("ab", "v")).stringVal[0]], [97, 98]);
  const empty = constTensorProto(toTensor([], "v"));
  assert.is(empty.tensorContent.length + empty.floatVal.length, 0);
  // Strings: every length as a varint, then the bytes.
  assert.equal([...tensorContent(toTensor(["a", "bcd"], "v"))], [1, 3, 97, 98, 99, 100]);
  const long = "x".repeat(200);
  assert.equal([...tensorContent(toTensor([long, ""], "v"))].slice(0, 3), [0xc8, 0x01, 0]);
});

test("nested elements come back nested: tuples as arrays, dicts as objects, scalars as JS values", async () => {
  const ds = Dataset.fromTensorSlices(tuple({ a: [1, 2], b: tuple([true, false], ["p", "q"]) }, [1.5, 2.5]));
  const ts = (d: string) => `TensorSpec(shape=(), dtype=tf.${d}, name=None)`;
  assert.is(String(ds), `<Dataset element_spec=({'a': ${ts("int32")}, 'b': (${ts("bool")}, ${ts("string")})}, ${ts("float32")})>`);
  const els = await ds.toArray();
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(els, [
    [{ a: 1, b: [true, enc("p")] }, 1.5],
    [{ a: 2, b: [false, enc("q")] }, 2.5],
  ]);
  const seen: unknown[] = [];
  for await (const e of Dataset.zip({ x: Dataset.range(2), y: ds.batch(2) })) seen.push(e);
  assert.is(seen.length, 1);
  const e = seen[0] as { x: bigint; y: [{ a: Tensor; b: [Tensor, Tensor] }, Tensor] };
  assert.is(e.x, 0n);
  assert.equal(e.y[0].a.toJS(), [1, 2]);
  assert.equal(e.y[0].b[1].toJS(), ["p", "q"]);
  assert.equal(e.y[1].toJS(), [1.5, 2.5]);
});

test("fromTensorSlices checks ranks and leading dims as TF does, at construction", () => {
  assert.throws(() => Dataset.fromTensorSlices(1), code("InvalidArgument", /only supported for rank >= 1/));
  assert.throws(() => Dataset.fromTensorSlices(tuple([1], [1, 2])), code("InvalidArgument", /Dimensions 1 and 2 are not compatible/));
  assert.is(Dataset.fromTensorSlices(new Tensor(DType.int32, [0, 3], new Int32Array(0))).cardinality(), 0);
  assert.is(String(Dataset.fromTensorSlices([[1, 2, 3]]).elementSpec), "TensorSpec(shape=(3,), dtype=tf.int32, name=None)");
});

test.run();
