// Interop with real TensorFlow 2.21 on loopback (issue 2 §8):
//   (a) TF's client reads from our dispatcher + our worker (compression None and AUTO);
//   (b) our WorkerServer, registered with TF's DispatchServer, serves TF's client;
//   (c) our client reads Dataset.range(10), built in TS, from TF's dispatcher + TF worker.
// Python drivers: tf_cluster.py hosts TF servers, tf_client.py reads with TF's client. The cluster
// and client processes are shared with the other interop suites (TF's import costs seconds).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Dataset, distribute } from "../../src/entry/node.js";
import { startLocalService, type LocalService } from "../helpers/servers.js";
import { tfPython } from "../helpers/tf.js";
import { sharedTfClient, sharedTfCluster, type SharedLease, type TfClient, type TfCluster } from "../helpers/tf-drivers.js";

const RANGE_10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
/** One read, either side, gets this long before the test fails. */
const READ_TIMEOUT_MS = 30_000;
const COMPRESSIONS = [null, "AUTO"] as const;

const interop = suite("interop");
const python = tfPython(); // throws on CI when TF is missing; locally prints a SKIP banner

/** Rejects after `ms` so a stuck read fails its test instead of hanging the run. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Our client's elements (int64 scalars arrive as bigint) as plain numbers, checked exact. */
function asNumbers(elements: unknown[]): number[] {
  return elements.map((e) => {
    assert.ok(typeof e === "bigint", `an int64 scalar element must be a bigint, got ${typeof e}`);
    return Number(e as bigint);
  });
}

const names = {
  sanity: "harness sanity: TF client reads range(10) from a TF dispatcher + TF worker",
  a: (c: string | null) => `(a) TF client, our dispatcher + our worker, compression=${c ?? "None"}: [0..9]`,
  b: (c: string | null) => `(b) TF client, TF dispatcher + our worker, compression=${c ?? "None"}: [0..9]`,
  c: (c: string | null) => `(c) our client, TF dispatcher + TF worker, Dataset.range(10) built in TS, compression=${c ?? "None"}: [0..9]`,
};

if (!python) {
  interop.skip(names.sanity, () => {});
  for (const c of COMPRESSIONS) {
    interop.skip(names.a(c), () => {});
    interop.skip(names.b(c), () => {});
    interop.skip(names.c(c), () => {});
  }
} else {
  // Started lazily inside the first test that needs them, so a failure is a test failure (uvu
  // aborts the whole run when a before-hook throws); the before-hook only starts both early.
  let cluster: SharedLease<TfCluster> | undefined;
  let client: SharedLease<TfClient> | undefined;
  const tfCluster = () => (cluster ??= sharedTfCluster()).value;
  const tfClient = () => (client ??= sharedTfClient()).value;
  /** A TF dispatcher with one TF worker, for the tests that read from TF's servers. */
  let tfService: Promise<{ dispatcher: string; worker: string }> | undefined;
  const tfDispatcherWithWorker = () => (tfService ??= (async () => {
    const c = await tfCluster();
    const dispatcher = await c.newDispatcher();
    return { dispatcher, worker: await c.newWorker(dispatcher) };
  })());
  const ours = new Set<LocalService>();
  const ourService = async (opts?: Parameters<typeof startLocalService>[0]) => {
    const svc = await startLocalService(opts);
    ours.add(svc);
    return svc;
  };

  interop.before(() => {
    tfCluster().catch(() => {});
    tfClient().catch(() => {});
  });
  interop.after.each(async () => {
    await Promise.allSettled([...ours].map((s) => s.stop()));
    ours.clear();
  });
  interop.after(async () => {
    const svc = await tfService?.catch(() => undefined);
    const c = await cluster?.value.catch(() => undefined);
    if (svc && c) {
      await c.stopServer(svc.worker).catch(() => {});
      await c.stopServer(svc.dispatcher).catch(() => {});
    }
    cluster?.release();
    client?.release();
  });

  interop(names.sanity, async () => {
    const [svc, tf] = await Promise.all([tfDispatcherWithWorker(), tfClient()]);
    const { elements } = await tf.read({ service: `grpc://${svc.dispatcher}`, range: 10 }, READ_TIMEOUT_MS);
    assert.equal(elements, RANGE_10);
  });

  for (const compression of COMPRESSIONS) {
    interop(names.a(compression), async () => {
      const tf = await tfClient();
      const svc = await ourService();
      const { elements } = await tf.read({ service: svc.target, range: 10, compression }, READ_TIMEOUT_MS);
      assert.equal(elements, RANGE_10);
    });
  }

  for (const compression of COMPRESSIONS) {
    interop(names.b(compression), async () => {
      const [c, tf] = await Promise.all([tfCluster(), tfClient()]);
      // A fresh TF dispatcher per test: TF keeps a stopped worker registered for a long time.
      const tfDispatcher = await c.newDispatcher();
      try {
        await ourService({ dispatcherAddress: tfDispatcher, workers: 1 });
        assert.is(await c.numWorkers(tfDispatcher), 1, "our worker registered with TF's dispatcher");
        const { elements } = await tf.read({ service: `grpc://${tfDispatcher}`, range: 10, compression }, READ_TIMEOUT_MS);
        assert.equal(elements, RANGE_10);
      } finally {
        for (const s of ours) await s.stop();
        await c.stopServer(tfDispatcher);
      }
    });
  }

  for (const compression of COMPRESSIONS) {
    interop(names.c(compression), async () => {
      const svc = await tfDispatcherWithWorker();
      const ds = Dataset.range(10).apply(distribute({
        processingMode: "parallel_epochs", service: `grpc://${svc.dispatcher}`, compression,
      }));
      assert.equal(asNumbers(await within(READ_TIMEOUT_MS, "our client reading from TF", ds.toArray())), RANGE_10);
    });
  }
}

interop.run();
