// The TS API of the function-free transformations: argument forms, element specs and the errors
// TF raises when a dataset is made (here: when the transformation is called).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../../src/core/dtype.js";
import { isTfDataError } from "../../../src/core/errors.js";
import { Tensor } from "../../../src/core/tensor.js";
import { Dataset, TensorSpec, tuple } from "../../../src/dataset/index.js";

const code = (c: string, re?: RegExp) => (e: unknown) => isTfDataError(e) && e.code === c && (re === undefined || re.test(e.message));
const js = async (ds: Dataset) => (await ds.toArray()).map((e) => (e instanceof Tensor ? e.toJS() : e));

test("Dataset.zip: varargs, an array (tuple), an object (dict), a single dataset, a trailing { name }", async () => {
  const a = Dataset.range(2), b = Dataset.range(5, 8);
  assert.equal(await Dataset.zip(a, b).toArray(), [[0n, 5n], [1n, 6n]]);
  assert.equal(await Dataset.zip([a, b]).toArray(), [[0n, 5n], [1n, 6n]]);
  assert.equal(await Dataset.zip(tuple(a, b)).toArray(), [[0n, 5n], [1n, 6n]]);
  assert.equal(await Dataset.zip({ b, a }).toArray(), [{ a: 0n, b: 5n }, { a: 1n, b: 6n }]);
  assert.equal(await Dataset.zip(a).toArray(), [0n, 1n]);
  const named = Dataset.zip(a, b, { name: "pairs" }).toGraphDef();
  assert.ok(named.node.some((n) => n.op === "ZipDataset" && new TextDecoder().decode(
    n.attr.metadata.value.value as Uint8Array).includes("pairs")));
  assert.throws(() => Dataset.zip(), code("InvalidArgument", /at least one dataset/));
  assert.throws(() => Dataset.zip([]), code("InvalidArgument", /at least minimum 1/));
  assert.throws(() => Dataset.zip([a, 3 as never]), code("InvalidArgument", /Invalid input to `zip`: datasets\[1\]/));
});

test("concatenate relaxes shapes TF's way and refuses other dtypes or structures", () => {
  const ds = Dataset.fromTensors([1, 2]).concatenate(Dataset.fromTensors([1, 2, 3]));
  assert.is(String(ds.elementSpec), "TensorSpec(shape=(None,), dtype=tf.int32, name=None)");
  const rank = Dataset.fromTensors([1, 2]).concatenate(Dataset.fromTensors([[1]]));
  assert.is((rank.elementSpec as TensorSpec).shape, null);
  assert.throws(() => Dataset.range(2).concatenate(Dataset.fromTensors(1.5)), code("InvalidArgument", /Incompatible dataset elements/));
  assert.throws(() => Dataset.range(2).concatenate(Dataset.zip(Dataset.range(1), Dataset.range(1))),
    code("InvalidArgument", /Incompatible dataset elements/));
  assert.throws(() => Dataset.range(2).concatenate([] as never), code("InvalidArgument", /needs a Dataset/));
});

test("repeat/skip/shard/prefetch/cache: defaults, TF's checks at construction", async () => {
  assert.is(Dataset.range(2).repeat().cardinality(), -1);
  assert.equal(await Dataset.range(2).repeat().take(5).toArray(), [0n, 1n, 0n, 1n, 0n]);
  assert.throws(() => Dataset.range(4).shard(2, 2), code("InvalidArgument", /Index must be between 0 and 1 \(currently index = 2\)/));
  assert.throws(() => Dataset.range(4).shard(0, 0), code("InvalidArgument", /Number of shards must be greater than zero/));
  assert.throws(() => Dataset.range(4).skip(1.5), code("InvalidArgument", /skip count must be an integer/));
  assert.throws(() => Dataset.range(4).prefetch(-2), code("InvalidArgument", /buffer_size must be >= 0 or set buffer_size to be -1/));
  assert.throws(() => Dataset.range(4).cache("/tmp/cache"), code("Unimplemented", /caching to files/));
  assert.equal(await Dataset.range(3).cache({ name: "c" }).repeat(2).toArray(), [0n, 1n, 2n, 0n, 1n, 2n]);
});

test("enumerate gives [index, element] tuples from start", async () => {
  const ds = Dataset.fromTensorSlices({ v: [1.5, 2.5] }).enumerate(10n);
  assert.equal(await ds.toArray(), [[10n, { v: 1.5 }], [11n, { v: 2.5 }]]);
  assert.is(ds.cardinality(), 2);
});

test("batch with numParallelCalls builds ParallelBatchDataset with the same elements", async () => {
  const ds = Dataset.range(5).batch(2, { numParallelCalls: 3, deterministic: false });
  const node = ds.toGraphDef().node.find((n) => n.op === "ParallelBatchDataset");
  assert.ok(node);
  assert.equal(new TextDecoder().decode(node!.attr.deterministic.value.value as Uint8Array), "false");
  assert.equal(await js(ds), [[0n, 1n], [2n, 3n], [4n]]);
  assert.throws(() => Dataset.range(5).batch(2, { numParallelCalls: 0 }), code("InvalidArgument", /num_parallel_calls/));
});

test("paddedBatch: positional and options forms, structure-shaped shapes and values, TF's checks", async () => {
  const ragged = Dataset.fromTensors([1, 2]).concatenate(Dataset.fromTensors([3, 4, 5]));
  assert.equal(await js(ragged.paddedBatch(2)), [[[1, 2, 0], [3, 4, 5]]]);
  assert.equal(await js(ragged.paddedBatch(2, { paddedShapes: [4], paddingValues: 7 })), [[[1, 2, 7, 7], [3, 4, 5, 7]]]);
  assert.equal(await js(ragged.paddedBatch(1, [null], -1, true)), [[[1, 2]], [[3, 4, 5]]]);
  const pairs = Dataset.zip({ n: ragged, s: Dataset.fromTensorSlices(["a", "b"]) });
  const out = await pairs.paddedBatch(2, { n: [3], s: [] }, { n: -1, s: "?" }).toArray();
  const el = out[0] as { n: Tensor; s: Tensor };
  assert.equal(el.n.toJS(), [[1, 2, -1], [3, 4, 5]]);
  assert.equal(el.s.toJS(), ["a", "b"]);
  assert.is(String((pairs.paddedBatch(2, { n: [3], s: [] }).elementSpec as { n: TensorSpec }).n),
    "TensorSpec(shape=(None, 3), dtype=tf.int32, name=None)");
  assert.throws(() => Dataset.range(3).paddedBatch(2, [2]), code("InvalidArgument", /The padded shape \(2,\) is not compatible with the shape \(\)/));
  assert.throws(() => ragged.paddedBatch(2, [-2]), code("InvalidArgument", /Dimension -2 must be >= 0/));
  assert.throws(() => ragged.paddedBatch(2, undefined, Tensor.scalar(1n)), code("InvalidArgument", /does not match output type: int32/));
  assert.throws(() => ragged.paddedBatch(2, undefined, [1, 2]), code("InvalidArgument", /must be scalars/));
  assert.throws(() => pairs.paddedBatch(2, [[3], []]), code("InvalidArgument", /paddedShapes must be an object/));
  assert.throws(() => ragged.paddedBatch(0), code("InvalidArgument", /Batch size must be greater than zero/));
});

test("unbatch and rebatch: element specs and construction-time checks", async () => {
  const ds = Dataset.fromTensors(tuple([[1, 2], [3, 4]], ["a", "b"])).unbatch();
  assert.equal((await ds.toArray()).map((e) => [((e as [Tensor, Uint8Array])[0]).toJS(), new TextDecoder().decode((e as [Tensor, Uint8Array])[1])]),
    [[[1, 2], "a"], [[3, 4], "b"]]);
  assert.throws(() => Dataset.range(3).unbatch(), code("InvalidArgument", /Cannot unbatch an input with scalar components/));
  assert.throws(() => Dataset.fromTensors(tuple([1], [1, 2])).unbatch(), code("InvalidArgument", /Encountered both 1 and 2/));
  assert.is(String(Dataset.range(8).batch(4, true).rebatch(2).elementSpec), "TensorSpec(shape=(2,), dtype=tf.int64, name=None)");
  assert.is(String(Dataset.range(8).batch(4, true).rebatch(3).elementSpec), "TensorSpec(shape=(None,), dtype=tf.int64, name=None)");
  assert.is(String(Dataset.range(8).batch(4).rebatch(2, true).elementSpec), "TensorSpec(shape=(2,), dtype=tf.int64, name=None)");
  assert.equal(await js(Dataset.range(6).batch(4).rebatch([1, 2])), [[0n], [1n, 2n], [3n], [4n, 5n]]);
  assert.throws(() => Dataset.range(3).rebatch(2), code("InvalidArgument", /elements are scalars/));
  assert.throws(() => Dataset.range(3).batch(2).rebatch(-1), code("InvalidArgument", /must be >= 0/));
});

test("transformations of a dataset without a graph fail clearly", () => {
  const remote = Dataset.fromIteratorFactory(new TensorSpec([], DType.int64), async () => ({ next: async () => ({ done: true, value: undefined }) }));
  assert.throws(() => remote.repeat(2), code("Unimplemented", /repeat\(\) needs a dataset defined by a graph/));
  assert.throws(() => Dataset.zip(remote, Dataset.range(2)), code("Unimplemented", /zip\(\) of dataset #0 needs a dataset defined by a graph/));
});

test.run();
