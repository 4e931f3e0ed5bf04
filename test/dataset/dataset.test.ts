// The Dataset API: TF's argument forms, dtypes, element specs, cardinality, immutability and
// iteration through the core, checked against TensorFlow's elements where TF has them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError } from "../../src/core/errors.js";
import { Tensor } from "../../src/core/tensor.js";
import { AUTOTUNE, Dataset, INFINITE_CARDINALITY, TensorSpec, UNKNOWN_CARDINALITY } from "../../src/dataset/index.js";
import { TF_GRAPH_FIXTURES } from "../fixtures/graphs/tf-graphs.js";
import { fixtureComponent } from "../graph/graph-fixtures.js";

const isCode = (code: string, re?: RegExp) => (e: unknown) =>
  isTfDataError(e) && e.code === code && (re === undefined || re.test(e.message));

test("Dataset.range argument forms yield Python's range, as int64 bigints", async () => {
  assert.equal(await Dataset.range(5).toArray(), [0n, 1n, 2n, 3n, 4n]);
  assert.equal(await Dataset.range(2, 5).toArray(), [2n, 3n, 4n]);
  assert.equal(await Dataset.range(2, 10, 3).toArray(), [2n, 5n, 8n]);
  assert.equal(await Dataset.range(10, 0, -3).toArray(), [10n, 7n, 4n, 1n]);
  assert.equal(await Dataset.range(5, 2).toArray(), []);
  assert.equal(await Dataset.range(-2n, 1n).toArray(), [-2n, -1n, 0n]);
});

test("int64 values past 2^53 keep every digit", async () => {
  const big = 2n ** 62n + 1n;
  assert.equal(await Dataset.range(big, big + 3n).toArray(), [big, big + 1n, big + 2n]);
});

test("outputType (TF's output_type; alias dtype) sets the element dtype", async () => {
  const i32 = Dataset.range(3, { outputType: "int32" });
  assert.equal(await i32.toArray(), [0, 1, 2]);
  assert.is((i32.elementSpec as TensorSpec).dtype, DType.int32);
  const f32 = Dataset.range(1, 4, { dtype: DType.float32 });
  assert.equal(await f32.toArray(), [1, 2, 3]);
  assert.is(String(f32.elementSpec), "TensorSpec(shape=(), dtype=tf.float32, name=None)");
  assert.equal(await Dataset.range(3, { outputType: "uint8", dtype: "uint8" }).toArray(), [0, 1, 2]);
});

test("Dataset.range rejects what TF rejects, with TF's messages", () => {
  const range = Dataset.range as (...a: unknown[]) => Dataset;
  assert.throws(() => range(), isCode("InvalidArgument", /between 1 and 3 but was 0/));
  assert.throws(() => range(1, 2, 3, 4), isCode("InvalidArgument", /between 1 and 3 but was 4/));
  assert.throws(() => Dataset.range(0, 10, 0), isCode("InvalidArgument", /step must be a non-zero integer/));
  assert.throws(() => Dataset.range(2.5), isCode("InvalidArgument", /stop must be an integer.*2\.5/));
  assert.throws(() => Dataset.range(2n ** 63n), isCode("InvalidArgument", /does not fit in int64/));
  assert.throws(() => range("3"), isCode("InvalidArgument", /stop must be an integer/));
  assert.throws(() => Dataset.range(3, { outputType: "string" }), isCode("InvalidArgument", /real numeric dtype, got string/));
  assert.throws(() => Dataset.range(3, { outputType: "int32", dtype: "int64" }), isCode("InvalidArgument", /differ/));
  assert.throws(() => Dataset.range(3, { name: "1bad name" }), isCode("InvalidArgument", /valid identifier/));
});

test("Dataset.range(10).batch(3) gives [[0,1,2],[3,4,5],[6,7,8],[9]] as int64 Tensors", async () => {
  const out = await Dataset.range(10).batch(3).toArray();
  assert.is(out.length, 4);
  for (const t of out) {
    assert.ok(t instanceof Tensor);
    assert.is((t as Tensor).dtype, DType.int64);
  }
  assert.equal(out.map((t) => (t as Tensor).toJS()), [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n], [9n]]);
  assert.equal((out[3] as Tensor).shape, [1]);
});

test("batch forms: dropRemainder positional or in options; nested batches", async () => {
  const js = async (ds: Dataset) => (await ds.toArray()).map((t) => (t as Tensor).toJS());
  assert.equal(await js(Dataset.range(10).batch(3, true)), [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n]]);
  assert.equal(await js(Dataset.range(10).batch(3, { dropRemainder: true })), [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n]]);
  assert.equal(await js(Dataset.range(5).batch(2).batch(2)), [[[0n, 1n], [2n, 3n]], [[4n]]]);
  assert.throws(() => Dataset.range(3).batch(0), isCode("InvalidArgument", /Batch size must be greater than zero/));
  const parallel = Dataset.range(3).batch(2, { numParallelCalls: 2 });
  assert.ok(parallel.toGraphDef().node.some((n) => n.op === "ParallelBatchDataset"), "numParallelCalls builds TF's ParallelBatchDataset");
  assert.equal(await js(parallel), [[0n, 1n], [2n]]);
});

test("elementSpec follows TF: scalars (), batches (None,) or (3,) when dropping", () => {
  assert.is(String(Dataset.range(3).elementSpec), "TensorSpec(shape=(), dtype=tf.int64, name=None)");
  assert.is(String(Dataset.range(3).batch(2).elementSpec), "TensorSpec(shape=(None,), dtype=tf.int64, name=None)");
  assert.is(String(Dataset.range(3).batch(2, true).batch(4).elementSpec),
    "TensorSpec(shape=(None, 2), dtype=tf.int64, name=None)");
  assert.is(String(Dataset.range(3).take(2)), "<Dataset element_spec=TensorSpec(shape=(), dtype=tf.int64, name=None)>");
});

test("cardinality matches TensorFlow's, quirks included", () => {
  assert.is(Dataset.range(10).cardinality(), 10);
  assert.is(Dataset.range(2, 10, 3).cardinality(), 3);
  assert.is(Dataset.range(5, 5, 3).cardinality(), 0);
  assert.is(Dataset.range(10, 0, -3).cardinality(), 4);
  assert.is(Dataset.range(10).take(20).cardinality(), 10);
  assert.is(Dataset.range(10).take(-1).cardinality(), 10);
  // TF 2.21 reports min(n, count) for any other negative count: range(10).take(-5) -> -5.
  assert.is(Dataset.range(10).take(-5).cardinality(), -5);
  assert.is(Dataset.range(10).batch(3).cardinality(), 4);
  assert.is(Dataset.range(10).batch(3, true).cardinality(), 3);
  assert.is(INFINITE_CARDINALITY, -1);
  assert.is(UNKNOWN_CARDINALITY, -2);
});

test("AUTOTUNE is tf.data.AUTOTUNE (-1) in the graph: num_parallel_calls and buffer_size", async () => {
  assert.is(AUTOTUNE, -1);
  const g = Dataset.range(4).map((x) => x, { numParallelCalls: AUTOTUNE }).prefetch(AUTOTUNE).toGraphDef();
  const constOf = (op: string, input: number) => {
    const ref = g.node.find((n) => n.op === op)!.input[input];
    const t = g.node.find((n) => n.name === ref)!.attr.value.value;
    return t.case === "tensor" ? t.value.int64Val[0] : undefined;
  };
  assert.is(constOf("ParallelMapDatasetV2", 1), -1n, "num_parallel_calls");
  assert.is(constOf("PrefetchDataset", 1), -1n, "buffer_size");
  assert.equal((await Dataset.range(4).map((x) => x, { numParallelCalls: AUTOTUNE }).toArray()).map(Number), [0, 1, 2, 3]);
});

test("our datasets yield TF's elements for every fixture pipeline we can express", async () => {
  const ours: Record<string, Dataset> = {
    range_10_take_3: Dataset.range(10).take(3),
    range_10_take_m1: Dataset.range(10).take(-1),
    range_10_batch_3_drop: Dataset.range(10).batch(3, true),
    range_10_take_7_batch_2: Dataset.range(10).take(7).batch(2),
    range_10_batch_2_batch_2: Dataset.range(10).batch(2).batch(2),
    range_5_int32_batch_2: Dataset.range(5, { outputType: "int32" }).batch(2),
    range_4_float32: Dataset.range(4, { outputType: "float32" }),
    range_10_0_m3: Dataset.range(10, 0, -3),
  };
  for (const [name, ds] of Object.entries(ours)) {
    const f = TF_GRAPH_FIXTURES.find((x) => x.name === name)!;
    const got: unknown[] = [];
    for await (const comps of ds.components()) got.push(comps.map(fixtureComponent));
    assert.equal(got, f.elements, name);
    assert.is(ds.cardinality(), f.cardinality, `${name} cardinality`);
  }
});

test("datasets are immutable and every iteration starts afresh", async () => {
  const base = Dataset.range(5);
  const taken = base.take(2);
  assert.equal(await base.toArray(), [0n, 1n, 2n, 3n, 4n]);
  assert.equal(await taken.toArray(), [0n, 1n]);
  const a = base[Symbol.asyncIterator]();
  const b = base[Symbol.asyncIterator]();
  assert.equal((await a.next()).value, 0n);
  assert.equal((await a.next()).value, 1n);
  assert.equal((await b.next()).value, 0n);
  await a.return!(undefined);
  await b.return!(undefined);
  let seen = 0;
  for await (const x of base) {
    if (x === 2n) break;
    seen++;
  }
  assert.is(seen, 2);
  assert.equal(await base.toArray(), [0n, 1n, 2n, 3n, 4n]);
});

test("apply(f) is f(ds) and must return a Dataset", async () => {
  const takeTwo = (ds: Dataset) => ds.take(2);
  assert.equal(await Dataset.range(5).apply(takeTwo).toArray(), [0n, 1n]);
  assert.throws(() => Dataset.range(5).apply((() => 3) as unknown as (d: Dataset) => Dataset),
    isCode("InvalidArgument", /must return a Dataset/));
});

test("fromIteratorFactory: elements from the factory, one iterator per loop, not serializable", async () => {
  let made = 0;
  let returned = 0;
  const spec = new TensorSpec([], DType.int64);
  const ds = Dataset.fromIteratorFactory(spec, () => {
    made++;
    let i = 0n;
    return {
      next: async () => (i < 3n ? { done: false, value: [Tensor.scalar(i++)] } : { done: true, value: undefined }),
      return: async () => { returned++; return { done: true, value: undefined }; },
    };
  });
  assert.equal(await ds.toArray(), [0n, 1n, 2n]);
  for await (const x of ds) if (x === 0n) break;
  assert.is(made, 2);
  assert.is(returned, 1, "an early break returns the factory's iterator");
  assert.not.ok(ds.serializable);
  assert.is(ds.cardinality(), UNKNOWN_CARDINALITY);
  assert.throws(() => ds.toGraphDef(), isCode("Unimplemented", /cannot be serialized/));
  assert.throws(() => ds.take(1), isCode("Unimplemented"));
  assert.ok(Dataset.range(1).serializable);
});

test.run();
