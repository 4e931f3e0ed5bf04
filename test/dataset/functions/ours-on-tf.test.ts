// (c) TensorFlow 2.21 runs the GraphDefs our Dataset builds for the function-dataset pipelines
// (as a TF worker would receive them) and yields TF's own elements, for two passes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { REPO_ROOT, tfPython } from "../../helpers/tf.js";
import { buildCase } from "./cases.js";
import { componentKey, expectedEpoch, fixtures, ordered, type ComponentJson } from "./fixtures.js";

/** Longest the TF child may take (a cold `import tensorflow` is ~4 s). */
const TF_TIMEOUT_MS = 180_000;

type Epochs = ComponentJson[][][];

test("TF iterates our graphs and yields its own elements, both passes", () => {
  const python = tfPython();
  if (!python) return; // tfPython() printed why (and throws on CI)
  const cases = fixtures().map((f) => ({
    name: f.name,
    graph: Buffer.from(toBinary(GraphDefSchema, buildCase(f.name).toGraphDef())).toString("base64"),
    spec: f.spec,
  }));
  const r = spawnSync(python, [join(REPO_ROOT, "test/dataset/functions/tf_run_ours.py")], {
    input: JSON.stringify(cases), encoding: "utf8", timeout: TF_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" },
  });
  assert.is(r.status, 0, `tf_run_ours.py failed: ${r.error?.message ?? ""}\n${r.stderr?.slice(-2000)}`);
  const got = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, Epochs | { error: string }>;
  const failures: string[] = [];
  for (const f of fixtures()) {
    const g = got[f.name];
    if (!Array.isArray(g)) {
      failures.push(`${f.name}: ${g?.error ?? "no result"}`);
      continue;
    }
    for (const epoch of [0, 1]) {
      const ours = ordered(f, g[epoch].map((e) => e.map(componentKey)));
      const want = ordered(f, expectedEpoch(f, epoch));
      if (JSON.stringify(ours) !== JSON.stringify(want)) {
        failures.push(`${f.name} pass ${epoch + 1}: TF on our graph gave ${JSON.stringify(ours).slice(0, 300)}, ` +
          `TF on its graph ${JSON.stringify(want).slice(0, 300)}`);
      }
    }
  }
  assert.equal(failures, []);
});

test.run();
