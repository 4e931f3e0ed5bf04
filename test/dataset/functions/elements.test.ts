// Our Dataset, iterated in process, yields TF's elements for every function-dataset pipeline:
// the first pass, and a second pass over the same Dataset object (where a reshuffling shuffle
// must give TF's second order). Also the element spec and cardinality TF reports.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Dataset } from "../../../src/dataset/index.js";
import { TensorSpec, type ElementSpec } from "../../../src/dataset/index.js";
import { buildCase } from "./cases.js";
import { expectedEpoch, fixtures, ordered, tensorKey, type SpecJson } from "./fixtures.js";

function specJson(spec: ElementSpec): SpecJson {
  if (spec instanceof TensorSpec) {
    return { tensor: { dtype: spec.dtypeName, shape: spec.shape === null ? null : spec.shape.map((d) => d ?? -1) } };
  }
  if (Array.isArray(spec)) return { tuple: (spec as readonly ElementSpec[]).map(specJson) };
  const dict = spec as Readonly<Record<string, ElementSpec>>;
  const out: Record<string, SpecJson> = {};
  for (const k of Object.keys(dict).sort()) out[k] = specJson(dict[k]);
  return { dict: out };
}

async function pass(ds: Dataset): Promise<string[][]> {
  const out: string[][] = [];
  for await (const comps of ds.components()) out.push(comps.map(tensorKey));
  return out;
}

for (const f of fixtures()) {
  test(`${f.name}: spec, cardinality and elements as TF`, async () => {
    const ds = buildCase(f.name);
    assert.equal(specJson(ds.elementSpec), f.spec, "element spec");
    assert.is(ds.cardinality(), f.cardinality, "cardinality");
    assert.equal(ordered(f, await pass(ds)), ordered(f, expectedEpoch(f, 0)), "pass 1");
    assert.equal(ordered(f, await pass(ds)), ordered(f, expectedEpoch(f, 1)), "pass 2 over the same dataset");
  });
}

test.run();
