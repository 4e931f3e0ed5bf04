// The tracer's op table must equal TF 2.21's op registry (the OpDefs the fixture generator dumped):
// same inputs and outputs (names, fixed types, type/number attrs), same attrs (kind, default,
// allowed dtypes, minimum). The one deliberate difference: quantized dtypes (qint8, ...) are
// dropped from allowed lists, since we have no such dtypes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromBinary } from "@bufbuild/protobuf";
import { OpDefSchema, type OpDef } from "../../../src/gen/tensorflow/core/framework/op_def_pb.js";
import type { AttrValue } from "../../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import { DType } from "../../../src/core/dtype.js";
import { OP_TABLE, opSpec } from "../../../src/graph/trace/index.js";
import { TF_OP_DEFS } from "../../fixtures/trace/tf-trace.js";
import { b64 } from "./helpers.js";

const KNOWN: ReadonlySet<number> = new Set(Object.values(DType));

function tfDefault(kind: string, v: AttrValue | undefined): unknown {
  if (!v) return undefined;
  switch (v.value.case) {
    case "type": return v.value.value;
    case "i": return Number(v.value.value);
    case "b": return v.value.value;
    case "s": return new TextDecoder().decode(v.value.value);
    case "list": return kind === "list(int)" ? v.value.value.i.map(Number) : undefined;
    default: return undefined;
  }
}

function compare(name: string, def: OpDef): void {
  const ours = opSpec(name);
  const args = (list: OpDef["inputArg"]) => list.map((a) => ({
    name: a.name,
    type: a.typeAttr || a.typeListAttr ? undefined : a.type,
    typeAttr: a.typeAttr || undefined,
    numberAttr: a.numberAttr || undefined,
  }));
  const norm = (list: typeof ours.inputs) => list.map((a) => ({ name: a.name, type: a.type, typeAttr: a.typeAttr, numberAttr: a.numberAttr }));
  assert.equal(norm(ours.inputs), args(def.inputArg), `${name} inputs`);
  assert.equal(norm(ours.outputs), args(def.outputArg), `${name} outputs`);
  const tfAttrs = def.attr.map((a) => ({
    name: a.name,
    kind: a.type,
    default: tfDefault(a.type, a.defaultValue),
    allowed: a.allowedValues?.value.case === "list" ? a.allowedValues.value.value.type.filter((t) => KNOWN.has(t)) : undefined,
    minimum: a.hasMinimum ? Number(a.minimum) : undefined,
  }));
  const ourAttrs = ours.attrs.map((a) => ({
    name: a.name, kind: a.kind, default: a.default, allowed: a.allowed ? [...a.allowed] : undefined, minimum: a.minimum,
  }));
  assert.equal(ourAttrs, tfAttrs, `${name} attrs`);
}

test("every op of the table equals TF's OpDef", () => {
  for (const name of OP_TABLE.keys()) {
    const def = TF_OP_DEFS[name];
    assert.ok(def, `TF_OP_DEFS has no ${name}; add it to EXTRA_OPS in scripts/tf/gen_trace_fixtures.py`);
    compare(name, fromBinary(OpDefSchema, b64(def)));
  }
});

test("every op TF used in the fixtures is in the table", () => {
  for (const name of Object.keys(TF_OP_DEFS)) assert.ok(OP_TABLE.has(name), `op ${name} missing from op-table.ts`);
});

test("an unknown op is named in the error", () => {
  assert.throws(() => opSpec("Conv2D"), /op 'Conv2D' is not in the tracer's op table/);
});

test.run();
