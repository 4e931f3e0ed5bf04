// targetWorkers "AUTO" / "ANY" / "LOCAL", worker tags and local reads (spec §3.7), end to end:
// TF's local_workers_test.py and worker_tags_test.py cases on a COLOCATED deployment (TF's
// MultiProcessCluster default). Local workers run in this process; remote ones stay out of its
// local-worker registry (one case uses a worker in a child process).
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TfDataError } from "../../../src/core/errors.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { WorkerConfig } from "../../../src/service/config.js";
import { distribute, type DistributeOptions } from "../../../src/service/client/distribute.js";
import { LocalWorkerClient } from "../../../src/service/client/local-worker-client.js";
import { WorkerElementClient } from "../../../src/service/client/worker-client.js";
import { LocalWorkers } from "../../../src/service/worker/local-workers.js";
import { spawnJsonChild } from "../../helpers/json-child.js";
import { REPO_ROOT } from "../../helpers/tf.js";
import {
  all, copies, REFRESH_MS, sorted, specs, startServiceCluster, take,
  type ServiceCluster, type WorkerSpec,
} from "./service-cluster.js";
import { rejects } from "../../helpers/rejects.js";

setPlatform(nodePlatform);

const COLOCATED = "COLOCATED";

/** TF's `MultiProcessCluster(num_local_workers, num_remote_workers, worker_tags, worker_addresses)`. */
async function multiProcessCluster(local: number, remote: number, opts: {
  tags?: string[]; workerAddresses?: string[]; deploymentMode?: "COLOCATED" | "REMOTE";
} = {}): Promise<ServiceCluster> {
  const workers: WorkerSpec[] = [
    ...specs(local, { local: true, tags: opts.tags }),
    ...specs(remote, { local: false, tags: opts.tags }),
  ];
  return startServiceCluster({
    workers,
    dispatcher: { deploymentMode: opts.deploymentMode ?? "COLOCATED", workerAddresses: opts.workerAddresses },
  });
}

/** TF's `make_distributed_range_dataset`. */
function rangeDataset(c: ServiceCluster, n: number, opts: Partial<DistributeOptions> = {}): Dataset {
  return Dataset.range(n).apply(distribute({
    processingMode: "parallel_epochs", service: c.service, taskRefreshIntervalHintMs: REFRESH_MS, ...opts,
  }));
}

/** Runs `fn` against a cluster and always stops it (the local-worker registry must end empty). */
async function withCluster(c: Promise<ServiceCluster>, fn: (c: ServiceCluster) => Promise<void>): Promise<void> {
  const cluster = await c;
  try {
    await fn(cluster);
  } finally {
    await cluster.stop();
  }
  assert.ok(LocalWorkers.empty(), "stopped workers leave the local-worker registry");
}

// ---- local_workers_test.py ----------------------------------------------------------------

test("ports local_workers_test.py.testOneLocalWorker, with the 5 remote workers in a child process", async () => {
  await withCluster(multiProcessCluster(1, 0), async (c) => {
    const remote = [];
    try {
      for (let i = 0; i < 5; i++) {
        const child = spawnJsonChild(process.execPath, [
          "--import", "tsx", join(REPO_ROOT, "test/helpers/worker-process.ts"), c.dispatcher._address, "--heartbeat-ms", "50",
        ], { cwd: REPO_ROOT, name: "worker-process.ts" });
        remote.push(child);
      }
      await Promise.all(remote.map((r) => r.next("ready", 60_000)));
      assert.is(c.dispatcher._numWorkers(), 6);
      // Count how the elements travel: LOCAL reads call the worker, no GetElement RPC.
      const calls = { local: 0, rpc: 0 };
      const localGet = LocalWorkerClient.prototype.getElement;
      const rpcGet = WorkerElementClient.prototype.getElement;
      LocalWorkerClient.prototype.getElement = function (...args) {
        calls.local++;
        return localGet.apply(this, args);
      };
      WorkerElementClient.prototype.getElement = function (...args) {
        calls.rpc++;
        return rpcGet.apply(this, args);
      };
      try {
        assert.equal(await all(rangeDataset(c, 10, { targetWorkers: "local" })), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      } finally {
        LocalWorkerClient.prototype.getElement = localGet;
        WorkerElementClient.prototype.getElement = rpcGet;
      }
      assert.ok(calls.local >= 11, `local reads: ${calls.local}`);
      assert.is(calls.rpc, 0, "no GetElement RPC");
    } finally {
      await Promise.all(remote.map((r) => r.stop()));
    }
  });
});

for (const local of [1, 3]) {
  for (const remote of [0, 3]) {
    test(`ports local_workers_test.py.testLocalWorkers (local=${local}, remote=${remote})`, async () => {
      await withCluster(multiProcessCluster(local, remote), async (c) => {
        assert.equal(sorted(await all(rangeDataset(c, 10, { targetWorkers: "LOCAL" }))), copies(local, 10));
      });
    });
  }
}

test("ports local_workers_test.py.testRepeatedDataset and testMultipleEpochs (local=3, remote=3)", async () => {
  await withCluster(multiProcessCluster(3, 3), async (c) => {
    const ds = rangeDataset(c, 10, { targetWorkers: "LOCAL" });
    // repeat(5) after distribute = five iterations of the distributed dataset.
    const repeated: number[] = [];
    for (let r = 0; r < 5; r++) repeated.push(...await all(ds));
    assert.equal(sorted(repeated), copies(3 * 5, 10));
    for (let epoch = 0; epoch < 10; epoch++) assert.equal(sorted(await all(ds)), copies(3, 10), `epoch ${epoch}`);
  });
});

for (const local of [1, 3]) {
  test(`ports local_workers_test.py.testDynamicSharding (local=${local}, remote=3)`, async () => {
    await withCluster(multiProcessCluster(local, 3), async (c) => {
      const ds = rangeDataset(c, 100, { processingMode: "distributed_epoch", targetWorkers: "LOCAL" });
      assert.equal(sorted(await all(ds)), copies(1, 100));
    });
  });
}

test("ports local_workers_test.py.testMultipleConsumers", async () => {
  await withCluster(multiProcessCluster(1, 3), async (c) => {
    // GetElement reads, as TF's client: each consumer holds at most 16 elements ahead (our
    // element streams would let the first consumers prefetch the whole job).
    const iterators = Array.from({ length: 8 }, () =>
      rangeDataset(c, 300, { jobName: "shared_job", dataTransferProtocol: "grpc" })[Symbol.asyncIterator]());
    const results: number[] = [];
    for (let i = 0; i < 10; i++) {
      for (const it of iterators) {
        const r = await it.next();
        assert.not.ok(r.done);
        results.push(Number(r.value as bigint));
      }
    }
    for (const it of iterators) {
      for (let r = await it.next(); !r.done; r = await it.next()) results.push(Number(r.value as bigint));
    }
    assert.equal(sorted(results), copies(4, 300));
  });
});

for (const local of [1, 3]) {
  test(`ports local_workers_test.py.testEmptyDataset (local=${local}, remote=3)`, async () => {
    await withCluster(multiProcessCluster(local, 3), async (c) => {
      assert.equal(await all(rangeDataset(c, 0, { targetWorkers: "LOCAL" })), []);
    });
  });
}

for (const [local, remote] of [[0, 1], [3, 3]]) {
  test(`ports local_workers_test.py.testNonLocalRead (local=${local}, remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(local, remote), async (c) => {
      assert.equal(sorted(await all(rangeDataset(c, 10))), copies(local + remote, 10));
    });
  });
}

test("ports local_workers_test.py.testNoLocalWorker", async () => {
  await withCluster(multiProcessCluster(0, 3), async (c) => {
    await rejects(all(rangeDataset(c, 10, { targetWorkers: "LOCAL" })), "InvalidArgument",
      /^Local reads require local tf\.data workers, but no local worker is found\. You need to run local tf\.data service workers in your training workers\.$/);
  });
});

test("no local worker under static sharding: TF's static-sharding message", async () => {
  await withCluster(multiProcessCluster(0, 1, { workerAddresses: ["localhost:%port%"] }), async (c) => {
    await rejects(all(rangeDataset(c, 10, { processingMode: 4 })), "InvalidArgument",
      /^Static sharding policy <FILE_OR_DATA> requires local tf\.data workers, but no local worker is found\./);
  });
});

test("ports local_workers_test.py.testInconsistentTargetWorkers (TF 2.21's wording)", async () => {
  await withCluster(multiProcessCluster(3, 3), async (c) => {
    const datasets = (["AUTO", "ANY", "LOCAL"] as const).map((targetWorkers) =>
      Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: c.service, jobName: "test_job", targetWorkers,
        taskRefreshIntervalHintMs: REFRESH_MS,
      })));
    await rejects((async () => {
      for (const ds of datasets) await all(ds);
    })(), "InvalidArgument", /found an existing job with different parameters: Existing target workers: <AUTO>; got <ANY>\./);
  });
});

test("ports local_workers_test.py.testAnonymousJobWithDifferentTargetWorkers", async () => {
  await withCluster(multiProcessCluster(3, 3), async (c) => {
    assert.equal(sorted(await all(rangeDataset(c, 10, { targetWorkers: "AUTO" }))), copies(6, 10));
    assert.equal(sorted(await all(rangeDataset(c, 10, { targetWorkers: "ANY" }))), copies(6, 10));
    assert.equal(sorted(await all(rangeDataset(c, 10, { targetWorkers: "LOCAL" }))), copies(3, 10));
  });
});

test("ports local_workers_test.py.testCoordinatedRead", async () => {
  await withCluster(multiProcessCluster(3, 3), async (c) => {
    const ds = Dataset.range(10).repeat().apply(distribute({
      processingMode: "parallel_epochs", service: c.service, jobName: "test_job", consumerIndex: 0, numConsumers: 3,
      targetWorkers: "LOCAL", taskRefreshIntervalHintMs: REFRESH_MS,
    }));
    await rejects(take(ds, 1), "InvalidArgument",
      /^Coordinated reads require non-local workers, but `target_workers` is "LOCAL"\.$/);
  });
});

/** TF's `_make_distributed_infinite_range_dataset`. */
function infiniteRange(c: ServiceCluster, jobName?: string): Dataset {
  return Dataset.range(1_000_000).repeat().apply(distribute({
    processingMode: "parallel_epochs", service: c.service, jobName, targetWorkers: "LOCAL",
    taskRefreshIntervalHintMs: REFRESH_MS,
  }));
}

for (const remote of [0, 3]) {
  test(`ports local_workers_test.py.LocalTaskGarbageCollectTest.testMultipleEpochs and testMultipleEpochsSharedJob (remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(1, remote), async (c) => {
      for (const jobName of [undefined, "shared_job_name"]) {
        const ds = infiniteRange(c, jobName);
        for (let epoch = 0; epoch < 5; epoch++) {
          // Each epoch's iterator is dropped after 5 steps; its local task is deleted.
          assert.equal(await take(ds, 5), [0, 1, 2, 3, 4], `job ${jobName}, epoch ${epoch}`);
        }
      }
    });
  });
}

for (const jobName of [undefined, "shared_job_name"]) {
  test(`ports local_workers_test.py.LocalTaskGarbageCollectTest.testRepeatDistributedDataset (job_name=${jobName})`, async () => {
    await withCluster(multiProcessCluster(1, 3), async (c) => {
      const ds = rangeDataset(c, 10, { jobName, targetWorkers: "LOCAL" });
      const out: number[] = [];
      for (let r = 0; r < 3; r++) out.push(...await all(ds));
      assert.equal(out, [...copies(1, 10), ...copies(1, 10), ...copies(1, 10)]);
    });
  });
}

test("ports local_workers_test.py.LocalTaskGarbageCollectTest.testReadFromDeletedTask", async () => {
  await withCluster(multiProcessCluster(1, 3), async (c) => {
    assert.equal(await take(infiniteRange(c, "shared_job_name"), 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // A re-created dataset starts again at repetition 0: the same iteration, whose task the
    // first iterator deleted when it was dropped.
    await rejects(take(infiniteRange(c, "shared_job_name"), 1), "FailedPrecondition",
      /^Failed to get element from worker \S+: Got request for local task \d+ of worker \S+, which has been deleted\. You may be creating a duplicate iteration which has already finished\. To fix this, make sure to create your dataset only once, as opposed to re-creating it repeatedly inside a loop\.$/);
  });
});

test("ports local_workers_test.py.LocalTaskGarbageCollectTest.testMultipleEpochs_WorkerRestart", async () => {
  await withCluster(multiProcessCluster(1, 3), async (c) => {
    const ds = infiniteRange(c, "shared_job_name");
    assert.equal(await take(ds, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const local = c.workers[0];
    const port = local.port;
    await local.stop();
    await c.addWorker({ local: true, port });
    assert.equal(await take(ds, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

// ---- worker_tags_test.py ------------------------------------------------------------------

for (const remote of [0, 3]) {
  test(`ports worker_tags_test.py.testReadFromLocalWorker (remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(1, remote, { tags: [COLOCATED] }), async (c) => {
      // Only reads from the local worker.
      assert.equal(await all(rangeDataset(c, 100)), copies(1, 100));
    });
  });
}

for (const [local, remote] of [[1, 0], [3, 3]]) {
  test(`ports worker_tags_test.py.testReadFromLocalAndNonTpuWorkers (local=${local}, remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(local, remote, { tags: [COLOCATED] }), async (c) => {
      await c.addWorker({ local: false });
      assert.equal(sorted(await all(rangeDataset(c, 100))), copies(local + 1, 100));
    });
  });
}

for (const remote of [0, 3]) {
  test(`ports worker_tags_test.py.testLocalWorkerHasNoTag (remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(0, remote, { tags: [COLOCATED] }), async (c) => {
      await c.addWorker({ local: true });
      assert.equal(await all(rangeDataset(c, 100)), copies(1, 100));
    });
  });
}

for (const local of [1, 3]) {
  test(`ports worker_tags_test.py.testReadFromLocalAndNonTpuWorkers_DynamicSharding (local=${local})`, async () => {
    await withCluster(multiProcessCluster(local, 3, { tags: [COLOCATED] }), async (c) => {
      await c.addWorker({ local: false });
      assert.equal(sorted(await all(rangeDataset(c, 100, { processingMode: "distributed_epoch" }))), copies(1, 100));
    });
  });
}

test("ports worker_tags_test.py.testReadFromLocalWorker_StaticSharding", async () => {
  const workerAddresses = Array(5).fill("localhost:%port%");
  await withCluster(multiProcessCluster(1, 3, { tags: [COLOCATED], workerAddresses }), async (c) => {
    await c.addWorker({ local: false });
    // COLOCATED deployment + static sharding: AUTO becomes LOCAL; the local worker has shard 0.
    const ds = rangeDataset(c, 100, { processingMode: 4 /* FILE_OR_DATA */ });
    assert.equal(await all(ds), Array.from({ length: 20 }, (_, i) => 5 * i));
  });
});

for (const [local, remote] of [[1, 1], [3, 3]]) {
  test(`ports worker_tags_test.py.testCoordinatedRead (local=${local}, remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(local, remote, { tags: [COLOCATED] }), async (c) => {
      // Coordinated reads read every task, remote COLOCATED ones included.
      const numConsumers = 4;
      const ds = Dataset.range(1_000_000).repeat();
      const readers = Array.from({ length: numConsumers }, (_, consumerIndex) => ds.apply(distribute({
        processingMode: "parallel_epochs", service: c.service, jobName: "test", consumerIndex, numConsumers,
        taskRefreshIntervalHintMs: REFRESH_MS,
      }))[Symbol.asyncIterator]());
      try {
        const results: number[] = [];
        while (results.length < 200) {
          const step = await Promise.all(readers.map((r) => r.next()));
          results.push(...step.map((s) => Number(s.value as bigint)));
        }
        for (let g = 0; g < results.length; g += numConsumers) {
          const group = results.slice(g, g + numConsumers);
          assert.ok(group.every((v, i) => v === group[0] + i), `group ${JSON.stringify(group)}`);
        }
        // Each round visits all workers: the first round's groups are all 0..3.
        assert.equal(results.slice(0, (local + remote) * numConsumers),
          Array.from({ length: local + remote }, () => [0, 1, 2, 3]).flat());
      } finally {
        await Promise.all(readers.map((r) => r.return(undefined)));
      }
    });
  });
}

for (const [local, remote] of [[1, 1], [3, 3]]) {
  test(`ports worker_tags_test.py.testAddRemoteWorkersMidJob (local=${local}, remote=${remote})`, async () => {
    await withCluster(multiProcessCluster(local, remote, { tags: [COLOCATED] }), async (c) => {
      const n = 2000;
      const it = rangeDataset(c, n)[Symbol.asyncIterator]();
      const results: number[] = [];
      for (let i = 0; i < 100; i++) results.push(Number((await it.next()).value as bigint));
      await c.addWorker({ local: false });
      await c.addWorker({ local: false, tags: [COLOCATED] });
      await c.addWorker({ local: false });
      await c.addWorker({ local: false, tags: [COLOCATED] });
      assert.is(c.dispatcher._numWorkers(), local + remote + 4);
      for (let r = await it.next(); !r.done; r = await it.next()) results.push(Number(r.value as bigint));
      // Only the local workers and the two untagged new workers are read.
      assert.equal(sorted(results), copies(local + 2, n));
    });
  });
}

test("ports worker_tags_test.py.testMultipleTags", async () => {
  await withCluster(multiProcessCluster(1, 3, { tags: [COLOCATED, "COLOCATED_2", "COLOCATED_3"] }), async (c) => {
    assert.equal(await all(rangeDataset(c, 100)), copies(1, 100));
  });
});

test("ports worker_tags_test.py.testUnusedTags", async () => {
  await withCluster(multiProcessCluster(1, 3, { tags: ["Unused tag 1", "Unused tag 2", "Unused tag 3"] }), async (c) => {
    assert.equal(sorted(await all(rangeDataset(c, 100))), copies(4, 100));
  });
});

test("ports worker_tags_test.py.testInvalidTag", () => {
  try {
    new WorkerConfig({ dispatcherAddress: "localhost:1", workerTags: ["", COLOCATED] });
  } catch (err) {
    assert.instance(err, TfDataError);
    assert.match((err as Error).message, /^Worker tags cannot be empty\. Got tags \{, COLOCATED\}/);
    return;
  }
  assert.unreachable("empty tag accepted");
});

test("tags are reported at registration and copied into TaskInfo; the COLOCATED tag is case-insensitive", async () => {
  await withCluster(multiProcessCluster(1, 1, { tags: ["colocated", "x"] }), async (c) => {
    // A remote worker tagged "colocated" (any case) is skipped by AUTO, read by ANY.
    assert.equal(await all(rangeDataset(c, 5)), [0, 1, 2, 3, 4]);
    assert.equal(sorted(await all(rangeDataset(c, 5, { targetWorkers: "ANY" }))), copies(2, 5));
  });
});

test.run();
