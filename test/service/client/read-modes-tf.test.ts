// Coordinated reads and the cross-trainer cache against TensorFlow 2.21 (the oracle), both ways:
// TF's client reading our dispatcher + workers (our round-robin and caching task runners), and
// our client reading TF's dispatcher + workers (our round-robin reader and trainer ids).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Dataset } from "../../../src/dataset/dataset.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { CrossTrainerCache, distribute } from "../../../src/service/client/distribute.js";
import { spawnPython, tfPython } from "../../helpers/tf.js";
import { startTfCluster, TF_START_TIMEOUT_MS } from "../../helpers/tf-drivers.js";
import { REFRESH_MS, specs, startServiceCluster, take } from "./service-cluster.js";

setPlatform(nodePlatform);

const tf = suite("read modes against TensorFlow 2.21");

type Step = Record<string, unknown>;
type StepResult = { values?: number[]; error?: string };

/** Runs TF's client over `steps` (tf_read_modes.py) and returns one result per step. */
async function tfRead(steps: Step[]): Promise<StepResult[]> {
  const child = spawnPython("test/service/client/tf_read_modes.py", [JSON.stringify(steps)]);
  try {
    const out: StepResult[] = [];
    for (let i = 0; i < steps.length; i++) {
      const ev = await child.next((e) => e.event === "result" || e.event === "error", TF_START_TIMEOUT_MS);
      out.push(ev.event === "result" ? { values: ev.values as number[] } : { error: String(ev.error) });
    }
    await child.next("done", TF_START_TIMEOUT_MS);
    return out;
  } finally {
    await child.stop();
  }
}

/** Steps of N consumers: element n of the interleave comes from consumer n % N. */
function steps(values: number[], n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + n <= values.length; i += n) out.push(values.slice(i, i + n));
  return out;
}

if (!tfPython()) {
  tf.skip("TensorFlow 2.21 is not available", () => {});
} else {
  tf("TF's client, coordinated read of our dispatcher + 2 workers: the exact round-robin output", async () => {
    // No skipped round on our workers (long fill wait): 3 consumers, tasks visited in order, so
    // both workers' rounds give 0,1,2 then 3,4,5, ... in every step pair.
    const c = await startServiceCluster({ workers: specs(2), internals: { roundRobinSkipWaitMs: 60_000 } });
    try {
      const [r] = await tfRead([{ op: "coordinated", service: c.service, consumers: 3, count: 24, job: "test" }]);
      assert.is(r.error, undefined, r.error);
      assert.equal(steps(r.values!, 3), [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5], [6, 7, 8], [6, 7, 8], [9, 10, 11], [9, 10, 11]]);
    } finally {
      await c.stop();
    }
  });

  tf("ports coordinated_read_test.py.testFiniteV2 with TF's client against our worker", async () => {
    const c = await startServiceCluster({ workers: specs(1) });
    try {
      const [r] = await tfRead([{ op: "coordinated", service: c.service, consumers: 1, count: 1, job: "test", range: 100, finite: true }]);
      assert.match(r.error ?? "", /^FailedPreconditionError: .*Round robin reads require that the input dataset has infinite cardinality, but the dataset has cardinality 100/);
    } finally {
      await c.stop();
    }
  });

  tf("TF's client, cross-trainer cache on our worker: two trainers read the same elements", async () => {
    const c = await startServiceCluster({ workers: specs(1) });
    try {
      const [a, b, same] = await tfRead([
        { op: "cache", service: c.service, trainer: "Trainer 1", count: 10 },
        { op: "cache", service: c.service, trainer: "Trainer 2", count: 10 },
        { op: "cache", service: c.service, trainer: "Trainer 1", count: 10 },
      ]);
      const range10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      assert.equal(a.values, range10, a.error);
      assert.equal(b.values, range10, b.error);
      assert.ok(same.values![0] >= 10, `same trainer id re-reads nothing: ${same.values}`);
    } finally {
      await c.stop();
    }
  });

  tf("our client, coordinated read of TF's dispatcher + 2 TF workers: consecutive groups per step", async () => {
    const cluster = await startTfCluster({ workers: 2, heartbeatMs: 100 });
    const numConsumers = 4;
    const ds = Dataset.range(1000).repeat();
    const readers = Array.from({ length: numConsumers }, (_, consumerIndex) => ds.apply(distribute({
      processingMode: "parallel_epochs", service: `grpc://${cluster.dispatcher}`, jobName: "test",
      consumerIndex, numConsumers, taskRefreshIntervalHintMs: REFRESH_MS,
    }))[Symbol.asyncIterator]());
    try {
      for (let step = 0; step < 30; step++) {
        const values = (await Promise.all(readers.map((r) => r.next()))).map((v) => Number(v.value as bigint));
        // Each step is one round of one TF worker: numConsumers consecutive elements, in order.
        assert.is(values[0] % numConsumers, 0, `step ${step}: ${values}`);
        assert.equal(values, values.map((_, i) => values[0] + i), `step ${step}`);
      }
    } finally {
      await Promise.all(readers.map((r) => r.return(undefined)));
      await cluster.stop();
    }
  });

  tf("our client, cross-trainer cache on TF's workers: trainers share, the same trainer id does not re-read", async () => {
    const cluster = await startTfCluster({ workers: 1, heartbeatMs: 100 });
    try {
      const read = (trainerId: string) => take(Dataset.range(10_000_000).repeat().apply(distribute({
        processingMode: "parallel_epochs", service: `grpc://${cluster.dispatcher}`, jobName: "job",
        crossTrainerCache: new CrossTrainerCache(trainerId), taskRefreshIntervalHintMs: REFRESH_MS,
      })), 10);
      const range10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      assert.equal(await read("Trainer 1"), range10);
      assert.equal(await read("Trainer 2"), range10);
      assert.ok((await read("Trainer 1"))[0] >= 10);
    } finally {
      await cluster.stop();
    }
  });
}

tf.run();
