// TF's Python `from_dataset_id` with no element_spec against our dispatcher: TF fetches the spec
// through GetDataServiceMetadata, so this proves we serialize it as TF's StructuredValue.
// Ports data_service_ops_test.testFromDatasetIdWithoutElementSpec-style usage (issue 4 acceptance).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Dataset, registerDataset, tuple } from "../../src/entry/node.js";
import { startLocalService } from "../helpers/servers.js";
import { spawnPython, tfPython } from "../helpers/tf.js";

const haveTf = tfPython() !== null;

async function readWithTf(service: string, datasetId: string, mode: string) {
  const child = spawnPython("test/interop/tf_from_dataset_id.py", [service, datasetId, mode]);
  try {
    return await child.next("elements", 120_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${child.stderrTail(2000)}`);
  } finally {
    await child.stop();
  }
}

test("ports data_service_ops_test: Python from_dataset_id without element_spec reads a dataset registered through ours", async () => {
  if (!haveTf) return;
  const svc = await startLocalService({ workers: 2, workerConfig: { heartbeatIntervalMs: 100 } });
  try {
    const ds = Dataset.fromTensorSlices(tuple(new BigInt64Array([0n, 1n, 2n, 3n, 4n, 5n]), ["a", "b", "c", "d", "e", "f"]));
    const id = await registerDataset(svc.target, ds, { compression: "AUTO" });
    const ev = await readWithTf(svc.target, id, "distributed_epoch");
    assert.equal(ev.spec, ["TensorSpec(shape=(), dtype=tf.int64, name=None)", "TensorSpec(shape=(), dtype=tf.string, name=None)"]);
    const got = (ev.elements as [number, string][]).map(([n, s]) => `${n}:${s}`).sort();
    assert.equal(got, ["0:a", "1:b", "2:c", "3:d", "4:e", "5:f"], "each element exactly once across two of our workers");
  } finally {
    await svc.stop();
  }
});

test("Python from_dataset_id without element_spec: nested dict elements, parallel_epochs over two workers", async () => {
  if (!haveTf) return;
  const svc = await startLocalService({ workers: 2, workerConfig: { heartbeatIntervalMs: 100 } });
  try {
    const ds = Dataset.fromTensorSlices({ x: new Float32Array([0.5, 1.5]), y: new Int32Array([7, 8]) });
    const id = await registerDataset(svc.target, ds, { compression: null });
    const ev = await readWithTf(svc.target, id, "parallel_epochs");
    assert.equal(ev.spec, { x: "TensorSpec(shape=(), dtype=tf.float32, name=None)", y: "TensorSpec(shape=(), dtype=tf.int32, name=None)" });
    const got = (ev.elements as { x: number; y: number }[]).map((e) => `${e.x}/${e.y}`).sort();
    assert.equal(got, ["0.5/7", "0.5/7", "1.5/8", "1.5/8"], "two full copies");
  } finally {
    await svc.stop();
  }
});

test.run();
