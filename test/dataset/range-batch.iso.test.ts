// Isomorphic suite (Node, Deno, headless Chromium): no node:* imports, fixtures imported as TS
// modules. Dataset.range(10).batch(3) runs in-process through the wasm core and matches TF.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../src/core/dtype.js";
import { Tensor } from "../../src/core/tensor.js";
import { Dataset } from "../../src/dataset/index.js";
import { canonicalJson, fixture, fixtureComponent, fixtureGraph } from "../graph/graph-fixtures.js";

const iso = suite("range-batch (isomorphic)");

iso("Dataset.range(10).batch(3) yields [[0,1,2],[3,4,5],[6,7,8],[9]]", async () => {
  const out = await Dataset.range(10).batch(3).toArray();
  assert.equal(out.map((t) => (t instanceof Tensor ? t.toJS() : t)), [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n], [9n]]);
  for (const t of out) {
    assert.ok(t instanceof Tensor);
    assert.is(t.dtype, DType.int64);
    assert.instance(t.data, BigInt64Array);
  }
});

iso("Dataset.range(10) yields ten int64 scalars as bigints", async () => {
  const values: unknown[] = [];
  for await (const x of Dataset.range(10)) values.push(x);
  assert.equal(values, [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
});

iso("elements equal TF's for range(10).batch(3)", async () => {
  const got: unknown[] = [];
  for await (const comps of Dataset.range(10).batch(3).components()) got.push(comps.map(fixtureComponent));
  assert.equal(got, fixture("range_10_batch_3").elements);
});

iso("the GraphDef equals TF's for range(10).batch(3)", () => {
  assert.equal(canonicalJson(Dataset.range(10).batch(3).toGraphDef()), canonicalJson(fixtureGraph("range_10_batch_3")));
});

iso("range argument forms and dtypes", async () => {
  assert.equal(await Dataset.range(2, 10, 3).toArray(), [2n, 5n, 8n]);
  assert.equal(await Dataset.range(3, { outputType: "int32" }).toArray(), [0, 1, 2]);
  assert.is(Dataset.range(10).batch(3).cardinality(), 4);
});

iso.run();
