// Lowering of the sources and function-free transformations: graphs that are invalid (as TF would
// reject them when making the dataset) fail at lowering time with TF's message and the node's
// name, never mid-stream; and TF's cardinality arithmetic, quirks included.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clone, create } from "@bufbuild/protobuf";
import { GraphDefSchema, type GraphDef } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import type { NodeDef } from "../../../src/gen/tensorflow/core/framework/node_def_pb.js";
import { TensorProtoSchema } from "../../../src/gen/tensorflow/core/framework/tensor_pb.js";
import { getCore } from "../../../src/core/core.js";
import { DType } from "../../../src/core/dtype.js";
import { isTfDataError } from "../../../src/core/errors.js";
import { Dataset, tuple } from "../../../src/dataset/index.js";
import { attrBool, attrInt, attrTensor, shapeProto } from "../../../src/graph/attr-value.js";
import { lower } from "../../../src/graph/lower.js";
import { concatenateCardinality, zipCardinality } from "../../../src/graph/ops/combine.js";
import { repeatCardinality, shardCardinality, skipCardinality } from "../../../src/graph/ops/selection.js";
import { windowCardinality } from "../../../src/graph/ops/window.js";

const INF = -1n, UNK = -2n;

/** `ds`'s graph with `edit` applied to its node of op `op` (the last one). */
function edited(ds: Dataset, op: string, edit: (n: NodeDef, g: GraphDef) => void): GraphDef {
  const g = clone(GraphDefSchema, ds.toGraphDef());
  const n = [...g.node].reverse().find((x) => x.op === op);
  if (!n) throw new Error(`no ${op} node`);
  edit(n, g);
  return g;
}

/** Sets the int64 scalar Const feeding data input `i` of `n`. */
function setInt64Input(g: GraphDef, n: NodeDef, i: number, v: bigint): void {
  const c = g.node.find((x) => x.name === n.input[i])!;
  c.attr.value = attrTensor(create(TensorProtoSchema, { dtype: DType.int64, tensorShape: shapeProto([]), int64Val: [v] }));
}

function lowerError(g: GraphDef): Error {
  try {
    lower(g);
  } catch (e) {
    return e as Error;
  }
  throw new Error("lowering succeeded");
}

const fails = (g: GraphDef, code: string, re: RegExp) => {
  const e = lowerError(g);
  assert.ok(isTfDataError(e) && e.code === code, `expected ${code}, got ${String(e)}`);
  assert.match(e.message, re);
};

test("ShardDataset with an index out of range fails at lowering with TF's message and the node", () => {
  const g = edited(Dataset.range(10).shard(3, 1), "ShardDataset", (n, g) => setInt64Input(g, n, 2, 3n));
  fails(g, "InvalidArgument", /node 'ShardDataset\/_6' \(ShardDataset\): Index must be between 0 and 2 \(currently index = 3\)\./);
  const z = edited(Dataset.range(10).shard(3, 1), "ShardDataset", (n, g) => setInt64Input(g, n, 1, 0n));
  fails(z, "InvalidArgument", /Number of shards must be greater than zero \(currently num_shards = 0\)/);
});

test("a shard with require_non_empty fails, as TF's auto-shard rewrite, when there are fewer elements than shards", async () => {
  const g = edited(Dataset.range(2).shard(3, 0), "ShardDataset", (n) => { n.attr.require_non_empty = attrBool(true); });
  const core = await getCore();
  const it = core.createIterator(lower(g).plan);
  try {
    assert.throws(() => it.next(), (e: unknown) => isTfDataError(e, "InvalidArgument") &&
      /Could not apply FILE based sharding: the dataset only has 2 file\(s\), which is not enough for the required 3/.test(e.message));
  } finally {
    it.close();
  }
});

test("TensorSliceDataset / TensorDataset constants that contradict the node fail at lowering", () => {
  const rows = edited(Dataset.fromTensorSlices(tuple([1, 2], [3, 4])), "TensorSliceDataset", (n, g) => {
    const c = g.node.find((x) => x.name === n.input[1])!;
    c.attr.value = attrTensor(create(TensorProtoSchema, { dtype: DType.int32, tensorShape: shapeProto([3]), intVal: [1, 2, 3] }));
  });
  fails(rows, "InvalidArgument", /TensorSliceDataset.*component 1 has 3 rows but component 0 has 2/);
  const types = edited(Dataset.fromTensors(1), "TensorDataset", (n) => {
    n.attr.Toutput_types.value = { case: "list", value: { ...(n.attr.Toutput_types.value.value as object), type: [DType.int64] } as never };
  });
  fails(types, "InvalidArgument", /component 0 is a int32 tensor but Toutput_types says int64/);
});

test("CacheDatasetV2 to a file is refused at lowering (only the in-memory cache runs)", () => {
  const g = edited(Dataset.range(3).cache(), "CacheDatasetV2", (n, g) => {
    const c = g.node.find((x) => x.name === n.input[1])!;
    c.attr.value = attrTensor(create(TensorProtoSchema, { dtype: DType.string, tensorShape: shapeProto([]), stringVal: [new TextEncoder().encode("/tmp/c")] }));
  });
  fails(g, "Unimplemented", /CacheDatasetV2.*caching to files/);
});

test("PaddedBatchDatasetV2 with a padding value of another dtype fails at lowering as TF", () => {
  const g = edited(Dataset.fromTensors([1, 2]).paddedBatch(2), "PaddedBatchDatasetV2", (n, g) => {
    const c = g.node.find((x) => x.name === n.input[3])!;
    c.attr.dtype = { ...c.attr.dtype, value: { case: "type", value: DType.float32 } } as never;
    c.attr.value = attrTensor(create(TensorProtoSchema, { dtype: DType.float32, tensorShape: shapeProto([]), floatVal: [0] }));
  });
  fails(g, "InvalidArgument", /Mismatched type between padding value 0 and input dataset's component 0: float32 vs\. int32/);
});

test("ZipDataset whose N disagrees with its inputs, and WindowDataset of size 0, fail at lowering", () => {
  const zip = edited(Dataset.zip(Dataset.range(2), Dataset.range(3)), "ZipDataset", (n) => { n.attr.N = attrInt(3); });
  fails(zip, "InvalidArgument", /ZipDataset.*expected 3 data inputs, got 2/);
  // A WindowDataset node made by hand from a batch node's layout.
  const g = clone(GraphDefSchema, Dataset.range(4).batch(2).toGraphDef());
  const b = g.node.find((x) => x.op === "BatchDatasetV2")!;
  const c = (name: string, v: bigint) => ({ ...g.node.find((x) => x.name === b.input[1])!, name, attr: {
    dtype: g.node.find((x) => x.name === b.input[1])!.attr.dtype,
    value: attrTensor(create(TensorProtoSchema, { dtype: DType.int64, tensorShape: shapeProto([]), int64Val: [v] })),
  } });
  g.node.splice(g.node.indexOf(b), 0, c("size", 0n) as NodeDef, c("shift", 1n) as NodeDef, c("stride", 1n) as NodeDef);
  b.op = "WindowDataset";
  b.input = [b.input[0], "size", "shift", "stride", b.input[2]];
  b.attr.output_types.value = { case: "list", value: { ...(b.attr.output_types.value.value as object), type: [DType.variant] } as never };
  b.attr.output_shapes.value = { case: "list", value: { ...(b.attr.output_shapes.value.value as object), shape: [shapeProto([])] } as never };
  delete b.attr.parallel_copy;
  fails(g, "InvalidArgument", /WindowDataset.*Window size must be greater than zero\./);
});

test("rebatch to size 0 yields empty batches shaped by the declared shapes, without reading the input", async () => {
  const ds = Dataset.fromTensorSlices([[1, 2], [3, 4]]).batch(2).rebatch(0);
  assert.is(String(ds.elementSpec), "TensorSpec(shape=(None, 2), dtype=tf.int32, name=None)");
  const got = [];
  for await (const el of ds.take(3).components()) got.push(el.map((t) => `${t}`));
  assert.equal(got, [["int32[0,2]"], ["int32[0,2]"], ["int32[0,2]"]]);
});

test("the in-memory cache replays the first full pass, also across repeats of an endless prefix", async () => {
  const els = await Dataset.range(3).cache().repeat(3).toArray();
  assert.equal(els, [0n, 1n, 2n, 0n, 1n, 2n, 0n, 1n, 2n]);
  // A pass cut short (take) does not complete the cache; the next pass re-reads the input.
  const partial = await Dataset.range(4).cache().take(2).repeat(2).toArray();
  assert.equal(partial, [0n, 1n, 0n, 1n]);
});

test("cardinality arithmetic follows TF's C++ (infinite -1, unknown -2)", () => {
  assert.is(repeatCardinality(0n, -1n), 0n);
  assert.is(repeatCardinality(UNK, -1n), INF);
  assert.is(repeatCardinality(UNK, 2n), UNK);
  assert.is(repeatCardinality(5n, 0n), 0n);
  assert.is(skipCardinality(INF, -1n), INF);
  assert.is(skipCardinality(5n, -1n), 0n);
  assert.is(skipCardinality(5n, 7n), 0n);
  assert.is(shardCardinality(10n, 3n, 0n), 4n);
  assert.is(shardCardinality(10n, 3n, 1n), 3n);
  assert.is(concatenateCardinality(INF, UNK), INF);
  assert.is(concatenateCardinality(3n, UNK), UNK);
  assert.is(zipCardinality([INF, 4n, 7n]), 4n);
  assert.is(zipCardinality([INF, INF]), INF);
  assert.is(zipCardinality([3n, UNK]), UNK);
  assert.is(windowCardinality(10n, 3n, 1n, 4n, true), 2n);
  assert.is(windowCardinality(10n, 2n, 3n, 2n, false), 4n);
  assert.is(windowCardinality(2n, 3n, 1n, 1n, true), 0n);
  assert.is(Dataset.range(3).repeat().skip(-1).cardinality(), -1);
  assert.is(Dataset.range(3).enumerate().cardinality(), 3);
});

test.run();
