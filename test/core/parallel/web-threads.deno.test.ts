// Deno has module Web Workers too: the browser thread factory runs there as in a page.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPipelineIterator } from "../../../src/core/parallel/pipeline.js";
import type { DatasetPlan } from "../../../src/core/plan.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { lower } from "../../../src/graph/lower.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { createWebThreads } from "../../../src/runtime/web-threads.js";

test("a parallel map runs in Web Workers (createWebThreads), same elements in order", async () => {
  const threads = createWebThreads(new URL("../../../src/runtime/web-threads.ts", import.meta.url), 2);
  const plan = { ...lower(Dataset.range(200).map((x: T) => x.sub(7)).toGraphDef()).plan, numParallelCalls: -1n } as DatasetPlan;
  const it = await createPipelineIterator(plan, { threads, parallel: "always" });
  const got: number[] = [];
  let used = 0;
  for (let e = await it.next(); e !== null; e = await it.next()) {
    used = Math.max(used, it.threadCount);
    got.push(Number((e[0].data as BigInt64Array)[0]));
  }
  it.close();
  assert.ok(used >= 1, "workers ran");
  assert.equal(got, Array.from({ length: 200 }, (_, i) => i - 7));
});

test.run();
