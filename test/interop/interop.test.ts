// Interop with real TensorFlow 2.21 on loopback (issue 2 §8). Python drivers: tf_cluster.py hosts
// TF servers, tf_client.py reads with TF's client. One cluster process and one client process serve
// the whole suite (TF's import costs seconds per process).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tfPython } from "../helpers/tf.js";
import { startTfClient, startTfCluster, type TfClient, type TfCluster } from "../helpers/tf-drivers.js";

const RANGE_10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const interop = suite("interop");
const python = tfPython(); // throws on CI when TF is missing

if (!python) {
  interop.skip("TF client reads range(10) from a TF dispatcher + worker (harness sanity)", () => {});
} else {
  // Started lazily inside the first test that needs them, so a failure is a test failure (uvu
  // aborts the whole run when a before-hook throws). Both start in parallel.
  let cluster: Promise<TfCluster> | undefined;
  let client: Promise<TfClient> | undefined;
  const tfCluster = () => (cluster ??= startTfCluster({ workers: 1 }));
  const tfClient = () => (client ??= startTfClient());
  interop.before(() => {
    tfCluster().catch(() => {});
    tfClient().catch(() => {});
  });
  interop.after(async () => {
    await Promise.allSettled([cluster?.then((c) => c.stop()), client?.then((c) => c.stop())]);
  });

  interop("TF client reads range(10) from a TF dispatcher + worker (harness sanity)", async () => {
    const [c, tf] = await Promise.all([tfCluster(), tfClient()]);
    const { elements } = await tf.read({ service: `grpc://${c.dispatcher}`, range: 10 });
    assert.equal(elements, RANGE_10);
  });
}

interop.run();
