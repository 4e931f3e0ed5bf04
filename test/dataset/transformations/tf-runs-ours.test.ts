// (c) TensorFlow 2.21 runs the GraphDefs our Dataset builds for the sources and function-free
// transformations (as a TF worker would receive them) and yields the elements TF yields for the
// same pipelines built in Python; the pipelines that fail while iterating fail there the same way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { dtypeName } from "../../../src/core/dtype.js";
import { REPO_ROOT, tfPython } from "../../helpers/tf.js";
import { datasetFixture } from "./golden.js";
import { ERROR_PIPELINES, PIPELINES } from "./pipelines.js";

/** Longest the TF child may take (a cold `import tensorflow` is ~4 s; ~100 graphs run in ~3 s). */
const TF_TIMEOUT_MS = 180_000;

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

test("TF iterates our graphs and gets its own elements (and errors)", () => {
  const python = tfPython();
  if (!python) return; // tfPython() printed why (and throws on CI)
  const runtimeErrors = Object.entries(ERROR_PIPELINES).filter(([name]) => datasetFixture(name).at === "iterate");
  const cases = [...Object.entries(PIPELINES), ...runtimeErrors].map(([name, build]) => {
    const ds = build();
    const f = datasetFixture(name);
    return {
      name,
      graph: b64(toBinary(GraphDefSchema, ds.toGraphDef())),
      spec: ds.componentSpecs.map((s) => ({ dtype: dtypeName(s.dtype), shape: s.toComponent().shape })),
      limit: f.truncated ? f.elements!.length : null,
    };
  });
  const r = spawnSync(python, [join(REPO_ROOT, "test/dataset/transformations/tf_run_graphs.py")], {
    input: JSON.stringify(cases), encoding: "utf8", timeout: TF_TIMEOUT_MS,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" }, maxBuffer: 64 * 1024 * 1024,
  });
  assert.is(r.status, 0, `tf_run_graphs.py failed: ${r.error?.message ?? ""}\n${r.stderr?.slice(-2000)}`);
  const got = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, {
    elements: unknown; error?: { type: string; message: string };
  }>;
  for (const c of cases) {
    const f = datasetFixture(c.name);
    const res = got[c.name];
    assert.ok(res, `no result for ${c.name}`);
    if (f.at === "iterate") {
      assert.equal(res.error, { type: f.type, message: f.message }, `${c.name}: TF's error running our graph`);
    } else {
      assert.is(res.error, undefined, `${c.name}: TF failed on our graph: ${JSON.stringify(res.error)}`);
    }
    assert.equal(res.elements, f.elements, c.name);
  }
});

test.run();
