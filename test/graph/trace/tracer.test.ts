// Unit tests of the tracer's building blocks: TF's naming rules, JS value conversion and Const
// encoding, element structures, function names, and trace-time value folding.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../../src/core/dtype.js";
import { Tensor } from "../../../src/core/tensor.js";
import { FuncGraph } from "../../../src/graph/trace/func-graph.js";
import { hostValueFromJs, tensorProtoOf } from "../../../src/graph/trace/host-value.js";
import {
  constant, float, flattenStructure, packStructure, shape, tfFunctionName, traceFunction, type ElementStructure,
  type SymbolicTensor,
} from "../../../src/graph/trace/index.js";

test("unique names follow TF: case-insensitive, suffixes skip taken names, scopes nest", () => {
  const g = new FuncGraph();
  assert.is(g.uniqueName("Const"), "Const");
  assert.is(g.uniqueName("const"), "const_1");
  assert.is(g.uniqueName("a_1"), "a_1");
  assert.is(g.uniqueName("a"), "a");
  assert.is(g.uniqueName("a"), "a_2");
  g.nameScope(undefined, "mul", (scope) => {
    assert.is(scope, "mul/");
    assert.is(g.uniqueName("y"), "mul/y");
    assert.is(g.opName(scope), "mul");
  });
  g.nameScope(undefined, "mul", (scope) => assert.is(scope, "mul_1/"));
  g.nameScope("mul/", undefined, (scope) => {
    assert.is(scope, "mul/");
    assert.is(g.uniqueName("y"), "mul/y_1");
  });
});

test("JS values convert with TF's dtype rules", () => {
  assert.equal(hostValueFromJs([1, 2]), { dtype: DType.int32, shape: [2], values: [1, 2] });
  assert.is(hostValueFromJs(2 ** 40).dtype, DType.int64);
  assert.is(hostValueFromJs([1, 2.5]).dtype, DType.float32);
  assert.is(hostValueFromJs(float(2)).dtype, DType.float32);
  assert.is(hostValueFromJs(5n).dtype, DType.int64);
  assert.is(hostValueFromJs([true, false]).dtype, DType.bool);
  assert.is(hostValueFromJs("a").dtype, DType.string);
  assert.is(hostValueFromJs([]).dtype, DType.float32);
  // Requested dtypes: ints wrap as in TF (uint8 300 -> 44), floats round to the dtype.
  assert.equal(hostValueFromJs(300, DType.uint8).values, [44]);
  assert.equal(hostValueFromJs(-1, DType.uint8).values, [255]);
  assert.equal(hostValueFromJs(0.1, DType.float32).values, [Math.fround(0.1)]);
  assert.equal(hostValueFromJs(true, DType.float32).values, [1]);
  assert.throws(() => hostValueFromJs(2.5, DType.int64), /Expected int64, but got 2.5 of type 'float'/);
  assert.throws(() => hostValueFromJs(1, DType.bool), /Expected bool, but got 1 of type 'int'/);
  // TypedArrays and core Tensors are numpy-like: their dtype is kept, a requested one casts.
  assert.equal(hostValueFromJs(Float32Array.from([1.5, -2.5]), DType.int32), { dtype: DType.int32, shape: [2], values: [1, -2] });
  assert.equal(hostValueFromJs(Tensor.fromValues([[1, 2]], DType.int16)), { dtype: DType.int16, shape: [1, 2], values: [1, 2] });
});

test("Const tensors are encoded as TF's make_tensor_proto encodes them", () => {
  const many = tensorProtoOf(hostValueFromJs([1, 2], DType.int32));
  assert.equal([...many.tensorContent], [1, 0, 0, 0, 2, 0, 0, 0]);
  assert.equal(many.intVal, []);
  const one = tensorProtoOf(hostValueFromJs([7], DType.int64));
  assert.equal(one.int64Val, [7n]);
  const fill = tensorProtoOf({ dtype: DType.float32, shape: [2, 2], values: [0] });
  assert.equal(fill.floatVal, [0]);
  assert.equal(fill.tensorShape?.dim.map((d) => d.size), [2n, 2n]);
  assert.equal(tensorProtoOf(hostValueFromJs([true, false])).boolVal, [true, false]);
  assert.equal(tensorProtoOf(hostValueFromJs(2, DType.float16)).halfVal, [0x4000]);
  assert.equal(tensorProtoOf(hostValueFromJs(1, DType.uint16)).intVal, [1]);
  assert.equal(tensorProtoOf(hostValueFromJs(["a", "bc"])).stringVal.map((b) => new TextDecoder().decode(b)), ["a", "bc"]);
});

test("element structures flatten like TF's nest (dict keys sorted) and pack back", () => {
  const t = (dtype: DType) => ({ tensor: { dtype, shape: [] } });
  const s: ElementStructure = { tuple: [t(DType.int64), { dict: { z: t(DType.float32), a: { tuple: [t(DType.bool), t(DType.string)] } } }] };
  assert.equal(flattenStructure(s).map((c) => c.dtype), [DType.int64, DType.bool, DType.string, DType.float32]);
  assert.equal(packStructure(s, [1, 2, 3, 4]), [1, { a: [2, 3], z: 4 }]);
});

test("function names follow TF's __inference_<transformation>_<fn>_<uid>", () => {
  const a = tfFunctionName("Dataset.map", "");
  const b = tfFunctionName("Dataset.filter", "is even");
  assert.match(a, /^__inference_Dataset_map_lambda_\d+$/);
  assert.match(b, /^__inference_Dataset_filter_iseven_\d+$/);
  assert.is.not(a.split("_").pop(), b.split("_").pop());
});

test("a tuple element is spread into arguments; outputs keep their structure and shapes", () => {
  const input: ElementStructure = { tuple: [{ tensor: { dtype: DType.float32, shape: [-1, 3] } }, { tensor: { dtype: DType.int32, shape: [] } }] };
  const traced = traceFunction({
    name: "f", input,
    fn: (v: SymbolicTensor, i: SymbolicTensor) => ({ rows: v.index(i), n: shape(v).index(0) }),
  });
  assert.equal(traced.output, { dict: { n: { tensor: { dtype: DType.int32, shape: [] } }, rows: { tensor: { dtype: DType.float32, shape: [3] } } } });
  assert.equal(traced.functionDef.signature?.inputArg.map((a) => a.name), ["args_0", "args_1"]);
  assert.equal(traced.functionDef.signature?.outputArg.map((a) => a.name), ["identity", "identity_1"]);
  assert.equal(traced.functionDef.ret, { identity: "Identity:output:0", identity_1: "Identity_1:output:0" });
});

test("values known at trace time sharpen shapes: a known dim of tf.shape(x) is a constant", () => {
  const traced = traceFunction({
    name: "f", input: { tensor: { dtype: DType.float32, shape: [-1, 4] } },
    fn: (x: SymbolicTensor) => {
      const n = shape(x).index(1);
      assert.equal(n.value?.values, [4]);
      assert.is(shape(x).index(0).value, undefined);
      return x.reshape([n, -1]);
    },
  });
  assert.equal(traced.outputSpecs, [{ dtype: DType.float32, shape: [4, -1] }]);
});

test("filter predicates must return a scalar bool", () => {
  const traced = traceFunction({
    name: "p", input: { tensor: { dtype: DType.int64, shape: [] } }, predicate: true,
    fn: (x: SymbolicTensor) => x.greater(constant(1n)),
  });
  assert.equal(traced.outputSpecs, [{ dtype: DType.bool, shape: [] }]);
});

test.run();
