// Every traced case of scripts/tf/gen_trace_fixtures.py: our FunctionDef must equal the one TF
// 2.21 put in the dataset graph, field for field (node names, ops, inputs, attrs, Const tensors,
// signature, ret, arg attrs). No normalisation is applied: we give the tracer TF's function name
// (its numeric suffix is a process-wide counter in TF), so even the name compares exactly.
// Output dtypes/shapes must equal the map node's `output_types` / `output_shapes`.
// Equality is structural (proto maps compare by key): map entry order in serialized bytes is a
// serializer choice (Python's upb and TF's C++ sort keys differently), not part of the message.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { equals, fromBinary, toJson } from "@bufbuild/protobuf";
import { FunctionDefSchema, type FunctionDef } from "../../../src/gen/tensorflow/core/framework/function_pb.js";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { DType } from "../../../src/core/dtype.js";
import { planShape } from "../../../src/graph/attr-value.js";
import { traceFunction } from "../../../src/graph/trace/index.js";
import { TF_TRACE_FIXTURES } from "../../fixtures/trace/tf-trace.js";
import { CASES } from "./cases.js";
import { b64, toStructure } from "./helpers.js";

/** A readable diff of two FunctionDefs: the first differing JSON lines. */
function diff(ours: FunctionDef, theirs: FunctionDef): string {
  const canon = (f: FunctionDef) => {
    const j = toJson(FunctionDefSchema, f) as Record<string, unknown>;
    const sortKeys = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortKeys);
      if (v && typeof v === "object") {
        return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
      }
      return v;
    };
    return JSON.stringify(sortKeys(j), null, 1).split("\n");
  };
  const a = canon(ours);
  const b = canon(theirs);
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 12; i++) {
    if (a[i] !== b[i]) out.push(`line ${i}: ours ${a[i]?.trim()} | tf ${b[i]?.trim()}`);
  }
  return out.join("\n");
}

let matched = 0;

for (const fx of TF_TRACE_FIXTURES) {
  test(`trace ${fx.name}: ${fx.python}`, () => {
    const fn = CASES[fx.name];
    assert.ok(fn, `no TS twin for fixture ${fx.name} in cases.ts`);
    const graph = fromBinary(GraphDefSchema, b64(fx.graph));
    const theirs = graph.library!.function.find((f) => f.signature?.name === fx.function)!;
    assert.ok(theirs, `fixture ${fx.name} has no function ${fx.function}`);
    const traced = traceFunction({
      name: fx.function, input: toStructure(fx.inputStructure), fn,
      transformation: fx.kind === "map" ? "Dataset.map" : "Dataset.filter", predicate: fx.kind === "filter",
    });
    assert.ok(equals(FunctionDefSchema, traced.functionDef, theirs), `FunctionDef differs from TF's:\n${diff(traced.functionDef, theirs)}`);
    // The dataset node that uses the function declares the element spec TF computed.
    const node = graph.node.find((n) => n.op === (fx.kind === "map" ? "MapDataset" : "FilterDataset"))!;
    const fattr = node.attr[fx.kind === "map" ? "f" : "predicate"].value;
    assert.is(fattr.case === "func" ? fattr.value.name : "", fx.function);
    if (fx.kind === "map") {
      const types = node.attr.output_types.value;
      const shapes = node.attr.output_shapes.value;
      assert.equal(traced.outputSpecs.map((s) => s.dtype), types.case === "list" ? types.value.type : []);
      assert.equal(traced.outputSpecs.map((s) => s.shape), shapes.case === "list" ? shapes.value.shape.map(planShape) : []);
      assert.equal(traced.output, toStructure(fx.outputStructure));
    } else {
      assert.equal(traced.outputSpecs, [{ dtype: DType.bool, shape: [] }]);
    }
    matched++;
  });
}

test("coverage: every fixture has a twin and matches", () => {
  assert.is(Object.keys(CASES).length, TF_TRACE_FIXTURES.length);
  assert.is(matched, TF_TRACE_FIXTURES.length, `${matched}/${TF_TRACE_FIXTURES.length} fixtures match TF exactly`);
});

test.run();
