import { test } from "uvu";
import * as assert from "uvu/assert";
import { keptPipeline } from "../../../src/core/parallel/pipeline.js";
import { setThreadFactory, threadFactory, type ThreadFactory, type ThreadHandle } from "../../../src/core/parallel/threads.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { nodeThreads } from "../../../src/runtime/node-threads.js";
import { js, planOf } from "./plans.js";

/** nodeThreads, counting the threads alive. */
let alive = 0;
let spawned = 0;
const counting: ThreadFactory = {
  name: "node",
  maxThreads: 2,
  spawn(): ThreadHandle {
    const h = nodeThreads.spawn();
    alive++;
    spawned++;
    let gone = false;
    const down = () => {
      if (!gone) alive--;
      gone = true;
    };
    h.onExit(down);
    return { ...h, onExit: (f) => h.onExit((e) => { down(); f(e); }), terminate: () => { down(); h.terminate(); } };
  },
};

const previous = threadFactory();
test.before(() => setThreadFactory(counting));
test.after(() => setThreadFactory(previous));

const image = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 7) % 256);
const normalize = (x: T) => x.cast("float32").div(255).sub(0.45).div(0.22);

test("the lowering marks parallel maps and prefetch, so Dataset passes can run in threads", async () => {
  const ds = Dataset.fromTensors(image).repeat(40).map(normalize, { numParallelCalls: 2 }).batch(8).prefetch(1);
  const split = (await keptPipeline(planOf(ds)))?.split;
  assert.ok(split !== undefined, "ParallelMapDatasetV2 lowers with numParallelCalls (src/graph/ops/map.ts)");
  assert.is(split!.kind, "map");
  assert.is(split!.unit, 8);
  const p = await keptPipeline(planOf(Dataset.range(10).prefetch(2)));
  assert.ok(p !== null && p.split.kind === "producer", "PrefetchDataset lowers to a prefetch node (src/graph/ops/wrappers.ts)");
});

test("a Dataset with a parallel map gives the elements of its sequential twin, pass after pass", async () => {
  const build = (par: boolean) => Dataset.fromTensorSlices(Array.from({ length: 96 }, (_, i) => i))
    .shuffle(32, 5).map((x: T) => x.mul(3), par ? { numParallelCalls: -1 } : undefined).batch(6).prefetch(-1);
  const par = build(true);
  const seq = build(false);
  for (let pass = 0; pass < 2; pass++) assert.equal(js(await par.toArray()), js(await seq.toArray()));
});

test("breaking out of a for-await loop terminates the threads", async () => {
  const ds = Dataset.fromTensors(image).repeat(100_000).map(normalize, { numParallelCalls: 2 }).batch(4);
  const before = spawned;
  let n = 0;
  for await (const _ of ds) {
    if (++n === 3) break;
  }
  assert.is(alive, 0);
  assert.ok(spawned >= before, "threads may or may not have been started (auto mode); none is left");
});

test.run();
