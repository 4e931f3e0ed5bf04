// (a) Our Dataset builds, for every function-dataset pipeline, the GraphDef TF 2.21 builds:
// same nodes, attrs and FunctionDefs (process counters normalized, see fixtures.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildCase, CASES, hasCase } from "./cases.js";
import { canonicalJson, fixtureGraph, fixtures } from "./fixtures.js";

test("every fixture has a TS twin and every twin a fixture", () => {
  const names = fixtures().map((f) => f.name);
  assert.equal(names.filter((n) => !hasCase(n)), []);
  assert.equal(Object.keys(CASES).filter((n) => !names.includes(n)), []);
});

for (const f of fixtures()) {
  test(`${f.name}: our GraphDef equals TF's`, () => {
    const ours = buildCase(f.name).toGraphDef();
    assert.equal(canonicalJson(ours), canonicalJson(fixtureGraph(f)));
  });
}

test.run();
