// Deno runs the parallel runner's threads through its node:worker_threads compatibility.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPipelineIterator } from "../../../src/core/parallel/pipeline.js";
import type { DatasetPlan } from "../../../src/core/plan.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { lower } from "../../../src/graph/lower.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { nodeThreads } from "../../../src/runtime/node-threads.js";

test("a parallel map runs in node:worker_threads threads under Deno, same elements in order", async () => {
  const base = lower(Dataset.range(300).map((x: T) => x.mul(3).add(1)).batch(5).toGraphDef()).plan;
  assert.is(base.op, "batch");
  const batch = base as Extract<DatasetPlan, { op: "batch" }>;
  const plan: DatasetPlan = { ...batch, input: { ...batch.input, numParallelCalls: 2n } as DatasetPlan };
  const it = await createPipelineIterator(plan, { threads: nodeThreads, parallel: "always", maxThreads: 2 });
  const got: number[][] = [];
  let threads = 0;
  for (let e = await it.next(); e !== null; e = await it.next()) {
    threads = Math.max(threads, it.threadCount);
    got.push(Array.from(e[0].data as BigInt64Array, Number));
  }
  it.close();
  assert.ok(threads >= 1, "threads ran");
  assert.is(got.length, 60);
  assert.equal(got.flat(), Array.from({ length: 300 }, (_, i) => 3 * i + 1));
  assert.is(it.threadCount, 0);
});

test.run();
