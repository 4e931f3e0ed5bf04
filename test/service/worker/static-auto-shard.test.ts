// The auto-shard rewrite of static sharding (src/graph/auto-shard.ts) against TensorFlow 2.21's
// own: the same GraphDefs, sharded by TF (grappler AutoShard through `_AutoShardDataset`, as a TF
// worker shards a task) and by us (rewrite, lower, run in the core), must give every worker the
// same elements, or the same error, for FILE, DATA, AUTO (FILE_OR_DATA) and HINT.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { getCore } from "../../../src/core/core.js";
import { dtypeName } from "../../../src/core/dtype.js";
import { TfDataError } from "../../../src/core/errors.js";
import type { Tensor } from "../../../src/core/tensor.js";
import { Dataset } from "../../../src/dataset/index.js";
import { GraphDefSchema, type GraphDef } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { autoShard, SHARD_HINT, type AutoShardPolicy } from "../../../src/graph/auto-shard.js";
import { graphElementSpec } from "../../../src/graph/graph-info.js";
import { lower } from "../../../src/graph/lower.js";
import { emitShard } from "../../../src/graph/ops/selection.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { REPO_ROOT, tfPython } from "../../helpers/tf.js";

/** Longest the TF child may take (a cold `import tensorflow` is ~4 s). */
const TF_TIMEOUT_MS = 180_000;

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const x of bytes) s += String.fromCharCode(x);
  return btoa(s);
}

/** `range(n).shard(SHARD_HINT, SHARD_HINT)` (the TS API refuses -1, so the node is emitted directly). */
function hinted(ds: Dataset): Dataset {
  const parts = ds._parts("test");
  return Dataset._fromParts({
    ...parts,
    cardinality: -2n,
    emit: (b) => emitShard(b, parts.emit(b), {
      numShards: b.int64Const(SHARD_HINT), index: b.int64Const(SHARD_HINT),
      spec: [{ dtype: 9, shape: [] }], metadataName: "ShardDataset:hint",
    }),
  });
}

const PIPELINES: readonly [string, () => Dataset][] = [
  ["range10", () => Dataset.range(10)],
  ["range10_batch2", () => Dataset.range(10).batch(2)],
  ["range10_batch2_prefetch", () => Dataset.range(10).batch(2).prefetch(2)],
  ["range10_map_prefetch", () => Dataset.range(10).map((x: T) => x.mul(2)).prefetch(1)],
  ["zip", () => Dataset.zip(Dataset.range(6), Dataset.range(10, 16))],
  ["concatenate", () => Dataset.range(3).concatenate(Dataset.range(10, 14))],
  ["slices", () => Dataset.fromTensorSlices([1, 2, 3, 4, 5])],
  ["filter_batch", () => Dataset.range(20).filter((x: T) => x.floorMod(3).equal(0)).batch(2)],
  ["range1", () => Dataset.range(1)],
  ["range0", () => Dataset.range(0)],
  ["hint", () => hinted(Dataset.range(10))],
  ["hint_batch", () => hinted(Dataset.range(10)).batch(2)],
];

const POLICIES: readonly AutoShardPolicy[] = ["FILE", "DATA", "AUTO", "HINT"];
const SHARDINGS: readonly [number, number][] = [[2, 0], [2, 1], [3, 0], [3, 1], [3, 2]];

type Outcome = { shape: number[]; values: string[] }[][] | { error: string; message: string };

/** TF's exception class names of our error codes. */
const TF_ERROR_CLASS: Record<string, string> = {
  NotFound: "NotFoundError", InvalidArgument: "InvalidArgumentError", FailedPrecondition: "FailedPreconditionError",
};

function component(t: Tensor): { shape: number[]; values: string[] } {
  const v = t.toJS();
  const flat = (Array.isArray(v) ? (v as unknown[]).flat(Infinity) : [v]) as unknown[];
  return {
    shape: [...t.shape],
    values: flat.map((x) => (x instanceof Uint8Array ? new TextDecoder().decode(x) : String(x))),
  };
}

async function ours(graph: GraphDef, policy: AutoShardPolicy, n: number, i: number): Promise<Outcome> {
  try {
    const plan = lower(autoShard(graph, policy, BigInt(n), BigInt(i))).plan;
    const it = (await getCore()).createIterator(plan);
    const out: Outcome = [];
    for (let e = it.next(); e !== null; e = it.next()) out.push(e.map(component));
    return out;
  } catch (err) {
    if (!(err instanceof TfDataError)) throw err;
    return { error: TF_ERROR_CLASS[err.code] ?? err.code, message: err.message };
  }
}

/** The first line of an error message, without TF's op-context prefix/suffix. */
function firstLine(message: string): string {
  return message.replace(/^\{\{function_node [^}]*\}\}\s*/, "").split("\n")[0].replace(/ \[Op:[^\]]*\].*$/, "")
    .replace(/goo\.gle\/debug\w+\s*$/, "").trim();
}

test("our auto-shard rewrite shards like TF's: every pipeline, policy and worker", async () => {
  const python = tfPython();
  if (!python) return; // tfPython() printed why (and throws on CI)
  const cases: { name: string; graph: GraphDef; policy: AutoShardPolicy; n: number; i: number }[] = [];
  for (const [name, make] of PIPELINES) {
    const graph = make().toGraphDef();
    for (const policy of POLICIES) {
      for (const [n, i] of SHARDINGS) cases.push({ name: `${name}/${policy}/${i}of${n}`, graph, policy, n, i });
    }
  }
  const input = JSON.stringify(cases.map((c) => ({
    name: c.name, graph: b64(toBinary(GraphDefSchema, c.graph)), policy: c.policy, num_workers: c.n, index: c.i,
    spec: graphElementSpec(c.graph).map((s) => ({ dtype: dtypeName(s.dtype), shape: s.shape })),
  })));
  const r = spawnSync(python, [join(REPO_ROOT, "test/service/worker/tf_auto_shard.py")], {
    input, encoding: "utf8", timeout: TF_TIMEOUT_MS, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.is(r.status, 0, `tf_auto_shard.py failed: ${r.error?.message ?? ""}\n${r.stderr?.slice(-2000)}`);
  const tf = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, Outcome>;
  const mismatches: string[] = [];
  for (const c of cases) {
    const want = tf[c.name];
    const got = await ours(c.graph, c.policy, c.n, c.i);
    if ("error" in want || "error" in got) {
      const same = "error" in want && "error" in got && want.error === got.error &&
        firstLine(want.message) === firstLine(got.message);
      if (!same) mismatches.push(`${c.name}: TF ${JSON.stringify(want).slice(0, 300)}\n    ours ${JSON.stringify(got).slice(0, 300)}`);
    } else if (JSON.stringify(want) !== JSON.stringify(got)) {
      mismatches.push(`${c.name}: TF ${JSON.stringify(want)}\n    ours ${JSON.stringify(got)}`);
    }
  }
  assert.ok(mismatches.length === 0, `${mismatches.length} of ${cases.length} cases differ:\n  ${mismatches.join("\n  ")}`);
});

test("the rewrite's graph: DATA's shard sits before trailing prefetch / options; HINT replaces the placeholders", () => {
  const g = Dataset.range(10).batch(2).prefetch(2).toGraphDef();
  const sharded = autoShard(g, "DATA", 3n, 1n);
  const byName = new Map(sharded.node.map((n) => [n.name, n]));
  const prefetch = sharded.node.find((n) => n.op === "PrefetchDataset")!;
  const shard = byName.get(prefetch.input[0])!;
  assert.is(shard.op, "ShardDataset");
  assert.is(byName.get(shard.input[0])!.op, "BatchDatasetV2");
  assert.is(shard.attr["require_non_empty"].value.value, true);
  // The input graph is left as it was.
  assert.is(g.node.some((n) => n.op === "ShardDataset"), false);
  const h = autoShard(hinted(Dataset.range(4)).toGraphDef(), "HINT", 4n, 3n);
  const hs = h.node.find((n) => n.op === "ShardDataset")!;
  const consts = hs.input.slice(1).map((name) => h.node.find((n) => n.name === name)!);
  assert.equal(consts.map((n) => n.attr["value"].value.case), ["tensor", "tensor"]);
  assert.throws(() => autoShard(g, "DATA", 2n, 2n), /worker index 2 of 2/);
});

test.run();
