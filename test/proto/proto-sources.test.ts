// Keeps the chain TF venv -> descriptor fixture -> proto/ sources honest:
// - proto/ is exactly what scripts/proto-from-descriptors.ts renders from the fixture;
// - buf compiles proto/ back into TF's FileDescriptorProtos, field for field (this also covers
//   what protobuf-es reflection does not show: nested type order, reserved names, file imports);
// - the fixture is what scripts/tf/dump_descriptors.py collects from the TF venv (when present).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clone, fromBinary, toJsonString } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { loadDescriptorSet, renderProtoFiles } from "../../scripts/proto-from-descriptors.js";
import { REPO_ROOT, tfPython } from "../helpers/tf.js";

const FIXTURE = join(REPO_ROOT, "test/fixtures/proto/tf-2.21-descriptors.binpb");
const PROTO_DIR = join(REPO_ROOT, "proto");

/** buf compiles the ~26 files in about half a second; allow for a loaded 2-core machine. */
const BUF_TIMEOUT_MS = 60_000;
/** The dump imports TensorFlow (~4 s cold) and scans its shared library. */
const DUMP_TIMEOUT_MS = 180_000;

function run(cmd: string, args: string[], timeout: number): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: REPO_ROOT, timeout, encoding: "buffer", maxBuffer: 64 << 20, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr: stderr.toString("utf8") });
      });
  });
}

/** Clears what does not reach the wire and differs only by compiler: json_name, options of the file, source info. */
function normalized(file: FileDescriptorProto): string {
  const f = clone(FileDescriptorProtoSchema, file);
  f.options = undefined;
  f.sourceCodeInfo = undefined;
  const strip = (m: DescriptorProto): void => {
    for (const x of m.field) x.jsonName = "";
    m.nestedType.forEach(strip);
  };
  f.messageType.forEach(strip);
  return toJsonString(FileDescriptorProtoSchema, f, { prettySpaces: 1 });
}

/** A short unified-ish diff: the first differing region of two texts, with context. */
function firstDifference(a: string, b: string, context = 6): string {
  const al = a.split("\n");
  const bl = b.split("\n");
  let i = 0;
  while (i < al.length && i < bl.length && al[i] === bl[i]) i++;
  const from = Math.max(0, i - context);
  return [
    `first difference at line ${i + 1}:`,
    ...al.slice(from, i + context).map((l) => `- ${l}`),
    ...bl.slice(from, i + context).map((l) => `+ ${l}`),
  ].join("\n");
}

test("proto/ is what scripts/proto-from-descriptors.ts renders from TF's descriptors", () => {
  const rendered = renderProtoFiles(loadDescriptorSet(FIXTURE));
  const stale: string[] = [];
  for (const [name, text] of rendered) {
    const path = join(PROTO_DIR, name);
    if (!existsSync(path) || readFileSync(path, "utf8") !== text) stale.push(name);
  }
  assert.equal(stale, [], "regenerate with: node --import tsx scripts/proto-from-descriptors.ts");
  assert.ok(rendered.has("tensorflow/core/data/service/dispatcher.proto"));
});

test("buf compiles proto/ into TF 2.21's FileDescriptorProtos", async () => {
  const res = await run(join(REPO_ROOT, "node_modules/.bin/buf"), ["build", "-o", "-"], BUF_TIMEOUT_MS);
  assert.is(res.code, 0, `buf build failed: ${res.stderr}`);
  const ours = new Map(fromBinary(FileDescriptorSetSchema, res.stdout).file.map((f) => [f.name, f]));
  const tf = loadDescriptorSet(FIXTURE).file;
  const problems: string[] = [];
  for (const f of tf) {
    const o = ours.get(f.name);
    if (!o) {
      problems.push(`${f.name}: not compiled from proto/`);
      continue;
    }
    const a = normalized(f);
    const b = normalized(o);
    if (a !== b) problems.push(`${f.name} (- TF 2.21, + ours):\n${firstDifference(a, b)}`);
  }
  for (const name of ours.keys()) {
    if (/^(tensorflow|xla)\//.test(name) && !tf.some((f) => f.name === name)) problems.push(`${name}: not one of TF's files`);
  }
  assert.ok(problems.length === 0, problems.join("\n\n"));
  assert.is(tf.length, 26);
});

const python = tfPython();
(python ? test : test.skip)("the fixture is current with the TF venv (dump_descriptors.py --check)", async () => {
  const res = await run(python!, ["scripts/tf/dump_descriptors.py", "--check", FIXTURE], DUMP_TIMEOUT_MS);
  const out = res.stdout.toString("utf8").trim();
  assert.is(res.code, 0, `${out}\n${res.stderr.slice(-2000)}\nregenerate with: .venv-tf/bin/python scripts/tf/dump_descriptors.py`);
  assert.match(out, /^up to date: /);
});

test.run();
