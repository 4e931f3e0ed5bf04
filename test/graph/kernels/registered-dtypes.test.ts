// The tensor kernel ops accept exactly the dtypes TF 2.21 registers CPU kernels for (restricted
// to the dtypes the core has), and reject the others at lowering with TF's kind of message.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { NodeDefSchema } from "../../../src/gen/tensorflow/core/framework/node_def_pb.js";
import type { AttrValue } from "../../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import { DType, dtypeName } from "../../../src/core/dtype.js";
import { TfDataError } from "../../../src/core/errors.js";
import { attrInt, attrType } from "../../../src/graph/attr-value.js";
import { NodeAttrs } from "../../../src/graph/node-attrs.js";
import { ensureBuiltinOps } from "../../../src/graph/ops/all.js";
import { kernelOp, type KernelLowerContext } from "../../../src/graph/ops/registry.js";
import { FIXTURE_DIR } from "../../core/kernels/fixtures.js";

const { cpu_kernels: registered, op_defs: opDefs } = JSON.parse(readFileSync(join(FIXTURE_DIR, "registered.json"), "utf8")) as {
  cpu_kernels: Record<string, Record<string, number[]>>;
  op_defs: Record<string, Record<string, number[]>>;
};

const ALL: DType[] = [
  DType.float32, DType.float64, DType.float16, DType.bfloat16, DType.int8, DType.int16, DType.int32, DType.int64,
  DType.uint8, DType.uint16, DType.uint32, DType.uint64, DType.bool, DType.string,
];
const I32 = DType.int32, I64 = DType.int64, F32 = DType.float32;

/** op -> [number of inputs, base attrs (a valid node)]. */
const BASE: Record<string, [number, Record<string, number>]> = {
  LogicalAnd: [2, {}], LogicalOr: [2, {}], LogicalNot: [1, {}],
  ClipByValue: [3, { T: F32 }], SelectV2: [3, { T: F32 }], Select: [3, { T: F32 }],
  Reshape: [2, { T: F32, Tshape: I32 }], ExpandDims: [2, { T: F32, Tdim: I32 }], Squeeze: [1, { T: F32 }],
  Pack: [2, { T: F32, N: 2 }], ConcatV2: [3, { T: F32, N: 2, Tidx: I32 }],
  StridedSlice: [4, { T: F32, Index: I32 }], Slice: [3, { T: F32, Index: I32 }],
  GatherV2: [3, { Tparams: F32, Tindices: I32, Taxis: I32 }], Transpose: [2, { T: F32, Tperm: I32 }],
  Tile: [2, { T: F32, Tmultiples: I32 }], Fill: [2, { T: F32, index_type: I32 }],
  ZerosLike: [1, { T: F32 }], OnesLike: [1, { T: F32 }], Range: [3, { Tidx: I32 }],
  Shape: [1, { T: F32, out_type: I32 }], Size: [1, { T: F32, out_type: I32 }], Rank: [1, { T: F32 }],
  All: [2, { Tidx: I32 }], Any: [2, { Tidx: I32 }],
  ArgMax: [2, { T: F32, Tidx: I32, output_type: I64 }], ArgMin: [2, { T: F32, Tidx: I32, output_type: I64 }],
  OneHot: [4, { T: F32, TI: I64 }], StringToNumber: [1, { out_type: F32 }], AsString: [1, { T: F32 }],
};
for (const op of ["AddV2", "Add", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Pow", "Maximum", "Minimum", "Equal",
  "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"]) BASE[op] = [2, { T: F32 }];
for (const op of ["Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Round", "Floor", "Ceil", "Sign"]) BASE[op] = [1, { T: F32 }];
for (const op of ["Sum", "Mean", "Max", "Min", "Prod"]) BASE[op] = [2, { T: F32, Tidx: I32 }];

/**
 * Where TF registers a kernel for every dtype but the kernel itself refuses some: Tile has no
 * uint16 case. (A dtype must also be allowed by the op's OpDef.)
 */
const UNCONSTRAINED_EXCEPTIONS: Record<string, Record<string, DType[]>> = {
  Tile: { T: ALL.filter((d) => d !== DType.uint16) },
};

function lower(op: string, inputs: number, attrs: Record<string, number>): TfDataError | null {
  const attr: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) attr[k] = k === "N" ? attrInt(v) : attrType(v);
  const node = create(NodeDefSchema, { name: "n", op, input: Array.from({ length: inputs }, (_, i) => `a${i}`), attr });
  const ctx: KernelLowerContext = {
    node,
    where: `node 'n' (${op})`,
    attrs: new NodeAttrs(node.attr, `node 'n' (${op})`),
    inputCount: inputs,
    inputTypes: Array.from({ length: inputs }, () => F32),
    error: (code, message) => new TfDataError(code, message),
  };
  try {
    kernelOp(op)!.lower(ctx);
    return null;
  } catch (e) {
    if (e instanceof TfDataError) return e;
    throw e;
  }
}

test("every op of issue 3 §2 has a kernel op and a core kernel", () => {
  ensureBuiltinOps();
  for (const op of Object.keys(BASE)) assert.ok(kernelOp(op), `kernel op ${op} is registered`);
  assert.ok(kernelOp("Cast") && kernelOp("Const") && kernelOp("Identity"));
});

test("lowering accepts exactly TF's CPU kernel dtypes", () => {
  ensureBuiltinOps();
  const problems: string[] = [];
  let checked = 0;
  for (const [op, [inputs, base]] of Object.entries(BASE)) {
    const constraints = registered[op] ?? {};
    for (const attr of Object.keys(base)) {
      if (attr === "N") continue;
      const opDef = opDefs[op]?.[attr] ?? ALL;
      const kernel = constraints[attr] ?? UNCONSTRAINED_EXCEPTIONS[op]?.[attr] ?? ALL;
      const allowed = kernel.filter((d) => opDef.includes(d));
      for (const d of ALL) {
        const err = lower(op, inputs, { ...base, [attr]: d });
        checked++;
        const want = allowed.includes(d);
        if (want && err) problems.push(`${op} ${attr}=${dtypeName(d)} rejected: ${err.message}`);
        if (!want && !err) problems.push(`${op} ${attr}=${dtypeName(d)} accepted, TF has no CPU kernel for it`);
        if (!want && err && !["NotFound", "Unimplemented", "InvalidArgument"].includes(err.code)) {
          problems.push(`${op} ${attr}=${dtypeName(d)}: unexpected code ${err.code}`);
        }
      }
    }
  }
  assert.ok(checked > 500, `checked ${checked} combinations`);
  assert.equal(problems, []);
});

test("a dtype without a TF kernel is named with the node and the registered list", () => {
  ensureBuiltinOps();
  const err = lower("ClipByValue", 3, { T: DType.uint32 });
  assert.ok(err);
  assert.is(err!.code, "NotFound");
  assert.match(err!.message, "Could not find device for node: {{node n}} = ClipByValue[T=DT_UINT32]");
  assert.match(err!.message, "T in [DT_BFLOAT16, DT_HALF, DT_FLOAT, DT_DOUBLE");
});

test.run();
