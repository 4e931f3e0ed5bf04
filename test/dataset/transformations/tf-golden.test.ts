// Sources and function-free transformations against TensorFlow 2.21 (fixtures from
// scripts/tf/gen_dataset_fixtures.py), per pipeline:
//   (a) our Dataset builds TF's GraphDef (structurally, normalized only for process counters), has
//       TF's element spec and cardinality, and yields TF's elements in-process;
//   (b) TF's GraphDef, lowered by us and run in our core, yields TF's elements (and our lowering
//       computes TF's cardinality);
//   and the pipelines TF rejects fail here the same way, at the same time (build vs iterate).
// (c), our graphs run by TF, is in tf-runs-ours.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../../src/core/core.js";
import { isTfDataError, type TfDataErrorCode } from "../../../src/core/errors.js";
import type { Tensor } from "../../../src/core/tensor.js";
import type { Dataset } from "../../../src/dataset/index.js";
import { lower } from "../../../src/graph/lower.js";
import type { DatasetFixtureComponent, TfDatasetFixture } from "../../fixtures/datasets/fixture-types.js";
import {
  DATASET_FIXTURES, datasetFixture, fixtureGraphDef, fixtureOf, normalizedBytes, normalizedJson, specOf,
} from "./golden.js";
import { ERROR_PIPELINES, GRAPH_ONLY_PIPELINES, PIPELINES } from "./pipelines.js";

/** TF exception classes -> our error codes. */
const CODE_OF: Record<string, TfDataErrorCode> = {
  ValueError: "InvalidArgument",
  TypeError: "InvalidArgument",
  InvalidArgumentError: "InvalidArgument",
  DataLossError: "DataLoss",
};

/** Up to `limit` elements of a component stream, in the fixtures' layout. */
async function collect(stream: AsyncIterable<Tensor[]>, limit: number): Promise<DatasetFixtureComponent[][]> {
  const out: DatasetFixtureComponent[][] = [];
  if (limit === 0) return out;
  for await (const el of stream) {
    out.push(el.map(fixtureOf));
    if (out.length >= limit) break;
  }
  return out;
}

/** The elements of TF's graph run in our core (at most `limit`). */
async function runTfGraph(f: TfDatasetFixture, limit: number): Promise<DatasetFixtureComponent[][]> {
  const core = await getCore();
  const it = core.createIterator(lower(fixtureGraphDef(f)).plan);
  const out: DatasetFixtureComponent[][] = [];
  try {
    for (let e = it.next(); e !== null && out.length < limit; e = it.next()) out.push(e.map(fixtureOf));
  } finally {
    it.close();
  }
  return out;
}

const limitOf = (f: TfDatasetFixture) => (f.truncated ? f.elements!.length : Number.MAX_SAFE_INTEGER);

test("every fixture has a TypeScript twin and every twin a fixture", () => {
  const ours = new Set([...Object.keys(PIPELINES), ...Object.keys(ERROR_PIPELINES), ...Object.keys(GRAPH_ONLY_PIPELINES)]);
  const tf = new Set(DATASET_FIXTURES.filter((f) => !f.tfOnly).map((f) => f.name));
  assert.equal([...tf].filter((n) => !ours.has(n)), [], "fixtures without a TS pipeline");
  assert.equal([...ours].filter((n) => !tf.has(n)), [], "TS pipelines without a fixture");
  assert.ok(Object.keys(PIPELINES).length >= 40, "at least 40 pipelines");
});

for (const [name, build] of Object.entries(PIPELINES)) {
  const f = datasetFixture(name);
  test(`(a) ${name}: ${f.python} — TF's GraphDef, spec, cardinality and elements`, async () => {
    const ds: Dataset = build();
    const ours = ds.toGraphDef();
    const theirs = fixtureGraphDef(f);
    assert.equal(normalizedJson(ours), normalizedJson(theirs));
    assert.equal([...normalizedBytes(ours)], [...normalizedBytes(theirs)], "same bytes once normalized");
    assert.equal(specOf(ds.elementSpec), f.spec, "element spec");
    assert.is(ds.cardinality(), f.cardinality, "cardinality");
    assert.equal(await collect(ds.components(), limitOf(f)), f.elements);
  });

  test(`(b) ${name}: TF's graph runs in our core and yields TF's elements`, async () => {
    const lowered = lower(fixtureGraphDef(f));
    assert.is(Number(lowered.cardinality), f.cardinality, "cardinality of TF's graph as we lower it");
    assert.equal(await runTfGraph(f, limitOf(f)), f.elements);
  });
}

for (const [name, build] of Object.entries(GRAPH_ONLY_PIPELINES)) {
  const f = datasetFixture(name);
  test(`(a) ${name}: ${f.python} — TF's GraphDef, spec and cardinality (elements are datasets)`, () => {
    const ds = build();
    assert.equal(normalizedJson(ds.toGraphDef()), normalizedJson(fixtureGraphDef(f)));
    assert.equal(specOf(ds.elementSpec), f.spec, "element spec");
    assert.is(ds.cardinality(), f.cardinality, "cardinality");
    assert.is(Number(lower(fixtureGraphDef(f)).cardinality), f.cardinality, "cardinality of TF's graph as we lower it");
  });
}

for (const f of DATASET_FIXTURES.filter((x) => x.tfOnly)) {
  test(`(b) ${f.name}: ${f.python} — TF's graph (no TS twin yet) runs in our core`, async () => {
    assert.is(Number(lower(fixtureGraphDef(f)).cardinality), f.cardinality, "cardinality of TF's graph as we lower it");
    assert.equal(await runTfGraph(f, limitOf(f)), f.elements);
  });
}

for (const [name, build] of Object.entries(ERROR_PIPELINES)) {
  const f = datasetFixture(name);
  const code = CODE_OF[f.type!];
  test(`${name}: ${f.python} fails as in TF (${f.type} when ${f.at === "build" ? "building" : "iterating"})`, async () => {
    assert.ok(code, `no code mapping for TF's ${f.type}`);
    const tfMessage = f.message!;
    const matches = (e: unknown) => isTfDataError(e, code) && e.message.includes(tfMessage);
    if (f.at === "build") {
      assert.throws(() => build(), matches, `building must throw ${code} with "${tfMessage}"`);
      return;
    }
    const ds = build();
    assert.equal(normalizedJson(ds.toGraphDef()), normalizedJson(fixtureGraphDef(f)));
    const got: DatasetFixtureComponent[][] = [];
    let err: unknown;
    try {
      for await (const el of ds.components()) got.push(el.map(fixtureOf));
    } catch (e) {
      err = e;
    }
    assert.equal(got, f.elements, "the elements before the error");
    assert.ok(matches(err), `iterating must fail with ${code} "${tfMessage}", got ${String(err)}`);
    // TF's graph, run by us, fails the same way after the same elements.
    const core = await getCore();
    const it = core.createIterator(lower(fixtureGraphDef(f)).plan);
    const theirs: DatasetFixtureComponent[][] = [];
    let err2: unknown;
    try {
      for (let e = it.next(); e !== null; e = it.next()) theirs.push(e.map(fixtureOf));
    } catch (e) {
      err2 = e;
    } finally {
      it.close();
    }
    assert.equal(theirs, f.elements);
    assert.ok(matches(err2), `TF's graph in our core must fail with ${code} "${tfMessage}", got ${String(err2)}`);
  });
}

test.run();
