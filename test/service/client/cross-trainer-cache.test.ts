// The cross-trainer cache end to end (spec §3.6): TF's cross_trainer_cache_test.py cases —
// trainers sharing one named job's elements through the workers' cache, a small cache making a
// late trainer skip data, the same trainer id not re-reading, and the client's checks with TF's
// messages.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Dataset } from "../../../src/dataset/dataset.js";
import { TensorSpec } from "../../../src/dataset/tensor-spec.js";
import type { SymbolicTensor } from "../../../src/graph/trace/symbolic-tensor.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import {
  CrossTrainerCache,
  distribute,
  fromDatasetId,
  registerDataset,
  type DistributeOptions,
} from "../../../src/service/client/distribute.js";
import { REFRESH_MS, specs, startServiceCluster, take, type ServiceCluster } from "./service-cluster.js";
import { rejects } from "../../helpers/rejects.js";

setPlatform(nodePlatform);

/** TF's default cache budget in its `_create_cluster`. */
const DEFAULT_CACHE_BYTES = 10 * 2 ** 30;

/** TF's `_create_cluster(num_workers, cross_trainer_cache_size_bytes)`. */
function createCluster(numWorkers: number, cacheBytes = DEFAULT_CACHE_BYTES): Promise<ServiceCluster> {
  return startServiceCluster({ workers: specs(numWorkers, { config: { crossTrainerCacheSizeBytes: cacheBytes } }) });
}

/** `range(10000000).repeat()`: TF's infinite test dataset. */
function infinite(): Dataset {
  return Dataset.range(10_000_000).repeat();
}

/** TF's `make_distributed_dataset(dataset, cluster, job_name=..., cross_trainer_cache=...)`. */
function distributed(c: ServiceCluster, dataset: Dataset, opts: Partial<DistributeOptions> = {}): Dataset {
  return dataset.apply(distribute({
    processingMode: "parallel_epochs", service: c.service, taskRefreshIntervalHintMs: REFRESH_MS, ...opts,
  }));
}

const trainer = (id: string) => new CrossTrainerCache(id);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function withCluster(c: Promise<ServiceCluster>, fn: (c: ServiceCluster) => Promise<void>): Promise<void> {
  const cluster = await c;
  try {
    await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

test("ports cross_trainer_cache_test.py.testEnableCrossTrainerCache", async () => {
  await withCluster(createCluster(1), async (c) => {
    const ds1 = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 1") });
    assert.equal(await take(ds1, 10), range(10));
    // The second trainer reads the same data from the cache.
    const ds2 = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 2") });
    assert.equal(await take(ds2, 10), range(10));
  });
});

test("ports cross_trainer_cache_test.py.testFromDatasetId", async () => {
  await withCluster(createCluster(1), async (c) => {
    const spec = new TensorSpec([], "int64");
    for (const id of ["Trainer 1", "Trainer 2"]) {
      const datasetId = await registerDataset(c.service, infinite(), { datasetId: "dataset_id" });
      const ds = await fromDatasetId("parallel_epochs", c.service, datasetId, spec, {
        jobName: "job", crossTrainerCache: trainer(id), taskRefreshIntervalHintMs: REFRESH_MS,
      });
      assert.equal(await take(ds, 10), range(10), id);
    }
  });
});

test("ports cross_trainer_cache_test.py.testDisableCrossTrainerCacheByDefault", async () => {
  await withCluster(createCluster(1), async (c) => {
    assert.equal(await take(distributed(c, infinite(), { jobName: "job" }), 10), range(10));
    // Without the cache the two readers share the job first-come-first-served.
    const output = await take(distributed(c, infinite(), { jobName: "job" }), 10);
    assert.ok(output[0] >= 10, `second reader starts at ${output[0]}`);
  });
});

test("ports cross_trainer_cache_test.py.testConcurrentReaders", async () => {
  // TF sizes the cache for its ~423-byte element estimate; ours counts serialized bytes + 64.
  await withCluster(createCluster(1, (2 + 8) * 423), async (c) => {
    const iterators = Array.from({ length: 20 }, (_, i) => distributed(c, infinite(), {
      jobName: "job", crossTrainerCache: trainer(`Trainer ${i}`), maxOutstandingRequests: 1,
    })[Symbol.asyncIterator]());
    try {
      for (let i = 0; i < 50; i++) {
        // All the readers read the same element in one step.
        for (const it of iterators) assert.is(Number((await it.next()).value as bigint), i);
      }
    } finally {
      await Promise.all(iterators.map((it) => it.return(undefined)));
    }
  });
});

test("ports cross_trainer_cache_test.py.testSlowClientSkipsData", async () => {
  await withCluster(createCluster(1, 500), async (c) => {
    const ds1 = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 1") });
    assert.equal(await take(ds1, 200), range(200));
    const ds2 = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 2") });
    const output = await take(ds2, 200);
    // The small cache no longer holds the beginning; the infinite dataset still gives 200 elements.
    assert.ok(output[0] > 0, `second trainer starts at ${output[0]}`);
    assert.is(output.length, 200);
    assert.equal(output, range(200).map((i) => output[0] + i), "consecutive, never repeated");
  });
});

test("ports cross_trainer_cache_test.py.testSmallCache", async () => {
  await withCluster(createCluster(1, 500), async (c) => {
    for (let i = 0; i < 20; i++) {
      const ds = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer(`Trainer ${i}`) });
      assert.is((await take(ds, 200)).length, 200);
    }
  });
});

test("ports cross_trainer_cache_test.py.testShuffleDataset", async () => {
  await withCluster(createCluster(1), async (c) => {
    const dataset = infinite().shuffle(100);
    const output1 = await take(distributed(c, dataset, { jobName: "job", crossTrainerCache: trainer("Trainer 1") }), 10);
    const output2 = await take(distributed(c, dataset, { jobName: "job", crossTrainerCache: trainer("Trainer 2") }), 10);
    assert.equal(output1, output2);
  });
});

test("ports cross_trainer_cache_test.py.testSameTrainerID", async () => {
  await withCluster(createCluster(1), async (c) => {
    const opts = { jobName: "job", crossTrainerCache: trainer("Trainer ID") };
    assert.equal(await take(distributed(c, infinite(), opts), 10), range(10));
    const output = await take(distributed(c, infinite(), opts), 10);
    assert.ok(output[0] >= 10, `same trainer id starts at ${output[0]}`);
  });
});

test("ports cross_trainer_cache_test.py.testDifferentJobNames", async () => {
  await withCluster(createCluster(1), async (c) => {
    assert.equal(await take(distributed(c, infinite(), { jobName: "job1", crossTrainerCache: trainer("Trainer 1") }), 10), range(10));
    assert.equal(await take(distributed(c, infinite(), { jobName: "job2", crossTrainerCache: trainer("Trainer 2") }), 10), range(10));
  });
});

test("ports cross_trainer_cache_test.py.testDynamicSharding", async () => {
  await withCluster(createCluster(2), async (c) => {
    const opts = { processingMode: "distributed_epoch" as const, jobName: "job" };
    const output1 = await take(distributed(c, infinite(), { ...opts, crossTrainerCache: trainer("Trainer 1") }), 100);
    const output2 = await take(distributed(c, infinite(), { ...opts, crossTrainerCache: trainer("Trainer 2") }), 100);
    // Verifies the intersection is non-empty.
    assert.ok(output1.some((v) => output2.includes(v)));
  });
});

test("ports cross_trainer_cache_test.py.testNoCompression", async () => {
  await withCluster(createCluster(1), async (c) => {
    for (const id of ["Trainer 1", "Trainer 2"]) {
      const ds = distributed(c, infinite(), { jobName: "job", compression: null, crossTrainerCache: trainer(id) });
      assert.equal(await take(ds, 10), range(10), id);
    }
  });
});

test("ports cross_trainer_cache_test.py.testRequiresJobName", async () => {
  await withCluster(createCluster(1), async (c) => {
    const ds = distributed(c, infinite(), { jobName: null, crossTrainerCache: trainer("Trainer 1") });
    await rejects(take(ds, 1), "InvalidArgument", /^Cross-trainer caching requires named jobs\. Got empty `job_name`\.$/);
  });
});

for (const n of [0, 10]) {
  test(`ports cross_trainer_cache_test.py.testRequiresInfiniteDataset (range_=${n})`, async () => {
    await withCluster(createCluster(1), async (c) => {
      const ds = Dataset.range(n).map((x: SymbolicTensor) => x.add(1)).apply(distribute({
        processingMode: "parallel_epochs", service: c.service, jobName: "job_name",
        crossTrainerCache: trainer("Trainer ID"),
      }));
      await rejects(take(ds, 1), "InvalidArgument",
        new RegExp(`^Cross-trainer caching requires the input dataset to be infinite\\. Got input with cardinality ${n}$`));
    });
  });
}

test("ports cross_trainer_cache_test.py.testMultipleIterationsForOneDatasetEagerMode", async () => {
  await withCluster(createCluster(1), async (c) => {
    const ds = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 1") });
    // Each iteration is a new repetition of the job; repetitions 0 and 1 pass, 2 is refused.
    await take(ds, 10);
    await take(ds, 10);
    await rejects(take(ds, 10), "InvalidArgument",
      /^Cross-trainer caching requires infinite datasets and disallows multiple repetitions of the same dataset\. Got repetition 2$/);
  });
});

test("ports cross_trainer_cache_test.py.testDisallowCoordinatedRead", async () => {
  await withCluster(createCluster(1), async (c) => {
    const ds = distributed(c, infinite(), {
      jobName: "job", numConsumers: 1, consumerIndex: 0, crossTrainerCache: trainer("Trainer 1"),
    });
    await rejects(take(ds, 1), "InvalidArgument",
      /^Cross-trainer caching does not support coordinated reads\. Got number of coordinated consumers: 1$/);
  });
});

test("ports cross_trainer_cache_test.py.testNamedJobMismatch", async () => {
  await withCluster(createCluster(1), async (c) => {
    assert.equal(await take(distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 1") }), 10), range(10));
    await rejects(take(distributed(c, infinite(), { jobName: "job", crossTrainerCache: null }), 1), "InvalidArgument",
      /Existing cross-trainer cache: <enabled>; got <disabled>/);
  });
});

test("ports cross_trainer_cache_test.py.testRequiresNonEmptyTrainerID", async () => {
  const message = /^tf\.data service cross-trainer cache requires a non-empty trainer ID\.$/;
  await rejects(() => new CrossTrainerCache(undefined as never), "InvalidArgument", message);
  await rejects(() => distribute({
    processingMode: "parallel_epochs", service: "localhost:1", jobName: "job", crossTrainerCache: { trainerId: "" },
  }), "InvalidArgument", message);
});

test("an element larger than the worker's whole cache is INVALID_ARGUMENT with TF's message", async () => {
  await withCluster(createCluster(1, 16), async (c) => {
    const ds = distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("Trainer 1") });
    await rejects(take(ds, 1), "InvalidArgument",
      /^Failed to get element from worker \S+: tf\.data service element size is larger than cache size in bytes\. Got element size: \d+ and cache size: 16$/);
  });
});

test("the cache is per task: a second worker's trainers see its own window", async () => {
  await withCluster(createCluster(2), async (c) => {
    // Two workers under OFF: every trainer reads both tasks, and each task's cache serves both trainers.
    const a = (await take(distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("a") }), 40)).sort((x, y) => x - y);
    const b = (await take(distributed(c, infinite(), { jobName: "job", crossTrainerCache: trainer("b") }), 40)).sort((x, y) => x - y);
    assert.equal(a.slice(0, 2), [0, 0], "both tasks start at 0");
    assert.equal(b.slice(0, 2), [0, 0], "the second trainer reads both caches from their start");
  });
});

test.run();
