// Golden corpus (b): the GraphDef TF 2.21 serialized for each pipeline, lowered by src/graph and
// run in our wasm core, yields TF's elements, with TF's element spec and cardinality.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dtypeName } from "../../src/core/dtype.js";
import { getCore } from "../../src/core/core.js";
import type { Tensor } from "../../src/core/tensor.js";
import { lower } from "../../src/graph/lower.js";
import { elementsDiff, expectedElements, jsonDiff } from "./compare.js";
import { fixtureGraphDef, goldenFixture, goldenIndex, type SpecJson } from "./fixtures.js";
import { collect, errorText, readLimit } from "./harness.js";

const golden = suite("golden (b): TF's GraphDef on our engine");

function flatSpec(s: SpecJson): { dtype: string; shape: readonly number[] | null }[] {
  if ("tensor" in s) return [s.tensor];
  if ("tuple" in s) return s.tuple.flatMap(flatSpec);
  return Object.keys(s.dict).sort().flatMap((k) => flatSpec(s.dict[k]));
}

async function* run(plan: ReturnType<typeof lower>["plan"]): AsyncGenerator<Tensor[]> {
  const core = await getCore();
  const it = core.createIterator(plan);
  try {
    for (let c = it.next(); c !== null; c = it.next()) yield c;
  } finally {
    it.close();
  }
}

for (const name of goldenIndex().names) {
  golden(name, async () => {
    const f = goldenFixture(name);
    let lowered: ReturnType<typeof lower>;
    try {
      lowered = lower(fixtureGraphDef(f));
    } catch (e) {
      assert.unreachable(`${name}: lowering TF's graph failed: ${errorText(e)}`);
      return;
    }
    const problems: string[] = [];
    const spec = jsonDiff(lowered.elementSpec.map((c) => ({ dtype: dtypeName(c.dtype), shape: c.shape })), flatSpec(f.spec));
    if (spec) problems.push(`lowered element spec differs at ${spec}`);
    if (lowered.cardinality !== BigInt(f.cardinality)) {
      problems.push(`lowered cardinality ${lowered.cardinality}, TF has ${f.cardinality}`);
    }
    try {
      const got = await collect(run(lowered.plan), readLimit(f));
      const diff = elementsDiff(got, expectedElements(f), f);
      if (diff) problems.push(`elements differ: ${diff}`);
    } catch (e) {
      problems.push(`iterating failed: ${errorText(e)}`);
    }
    assert.ok(problems.length === 0, `${name}:\n  ${problems.join("\n  ")}`);
  });
}

golden.run();
