// Golden corpus (a): each pipeline built with our TS Dataset yields TF 2.21's elements (same
// dtype, shape and values) and builds TF's GraphDef (structurally: only process counters are
// normalized: function and dataset counters, seed-generator handle names), with TF's element_spec
// and cardinality.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { elementsDiff, expectedElements, goldenGraphJson, jsonDiff, jsonDiffs, specJson } from "./compare.js";
import { CORPUS, PENDING } from "./corpus.js";
import { fixtureGraphDef, goldenFixture, goldenIndex } from "./fixtures.js";
import { announcePending, collect, errorText, pipelineNames, readLimit } from "./harness.js";

const golden = suite("golden (a): our Dataset vs TF 2.21");

announcePending();
for (const name of pipelineNames()) {
  if (PENDING[name]) {
    golden.skip(name, () => {});
    continue;
  }
  golden(name, async () => {
    assert.ok(goldenIndex().names.includes(name), `${name} has no Python twin in scripts/tf/gen_golden_corpus.py`);
    const make = CORPUS[name];
    assert.ok(make, `${name} has no TypeScript twin in test/golden/corpus.ts`);
    const f = goldenFixture(name);
    const ds = make();
    const problems: string[] = [];
    const spec = jsonDiff(specJson(ds.elementSpec), f.spec);
    if (spec) problems.push(`element_spec differs at ${spec}`);
    if (ds.cardinality() !== f.cardinality) problems.push(`cardinality ${ds.cardinality()}, TF has ${f.cardinality}`);
    try {
      const graph = jsonDiffs(goldenGraphJson(ds.toGraphDef()), goldenGraphJson(fixtureGraphDef(f)));
      if (graph.length > 0) problems.push(`GraphDef differs from TF's at\n    ${graph.join("\n    ")}`);
    } catch (e) {
      problems.push(`toGraphDef() failed: ${errorText(e)}`);
    }
    try {
      const got = await collect(ds.components(), readLimit(f));
      const diff = elementsDiff(got, expectedElements(f), f);
      if (diff) problems.push(`elements differ: ${diff}`);
    } catch (e) {
      problems.push(`iterating failed: ${errorText(e)}`);
    }
    assert.ok(problems.length === 0, `${name}:\n  ${problems.join("\n  ")}`);
  });
}

golden.run();
