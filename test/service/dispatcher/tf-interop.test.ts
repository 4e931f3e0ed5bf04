// Our DispatchServer coordinating TensorFlow 2.21's own WorkerServers, read by TF's own client
// (parallel_epochs, compression None and AUTO). An end-to-end check of the dispatcher alone: every
// other party is real TensorFlow.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform } from "../../../src/service/platform.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { tfPython } from "../../helpers/tf.js";
import { startTfClient, startTfCluster, type TfClient, type TfCluster } from "../../helpers/tf-drivers.js";

setPlatform(nodePlatform);

const RANGE_10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const sorted = (xs: unknown[]) => [...(xs as number[])].sort((a, b) => a - b);

const interop = suite("our dispatcher + TF workers + TF client");
const python = tfPython();

if (!python) {
  interop.skip("TF client reads range(10) through our dispatcher and a TF worker", () => {});
} else {
  let dispatcher: DispatchServer;
  let cluster: Promise<TfCluster> | undefined;
  let client: Promise<TfClient> | undefined;

  interop.before(async () => {
    dispatcher = new DispatchServer({ host: "127.0.0.1", port: 0 });
    await dispatcher.start();
    // Started here but awaited inside the tests, so a failure is a test failure.
    cluster = startTfCluster({ workers: 1, dispatcherAddress: dispatcher._address, heartbeatMs: 200 });
    client = startTfClient();
    cluster.catch(() => {});
    client.catch(() => {});
  });

  interop.after(async () => {
    // TF workers first: they would keep retrying a vanished dispatcher.
    await Promise.allSettled([cluster?.then((c) => c.stop()), client?.then((c) => c.stop())]);
    await dispatcher.stop();
  });

  interop("a TF worker registers with our dispatcher", async () => {
    const c = await cluster!;
    assert.is(c.workers.length, 1);
    assert.is(dispatcher.numWorkers(), 1);
  });

  interop("TF client reads range(10), parallel_epochs, compression None", async () => {
    const [tf] = await Promise.all([client!, cluster!]);
    const { elements } = await tf.read({ service: dispatcher.target, range: 10, compression: null });
    assert.equal(sorted(elements), RANGE_10);
  });

  interop("TF client reads range(10), parallel_epochs, compression AUTO", async () => {
    const [tf] = await Promise.all([client!, cluster!]);
    const { elements } = await tf.read({ service: dispatcher.target, range: 10, compression: "AUTO" });
    assert.equal(sorted(elements), RANGE_10);
  });

  interop("with a second TF worker, parallel_epochs yields two full copies", async () => {
    const [tf, c] = await Promise.all([client!, cluster!]);
    await c.newWorker(dispatcher._address);
    assert.is(dispatcher.numWorkers(), 2);
    const { elements } = await tf.read({ service: dispatcher.target, range: 10, compression: null });
    assert.equal(sorted(elements), sorted([...RANGE_10, ...RANGE_10]));
  });

  interop("a named job read twice: the second read is a new repetition", async () => {
    const [tf] = await Promise.all([client!, cluster!]);
    const a = await tf.read({ service: dispatcher.target, range: 5, jobName: "shared", compression: null });
    const b = await tf.read({ service: dispatcher.target, range: 5, jobName: "shared", compression: null });
    // Each python read builds a new distributed dataset (repetition 0): the finished iteration of
    // ("shared", 0) yields end of input at once (TF's documented job-name semantics).
    assert.equal(sorted(a.elements), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    assert.equal(b.elements, []);
  });
}

interop.run();
