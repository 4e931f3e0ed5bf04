// Invalid or unsupported graphs are rejected by lower() (before any iterator exists), with errors
// that name the op, the node and what would be right.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clone, create } from "@bufbuild/protobuf";
import { GraphDefSchema, type GraphDef } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { isTfDataError, type TfDataError } from "../../src/core/errors.js";
import { DType } from "../../src/core/dtype.js";
import { Dataset } from "../../src/dataset/index.js";
import { attrTensor, attrType } from "../../src/graph/attr-value.js";
import { lower } from "../../src/graph/lower.js";
import { scalarTensorProto } from "../../src/graph/tensor-value.js";
import { datasetOutputNode } from "../../src/graph/graph-index.js";
import { fixtureGraph } from "./graph-fixtures.js";

function lowerError(graph: GraphDef): TfDataError {
  try {
    lower(graph);
  } catch (e) {
    if (isTfDataError(e)) return e;
    throw e;
  }
  throw new Error("lower() accepted the graph");
}

function edit(graph: GraphDef, f: (g: GraphDef) => void): GraphDef {
  const g = clone(GraphDefSchema, graph);
  f(g);
  return g;
}

const node = (g: GraphDef, name: string) => g.node.find((n) => n.name === name)!;

test("an unsupported dataset op is named with its node and the supported ops", () => {
  const g = edit(Dataset.range(10).take(3).toGraphDef(), (g) => { node(g, "TakeDataset/_5").op = "TakeWhileDataset"; });
  const e = lowerError(g);
  assert.is(e.code, "Unimplemented");
  assert.match(e.message, "Unsupported op 'TakeWhileDataset' in node 'TakeDataset/_5'");
  assert.match(e.message, /Supported ops: .*BatchDatasetV2.*RangeDataset.*TakeDataset/);
});

test("an unsupported op deep in the input chain is found at lowering time", () => {
  const g = edit(Dataset.range(10).take(3).batch(2).toGraphDef(), (g) => { node(g, "RangeDataset/_3").op = "TFRecordDataset"; });
  const e = lowerError(g);
  assert.is(e.code, "Unimplemented");
  assert.match(e.message, "Unsupported op 'TFRecordDataset' in node 'RangeDataset/_3'");
});

test("an unsupported op inside a map function names the op, node, function and calling node", () => {
  const g = edit(fixtureGraph("registered_range_10_auto"), (g) => {
    const fn = g.library!.function[0];
    fn.nodeDef.find((n) => n.name === "CompressElement")!.op = "EncodeJpeg";
  });
  const e = lowerError(g);
  assert.is(e.code, "Unimplemented");
  assert.match(e.message, "Unsupported op 'EncodeJpeg' in node 'CompressElement' of function '__inference_Dataset_map_lambda_");
  assert.match(e.message, "called by node 'ParallelMapDatasetV2/_5'");
  assert.match(e.message, /Supported function ops: .*CompressElement.*Identity/);
});

test("a non-Const scalar argument names the producing op", () => {
  const g = edit(Dataset.range(10).take(3).toGraphDef(), (g) => { node(g, "Const/_4").op = "Placeholder"; });
  const e = lowerError(g);
  assert.is(e.code, "Unimplemented");
  assert.match(e.message, "Unsupported op 'Placeholder' in node 'Const/_4' (input #1 of node 'TakeDataset/_5' (TakeDataset))");
});

test("a graph without _Retval, or with a dangling input, or a cycle, is InvalidArgument", () => {
  const noRet = edit(Dataset.range(3).toGraphDef(), (g) => { g.node = g.node.filter((n) => n.op !== "_Retval"); });
  assert.is(lowerError(noRet).code, "InvalidArgument");
  assert.match(lowerError(noRet).message, "exactly one '_Retval'");
  assert.throws(() => datasetOutputNode(noRet), /_Retval/);

  const dangling = edit(Dataset.range(3).take(1).toGraphDef(), (g) => { node(g, "TakeDataset/_5").input[0] = "Nowhere/_9"; });
  assert.match(lowerError(dangling).message, "refers to node 'Nowhere/_9', which is not in the graph");

  const cycle = edit(Dataset.range(3).take(1).toGraphDef(), (g) => { node(g, "TakeDataset/_5").input[0] = "TakeDataset/_5"; });
  assert.match(lowerError(cycle).message, "cycle through node 'TakeDataset/_5'");

  const dup = edit(Dataset.range(3).toGraphDef(), (g) => { g.node[1].name = g.node[0].name; });
  assert.match(lowerError(dup).message, "two nodes named 'Const/_0'");
});

test("argument checks: dtype of a Const, step 0, batch size 0", () => {
  const int32Count = edit(Dataset.range(10).take(3).toGraphDef(), (g) => {
    const c = node(g, "Const/_4");
    c.attr.dtype = attrType(DType.int32);
    c.attr.value = attrTensor(scalarTensorProto(DType.int32, 3));
  });
  assert.match(lowerError(int32Count).message, "input #1 (node 'Const/_4' (Const)) must be a int64 scalar, got int32");

  const step0 = edit(Dataset.range(10).toGraphDef(), (g) => {
    node(g, "Const/_2").attr.value = attrTensor(scalarTensorProto(DType.int64, 0n));
  });
  assert.match(lowerError(step0).message, "node 'RangeDataset/_3' (RangeDataset): step must be a non-zero integer.");

  const batch0 = edit(Dataset.range(10).batch(3).toGraphDef(), (g) => {
    node(g, "Const/_4").attr.value = attrTensor(scalarTensorProto(DType.int64, 0n));
  });
  assert.match(lowerError(batch0).message, "Batch size must be greater than zero");
});

test("declared element specs are checked against the op's semantics", () => {
  const wrongType = edit(Dataset.range(10).take(3).toGraphDef(), (g) => {
    const t = node(g, "TakeDataset/_5").attr.output_types.value;
    if (t.case === "list") t.value.type = [DType.float32];
  });
  const e = lowerError(wrongType);
  assert.is(e.code, "InvalidArgument");
  assert.match(e.message, "node 'TakeDataset/_5' (TakeDataset): declares elements [float32 ()]");

  const wrongFnArgs = edit(fixtureGraph("registered_range_10_auto"), (g) => {
    g.library!.function[0].signature!.inputArg[0].type = DType.int32;
  });
  assert.match(lowerError(wrongFnArgs).message, "takes arguments [int32] but is called with elements [int64 ()]");
});

test("an empty graph is rejected", () => {
  assert.is(lowerError(create(GraphDefSchema)).code, "InvalidArgument");
});

test.run();
