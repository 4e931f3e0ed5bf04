// Static sharding (FILE, DATA, FILE_OR_DATA, HINT), worker half, end to end: our dispatcher with
// `workerAddresses`, our workers rewriting the graph with TF's auto-shard rewrite, our client.
// The expected shards are what TF 2.21 gives for the same setup (a TF dispatcher with two
// `worker_addresses`, one worker running at a time): e.g. DATA over `range(10).batch(2)` gives
// worker 0 [0,1] [4,5] [8,9] and worker 1 [2,3] [6,7]. Ports the behaviour of TF's
// data_service_ops_test / auto_shard tests for the tf.data service ("static DATA sharding gives
// worker i exactly the elements i, i+N, ...").
import { createServer } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Tensor } from "../../../src/core/tensor.js";
import { TfDataError } from "../../../src/core/errors.js";
import { Dataset } from "../../../src/dataset/dataset.js";
import { emitShard } from "../../../src/graph/ops/selection.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import { distribute } from "../../../src/service/client/distribute.js";
import { ShardingPolicy } from "../../../src/service/client/processing-mode.js";
import { SHARD_HINT, SHARD_HINT_MISUSE_MESSAGE } from "../../../src/graph/auto-shard.js";

setPlatform(nodePlatform);

const HEARTBEAT_MS = 50;
const REFRESH_MS = 50;

/** A free loopback port (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface StaticCluster {
  readonly target: string;
  stop(): Promise<void>;
}

/** A dispatcher listing two workers; only the workers `running` (indices into that list) start. */
async function startStatic(running: readonly number[]): Promise<StaticCluster> {
  const ports = [await freePort(), await freePort()];
  const dispatcher = new DispatchServer({ host: "127.0.0.1", workerAddresses: ports.map((p) => `localhost:${p}`) });
  await dispatcher.start();
  const workers: WorkerServer[] = [];
  try {
    for (const i of running) {
      const w = new WorkerServer({ dispatcherAddress: dispatcher._address, host: "127.0.0.1", port: ports[i],
        heartbeatIntervalMs: HEARTBEAT_MS });
      workers.push(w);
      await w.start();
    }
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop()));
    await dispatcher.stop();
    throw err;
  }
  return {
    target: dispatcher.target,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await dispatcher.stop();
    },
  };
}

async function withStatic(running: readonly number[], body: (c: StaticCluster) => Promise<void>): Promise<void> {
  const c = await startStatic(running);
  try {
    await body(c);
  } finally {
    await c.stop();
  }
}

let jobs = 0;

/** Reads `ds` under `policy` from `c` (a new job each time); elements as plain JS values. */
async function read(ds: Dataset, policy: ShardingPolicy, c: StaticCluster): Promise<unknown[]> {
  const out = await ds.apply(distribute({
    processingMode: policy, service: c.target, jobName: `static-${jobs++}`, taskRefreshIntervalHintMs: REFRESH_MS,
  })).toArray();
  return out.map((e) => (e instanceof Tensor ? e.toJS() : e));
}

/** The error reading `ds` under `policy` fails with. */
async function readError(ds: Dataset, policy: ShardingPolicy, c: StaticCluster): Promise<TfDataError> {
  try {
    await read(ds, policy, c);
  } catch (err) {
    assert.instance(err, TfDataError, String(err));
    return err as TfDataError;
  }
  throw assert.unreachable(`reading under ${ShardingPolicy[policy]} did not fail`);
}

/** `range(n).shard(SHARD_HINT, SHARD_HINT)`: the TS API refuses -1, so the node is emitted directly. */
function hinted(n: number): Dataset {
  const input = Dataset.range(n);
  const parts = input._parts("test");
  return Dataset._fromParts({
    ...parts,
    cardinality: -2n,
    emit: (b) => {
      const node = parts.emit(b);
      return emitShard(b, node, {
        numShards: b.int64Const(SHARD_HINT), index: b.int64Const(SHARD_HINT),
        spec: [{ dtype: 9, shape: [] }], metadataName: "ShardDataset:hint",
      });
    },
  });
}

const b = (...v: number[]) => v.map(BigInt);

for (const index of [0, 1]) {
  test(`DATA and FILE_OR_DATA: worker ${index} of 2 gets exactly elements ${index}, ${index} + 2, ... (TF's shard placement)`, () =>
    withStatic([index], async (c) => {
      const want = index === 0 ? b(0, 2, 4, 6, 8) : b(1, 3, 5, 7, 9);
      for (const policy of [ShardingPolicy.DATA, ShardingPolicy.FILE_OR_DATA]) {
        assert.equal(await read(Dataset.range(10), policy, c), want, ShardingPolicy[policy]);
      }
      // The shard goes after the batch (the end of the pipeline), before a trailing prefetch.
      const batches = index === 0 ? [b(0, 1), b(4, 5), b(8, 9)] : [b(2, 3), b(6, 7)];
      assert.equal(await read(Dataset.range(10).batch(2), ShardingPolicy.DATA, c), batches);
      assert.equal(await read(Dataset.range(10).batch(2).prefetch(2), ShardingPolicy.DATA, c), batches);
    }));

  test(`HINT: worker ${index} replaces shard(SHARD_HINT, SHARD_HINT); pipelines without hints are not sharded`, () =>
    withStatic([index], async (c) => {
      assert.equal(await read(hinted(10), ShardingPolicy.HINT, c), index === 0 ? b(0, 2, 4, 6, 8) : b(1, 3, 5, 7, 9));
      assert.equal(await read(Dataset.range(5), ShardingPolicy.HINT, c), b(0, 1, 2, 3, 4));
    }));
}

test("DATA with both workers: every element exactly once", () =>
  withStatic([0, 1], async (c) => {
    const got = (await read(Dataset.range(100), ShardingPolicy.DATA, c)) as bigint[];
    assert.equal([...got].sort((x, y) => Number(x - y)), Array.from({ length: 100 }, (_, i) => BigInt(i)));
  }));

test("FILE without file sources fails with TF's NOT_FOUND naming the source", () =>
  withStatic([0], async (c) => {
    const err = await readError(Dataset.range(3).map((x) => x), ShardingPolicy.FILE, c);
    assert.is(err.code, "NotFound", err.message);
    assert.match(err.message, "Found an unshardable source dataset: ");
    assert.match(err.message, /op: "RangeDataset"/);
  }));

test("DATA on range(1) over 2 workers: worker 0 fails as TF's (too few elements), worker 1 gets nothing", async () => {
  await withStatic([0], async (c) => {
    const err = await readError(Dataset.range(1), ShardingPolicy.DATA, c);
    assert.is(err.code, "InvalidArgument", err.message);
    assert.match(err.message, "Could not apply FILE based sharding: the dataset only has 1 file(s), which is not " +
      "enough for the required 2 shards/workers. If you are using datasets with distribution strategy, consider " +
      "setting the auto sharding policy to either DATA or OFF using the `experimental_distribute.auto_shard_policy` " +
      "option of `tf.data.Options()`.");
  });
  await withStatic([1], async (c) => {
    assert.equal(await read(Dataset.range(1), ShardingPolicy.DATA, c), []);
  });
});

test("a SHARD_HINT left under DATA fails with TF's FAILED_PRECONDITION", () =>
  withStatic([0], async (c) => {
    const err = await readError(hinted(10), ShardingPolicy.DATA, c);
    assert.is(err.code, "FailedPrecondition", err.message);
    assert.match(err.message, SHARD_HINT_MISUSE_MESSAGE);
  }));

test.run();
