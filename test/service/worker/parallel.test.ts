// The worker runs a task's parallel map and prefetch on the parallel runner: the work is done in
// worker threads (each with its own wasm instance) while the worker's thread serves RPCs, the
// elements and their order are those of a one-thread run, and the threads end with the task.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { setThreadFactory, threadFactory, type ThreadFactory, type ThreadHandle } from "../../../src/core/parallel/threads.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { nodeThreads } from "../../../src/runtime/node-threads.js";
import { distribute } from "../../../src/service/client/distribute.js";
import { setPlatform } from "../../../src/service/platform.js";
import { startLocalService, type LocalService } from "../../helpers/servers.js";

setPlatform(nodePlatform);

/** nodeThreads, counting the threads started and alive. */
const count = { alive: 0, spawned: 0 };
const counting: ThreadFactory = {
  name: "node",
  maxThreads: 2,
  spawn(): ThreadHandle {
    const h = nodeThreads.spawn();
    count.alive++;
    count.spawned++;
    let gone = false;
    const down = () => {
      if (!gone) count.alive--;
      gone = true;
    };
    h.onExit(down);
    return { ...h, onExit: (f) => h.onExit((e) => { down(); f(e); }), terminate: () => { down(); h.terminate(); } };
  },
};

const previous = threadFactory();
let svc: LocalService;
test.before(async () => {
  setThreadFactory(counting);
  svc = await startLocalService({ workerConfig: { heartbeatIntervalMs: 50 } });
});
test.after(async () => {
  await svc.stop();
  setThreadFactory(previous);
});

/** A map costly enough per element that the runner's calibration moves it into threads. */
const image = new Uint8Array(64 * 64 * 3).map((_, i) => (i * 7) % 251);
const normalize = (x: T) => x.cast("float32").div(255).sub(0.45).div(0.22).mul(x.cast("float32").sqrt()).add(0.5).reshape([64, 64, 3]);
const costly = (x: T) => normalize(x).mean([0, 1]);

function js(elements: unknown[]): unknown {
  return JSON.stringify(elements, (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Float32Array ? Array.from(v) : v));
}

async function untilNoThreads(): Promise<void> {
  for (let i = 0; i < 200 && count.alive > 0; i++) await new Promise((r) => setTimeout(r, 10));
}

test("a parallel map in a distributed dataset runs in worker threads, same elements in the same order", async () => {
  const build = (par: boolean) => Dataset.fromTensors(image).repeat(300).enumerate()
    .map((i: T, x: T) => [i, costly(x)], par ? { numParallelCalls: 2, deterministic: true } : undefined).batch(10);
  const want = await build(false).toArray();
  const before = count.spawned;
  for (const compression of ["AUTO", null] as const) {
    const got = await build(true).apply(distribute({ processingMode: "parallel_epochs", service: svc.target, compression })).toArray();
    assert.is(got.length, 30);
    assert.is(js(got), js(want), `compression ${compression}: elements and order as one thread gives them`);
  }
  assert.ok(count.spawned > before, "the worker started threads for the parallel map");
  await untilNoThreads();
  assert.is(count.alive, 0, "the threads end with the task");
});

test("a prefetch under the compression map moves the costly work into a producer thread of the worker", async () => {
  // The client appends a parallel compression map; it is cheap next to the normalization, so the
  // worker runs the prefetch's input in a producer thread and compresses in its own thread.
  const build = (prefetch: boolean) => {
    const ds = Dataset.fromTensors(image).repeat(400).map(normalize);
    return prefetch ? ds.prefetch(2) : ds;
  };
  const want = await build(false).toArray();
  const before = count.spawned;
  const got = await build(true).apply(distribute({ processingMode: "parallel_epochs", service: svc.target })).toArray();
  assert.is(got.length, 400);
  assert.ok(js(got) === js(want), "elements and order as one thread gives them");
  assert.ok(count.spawned > before, "the worker started a producer thread");
  await untilNoThreads();
  assert.is(count.alive, 0);
});

test("a map without numParallelCalls runs in threads on the worker, as TF's default map_parallelization has it", async () => {
  const ds = () => Dataset.fromTensors(image).repeat(300).enumerate().map((i: T, x: T) => [i, costly(x)]).batch(10);
  const want = await ds().toArray(); // in-process: maps as written, one thread
  const before = count.spawned;
  const got = await ds().apply(distribute({ processingMode: "parallel_epochs", service: svc.target, compression: null })).toArray();
  assert.is(js(got), js(want), "elements and order as one thread gives them");
  assert.ok(count.spawned > before, "the worker started threads for the map");
  await untilNoThreads();
  assert.is(count.alive, 0);
});

test("a cheap parallel map stays in the worker's thread (threads only where they pay off)", async () => {
  const before = count.spawned;
  const got = await Dataset.range(2000).map((x: T) => x.add(1), { numParallelCalls: 2 })
    .apply(distribute({ processingMode: "parallel_epochs", service: svc.target })).toArray();
  assert.equal(got.map(Number), Array.from({ length: 2000 }, (_, i) => i + 1));
  assert.is(count.spawned, before);
});

test("an error in a threaded map reaches the client with its code, after the elements before it", async () => {
  const ds = Dataset.fromTensors(image).repeat(100).enumerate()
    .map((i: T, x: T) => costly(x).reshape(i.equal(60n).cast("int32").add(3).reshape([1])), { numParallelCalls: 2 });
  let n = 0;
  let error: unknown;
  try {
    for await (const _ of ds.apply(distribute({ processingMode: "parallel_epochs", service: svc.target }))) n++;
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, "the iteration failed");
  assert.match(String((error as Error).message), /reshape|Input to reshape/i);
  assert.is((error as { code?: unknown }).code, "InvalidArgument");
  assert.is(n, 60, "every element before the bad one arrived");
  await untilNoThreads();
  assert.is(count.alive, 0);
});

test.run();
