// FunctionDefs built the way TF writes them (Const nodes feeding shape operands, Identity on the
// outputs) lower through lowerFunction and run in the core; runtime kernel errors fail a dataset
// iterator with InvalidArgument.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { FunctionDefSchema, type FunctionDef } from "../../../src/gen/tensorflow/core/framework/function_pb.js";
import { NodeDefSchema, type NodeDef } from "../../../src/gen/tensorflow/core/framework/node_def_pb.js";
import { OpDef_ArgDefSchema, OpDefSchema } from "../../../src/gen/tensorflow/core/framework/op_def_pb.js";
import { TensorProtoSchema } from "../../../src/gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema, TensorShapeProto_DimSchema } from "../../../src/gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../../../src/gen/tensorflow/core/framework/types_pb.js";
import type { AttrValue } from "../../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import { loadCore } from "../../../src/core/core.js";
import { DType } from "../../../src/core/dtype.js";
import { TfDataError } from "../../../src/core/errors.js";
import { Tensor } from "../../../src/core/tensor.js";
import { attrBool, attrTensor, attrType } from "../../../src/graph/attr-value.js";
import { lowerFunction } from "../../../src/graph/lower-function.js";
import { ensureBuiltinOps } from "../../../src/graph/ops/all.js";
import { kernelRunner } from "../../core/kernels/harness.js";

function shape(dims: number[]) {
  return create(TensorShapeProtoSchema, { dim: dims.map((d) => create(TensorShapeProto_DimSchema, { size: BigInt(d) })) });
}

function constNode(name: string, dtype: DType, dims: number[], init: Record<string, unknown>): NodeDef {
  const value = create(TensorProtoSchema, { dtype: dtype as DataType, tensorShape: shape(dims), ...init });
  return create(NodeDefSchema, { name, op: "Const", attr: { dtype: attrType(dtype), value: attrTensor(value) } });
}

function node(name: string, op: string, input: string[], attr: Record<string, AttrValue>): NodeDef {
  return create(NodeDefSchema, { name, op, input, attr });
}

function fdef(args: [string, DType][], outs: [string, DType, string][], nodes: NodeDef[]): FunctionDef {
  return create(FunctionDefSchema, {
    signature: create(OpDefSchema, {
      name: "f",
      inputArg: args.map(([name, t]) => create(OpDef_ArgDefSchema, { name, type: t as DataType })),
      outputArg: outs.map(([name, t]) => create(OpDef_ArgDefSchema, { name, type: t as DataType })),
    }),
    nodeDef: nodes,
    ret: Object.fromEntries(outs.map(([name, , ref]) => [name, ref])),
  });
}

test("Const operands (tensor_content, repeated *_val fill, strings) feed kernels", async () => {
  ensureBuiltinOps();
  const f = fdef(
    [["x", DType.float32]],
    [["y", DType.float32, "id:output:0"], ["s", DType.string, "join:z:0"], ["m", DType.float32, "mean:output:0"]],
    [
      // shape [2, 3] as tensor_content (int32 little-endian)
      constNode("shape", DType.int32, [2], { tensorContent: new Uint8Array([2, 0, 0, 0, 3, 0, 0, 0]) }),
      node("reshape", "Reshape", ["x", "shape:output:0"], { T: attrType(DType.float32), Tshape: attrType(DType.int32) }),
      // a [3] float constant written as one float_val: TF repeats the last value
      constNode("half", DType.float32, [3], { floatVal: [0.5] }),
      node("mul", "Mul", ["reshape:output:0", "half:output:0"], { T: attrType(DType.float32) }),
      node("id", "Identity", ["mul:z:0"], { T: attrType(DType.float32) }),
      constNode("a", DType.string, [], { stringVal: [new TextEncoder().encode("ab")] }),
      constNode("b", DType.string, [2], { stringVal: [new TextEncoder().encode("c"), new TextEncoder().encode("")] }),
      node("join", "Add", ["a:output:0", "b:output:0"], { T: attrType(DType.string) }),
      constNode("axis", DType.int64, [], { int64Val: [-1n] }),
      node("mean", "Mean", ["reshape:output:0", "axis:output:0"], {
        T: attrType(DType.float32), Tidx: attrType(DType.int64), keep_dims: attrBool(true),
      }),
    ],
  );
  const lowered = lowerFunction(f, [{ dtype: DType.float32, shape: [6] }], "test");
  assert.equal(lowered.outputTypes, [DType.float32, DType.string, DType.float32]);
  const r = await kernelRunner();
  const [y, s, m] = r.run(lowered.plan, [Tensor.fromValues([1, 2, 3, 4, 5, 6], DType.float32)]);
  assert.equal(y.shape, [2, 3]);
  assert.equal(y.toJS(), [[0.5, 1, 1.5], [2, 2.5, 3]]);
  assert.equal(s.toJS(), ["abc", "ab"]);
  assert.equal(m.shape, [2, 1]);
  assert.equal(m.toJS(), [[2], [5]]);
});

test("an unsupported dtype is rejected at lowering, naming the node", () => {
  ensureBuiltinOps();
  const f = fdef([["x", DType.uint32]], [["y", DType.uint32, "clip:output:0"]], [
    node("clip", "ClipByValue", ["x", "x", "x"], { T: attrType(DType.uint32) }),
  ]);
  try {
    lowerFunction(f, [{ dtype: DType.uint32, shape: [] }], "node 'MapDataset/_1' (MapDataset)");
    assert.unreachable("lowering should fail");
  } catch (e) {
    assert.instance(e, TfDataError);
    assert.is((e as TfDataError).code, "NotFound");
    assert.match((e as Error).message, "node 'clip' (ClipByValue)");
    assert.match((e as Error).message, "Could not find device for node: {{node clip}} = ClipByValue[T=DT_UINT32]");
  }
});

test("a runtime kernel error fails the iterator with InvalidArgument (Reshape size mismatch)", async () => {
  ensureBuiltinOps();
  const f = fdef([["x", DType.int64]], [["y", DType.int64, "reshape:output:0"]], [
    constNode("shape", DType.int32, [1], { intVal: [2] }),
    node("reshape", "Reshape", ["x", "shape:output:0"], { T: attrType(DType.int64), Tshape: attrType(DType.int32) }),
  ]);
  const lowered = lowerFunction(f, [{ dtype: DType.int64, shape: [] }], "test");
  const core = await loadCore();
  const it = core.createIterator({
    op: "map",
    input: { op: "range", start: 0n, stop: 3n, step: 1n, dtype: DType.int64 },
    fn: lowered.plan,
  });
  try {
    it.next();
    assert.unreachable("the element should fail");
  } catch (e) {
    assert.instance(e, TfDataError);
    assert.is((e as TfDataError).code, "InvalidArgument");
    assert.match((e as Error).message, "Input to reshape is a tensor with 1 values, but the requested shape has 2");
  } finally {
    it.close();
  }
  assert.is(core.broken, null, "the core keeps working after a kernel error (no trap)");
});

test("integer division by zero inside a map fails the element, the core stays usable", async () => {
  ensureBuiltinOps();
  const f = fdef([["x", DType.int64]], [["y", DType.int64, "div:z:0"]], [
    constNode("zero", DType.int64, [], { int64Val: [0n] }),
    node("div", "FloorDiv", ["x", "zero:output:0"], { T: attrType(DType.int64) }),
  ]);
  const lowered = lowerFunction(f, [{ dtype: DType.int64, shape: [] }], "test");
  const core = await loadCore();
  const it = core.createIterator({ op: "map", input: { op: "range", start: 0n, stop: 3n, step: 1n, dtype: DType.int64 }, fn: lowered.plan });
  assert.throws(() => it.next(), (e: unknown) => e instanceof TfDataError && e.code === "InvalidArgument" &&
    /Integer division by zero/.test(e.message));
  it.close();
  const ok = core.createIterator({ op: "range", start: 0n, stop: 2n, step: 1n, dtype: DType.int64 });
  assert.equal(ok.next()!.map((t) => t.toJS()), [0n]);
  ok.close();
});

test.run();
