// The cross-trainer cache (spec §3.6): TF's cross_trainer_cache_test.cc cases on the sliding
// window (sharing, eviction, lagging trainers jumping forward, one extender at a time, errors,
// cancellation), and the caching task runner's TF errors (end of input, element too large).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TfDataError } from "../../../src/core/errors.js";
import { CrossTrainerCache, type CachableSequence } from "../../../src/service/worker/cross-trainer-cache.js";
import {
  CACHED_ELEMENT_OVERHEAD_BYTES,
  CachingTaskRunner,
} from "../../../src/service/worker/caching-runner.js";
import type { PulledElement, PullSource } from "../../../src/service/worker/runner-source.js";
import { rejects } from "../../helpers/rejects.js";

/** sizeof(int64_t). */
const INT64 = 8;

/** TF's `InfiniteRange`: 0, 1, 2, ... of 8 bytes each. */
function infiniteRange(): CachableSequence<number> {
  let next = 0;
  return { next: () => Promise.resolve(next++), sizeBytes: () => INT64 };
}

/** TF's `TensorDataset`: the same 11-byte string forever. */
function tensorDataset(): CachableSequence<string> {
  return { next: () => Promise.resolve("Test Tensor"), sizeBytes: (s) => s.length };
}

test("ports cross_trainer_cache_test.cc.GetFromOneTrainer", async () => {
  const cache = new CrossTrainerCache(1024, infiniteRange());
  for (let i = 0; i < 10; i++) assert.is(await cache.get("Trainer ID"), i);
});

test("ports cross_trainer_cache_test.cc.GetFromMultipleTrainers", async () => {
  const cache = new CrossTrainerCache(1024, infiniteRange());
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) assert.is(await cache.get(`Trainer ${j}`), i);
  }
});

test("ports cross_trainer_cache_test.cc.SlowTrainersSkipData", async () => {
  const cache = new CrossTrainerCache(5 * INT64, infiniteRange());
  for (const t of ["Fast trainer 1", "Fast trainer 2", "Slow trainer 1", "Slow trainer 2"]) assert.is(await cache.get(t), 0);
  for (let i = 1; i < 20; i++) {
    assert.is(await cache.get("Fast trainer 1"), i);
    assert.is(await cache.get("Fast trainer 2"), i);
  }
  // When 19 is cached, 14 must have been discarded: the slow trainers jump to the window's start.
  assert.is(await cache.get("Slow trainer 1"), 15);
  assert.is(await cache.get("Slow trainer 2"), 15);
  for (let i = 20; i < 100; i++) {
    assert.is(await cache.get("Fast trainer 1"), i);
    assert.is(await cache.get("Fast trainer 2"), i);
  }
  assert.ok((await cache.get("Slow trainer 1")) > 94);
  assert.ok((await cache.get("Slow trainer 2")) > 94);
});

test("ports cross_trainer_cache_test.cc.NewTrainersStartLate", async () => {
  const cache = new CrossTrainerCache(5 * INT64, infiniteRange());
  for (let i = 0; i < 100; i++) assert.is(await cache.get("Old trainer"), i);
  for (let j = 0; j < 100; j++) assert.ok((await cache.get(`New trainer ${j}`)) > 94);
});

test("ports cross_trainer_cache_test.cc.AlternateTrainerExtendsCache", async () => {
  // The window holds one element.
  const cache = new CrossTrainerCache(INT64, infiniteRange());
  assert.equal([await cache.get("Trainer 1"), await cache.get("Trainer 1"), await cache.get("Trainer 1")], [0, 1, 2]);
  const gt = async (trainer: string, bound: number) => assert.ok((await cache.get(trainer)) > bound, `${trainer} > ${bound}`);
  await gt("Trainer 2", 0);
  await gt("Trainer 2", 1);
  await gt("Trainer 2", 2);
  await gt("Trainer 1", 1);
  await gt("Trainer 1", 2);
  await gt("Trainer 1", 3);
  await gt("Trainer 2", 2);
  await gt("Trainer 2", 3);
  await gt("Trainer 2", 4);
  await gt("Trainer 3", 3);
  await gt("Trainer 3", 4);
  await gt("Trainer 3", 5);
});

test("ports cross_trainer_cache_test.cc.CacheSizeMetrics (the window's size in bytes)", async () => {
  const cache = new CrossTrainerCache(5 * INT64, infiniteRange());
  for (let i = 0; i < 5; i++) {
    assert.is(await cache.get("Trainer 1"), i);
    assert.is(cache.sizeBytes, (i + 1) * INT64);
  }
  for (let i = 0; i < 100; i++) {
    assert.is(await cache.get("Trainer 1"), 5 + i);
    assert.is(cache.sizeBytes, 5 * INT64);
  }
});

test("ports cross_trainer_cache_test.cc.ConcurrentReaders", async () => {
  const cache = new CrossTrainerCache(3 * INT64, infiniteRange());
  const results = await Promise.all(Array.from({ length: 10 }, async (_, t) => {
    const got: number[] = [];
    for (let i = 0; i < 200; i++) {
      if (Math.random() < 0.2) await new Promise((r) => setTimeout(r, 1));
      got.push(await cache.get(`Trainer_${t}`));
    }
    return got;
  }));
  for (const got of results) {
    assert.is(got.length, 200);
    // Trainers may miss elements but never read one twice: strictly increasing.
    for (let i = 1; i < got.length; i++) assert.ok(got[i] > got[i - 1], `${got[i - 1]} then ${got[i]}`);
  }
});

test("ports cross_trainer_cache_test.cc.ConcurrentReadersFromOneTrainer", async () => {
  const cache = new CrossTrainerCache(3 * INT64, infiniteRange());
  const results: number[] = [];
  await Promise.all(Array.from({ length: 10 }, async () => {
    for (let i = 0; i < 100; i++) {
      if (Math.random() < 0.2) await new Promise((r) => setTimeout(r, 1));
      results.push(await cache.get("Trainer ID"));
    }
  }));
  // One trainer id reads every element exactly once, whichever reader asks.
  assert.equal(results.sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
});

test("ports cross_trainer_cache_test.cc.Cancel", async () => {
  const cache = new CrossTrainerCache(1000, tensorDataset());
  assert.is(cache.isCancelled, false);
  let stop = false;
  const statuses: unknown[] = [];
  const readers = Array.from({ length: 10 }, async () => {
    for (let j = 0; !stop; j++) {
      try {
        assert.is(await cache.get(`Trainer_${j % 1000}`), "Test Tensor");
      } catch (err) {
        statuses.push(err);
        return;
      }
      if (j % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
  });
  await new Promise((r) => setTimeout(r, 50));
  cache.cancel(new TfDataError("Canceled", "Cancelled"));
  await Promise.all(readers);
  stop = true;
  assert.is(statuses.length, 10);
  for (const s of statuses) assert.is((s as TfDataError).code, "Canceled");
  await rejects(cache.get("New trainer"), "Canceled");
  assert.is(cache.isCancelled, true);
});

test("ports cross_trainer_cache_test.cc.Errors: errors reach the extender and are not cached", async () => {
  const items: (string | TfDataError)[] = [
    "First element", new TfDataError("Canceled", "Cancelled"),
    "Second element", new TfDataError("InvalidArgument", "InvalidArgument"),
    "Third element", new TfDataError("Unavailable", "Unavailable"),
  ];
  let next = 0;
  const cache = new CrossTrainerCache<string>(1000, {
    next: () => {
      if (next >= items.length) return Promise.reject(new TfDataError("OutOfRange", "Out of range."));
      const item = items[next++];
      return typeof item === "string" ? Promise.resolve(item) : Promise.reject(item);
    },
    sizeBytes: (s) => s.length,
  });
  assert.is(await cache.get("Trainer ID"), "First element");
  await rejects(cache.get("Trainer ID"), "Canceled");
  assert.is(await cache.get("Trainer ID"), "Second element");
  await rejects(cache.get("Trainer ID"), "InvalidArgument");
  assert.is(await cache.get("Trainer ID"), "Third element");
  await rejects(cache.get("Trainer ID"), "Unavailable");
  assert.is(await cache.get("New Trainer"), "First element");
  assert.is(await cache.get("New Trainer"), "Second element");
  assert.is(await cache.get("New Trainer"), "Third element");
});

test("ports cross_trainer_cache_test.cc.CacheSizeIsTooSmall", async () => {
  const cache = new CrossTrainerCache(1, tensorDataset());
  await rejects(cache.get("Trainer ID"), "InvalidArgument",
    /^tf\.data service element size is larger than cache size in bytes\. Got element size: 11 and cache size: 1$/);
});

test("ports cross_trainer_cache_test.cc.TrainerIDMustBeNonEmpty", async () => {
  const cache = new CrossTrainerCache(1000, tensorDataset());
  await rejects(cache.get(""), "InvalidArgument", /^tf\.data service cross-trainer cache requires a non-empty trainer ID\.$/);
});

/** A task's elements 0..n-1 (then end of input), as the FCFS runner would hand them over. */
function taskSource(n: number, bytesPerElement = 8): PullSource {
  let i = 0;
  return {
    next: () => Promise.resolve(i >= n ? null : {
      element: { kind: "uncompressed", bytes: new Uint8Array(bytesPerElement).fill(i) },
      elementIndex: BigInt(i++),
    } satisfies PulledElement),
    close() {},
  };
}

test("caching runner: trainers share elements; the end of input is TF's INVALID_ARGUMENT", async () => {
  const runner = new CachingTaskRunner(taskSource(3), 10 * 1024);
  const read = async (trainerId: string) => {
    const r = await runner.getNext({ allowSkip: false, trainerId });
    assert.is(r.kind, "element");
    return r.kind === "element" ? r.elementIndex : -1n;
  };
  assert.equal([await read("a"), await read("a"), await read("b"), await read("a"), await read("b")], [0n, 1n, 0n, 2n, 1n]);
  await rejects(read("a"), "InvalidArgument",
    /^Cross-trainer caching requires the input dataset to be infinite\. However, it reached the end of sequence\.$/);
  assert.is(await read("b"), 2n, "trainer b still reads what the window holds");
  await rejects(runner.getNext({ allowSkip: false }), "InvalidArgument", /requires a non-empty trainer ID/);
  runner.cancel();
  await rejects(read("b"), "Canceled", /cross-trainer cache task is cancelled/);
});

test("caching runner: the budget counts serialized bytes plus overhead; a too-large element is INVALID_ARGUMENT", async () => {
  const perElement = 100 + CACHED_ELEMENT_OVERHEAD_BYTES;
  const runner = new CachingTaskRunner(taskSource(1000, 100), 2 * perElement);
  for (let i = 0; i < 5; i++) await runner.getNext({ allowSkip: false, trainerId: "fast" });
  // The window holds elements 3 and 4: a new trainer starts at 3.
  const r = await runner.getNext({ allowSkip: false, trainerId: "late" });
  assert.is(r.kind === "element" ? r.elementIndex : -1n, 3n);
  const tooSmall = new CachingTaskRunner(taskSource(10, 100), perElement - 1);
  await rejects(tooSmall.getNext({ allowSkip: false, trainerId: "t" }), "InvalidArgument",
    new RegExp(`Got element size: ${perElement} and cache size: ${perElement - 1}$`));
});

test.run();
