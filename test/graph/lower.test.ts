// Lowering TF-built graphs (fixtures) and ours into core plans, and running those plans through
// the wasm core: the elements must be the ones TensorFlow yielded.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import type { Tensor } from "../../src/core/tensor.js";
import type { DatasetPlan } from "../../src/core/plan.js";
import { appendCompressionMap } from "../../src/graph/compression-map.js";
import { graphCardinality, graphElementSpec } from "../../src/graph/graph-info.js";
import { lower } from "../../src/graph/lower.js";
import { TF_GRAPH_FIXTURES } from "../fixtures/graphs/tf-graphs.js";
import type { FixtureComponent } from "../fixtures/graphs/fixture-types.js";
import { fixtureComponent, fixtureGraph } from "./graph-fixtures.js";
import { Dataset } from "../../src/dataset/index.js";

/** Runs `plan` to the end; compressed elements are decoded from their wire form, as a client does. */
async function run(plan: DatasetPlan, compressed: boolean): Promise<FixtureComponent[][]> {
  const core = await getCore();
  const it = core.createIterator(plan);
  const out: FixtureComponent[][] = [];
  try {
    for (;;) {
      let comps: Tensor[] | null;
      if (compressed) {
        const wire = it.nextWire();
        if (wire === null) break;
        assert.is(wire.kind, "compressed");
        comps = core.decodeElement("compressed", wire.bytes);
      } else {
        comps = it.next();
        if (comps === null) break;
      }
      out.push(comps.map(fixtureComponent));
    }
  } finally {
    it.close();
  }
  return out;
}

for (const f of TF_GRAPH_FIXTURES) {
  test(`TF graph ${f.name} (${f.python}, ${f.kind}) lowers and yields TF's elements`, async () => {
    const graph = fixtureGraph(f.name);
    const lowered = lower(graph);
    assert.is(Number(lowered.cardinality), f.cardinality, "cardinality");
    assert.is(graphCardinality(graph), f.cardinality);
    if (!f.compressed) {
      const spec = graphElementSpec(graph).map((c) => ({ dtype: c.dtype, shape: c.shape }));
      const want = f.elementSpec.map((c) => ({ dtype: DType[c.dtype as keyof typeof DType], shape: c.shape }));
      assert.equal(spec, want, "element spec");
    }
    assert.equal(await run(lowered.plan, f.compressed), f.elements);
  });
}

test("TF's iterator wrappers (Options, MaxIntraOpParallelism, PrivateThreadPool, Model) lower to their input, Prefetch to a prefetch node", () => {
  const plan = lower(fixtureGraph("finalized_range_10_threading")).plan;
  assert.equal(plan, { op: "prefetch", input: { op: "range", start: 0n, stop: 10n, step: 1n, dtype: DType.int64 }, bufferSize: -1n });
});

test("TF's compression map lowers to map(CompressElement -> Identity)", () => {
  const plan = lower(fixtureGraph("registered_range_3_map_pair_auto")).plan;
  assert.equal(plan, {
    op: "map",
    input: {
      op: "map",
      input: { op: "range", start: 0n, stop: 3n, step: 1n, dtype: DType.int64 },
      fn: {
        numArgs: 1,
        instructions: [
          { kernel: "Identity", inputs: [0], numOutputs: 1, attrs: { T: DType.int64 } },
          { kernel: "Identity", inputs: [0], numOutputs: 1, attrs: { T: DType.int64 } },
        ],
        outputs: [1, 2],
      },
    },
    fn: {
      numArgs: 2,
      instructions: [
        { kernel: "CompressElement", inputs: [0, 1], numOutputs: 1, attrs: { input_types: [DType.int64, DType.int64] } },
        { kernel: "Identity", inputs: [2], numOutputs: 1, attrs: { T: DType.variant } },
      ],
      outputs: [3],
    },
    numParallelCalls: -1n,
    deterministic: true,
  });
});

test("our graphs lower to the same plans as TF's", () => {
  const pairs: [Dataset, string][] = [
    [Dataset.range(10).take(7).batch(2), "range_10_take_7_batch_2"],
    [Dataset.range(10).batch(3, true), "range_10_batch_3_drop"],
    [Dataset.range(5, { outputType: "int32" }).batch(2), "range_5_int32_batch_2"],
  ];
  for (const [ds, name] of pairs) assert.equal(lower(ds.toGraphDef()).plan, lower(fixtureGraph(name)).plan, name);
  assert.equal(lower(appendCompressionMap(Dataset.range(10).batch(3).toGraphDef())).plan,
    lower(fixtureGraph("registered_range_10_batch_3_auto")).plan);
});

test("our graph with the compression map appended yields TF's elements, compressed on the wire", async () => {
  const graph = appendCompressionMap(Dataset.range(10).batch(3).toGraphDef());
  const f = TF_GRAPH_FIXTURES.find((x) => x.name === "registered_range_10_batch_3_auto")!;
  assert.equal(await run(lower(graph).plan, true), f.elements);
});

test.run();
