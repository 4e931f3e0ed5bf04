// Our Dataset builder emits the GraphDefs TensorFlow 2.21 emits for the same pipelines
// (fixtures from scripts/tf/gen_graph_fixtures.py). Only process-dependent counters are
// normalized (see normalizeGraph); node names, ops, inputs, attrs and types must be identical.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { GraphDefSchema } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { MetadataSchema } from "../../src/gen/tensorflow/core/framework/dataset_metadata_pb.js";
import { Dataset } from "../../src/dataset/index.js";
import { DType } from "../../src/core/dtype.js";
import { canonicalBytes, canonicalJson, fixture, fixtureBytes, fixtureGraph } from "./graph-fixtures.js";
import { TF_GRAPH_FIXTURES } from "../fixtures/graphs/tf-graphs.js";

/** Fixture name -> the same pipeline through our API. */
const PIPELINES: Record<string, () => Dataset> = {
  range_10: () => Dataset.range(10),
  range_2_10: () => Dataset.range(2, 10),
  range_2_10_3: () => Dataset.range(2, 10, 3),
  range_10_0_m3: () => Dataset.range(10, 0, -3),
  range_empty: () => Dataset.range(5, 2),
  range_5_int32: () => Dataset.range(5, { outputType: "int32" }),
  range_4_float32: () => Dataset.range(4, { dtype: DType.float32 }),
  range_3_uint8_named: () => Dataset.range(3, { outputType: "uint8", name: "my_range" }),
  range_10_take_3: () => Dataset.range(10).take(3),
  range_10_take_m1: () => Dataset.range(10).take(-1),
  range_10_batch_3: () => Dataset.range(10).batch(3),
  range_10_batch_3_drop: () => Dataset.range(10).batch(3, true),
  range_10_take_7_batch_2: () => Dataset.range(10).take(7).batch(2),
  range_10_batch_2_batch_2: () => Dataset.range(10).batch(2).batch(2),
  range_5_int32_batch_2: () => Dataset.range(5n, { outputType: DType.int32 }).batch(2n),
};

for (const [name, build] of Object.entries(PIPELINES)) {
  test(`GraphDef of ${fixture(name).python} equals TF's`, () => {
    const ours = build().toGraphDef();
    assert.equal(canonicalJson(ours), canonicalJson(fixtureGraph(name)));
    // Same bytes once normalized: nothing hides outside what toJson shows.
    assert.equal([...canonicalBytes(ours)], [...canonicalBytes(fixtureGraph(name))]);
  });
}

test("the output is marked by a _Retval named 'dataset' (index 0, T=DT_VARIANT) as the last node", () => {
  const g = Dataset.range(10).batch(3).toGraphDef();
  const last = g.node[g.node.length - 1];
  assert.is(last.name, "dataset");
  assert.is(last.op, "_Retval");
  assert.equal(last.input, ["BatchDatasetV2/_6"]);
  assert.equal(last.attr.index.value, { case: "i", value: 0n });
  assert.equal(last.attr.T.value, { case: "type", value: DType.variant });
  assert.is(g.versions?.producer, 2474);
  assert.ok(g.library, "library is always present, even empty");
});

test("metadata names follow TF: '<Op>:<id>' with one process-wide id counter, or the given name", () => {
  const names = (ds: Dataset) => ds.toGraphDef().node.filter((n) => n.attr.metadata).map((n) => {
    const v = n.attr.metadata.value;
    return new TextDecoder().decode(fromBinary(MetadataSchema, v.case === "s" ? v.value : new Uint8Array()).name);
  });
  const ds = Dataset.range(10).take(3);
  const [r, t] = names(ds);
  const id = (s: string) => Number(s.split(":")[1]);
  assert.match(r, /^RangeDataset:\d+$/);
  assert.match(t, /^TakeDataset:\d+$/);
  assert.is(id(t), id(r) + 1);
  // Taken at creation: serializing again keeps the names.
  assert.equal(names(ds), [r, t]);
  assert.equal(names(Dataset.range(3, { name: "abc" }).take(1, { name: "first" })), ["abc", "first"]);
});

test("TF's graphs survive a protobuf-es round trip unchanged (canonical bytes)", () => {
  // Map entry order is not preserved by any protobuf runtime (TF itself writes hash order), so
  // the comparison is on the canonical (sorted-map) encoding: no field is lost or re-encoded.
  for (const f of TF_GRAPH_FIXTURES) {
    const g = fixtureGraph(f.name);
    const again = fromBinary(GraphDefSchema, toBinary(GraphDefSchema, g));
    assert.equal([...canonicalBytes(again)], [...canonicalBytes(g)], f.name);
    assert.is(toBinary(GraphDefSchema, g).length, fixtureBytes(f.name).length, `${f.name} size`);
  }
});

test("our attr maps are in TF's deterministic (sorted) order", () => {
  const g = Dataset.range(10).take(7).batch(2).toGraphDef();
  for (const n of g.node) {
    const keys = Object.keys(n.attr);
    assert.equal(keys, [...keys].sort(), n.name);
  }
});

test.run();
