// Golden corpus (c): the GraphDef our Dataset builds for each pipeline runs in TensorFlow 2.21
// (`DatasetFromGraph` + `from_variant`, as a TF worker receives it) and yields the elements TF
// yields for the Python twin. One python process runs the whole corpus (test/golden/tf_run_ours.py).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { GraphDefSchema } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { REPO_ROOT, tfPython } from "../helpers/tf.js";
import { elementsDiff, expectedElements, fromJson, specJson } from "./compare.js";
import { CORPUS, PENDING } from "./corpus.js";
import { goldenFixture, goldenIndex, type ComponentJson, type SpecJson } from "./fixtures.js";
import { announcePending, errorText, pipelineNames, readLimit } from "./harness.js";

/** Longest the TF child may take for the whole corpus (a cold `import tensorflow` is ~4 s). */
const TF_TIMEOUT_MS = 300_000;

type TfResult = { elements: ComponentJson[][] } | { error: string };

const golden = suite("golden (c): our GraphDef in TF 2.21");

/** Per pipeline: our build error, or what TF made of our graph. */
const built = new Map<string, { error: string } | { graph: Uint8Array; spec: SpecJson }>();
let tfResults: Record<string, TfResult> | null = null;
let tfFailure: string | null = null;
let python: string | null = null;

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function runPython(py: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(py, [join(REPO_ROOT, "test/golden/tf_run_ours.py")], {
      cwd: REPO_ROOT, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3", PYTHONDONTWRITEBYTECODE: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tf_run_ours.py did not finish within ${TF_TIMEOUT_MS} ms`));
    }, TF_TIMEOUT_MS);
    child.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { err += d; });
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`tf_run_ours.py exited with ${code}:\n${err.slice(-3000)}`));
    });
    child.stdin.end(input);
  });
}

/**
 * Builds our graphs and starts the TF child at import time, so TF's import (seconds) overlaps the
 * suites uvu runs before this one; `before` awaits it. Never rejects: failures are recorded.
 */
async function runCorpusInTf(): Promise<void> {
  try {
    python = tfPython(); // null: prints why (locally); throws on CI
  } catch (e) {
    tfFailure = errorText(e);
    return;
  }
  if (!python) return;
  const cases: { name: string; graph: string; spec: SpecJson; limit: number }[] = [];
  for (const name of pipelineNames()) {
    const make = CORPUS[name];
    if (!make || PENDING[name] || !goldenIndex().names.includes(name)) continue;
    try {
      const ds = make();
      const graph = toBinary(GraphDefSchema, ds.toGraphDef());
      const spec = specJson(ds.elementSpec);
      built.set(name, { graph, spec });
      cases.push({ name, graph: b64(graph), spec, limit: readLimit(goldenFixture(name)) });
    } catch (e) {
      built.set(name, { error: errorText(e) });
    }
  }
  try {
    const out = await runPython(python, JSON.stringify(cases));
    tfResults = JSON.parse(out.trim().split("\n").pop()!) as Record<string, TfResult>;
  } catch (e) {
    tfFailure = errorText(e);
  }
}

announcePending();
const tfRun = runCorpusInTf();

golden.before(async () => {
  await tfRun;
});

for (const name of pipelineNames()) {
  if (PENDING[name]) {
    golden.skip(name, () => {});
    continue;
  }
  golden(name, () => {
    assert.ok(CORPUS[name], `${name} has no TypeScript twin in test/golden/corpus.ts`);
    assert.ok(goldenIndex().names.includes(name), `${name} has no Python twin in scripts/tf/gen_golden_corpus.py`);
    if (!python && !tfFailure) return; // no TF here: tfPython() printed a banner (on CI it throws)
    assert.ok(python, `no TensorFlow python: ${tfFailure}`);
    const b = built.get(name);
    assert.ok(b, `${name}: not built`);
    if ("error" in b) assert.unreachable(`${name}: building our dataset failed: ${b.error}`);
    assert.ok(tfResults, `the TF run failed: ${tfFailure}`);
    const r = tfResults[name];
    assert.ok(r, `${name}: TF returned no result`);
    if ("error" in r) {
      assert.unreachable(`${name}: TF could not run our graph: ${r.error}`);
      return;
    }
    const f = goldenFixture(name);
    const diff = elementsDiff(r.elements.map((e) => e.map(fromJson)), expectedElements(f), f);
    assert.ok(diff === null, `${name}: TF running our graph gives other elements than the Python twin: ${diff}`);
  });
}

golden.run();
