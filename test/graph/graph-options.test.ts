// The graph's tf.data.Options as the lowering reads them: TF's default map_parallelization rewrite
// marks sequential maps parallel (AUTOTUNE) in the plan, unless the options or the map's
// force_synchronous attr say otherwise; the GraphDef itself is never changed.
import { create, toBinary } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { DatasetPlan, MapPlan } from "../../src/core/plan.js";
import { Dataset } from "../../src/dataset/dataset.js";
import { OptionsSchema } from "../../src/gen/tensorflow/core/framework/dataset_options_pb.js";
import type { GraphDef } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { lower } from "../../src/graph/lower.js";
import { MIN_PARALLEL_SCALAR_INSTRUCTIONS } from "../../src/graph/ops/map.js";
import type { SymbolicTensor as T } from "../../src/graph/trace/index.js";

type Init = Parameters<typeof create<typeof OptionsSchema>>[1];

/** `graph` with an `OptionsDataset` carrying `options` between its output dataset and the `_Retval`. */
function withOptions(graph: GraphDef, options: Init, name = "OptionsDataset/_opt"): GraphDef {
  const retval = graph.node.find((n) => n.op === "_Retval")!;
  const input = graph.node.find((n) => n.name === retval.input[0])!;
  const bytes = toBinary(OptionsSchema, create(OptionsSchema, options));
  graph.node.push({
    ...input,
    name,
    op: "OptionsDataset",
    input: [input.name],
    attr: {
      output_types: input.attr.output_types,
      output_shapes: input.attr.output_shapes,
      serialized_options: { ...input.attr.output_types, value: { case: "s", value: bytes } },
      metadata: { ...input.attr.output_types, value: { case: "s", value: new Uint8Array(0) } },
    },
  });
  retval.input[0] = name;
  return graph;
}

/** The first map node of a plan's main chain. */
function firstMap(plan: DatasetPlan): MapPlan | undefined {
  for (let p: DatasetPlan | undefined = plan; p !== undefined; p = (p as { input?: DatasetPlan }).input) {
    if (p.op === "map") return p as MapPlan;
  }
  return undefined;
}

const mapped = () => Dataset.range(8).batch(2).map((x: T) => x.mul(2));

test("a map without numParallelCalls lowers as parallel with AUTOTUNE (TF's default map_parallelization)", () => {
  const g = mapped().toGraphDef();
  assert.ok(g.node.some((n) => n.op === "MapDataset"), "the GraphDef keeps TF's MapDataset");
  const m = firstMap(lower(g).plan)!;
  assert.is(m.numParallelCalls, -1n);
  assert.is(m.deterministic, true);
  assert.is(firstMap(lower(g, { mapParallelization: false }).plan)!.numParallelCalls, undefined, "a caller may turn it off");
});

test("a short function over scalars is left out of the rewrite (never costly enough for threads)", () => {
  assert.is(firstMap(lower(Dataset.range(8).map((x: T) => x.mul(2).add(1)).toGraphDef()).plan)!.numParallelCalls, undefined);
  // A long one over scalars is rewritten.
  let long = (x: T) => x;
  for (let i = 0; i < MIN_PARALLEL_SCALAR_INSTRUCTIONS; i++) {
    const f = long;
    long = (x: T) => f(x).add(1);
  }
  assert.is(firstMap(lower(Dataset.range(8).map(long).toGraphDef()).plan)!.numParallelCalls, -1n);
});

test("options turning map_parallelization (or all default optimizations) off keep the map sequential", () => {
  const off = firstMap(lower(withOptions(mapped().toGraphDef(), { optimizationOptions: { optionalMapParallelization: { case: "mapParallelization", value: false } } })).plan)!;
  assert.is(off.numParallelCalls, undefined);
  const noDefaults = firstMap(lower(withOptions(mapped().toGraphDef(),
    { optimizationOptions: { optionalApplyDefaultOptimizations: { case: "applyDefaultOptimizations", value: false } } })).plan)!;
  assert.is(noDefaults.numParallelCalls, undefined);
  const explicit = firstMap(lower(withOptions(mapped().toGraphDef(), { optimizationOptions: {
    optionalApplyDefaultOptimizations: { case: "applyDefaultOptimizations", value: false },
    optionalMapParallelization: { case: "mapParallelization", value: true },
  } })).plan)!;
  assert.is(explicit.numParallelCalls, -1n, "explicitly enabled wins over apply_default_optimizations=false");
});

test("the outer OptionsDataset's fields override the inner one's; deterministic=false reaches the plan", () => {
  let g = withOptions(mapped().toGraphDef(), { optimizationOptions: { optionalMapParallelization: { case: "mapParallelization", value: false } } }, "inner");
  g = withOptions(g, { optimizationOptions: { optionalMapParallelization: { case: "mapParallelization", value: true } },
    optionalDeterministic: { case: "deterministic", value: false } }, "outer");
  const m = firstMap(lower(g).plan)!;
  assert.is(m.numParallelCalls, -1n);
  assert.is(m.deterministic, false);
  // An explicit deterministic attr on a parallel map wins over the options.
  const g2 = withOptions(Dataset.range(8).map((x: T) => x.mul(2), { numParallelCalls: 2, deterministic: true }).toGraphDef(),
    { optionalDeterministic: { case: "deterministic", value: false } });
  assert.is(firstMap(lower(g2).plan)!.deterministic, true);
});

test("force_synchronous keeps a map sequential", () => {
  const g = mapped().toGraphDef();
  const map = g.node.find((n) => n.op === "MapDataset")!;
  map.attr.force_synchronous = { ...map.attr.force_synchronous, value: { case: "b", value: true } };
  assert.is(firstMap(lower(g).plan)!.numParallelCalls, undefined);
});

test.run();
