import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPipelineIterator, ParallelPipeline } from "../../../src/core/parallel/pipeline.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { stringToNumber, type SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import type { ThreadFactory, ThreadHandle } from "../../../src/core/parallel/threads.js";
import { nodeThreads } from "../../../src/runtime/node-threads.js";
import { drain, js, parallelMaps, planOf, prefetched, reference, referenceWire } from "./plans.js";

// Every run here uses threads from the first chunk (`always`), so the threaded path is what is checked.
const threads = { threads: nodeThreads, parallel: "always" as const, maxThreads: 2 };

test("a parallel map + batch gives the one-thread elements in order, computed in threads", async () => {
  const plan = parallelMaps(planOf(Dataset.range(1000).map((x: T) => x.mul(2).add(1)).map((x: T) => [x, x.cast("float32").div(3)]).batch(7)));
  const pipeline = (await ParallelPipeline.create(plan))!;
  assert.is(pipeline.split.kind, "map");
  const got = await drain(pipeline.createIterator(threads));
  const want = await reference(plan);
  assert.is(got.error, undefined);
  assert.is(got.elements.length, 143);
  assert.equal(got.elements, want.elements);
  assert.ok(got.threads >= 1, "the stage ran in threads");
  pipeline.close();
});

test("large components (shared, pooled buffers both ways) arrive intact", async () => {
  const n = 12;
  const px = new Uint8Array(n * 160 * 160 * 3).map((_, i) => (i * 31) % 251);
  const { Tensor } = await import("../../../src/core/tensor.js");
  const { DType } = await import("../../../src/core/dtype.js");
  const plan = parallelMaps(planOf(Dataset.fromTensorSlices(new Tensor(DType.uint8, [n, 160, 160, 3], px)).repeat(3)
    .map((x: T) => x.cast("float32").div(255).sub(0.5)).batch(4)));
  const it = await createPipelineIterator(plan, { ...threads, callerComputes: false });
  const got: Float32Array[] = [];
  for (let e = await it.next(); e !== null; e = await it.next()) got.push(e[0].data as Float32Array);
  it.close();
  const { getCore } = await import("../../../src/core/core.js");
  const ref = (await getCore()).createIterator(plan);
  let i = 0;
  for (let e = ref.next(); e !== null; e = ref.next(), i++) {
    assert.ok(got[i].buffer instanceof ArrayBuffer, "consumers get plain buffers");
    assert.equal(got[i], e[0].data);
  }
  assert.is(i, 9);
  assert.is(got.length, 9);
});

test("string components and non-deterministic order: the same elements", async () => {
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
  const plan = parallelMaps(planOf(Dataset.fromTensorSlices(words).map((s: T) => [s, s]).batch(4)), 2n, false);
  const got = await drain(await createPipelineIterator(plan, threads));
  const want = await reference(plan);
  assert.is(got.error, undefined);
  const key = (e: unknown) => JSON.stringify(e);
  assert.equal(got.elements.map(key).sort(), want.elements.map(key).sort());
  assert.is(got.elements.length, 75);
});

test("an error in the mapped function ends the outputs where one thread ends them, same code and message", async () => {
  const strings = ["1", "2", "3", "4", "5", "x", "7", "8"];
  const plan = parallelMaps(planOf(Dataset.fromTensorSlices(strings).map((s: T) => stringToNumber(s)).batch(2)));
  const want = await reference(plan);
  assert.ok(want.error, "the reference fails");
  const got = await drain(await createPipelineIterator(plan, threads));
  assert.equal(got.elements, want.elements);
  assert.equal(got.error, want.error);
  assert.is(got.error!.code, "InvalidArgument");
});

test("an error upstream of the parallel map reaches the caller after the elements before it", async () => {
  const strings = ["1", "2", "3", "oops", "5"];
  // Only the outer map is parallel: the inner one (which fails) runs upstream, in this thread.
  const plan = { ...planOf(Dataset.fromTensorSlices(strings).map((s: T) => stringToNumber(s)).map((x: T) => x.mul(2))), numParallelCalls: 2n };
  const pipeline = (await ParallelPipeline.create(plan))!;
  assert.is(pipeline.split.upstream.op, "map");
  const want = await reference(plan);
  assert.ok(want.error);
  assert.is(want.elements.length, 3);
  const got = await drain(pipeline.createIterator(threads));
  assert.equal(got.elements, want.elements);
  assert.equal(got.error, want.error);
  pipeline.close();
});

test("wire output (as the service reads it: threads only) equals the core's wire elements byte for byte", async () => {
  const plan = parallelMaps(planOf(Dataset.range(200).map((x: T) => [x, x.cast("float64")]).batch(8)));
  const it = await createPipelineIterator(plan, { ...threads, output: "wire", callerComputes: false });
  const got: Uint8Array[] = [];
  for (let e = await it.nextWire(); e !== null; e = await it.nextWire()) {
    assert.is(e.kind, "uncompressed");
    got.push(e.bytes.slice());
  }
  it.close();
  assert.is(it.threadCount, 0, "closed at the end");
  const want = await referenceWire(plan);
  assert.is(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i].bytes);
});

test("a prefetch moves the pipeline into a producer thread, same elements", async () => {
  const plan = prefetched(planOf(Dataset.range(500).map((x: T) => x.mul(x)).batch(9)));
  const pipeline = (await ParallelPipeline.create(plan))!;
  assert.is(pipeline.split.kind, "producer");
  const got = await drain(pipeline.createIterator(threads));
  assert.equal(got, { ...(await reference(plan)), threads: 1 });
  pipeline.close();
});

test("passes of a kept pipeline reshuffle as the core's passes do (map and producer splits)", async () => {
  const ds = Dataset.range(64).shuffle(64, 7).map((x: T) => x.add(100)).batch(8);
  for (const plan of [parallelMaps(planOf(ds)), prefetched(planOf(ds))]) {
    const pipeline = (await ParallelPipeline.create(plan))!;
    const first = await drain(pipeline.createIterator(threads));
    const second = await drain(pipeline.createIterator(threads));
    assert.ok(first.threads >= 1 && second.threads >= 1);
    const { getCore } = await import("../../../src/core/core.js");
    const kept = (await getCore()).createDataset(plan);
    const pass = async () => {
      const it = kept.createIterator();
      const out: unknown[] = [];
      for (let e = it.next(); e !== null; e = it.next()) out.push(JSON.parse(JSON.stringify(e.map((t) => t.toJS()), (_k, v) => (typeof v === "bigint" ? `${v}n` : v))));
      return out;
    };
    assert.equal(first.elements, await pass());
    assert.equal(second.elements, await pass());
    assert.not.equal(first.elements, second.elements);
    kept.close();
    pipeline.close();
  }
});

test("a prefetch over a cache stays in this thread, so later passes replay the cache", async () => {
  const plan = prefetched(planOf(Dataset.range(40).shuffle(40, 3).cache().map((x: T) => x.mul(2))));
  const pipeline = (await ParallelPipeline.create(plan))!;
  const { getCore } = await import("../../../src/core/core.js");
  const kept = (await getCore()).createDataset(plan);
  for (let pass = 0; pass < 2; pass++) {
    const got = await drain(pipeline.createIterator(threads));
    const it = kept.createIterator();
    const want: unknown[] = [];
    for (let e = it.next(); e !== null; e = it.next()) want.push(js(e.map((t) => t.toJS())));
    assert.equal(got.elements, want);
    assert.is(got.threads, 0);
  }
  kept.close();
  pipeline.close();
});

test("closing early terminates the threads", async () => {
  const plan = parallelMaps(planOf(Dataset.range(1_000_000).map((x: T) => x.add(1))));
  const it = await createPipelineIterator(plan, threads);
  for (let i = 0; i < 10; i++) assert.ok((await it.next()) !== null);
  assert.ok(it.threadCount >= 1);
  it.close();
  assert.is(it.threadCount, 0);
  try {
    await it.next();
    assert.unreachable("next after close");
  } catch (e) {
    assert.is((e as { code: string }).code, "FailedPrecondition");
  }
});

test("auto mode keeps a cheap map in this thread", async () => {
  const plan = parallelMaps(planOf(Dataset.range(200_000).map((x: T) => x.mul(2).add(1))));
  const got = await drain(await createPipelineIterator(plan, { threads: nodeThreads }));
  assert.is(got.threads, 0);
  assert.is(got.elements.length, 200_000);
});

test("auto mode moves a costly map into threads", async () => {
  const img = new Uint8Array(64 * 64 * 3).map((_, i) => i % 251);
  const plan = parallelMaps(planOf(Dataset.fromTensors(img).repeat(400)
    .map((x: T) => x.cast("float32").div(255).sub(0.5).div(0.25).reshape([64, 64, 3]).mean([0, 1]))));
  const want = await reference(plan);
  const got = await drain(await createPipelineIterator(plan, { threads: nodeThreads }));
  assert.equal(got.elements, want.elements);
  assert.ok(got.threads >= 1, "threads were started");
});

test("auto mode retires stage threads that deliver less than this thread alone", async () => {
  // Threads whose every answer is 40 ms late: on trial they lose to this thread, which then
  // finishes the pass alone (the elements unchanged).
  const slow: ThreadFactory = {
    name: "node",
    maxThreads: 2,
    spawn(): ThreadHandle {
      const h = nodeThreads.spawn();
      return { ...h, receive: undefined, onMessage: (f) => h.onMessage((m) => void setTimeout(() => f(m), 40)) };
    },
  };
  const img = new Uint8Array(64 * 64 * 3).map((_, i) => i % 251);
  const plan = parallelMaps(planOf(Dataset.fromTensors(img).repeat(3000)
    .map((x: T) => x.cast("float32").div(255).sub(0.5).div(0.25).reshape([64, 64, 3]).mean([0, 1]))));
  const want = await reference(plan);
  const it = await createPipelineIterator(plan, { threads: slow });
  const elements: unknown[] = [];
  const threadCounts: number[] = [];
  for (let e = await it.next(); e !== null; e = await it.next()) {
    elements.push(js(e.map((t) => t.toJS())));
    threadCounts.push(it.threadCount);
  }
  assert.equal(elements, want.elements);
  const started = threadCounts.findIndex((n) => n > 0);
  assert.ok(started >= 0, "threads were started (the map is costly)");
  const retired = threadCounts.findIndex((n, i) => i > started && n === 0);
  assert.ok(retired > 0 && retired < elements.length - 1, "the threads were retired before the end");
  assert.ok(threadCounts.slice(retired).every((n) => n === 0), "and not started again");
});

test.run();
