// DYNAMIC sharding (`distributed_epoch`), worker half, end to end: our dispatcher, our workers and
// our client. Ports the cases of TF's
// tensorflow/python/data/experimental/kernel_tests/service/dynamic_sharding_test.py (named in
// each test), plus the issue's: 1, 2 and 5 workers, fewer splits than workers, a worker stopped
// mid-epoch (no hang, at-most-once).
import { test } from "uvu";
import { withDeadline } from "../../helpers/deadline.js";
import * as assert from "uvu/assert";
import { Tensor } from "../../../src/core/tensor.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import { distribute } from "../../../src/service/client/distribute.js";
import { SPLIT_PREFETCH } from "../../../src/service/worker/split-provider.js";
import { FCFS_PREFETCH_ELEMENTS } from "../../../src/service/worker/task-runner.js";

setPlatform(nodePlatform);

/** Fast intervals so each test takes milliseconds. */
const HEARTBEAT_MS = 50;
const REFRESH_MS = 50;

interface Cluster {
  readonly dispatcher: DispatchServer;
  readonly workers: WorkerServer[];
  stop(): Promise<void>;
}

async function startCluster(numWorkers: number, dispatcherConfig: Record<string, number> = {}): Promise<Cluster> {
  const dispatcher = new DispatchServer({ host: "127.0.0.1", ...dispatcherConfig });
  await dispatcher.start();
  const workers = Array.from({ length: numWorkers }, () => new WorkerServer({
    dispatcherAddress: dispatcher._address, host: "127.0.0.1", heartbeatIntervalMs: HEARTBEAT_MS,
  }));
  await Promise.all(workers.map((w) => w.start()));
  return {
    dispatcher,
    workers,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await dispatcher.stop();
    },
  };
}

/** Runs `body` against a fresh cluster of `n` workers, always stopping it. */
async function withCluster(n: number, body: (c: Cluster) => Promise<void>, config: Record<string, number> = {}): Promise<void> {
  const c = await startCluster(n, config);
  try {
    await body(c);
  } finally {
    await c.stop();
  }
}

/** TF's `_make_dynamic_sharding_dataset`: DYNAMIC with job name "job_name". */
function dynamic(ds: Dataset, c: Cluster, jobName: string | null = "job_name"): Dataset {
  return ds.apply(distribute({
    processingMode: "distributed_epoch", service: c.dispatcher.target, taskRefreshIntervalHintMs: REFRESH_MS,
    ...(jobName === null ? {} : { jobName }),
  }));
}

/** A stable text key of an element (numbers and bigints alike, byte strings, tensors, nests). */
function key(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === "bigint") return Number(x);
    if (x instanceof Uint8Array) return new TextDecoder().decode(x);
    if (x instanceof Tensor) return x.toJS();
    return x;
  });
}

const keys = (values: unknown[]): string[] => values.map(key);
const sortedKeys = (values: unknown[]): string[] => keys(values).sort();
const range = (n: number, from = 0): bigint[] => Array.from({ length: n - from }, (_, i) => BigInt(from + i));

for (const workers of [1, 2, 5]) {
  test(`ports testBasic: range(100) over ${workers} worker(s) gives each element exactly once`, () =>
    withCluster(workers, async (c) => {
      const got = await dynamic(Dataset.range(100), c).toArray();
      assert.equal(sortedKeys(got), sortedKeys(range(100)));
    }));
}

test("ports testNoJobName and testTensorSlices: no job name; from_tensor_slices splits by slice", () =>
  withCluster(2, async (c) => {
    assert.equal(sortedKeys(await dynamic(Dataset.range(100), c, null).toArray()), sortedKeys(range(100)));
    const vals = [5, 1, 2, 4];
    assert.equal(sortedKeys(await dynamic(Dataset.fromTensorSlices(vals), c, "slices").toArray()), sortedKeys(vals));
  }));

test("fewer splits than workers: range(2) over 5 workers gives 0 and 1 once, without hanging", () =>
  withCluster(5, async (c) => {
    assert.equal(sortedKeys(await dynamic(Dataset.range(2), c).toArray()), ["0", "1"]);
    assert.equal(await dynamic(Dataset.range(0), c, "empty").toArray(), []);
  }));

test("ports testFlatMap and testInterleave: functions' datasets are not split", () =>
  withCluster(2, async (c) => {
    const elements = [1, 5, 0];
    // TF builds the inner datasets with from_tensor_slices([x]); from_tensors(x) has the same elements.
    const flat = Dataset.fromTensorSlices(elements).flatMap((x: T) => Dataset.fromTensors(x));
    assert.equal(sortedKeys(await dynamic(flat, c, "flat").toArray()), sortedKeys(elements));
    const inter = Dataset.fromTensorSlices(elements).interleave((x: T) => Dataset.fromTensors(x), { cycleLength: 2 });
    assert.equal(sortedKeys(await dynamic(inter, c, "inter").toArray()), sortedKeys(elements));
  }));

test("ports testRepeatBeforeDistribution and testShuffleAndRepeat: 5 repetitions, each element 5 times", () =>
  withCluster(2, async (c) => {
    const want = sortedKeys(Array.from({ length: 5 }, () => range(20)).flat());
    assert.equal(sortedKeys(await dynamic(Dataset.range(20).repeat(5), c, "r").toArray()), want);
    assert.equal(sortedKeys(await dynamic(Dataset.range(20).shuffle(20).repeat(5), c, "sr").toArray()), want);
  }));

test("ports testRepeatAfterDistribution: each pass over the distributed dataset is a new epoch", () =>
  withCluster(2, async (c) => {
    // TF's `distribute(...).repeat(5)` starts a new iteration (repetition) per pass; our reading
    // dataset cannot be transformed further, so the passes are made by iterating it again.
    const ds = dynamic(Dataset.range(20), c);
    const got: unknown[] = [];
    for (let i = 0; i < 5; i++) got.push(...await ds.toArray());
    assert.equal(sortedKeys(got), sortedKeys(Array.from({ length: 5 }, () => range(20)).flat()));
  }));

test("ports testZip and testNestedZip: one worker reads zipped sources in order", () =>
  withCluster(1, async (c) => {
    const a = () => Dataset.range(10);
    const b = range(10);
    assert.equal(keys(await dynamic(Dataset.zip(a(), a()), c, "zip").toArray()), keys(b.map((x) => [x, x])));
    const nested = Dataset.zip(a(), a(), Dataset.zip(a(), a()), a());
    assert.equal(keys(await dynamic(nested, c, "nested").toArray()), keys(b.map((x) => [x, x, [x, x], x])));
  }));

test("ports testImbalancedZip and testImbalancedZipAndRepeat (sizes / 10): zip ends with the shorter source", () =>
  withCluster(1, async (c) => {
    // TF's sizes are 200 and 1000; a tenth keeps the suite fast (one GetSplit per element and source).
    const zip = () => Dataset.zip(Dataset.range(20), Dataset.range(100));
    const pairs = range(20).map((x) => [x, x]);
    assert.equal(keys(await dynamic(zip(), c, "imbalanced").toArray()), keys(pairs));
    assert.equal(keys(await dynamic(zip().repeat(3), c, "imbalanced-repeat").toArray()), keys([...pairs, ...pairs, ...pairs]));
  }));

test("ports testImbalancedZipMultiWorker, testZipDifferentRates and testZipDifferentRepeats (3 workers)", () =>
  withCluster(3, async (c) => {
    const imbalanced = Dataset.zip(Dataset.range(200), Dataset.range(1000));
    assert.is((await dynamic(imbalanced, c, "a").toArray()).length, 200);
    const rates = Dataset.zip(Dataset.range(100), Dataset.range(100).filter((x: T) => x.floorMod(10).equal(0)));
    assert.is((await dynamic(rates, c, "b").toArray()).length, 10);
    const repeats = Dataset.zip(Dataset.range(50), Dataset.range(10).repeat(10));
    assert.is((await dynamic(repeats, c, "c").toArray()).length, 50);
  }));

test("batched pipelines: every row exactly once, batches made of each worker's splits", () =>
  withCluster(2, async (c) => {
    const got = await dynamic(Dataset.range(100).map((x: T) => x.mul(2)).batch(7), c).toArray();
    const rows = got.flatMap((b) => (b as Tensor).toJS() as bigint[]);
    assert.equal(sortedKeys(rows), sortedKeys(range(100).map((x) => 2n * x)));
  }));

test("ports testForeverRepeatFewElements: range(1).repeat() over 5 workers, then 4 of them stopped", () =>
  withCluster(5, async (c) => {
    const it = dynamic(Dataset.range(1).repeat(), c)[Symbol.asyncIterator]();
    try {
      for (let i = 0; i < 20; i++) assert.is((await it.next()).value, 0n);
      await Promise.all(c.workers.slice(0, 4).map((w) => w.stop()));
      for (let i = 0; i < 20; i++) assert.is((await it.next()).value, 0n);
    } finally {
      await it.return?.(undefined);
    }
  }));

test("ports testEnumerateReplicateOnSplit (finite): enumerate's counter is not split, every worker counts 0, 1, ...", () =>
  withCluster(3, async (c) => {
    // TF's case repeats forever; a finite repeat keeps the reading client's cardinality finite.
    const got = await dynamic(Dataset.fromTensorSlices(["a", "b", "c"]).repeat(20).enumerate(), c).toArray();
    assert.is(got.length, 60);
    const counts = new Map<number, number>();
    for (const e of got) {
      const i = Number((e as [bigint, Uint8Array])[0]);
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    // Each worker numbers its own elements from 0: index i comes once per worker that produced
    // more than i elements, so the counts never grow with i; a split counter would give each
    // index once.
    const max = Math.max(...counts.keys());
    for (let i = 1; i <= max; i++) assert.ok((counts.get(i) ?? 0) <= (counts.get(i - 1) ?? 0), `index ${i}`);
    assert.ok((counts.get(0) ?? 0) >= 2, `index 0 came ${counts.get(0)} time(s): the counter was split`);
  }));

test("a worker stopped mid-epoch: the read still ends (no hang) and no element comes twice (at-most-once)", () =>
  withCluster(2, async (c) => {
    const n = 400;
    // Slow the pipeline a little (a filter that keeps everything) so both workers are mid-epoch.
    const ds = dynamic(Dataset.range(n).filter((x: T) => x.greaterEqual(0)), c);
    const it = ds[Symbol.asyncIterator]();
    const got: bigint[] = [];
    // Once seen hanging under CI load; the deadline names the step if it happens again.
    await withDeadline(60_000, async (step) => {
      try {
        step("first 50 elements");
        for (let i = 0; i < 50; i++) got.push((await it.next()).value as bigint);
        step("stopping worker 0");
        await c.workers[0].stop();
        step("reading the rest");
        for (let r = await it.next(); !r.done; r = await it.next()) {
          got.push(r.value as bigint);
          step(`reading the rest (${got.length} elements so far)`);
        }
      } finally {
        step("closing the iterator");
        await it.return?.(undefined);
      }
    });
    const unique = new Set(got.map(String));
    assert.is(unique.size, got.length, "an element came twice");
    assert.ok(got.every((v) => v >= 0n && v < BigInt(n)));
    // Lost: what the stopped worker held (splits fetched ahead, the element it prefetched, and
    // at most one in each outstanding reply).
    const lost = n - got.length;
    assert.ok(lost <= SPLIT_PREFETCH + FCFS_PREFETCH_ELEMENTS + 2, `${lost} elements lost`);
  }, { workerTimeoutMs: 300, jobGcCheckIntervalMs: 100 }));

test.run();
