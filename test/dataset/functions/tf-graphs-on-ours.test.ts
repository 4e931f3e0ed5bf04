// (b) The GraphDefs TF 2.21 built for the function-dataset pipelines lower and run in our core
// and yield TF's elements: the first pass, and the second pass over the same dataset (where a
// reshuffling shuffle draws new seeds, as in TF).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../../src/core/core.js";
import { lower } from "../../../src/graph/lower.js";
import { expectedEpoch, fixtureGraph, fixtures, ordered, tensorKey, tfOnlyFixtures } from "./fixtures.js";
import { keepsDatasets, runPasses } from "./passes.js";

for (const f of [...fixtures(), ...tfOnlyFixtures()]) {
  test(`${f.name}: TF's graph runs in our core with TF's elements`, async () => {
    const core = await getCore();
    const { plan, cardinality } = lower(fixtureGraph(f));
    assert.is(Number(cardinality), f.cardinality, "cardinality");
    const passes = runPasses(core, plan, 2);
    for (const epoch of [0, 1]) {
      const ours = ordered(f, passes[epoch].map((e) => e.map(tensorKey)));
      const want = ordered(f, expectedEpoch(f, epoch));
      const hint = epoch === 1 && !keepsDatasets(core) && JSON.stringify(want) !== JSON.stringify(expectedEpoch(f, 0))
        ? " (a reshuffling pass needs Core.createDataset: the core must keep the dataset between passes)" : "";
      assert.equal(ours, want, `pass ${epoch + 1}${hint}`);
    }
  });
}

test.run();
