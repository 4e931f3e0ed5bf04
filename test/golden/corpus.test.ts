// The golden corpus itself: both sides define the same pipelines, the fixtures are there, and
// together the pipelines use every source, transformation, traced op and dtype of issue 3.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CORPUS, PENDING } from "./corpus.js";
import { GOLDEN_DIR, goldenFixture, goldenIndex } from "./fixtures.js";

/** The least number of pipelines the corpus must hold. */
const MIN_PIPELINES = 90;

/** Issue 3 §1: the dataset ops TF emits for every source and transformation listed. */
const DATASET_OPS = [
  "RangeDataset", "TensorDataset", "TensorSliceDataset", // range, fromTensors, fromTensorSlices
  "MapDataset", "ParallelMapDatasetV2", "FilterDataset",
  "BatchDatasetV2", "ParallelBatchDataset", "PaddedBatchDatasetV2", "UnbatchDataset",
  "ShuffleDatasetV3", "RepeatDataset", "TakeDataset", "SkipDataset", "ShardDataset", "PrefetchDataset",
  "CacheDatasetV2", "ConcatenateDataset", "ZipDataset", // zip; enumerate is zip(range, ds)
  "FlatMapDataset", "InterleaveDataset", "ParallelInterleaveDatasetV4",
  "ScanDataset", "WindowDataset", "RebatchDatasetV2",
];

/** Issue 3 §2: the ops traced functions emit (clipByValue is Minimum + Maximum). */
const TRACED_OPS = [
  "AddV2", "Sub", "Mul", "RealDiv", "FloorDiv", "FloorMod", "Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log",
  "Pow", "Maximum", "Minimum", "Round", "Floor", "Ceil", "Sign",
  "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "SelectV2",
  "Cast", "Reshape", "ExpandDims", "Squeeze", "Pack", "ConcatV2", "StridedSlice", "Slice", "GatherV2", "Transpose", "Tile",
  "Fill", "ZerosLike", "OnesLike", "Range", "Shape", "Size",
  "Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin", "OneHot",
  "StringToNumber", "AsString",
];

/** Issue 3 §3. */
const DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "bfloat16",
  "float32", "float64", "string"];

test("the TypeScript and Python corpora define the same pipelines", () => {
  const py = new Set(goldenIndex().names);
  const ts = new Set(Object.keys(CORPUS));
  const onlyPy = [...py].filter((n) => !ts.has(n));
  const onlyTs = [...ts].filter((n) => !py.has(n));
  assert.ok(onlyPy.length === 0 && onlyTs.length === 0,
    `only in Python: [${onlyPy.join(", ")}]; only in TypeScript: [${onlyTs.join(", ")}]`);
});

test(`the corpus holds at least ${MIN_PIPELINES} pipelines, each with a fixture`, () => {
  const names = goldenIndex().names;
  assert.ok(names.length >= MIN_PIPELINES, `${names.length} pipelines`);
  const missing = names.filter((n) => !existsSync(join(GOLDEN_DIR, `${n}.json`)));
  assert.equal(missing, [], "fixtures missing");
  const stale = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith(".json") && f !== "index.json")
    .map((f) => f.slice(0, -5)).filter((n) => !names.includes(n));
  assert.equal(stale, [], "fixtures of pipelines that no longer exist");
});

test("PENDING names only corpus pipelines", () => {
  const unknown = Object.keys(PENDING).filter((n) => !(n in CORPUS));
  assert.equal(unknown, []);
});

test("the pipelines use every dataset op of issue 3 §1", () => {
  const used = new Set(goldenIndex().names.flatMap((n) => [...goldenFixture(n).datasetOps, ...goldenFixture(n).functionOps]));
  assert.equal(DATASET_OPS.filter((op) => !used.has(op)), [], "dataset ops no pipeline uses");
});

test("the pipelines' functions use every traced op of issue 3 §2", () => {
  const used = new Set(goldenIndex().names.flatMap((n) => goldenFixture(n).functionOps));
  assert.equal(TRACED_OPS.filter((op) => !used.has(op)), [], "traced ops no pipeline uses");
});

test("the pipelines' elements cover every dtype of issue 3 §3", () => {
  const used = new Set(goldenIndex().names.flatMap((n) => goldenFixture(n).elements.flatMap((e) => e.map((c) => c.dtype))));
  assert.equal(DTYPES.filter((d) => !used.has(d)), [], "dtypes no element has");
});

test("each pipeline is small (<= 200 elements) and the fixtures are compact", () => {
  const big = goldenIndex().names.filter((n) => goldenFixture(n).elements.length > 200);
  assert.equal(big, []);
});

test.run();
