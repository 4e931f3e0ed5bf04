// Proves that the schema compiled into our generated code (src/gen, from proto/) is TensorFlow
// 2.21's: every file, message, field (number, kind, type, label, map, oneof, packed, presence),
// enum value, reserved range, service and RPC, compared with the descriptors TF itself carries
// (test/fixtures/proto/tf-2.21-descriptors.binpb, written by scripts/tf/dump_descriptors.py).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { clone, createFileRegistry, fromBinary, type DescFile } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, type FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { DispatcherService, file_tensorflow_core_data_service_dispatcher } from "../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { WorkerService, file_tensorflow_core_data_service_worker } from "../../src/gen/tensorflow/core/data/service/worker_pb.js";
import { diffLines, summarizeFile } from "./schema-summary.js";

const FIXTURE = "test/fixtures/proto/tf-2.21-descriptors.binpb";
const GEN_DIR = "src/gen";

/** Most diff lines printed per file; enough to see the pattern without flooding the log. */
const MAX_DIFF_LINES = 40;

const tfSet: FileDescriptorSet = fromBinary(FileDescriptorSetSchema, readFileSync(FIXTURE));
const tfFiles = (set: FileDescriptorSet): Map<string, DescFile> => {
  const registry = createFileRegistry(set);
  return new Map(set.file.map((f) => [f.name, registry.getFile(f.name)!]));
};
const tf = tfFiles(tfSet);

/** Imports the generated module of a proto file and returns the DescFile it exports. */
async function generatedFile(protoName: string): Promise<DescFile | undefined> {
  const path = join(process.cwd(), GEN_DIR, protoName.replace(/\.proto$/, "_pb.ts"));
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return Object.values(mod).find(
    (v): v is DescFile => typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "file",
  );
}

function listGenerated(dir: string): string[] {
  const out: string[] = [];
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) out.push(...listGenerated(p));
    else if (ent.name.endsWith("_pb.ts")) out.push(relative(GEN_DIR, p).replace(/_pb\.ts$/, ".proto"));
  }
  return out;
}

function formatDiff(name: string, diff: string[]): string {
  const shown = diff.slice(0, MAX_DIFF_LINES).join("\n    ");
  const more = diff.length > MAX_DIFF_LINES ? `\n    ... ${diff.length - MAX_DIFF_LINES} more` : "";
  return `  ${name} (- TF 2.21, + ours):\n    ${shown}${more}`;
}

test("the fixture holds TF's data service files and their import closure", () => {
  for (const name of [
    "tensorflow/core/data/service/dispatcher.proto",
    "tensorflow/core/data/service/worker.proto",
    "tensorflow/core/data/service/common.proto",
    "tensorflow/core/data/service/journal.proto",
    "tensorflow/core/framework/dataset.proto",
    "tensorflow/core/protobuf/service_config.proto",
  ]) {
    assert.ok(tf.has(name), `fixture lacks ${name}`);
  }
  for (const f of tf.values()) {
    for (const d of f.proto.dependency) assert.ok(tf.has(d), `${f.proto.name} imports ${d}, which the fixture lacks`);
  }
});

test("every TF file has generated code, and src/gen has no TF file that TF lacks", async () => {
  const missing: string[] = [];
  for (const name of tf.keys()) if (!(await generatedFile(name))) missing.push(name);
  assert.equal(missing, [], `no generated DescFile for: ${missing.join(", ")} (run npm run build:proto)`);
  const extra = listGenerated(GEN_DIR).filter((p) => /^(tensorflow|xla)\//.test(p) && !tf.has(p));
  assert.equal(extra, [], `generated files not in TF's descriptors: ${extra.join(", ")}`);
});

test("generated schema equals TF 2.21's, file by file", async () => {
  const failures: string[] = [];
  let compared = 0;
  for (const [name, tfFile] of tf) {
    const ours = await generatedFile(name);
    if (!ours) {
      failures.push(`  ${name}: not generated`);
      continue;
    }
    const expected = summarizeFile(tfFile);
    compared += expected.length;
    const diff = diffLines(expected, summarizeFile(ours));
    if (diff.length > 0) failures.push(formatDiff(name, diff));
  }
  assert.ok(failures.length === 0, `schema differs from TF 2.21:\n${failures.join("\n")}`);
  // Guard against a vacuous pass (e.g. a truncated fixture): TF 2.21's closure yields 861 lines.
  assert.ok(compared >= 850, `only ${compared} schema lines compared`);
});

test("the comparison notices a changed field number, type, label and RPC", () => {
  const mutated = clone(FileDescriptorSetSchema, tfSet);
  const disp = mutated.file.find((f) => f.name === "tensorflow/core/data/service/dispatcher.proto")!;
  const msg = disp.messageType.find((m) => m.name === "GetVersionResponse")!;
  msg.field[0].number = 2;
  const task = mutated.file.find((f) => f.name === "tensorflow/core/data/service/common.proto")!;
  task.messageType.find((m) => m.name === "TaskDef")!.field.find((f) => f.name === "task_id")!.type = 5; // int32
  const tensor = mutated.file.find((f) => f.name === "tensorflow/core/framework/tensor.proto")!;
  tensor.messageType[0].field.find((f) => f.name === "float_val")!.label = 1; // optional
  disp.service[0].method.pop();
  const m = tfFiles(mutated);
  const changed = [...tf.keys()].filter((n) => diffLines(summarizeFile(tf.get(n)!), summarizeFile(m.get(n)!)).length > 0);
  assert.equal(changed.sort(), [
    "tensorflow/core/data/service/common.proto",
    "tensorflow/core/data/service/dispatcher.proto",
    "tensorflow/core/framework/tensor.proto",
  ]);
  const dispDiff = diffLines(summarizeFile(tf.get(disp.name)!), summarizeFile(m.get(disp.name)!));
  assert.ok(dispDiff.some((l) => l.startsWith("- field tensorflow.data.GetVersionResponse.version = 1 ")), dispDiff.join("\n"));
  assert.ok(dispDiff.some((l) => l.startsWith("- rpc /tensorflow.data.DispatcherService/DisableCompressionAtRuntime ")));
});

const DISPATCHER_RPCS = [
  "WorkerHeartbeat",
  "WorkerUpdate",
  "GetDatasetDef",
  "GetSplit",
  "GetVersion",
  "GetOrRegisterDataset",
  "GetOrCreateJob",
  "GetOrCreateIteration",
  "MaybeRemoveTask",
  "ReleaseIterationClient",
  "ClientHeartbeat",
  "GetWorkers",
  "GetDataServiceMetadata",
  "GetDataServiceConfig",
  "Snapshot",
  "GetSnapshotSplit",
  "GetSnapshotStreams",
  "DisableCompressionAtRuntime",
];
const WORKER_RPCS = ["ProcessTask", "GetElement", "GetWorkerTasks", "GetSnapshotTaskProgresses"];

test("DispatcherService declares TF's 18 unary RPCs at TF's method paths", () => {
  assert.is(DispatcherService.typeName, "tensorflow.data.DispatcherService");
  assert.is(DispatcherService.file, file_tensorflow_core_data_service_dispatcher);
  const paths = DispatcherService.methods.map((m) => `/${DispatcherService.typeName}/${m.name}`);
  assert.equal(paths, DISPATCHER_RPCS.map((n) => `/tensorflow.data.DispatcherService/${n}`));
  for (const m of DispatcherService.methods) {
    assert.is(m.methodKind, "unary", m.name);
    assert.is(m.input.typeName, `tensorflow.data.${m.name}Request`);
    assert.is(m.output.typeName, `tensorflow.data.${m.name}Response`);
  }
  assert.is(DispatcherService.method.getVersion.name, "GetVersion");
});

test("WorkerService declares TF's 4 unary RPCs at TF's method paths", () => {
  assert.is(WorkerService.typeName, "tensorflow.data.WorkerService");
  assert.is(WorkerService.file, file_tensorflow_core_data_service_worker);
  const paths = WorkerService.methods.map((m) => `/${WorkerService.typeName}/${m.name}`);
  assert.equal(paths, WORKER_RPCS.map((n) => `/tensorflow.data.WorkerService/${n}`));
  for (const m of WorkerService.methods) {
    assert.is(m.methodKind, "unary", m.name);
    assert.is(m.input.typeName, `tensorflow.data.${m.name}Request`);
    assert.is(m.output.typeName, `tensorflow.data.${m.name}Response`);
  }
});

test.run();
