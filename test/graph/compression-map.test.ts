// appendCompressionMap builds exactly the map(CompressElement) TF's client appends for compression
// "AUTO"; stripCompressionMap undoes it as a TF worker does when compression is disabled at runtime.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isTfDataError } from "../../src/core/errors.js";
import { Dataset } from "../../src/dataset/index.js";
import {
  appendCompressionMap,
  findCompressionMap,
  hasCompressionMap,
  stripCompressionMap,
} from "../../src/graph/compression-map.js";
import { datasetOutputNode } from "../../src/graph/graph-index.js";
import { canonicalJson, fixtureGraph } from "./graph-fixtures.js";

test("appending to our range(10) gives the graph TF registers for range(10) with compression AUTO", () => {
  const ours = appendCompressionMap(Dataset.range(10).toGraphDef());
  assert.equal(canonicalJson(ours), canonicalJson(fixtureGraph("registered_range_10_auto")));
});

test("appending to our range(10).batch(3) matches TF's registered graph", () => {
  const ours = appendCompressionMap(Dataset.range(10).batch(3).toGraphDef());
  assert.equal(canonicalJson(ours), canonicalJson(fixtureGraph("registered_range_10_batch_3_auto")));
});

test("appending to a TF-built graph with a 2-component map matches TF's registered graph", () => {
  const ours = appendCompressionMap(fixtureGraph("range_3_map_pair"));
  assert.equal(canonicalJson(ours), canonicalJson(fixtureGraph("registered_range_3_map_pair_auto")));
});

test("appendCompressionMap does not modify its input and refuses a graph that already has one", () => {
  const g = Dataset.range(10).toGraphDef();
  const before = canonicalJson(g);
  const out = appendCompressionMap(g);
  assert.equal(canonicalJson(g), before);
  assert.not.ok(hasCompressionMap(g));
  assert.ok(hasCompressionMap(out));
  assert.is(datasetOutputNode(out), "ParallelMapDatasetV2/_5");
  assert.throws(() => appendCompressionMap(out), (e: unknown) => isTfDataError(e, "InvalidArgument") &&
    /already ends with a compression map/.test((e as Error).message));
});

test("stripping TF's compression map gives the graph TF registers without compression", () => {
  for (const [auto, none] of [["registered_range_10_auto", "registered_range_10_none"]]) {
    const stripped = stripCompressionMap(fixtureGraph(auto));
    assert.equal(canonicalJson(stripped), canonicalJson(fixtureGraph(none)));
  }
  const stripped = stripCompressionMap(fixtureGraph("registered_range_10_batch_3_auto"));
  assert.equal(canonicalJson(stripped), canonicalJson(Dataset.range(10).batch(3).toGraphDef()));
  assert.equal(canonicalJson(stripCompressionMap(fixtureGraph("registered_range_3_map_pair_auto"))),
    canonicalJson(fixtureGraph("range_3_map_pair")));
});

test("strip(append(g)) is g, and strip finds the map the way TF does", () => {
  const g = Dataset.range(10).take(7).batch(2).toGraphDef();
  const appended = appendCompressionMap(g);
  assert.is(findCompressionMap(appended)?.op, "ParallelMapDatasetV2");
  assert.equal(canonicalJson(stripCompressionMap(appended)), canonicalJson(g));
});

test("stripping a graph without a compression map is an InvalidArgument naming what is missing", () => {
  assert.throws(() => stripCompressionMap(fixtureGraph("range_3_pmap_identity")),
    (e: unknown) => isTfDataError(e, "InvalidArgument") && /no compression map/.test((e as Error).message));
});

test.run();
