// BatchDatasetV2 in the core copies each fixed-width element into the batch as it arrives (and
// grows the batch tensor for huge batch sizes); strings and variants are stacked at the end. The
// results, partial batches and TF's mismatch errors are the same either way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import type { DatasetPlan } from "../../src/core/plan.js";
import { TfDataError } from "../../src/core/errors.js";
import { Tensor } from "../../src/core/tensor.js";
import { Dataset } from "../../src/dataset/dataset.js";

const range = (stop: bigint, dtype: number = DType.int64): DatasetPlan =>
  ({ op: "range", start: 0n, stop, step: 1n, dtype }) as DatasetPlan;
const batch = (input: DatasetPlan, batchSize: bigint, dropRemainder = false): DatasetPlan =>
  ({ op: "batch", input, batchSize, dropRemainder }) as DatasetPlan;

async function all(plan: DatasetPlan): Promise<Tensor[][]> {
  const it = (await getCore()).createIterator(plan);
  const out: Tensor[][] = [];
  try {
    for (let e = it.next(); e; e = it.next()) out.push(e);
  } finally {
    it.close();
  }
  return out;
}

test("fixed-width batches: values, shapes, the partial last batch, dropRemainder", async () => {
  const els = await all(batch(range(10n, DType.int32), 4n));
  assert.equal(els.map((e) => e[0].shape), [[4], [4], [2]]);
  assert.equal(els.map((e) => [...(e[0].data as Int32Array)]), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.equal((await all(batch(range(10n, DType.int32), 4n, true))).length, 2);
  const nested = await all(batch(batch(range(12n, DType.float64), 3n), 2n));
  assert.equal(nested.map((e) => e[0].shape), [[2, 3], [2, 3]]);
  assert.equal([...(nested[1][0].data as Float64Array)], [6, 7, 8, 9, 10, 11]);
});

test("a batch size far beyond the input allocates for what arrives (grows, then fits exactly)", async () => {
  const [only] = await all(batch(range(10n), 1n << 30n));
  assert.equal(only[0].shape, [10]);
  assert.equal([...(only[0].data as BigInt64Array)], Array.from({ length: 10 }, (_, i) => BigInt(i)));
  // 1.5 M int64 rows pass the initial 8 MiB, so the batch tensor grows (by doubling) on the way.
  const n = 1_500_000;
  const [big] = await all(batch(range(BigInt(n)), 2_000_000n));
  const data = big[0].data as BigInt64Array;
  assert.equal(big[0].shape, [n]);
  assert.is(data.length, n);
  let ok = true;
  for (let i = 0; i < n; i += 997) if (data[i] !== BigInt(i)) ok = false;
  assert.ok(ok && data[n - 1] === BigInt(n - 1), "every row in place after growing");
  const full = await all(batch(range(BigInt(2 * n)), BigInt(n)));
  assert.equal(full.map((e) => e[0].shape), [[n], [n]]);
  assert.is((full[1][0].data as BigInt64Array)[n - 1], BigInt(2 * n - 1));
});

test("shape mismatches fail with TF's message", async () => {
  // Elements [0,1] and [2] (shapes [2] and [1]) in one batch of 3.
  const mixed = (await getCore()).createIterator(batch(batch(range(3n), 2n), 3n));
  try {
    mixed.next();
    assert.unreachable("should fail");
  } catch (err) {
    assert.instance(err, TfDataError);
    assert.is((err as TfDataError).code, "InvalidArgument");
    assert.match((err as Error).message,
      /Cannot batch tensors with different shapes in component 0\. First element had shape \[2\] and element 1 had shape \[1\]\./);
  } finally {
    mixed.close();
  }
  // Dtype and shape are checked per component of every element, not only the first.
  const ok = await all(batch(batch(range(4n), 2n), 2n));
  assert.equal(ok.map((e) => e[0].shape), [[2, 2]]);
});

test("strings and dicts of mixed dtypes batch as before (strings are stacked at the end)", async () => {
  const strings = await Dataset.fromTensorSlices(["a", "bb", "ccc"]).batch(2).toArray() as Tensor[];
  assert.equal(strings.map((t) => t.shape), [[2], [1]]);
  assert.equal(strings.map((t) => (t.data as Uint8Array[]).map((x) => new TextDecoder().decode(x))), [["a", "bb"], ["ccc"]]);
  const dicts = await Dataset.fromTensorSlices({
    id: new Tensor(DType.int64, [3], BigInt64Array.of(1n, 2n, 3n)),
    xy: new Tensor(DType.float32, [3, 2], Float32Array.of(0.5, 1.5, 2.5, 3.5, 4.5, 5.5)),
    name: ["p", "q", "r"],
  }).batch(2).toArray() as Record<string, Tensor>[];
  assert.equal(dicts.map((e) => [e.id.shape, e.xy.shape, e.name.shape]), [[[2], [2, 2], [2]], [[1], [1, 2], [1]]]);
  assert.equal([...(dicts[0].xy.data as Float32Array)], [0.5, 1.5, 2.5, 3.5]);
  assert.equal([...(dicts[1].id.data as BigInt64Array)], [3n]);
  assert.equal((dicts[1].name.data as Uint8Array[]).map((x) => new TextDecoder().decode(x)), ["r"]);
});

test.run();
