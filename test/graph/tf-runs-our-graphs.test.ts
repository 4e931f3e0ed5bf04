// TensorFlow 2.21 runs the GraphDefs our Dataset builds (as a TF worker would receive them) and
// yields the elements TF yields for the same pipelines built in Python.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { GraphDefSchema, type GraphDef } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { dtypeName } from "../../src/core/dtype.js";
import { Dataset } from "../../src/dataset/index.js";
import { appendCompressionMap } from "../../src/graph/compression-map.js";
import { graphElementSpec } from "../../src/graph/graph-info.js";
import { REPO_ROOT, tfPython } from "../helpers/tf.js";
import { fixture } from "./graph-fixtures.js";

/** Longest the TF child may take (a cold `import tensorflow` is ~4 s). */
const TF_TIMEOUT_MS = 180_000;

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function spec(graph: GraphDef) {
  return graphElementSpec(graph).map((c) => ({ dtype: dtypeName(c.dtype), shape: c.shape }));
}

test("TF iterates our graphs, plain and with the compression map, and gets its own elements", () => {
  const python = tfPython();
  if (!python) return; // tfPython() printed why (and throws on CI)
  const cases: { name: string; fixture: string; graph: GraphDef; spec: unknown; compressed: boolean }[] = [];
  const plain: [string, Dataset][] = [
    ["range_10", Dataset.range(10)],
    ["range_2_10_3", Dataset.range(2, 10, 3)],
    ["range_5_int32", Dataset.range(5, { outputType: "int32" })],
    ["range_10_take_3", Dataset.range(10).take(3)],
    ["range_10_batch_3", Dataset.range(10).batch(3)],
    ["range_10_batch_3_drop", Dataset.range(10).batch(3, true)],
    ["range_10_take_7_batch_2", Dataset.range(10).take(7).batch(2)],
  ];
  for (const [name, ds] of plain) {
    const graph = ds.toGraphDef();
    cases.push({ name, fixture: name, graph, spec: spec(graph), compressed: false });
  }
  for (const [name, ds] of [["range_10", Dataset.range(10)], ["range_10_batch_3", Dataset.range(10).batch(3)]] as const) {
    const graph = appendCompressionMap(ds.toGraphDef());
    cases.push({ name: `${name}+compression`, fixture: name, graph, spec: spec(ds.toGraphDef()), compressed: true });
  }
  const input = JSON.stringify(cases.map((c) => ({
    name: c.name, graph: b64(toBinary(GraphDefSchema, c.graph)), spec: c.spec, compressed: c.compressed,
  })));
  const r = spawnSync(python, [join(REPO_ROOT, "test/graph/tf_run_graphs.py")], {
    input, encoding: "utf8", timeout: TF_TIMEOUT_MS, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" },
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.is(r.status, 0, `tf_run_graphs.py failed: ${r.error?.message ?? ""}\n${r.stderr?.slice(-2000)}`);
  const got = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
  for (const c of cases) assert.equal(got[c.name], fixture(c.fixture).elements, c.name);
});

test.run();
