// Ports data_service_ops_test.testAddWorkerMidJob: under parallel_epochs a worker that joins while
// an epoch is being read gets a task for it and contributes a full copy; the epoch ends only
// once that copy is read too.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Dataset, distribute, WorkerConfig, WorkerServer } from "../../../src/entry/node.js";
import { LOOPBACK, startLocalService } from "../../helpers/servers.js";

/**
 * Long enough that the first worker is still producing when the second joins: our streaming
 * transfer lets a worker run up to its credit window (~1k elements) ahead of the reader.
 */
const N = 5000;

test("ports data_service_ops_test.testAddWorkerMidJob: a worker added mid-epoch yields a full copy", async () => {
  const svc = await startLocalService({ workers: 1, workerConfig: { heartbeatIntervalMs: 50 } });
  let late: WorkerServer | undefined;
  try {
    const ds = Dataset.range(N).apply(distribute({
      processingMode: "parallel_epochs", service: svc.target, taskRefreshIntervalHintMs: 20, compression: null,
    }));
    const it = ds[Symbol.asyncIterator]();
    const got: bigint[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await it.next();
      assert.not.ok(r.done, "the first worker's copy has more than 10 elements");
      got.push(r.value as bigint);
    }
    late = new WorkerServer(new WorkerConfig({ port: 0, host: LOOPBACK, heartbeatIntervalMs: 50, dispatcherAddress: svc.dispatcher }), false);
    await late.start();
    for (let r = await it.next(); !r.done; r = await it.next()) got.push(r.value as bigint);
    const counts = new Map<bigint, number>();
    for (const v of got) counts.set(v, (counts.get(v) ?? 0) + 1);
    assert.is(got.length, 2 * N, "two full copies");
    for (let v = 0n; v < BigInt(N); v++) assert.is(counts.get(v), 2, `element ${v} seen twice`);
  } finally {
    await late?.stop();
    await svc.stop();
  }
});

test.run();
