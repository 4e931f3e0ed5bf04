// Renders the `.proto` sources under `proto/` from TensorFlow 2.21's own descriptors, so that our
// schema (package names, message names, field numbers, types, labels, oneofs, maps, enums,
// reserved ranges, packed options, services) is TF's by construction rather than by hand-copying.
//
// The input is the FileDescriptorSet fixture that `scripts/tf/dump_descriptors.py` collects from
// the TF venv. Regenerate everything (from the repo root):
//
//   .venv-tf/bin/python scripts/tf/dump_descriptors.py \
//     && node --import tsx scripts/proto-from-descriptors.ts \
//     && npm run build:proto
//
// Usage: node --import tsx scripts/proto-from-descriptors.ts [--check] [FIXTURE] [OUT_DIR]
//   --check   write nothing; exit 1 if any rendered file differs from what is on disk.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fromBinary, isFieldSet } from "@bufbuild/protobuf";
import {
  FileDescriptorSetSchema,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as FieldType,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
  type FileDescriptorSet,
  type ServiceDescriptorProto,
} from "@bufbuild/protobuf/wkt";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Default location of TF's descriptor set, written by scripts/tf/dump_descriptors.py. */
export const DEFAULT_FIXTURE = join(repoRoot, "test/fixtures/proto/tf-2.21-descriptors.binpb");

/** Default output root: proto/ mirrors TF's file paths beneath it. */
export const DEFAULT_PROTO_DIR = join(repoRoot, "proto");

/** Top-level folders of proto/ that this script owns (stale files there are removed). */
const OWNED_ROOTS = ["tensorflow", "xla"];

const HEADER =
  "// Generated from TensorFlow 2.21's descriptors (test/fixtures/proto/tf-2.21-descriptors.binpb)\n" +
  "// by scripts/proto-from-descriptors.ts. Do not edit; regenerate instead.\n";

/** Largest field number protobuf allows; `reserved N to max` uses it. */
const MAX_FIELD_NUMBER = 536870911;

const SCALAR_NAMES: Partial<Record<FieldType, string>> = {
  [FieldType.DOUBLE]: "double",
  [FieldType.FLOAT]: "float",
  [FieldType.INT64]: "int64",
  [FieldType.UINT64]: "uint64",
  [FieldType.INT32]: "int32",
  [FieldType.FIXED64]: "fixed64",
  [FieldType.FIXED32]: "fixed32",
  [FieldType.BOOL]: "bool",
  [FieldType.STRING]: "string",
  [FieldType.BYTES]: "bytes",
  [FieldType.UINT32]: "uint32",
  [FieldType.SFIXED32]: "sfixed32",
  [FieldType.SFIXED64]: "sfixed64",
  [FieldType.SINT32]: "sint32",
  [FieldType.SINT64]: "sint64",
};

/** Reads a serialized FileDescriptorSet (TF's descriptors). */
export function loadDescriptorSet(path: string = DEFAULT_FIXTURE): FileDescriptorSet {
  return fromBinary(FileDescriptorSetSchema, readFileSync(path));
}

/** Renders every file of the set; returns a map from proto path (e.g. `tensorflow/core/...`) to source text. */
export function renderProtoFiles(set: FileDescriptorSet): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of set.file) out.set(file.name, renderFile(file));
  return out;
}

/** Renders one FileDescriptorProto as .proto source. */
export function renderFile(file: FileDescriptorProto): string {
  const syntax = file.syntax === "" ? "proto2" : file.syntax;
  if (syntax !== "proto2" && syntax !== "proto3") {
    throw new Error(`${file.name}: syntax "${file.syntax}" is not supported; expected proto2 or proto3`);
  }
  if (file.extension.length > 0) throw new Error(`${file.name}: extensions are not supported`);
  const w = new Writer();
  w.raw(HEADER);
  w.line(`syntax = "${syntax}";`);
  w.line();
  w.line(`package ${file.package};`);
  if (file.dependency.length > 0) {
    w.line();
    for (const dep of file.dependency) w.line(`import "${dep}";`);
  }
  const ctx: Ctx = { file, proto2: syntax === "proto2" };
  for (const e of file.enumType) {
    w.line();
    renderEnum(w, e);
  }
  for (const m of file.messageType) {
    w.line();
    renderMessage(w, m, `.${file.package}`, ctx);
  }
  for (const s of file.service) {
    w.line();
    renderService(w, s);
  }
  return w.text();
}

interface Ctx {
  file: FileDescriptorProto;
  proto2: boolean;
}

class Writer {
  private parts: string[] = [];
  private depth = 0;
  raw(s: string): void {
    this.parts.push(s);
  }
  line(s = ""): void {
    this.parts.push(s === "" ? "\n" : "  ".repeat(this.depth) + s + "\n");
  }
  open(s: string): void {
    this.line(s + " {");
    this.depth++;
  }
  close(): void {
    this.depth--;
    this.line("}");
  }
  text(): string {
    return this.parts.join("");
  }
}

function renderEnum(w: Writer, e: EnumDescriptorProto): void {
  w.open(`enum ${e.name}`);
  if (e.options?.allowAlias) w.line("option allow_alias = true;");
  for (const v of e.value) {
    const opts = v.options?.deprecated ? " [deprecated = true]" : "";
    w.line(`${v.name} = ${v.number}${opts};`);
  }
  // Enum reserved ranges are inclusive at both ends.
  const ranges = e.reservedRange.map((r) => rangeText(r.start ?? 0, r.end ?? 0));
  if (ranges.length > 0) w.line(`reserved ${ranges.join(", ")};`);
  if (e.reservedName.length > 0) w.line(`reserved ${e.reservedName.map((n) => JSON.stringify(n)).join(", ")};`);
  w.close();
}

function rangeText(start: number, endInclusive: number): string {
  if (start === endInclusive) return String(start);
  return `${start} to ${endInclusive >= MAX_FIELD_NUMBER ? "max" : endInclusive}`;
}

function renderMessage(w: Writer, m: DescriptorProto, scope: string, ctx: Ctx): void {
  if (m.extension.length > 0 || m.extensionRange.length > 0) {
    throw new Error(`${scope}.${m.name}: extensions are not supported`);
  }
  const fqn = `${scope}.${m.name}`;
  const mapEntries = new Map<string, DescriptorProto>();
  for (const n of m.nestedType) if (n.options?.mapEntry) mapEntries.set(`${fqn}.${n.name}`, n);

  w.open(`message ${m.name}`);
  if (m.options?.deprecated) w.line("option deprecated = true;");
  for (const e of m.enumType) renderEnum(w, e);

  // Fields as items: a single field, or a (non-synthetic) oneof whose fields are contiguous.
  type Item = { oneof?: number; fields: FieldDescriptorProto[] };
  const items: Item[] = [];
  const seenOneofs = new Set<number>();
  for (const f of m.field) {
    const oneof = oneofOf(f);
    const last = items[items.length - 1];
    if (oneof !== undefined && last?.oneof === oneof) {
      last.fields.push(f);
      continue;
    }
    if (oneof !== undefined) {
      if (seenOneofs.has(oneof)) throw new Error(`${fqn}: fields of oneof ${oneof} are not contiguous`);
      seenOneofs.add(oneof);
    }
    items.push({ oneof, fields: [f] });
  }
  const renderItem = (item: Item): void => {
    if (item.oneof === undefined) {
      w.line(fieldLine(item.fields[0], mapEntries, ctx, false));
      return;
    }
    w.open(`oneof ${m.oneofDecl[item.oneof].name}`);
    for (const f of item.fields) w.line(fieldLine(f, mapEntries, ctx, true));
    w.close();
  };

  // Interleave nested messages with fields so that the compiler recreates TF's nested_type order:
  // a map field adds its entry type to nested_type at the point where the field is declared.
  let next = 0;
  for (const n of m.nestedType) {
    if (!n.options?.mapEntry) {
      renderMessage(w, n, fqn, ctx);
      continue;
    }
    const entryName = `${fqn}.${n.name}`;
    const at = items.findIndex((it, k) => k >= next && it.fields.some((f) => f.typeName === entryName));
    if (at < 0) throw new Error(`${entryName}: no map field uses this entry after the fields already written`);
    while (next <= at) renderItem(items[next++]);
  }
  while (next < items.length) renderItem(items[next++]);
  // Message reserved ranges are end-exclusive in descriptors.
  const ranges = m.reservedRange.map((r) => rangeText(r.start ?? 0, (r.end ?? 0) - 1));
  if (ranges.length > 0) w.line(`reserved ${ranges.join(", ")};`);
  if (m.reservedName.length > 0) w.line(`reserved ${m.reservedName.map((n) => JSON.stringify(n)).join(", ")};`);
  w.close();
}

// descriptor.proto is proto2: protobuf-es fills unset optional fields with their zero value, so
// presence must be asked with isFieldSet rather than by comparing with undefined.

/** Index of the real (non-synthetic) oneof a field belongs to, if any. */
function oneofOf(f: FieldDescriptorProto): number | undefined {
  if (!isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) || f.proto3Optional) return undefined;
  return f.oneofIndex;
}

function typeText(f: FieldDescriptorProto): string {
  const t = f.type ?? FieldType.DOUBLE;
  if (t === FieldType.MESSAGE || t === FieldType.ENUM) {
    if (!f.typeName?.startsWith(".")) throw new Error(`field ${f.name}: type name "${f.typeName}" is not fully qualified`);
    return f.typeName;
  }
  const s = SCALAR_NAMES[t];
  if (s === undefined) throw new Error(`field ${f.name}: type ${FieldType[t]} is not supported`);
  return s;
}

function fieldLine(f: FieldDescriptorProto, maps: Map<string, DescriptorProto>, ctx: Ctx, inOneof: boolean): string {
  const opts: string[] = [];
  if (f.options && isFieldSet(f.options, FieldOptionsSchema.field.packed)) opts.push(`packed = ${f.options.packed}`);
  if (f.options?.deprecated) opts.push("deprecated = true");
  if (isFieldSet(f, FieldDescriptorProtoSchema.field.defaultValue)) opts.push(`default = ${defaultText(f)}`);
  const suffix = opts.length > 0 ? ` [${opts.join(", ")}]` : "";

  const entry = f.type === FieldType.MESSAGE && f.label === Label.REPEATED ? maps.get(f.typeName ?? "") : undefined;
  if (entry) {
    const key = entry.field.find((x) => x.number === 1);
    const value = entry.field.find((x) => x.number === 2);
    if (!key || !value) throw new Error(`map entry ${f.typeName} lacks key or value`);
    return `map<${typeText(key)}, ${typeText(value)}> ${f.name} = ${f.number}${suffix};`;
  }
  let label = "";
  if (f.label === Label.REPEATED) label = "repeated ";
  else if (f.label === Label.REQUIRED) label = "required ";
  else if (!inOneof && (ctx.proto2 || f.proto3Optional)) label = "optional ";
  return `${label}${typeText(f)} ${f.name} = ${f.number}${suffix};`;
}

function defaultText(f: FieldDescriptorProto): string {
  const v = f.defaultValue ?? "";
  if (f.type === FieldType.STRING || f.type === FieldType.BYTES) return JSON.stringify(v);
  return v;
}

function renderService(w: Writer, s: ServiceDescriptorProto): void {
  w.open(`service ${s.name}`);
  for (const m of s.method) {
    const input = `${m.clientStreaming ? "stream " : ""}${m.inputType}`;
    const output = `${m.serverStreaming ? "stream " : ""}${m.outputType}`;
    w.line(`rpc ${m.name}(${input}) returns (${output});`);
  }
  w.close();
}

/** Lists .proto files under the owned roots of dir, relative to dir. */
function listOwnedProtos(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(".proto")) found.push(relative(dir, p));
    }
  };
  for (const root of OWNED_ROOTS) walk(join(dir, root));
  return found;
}

function main(argv: string[]): number {
  const check = argv.includes("--check");
  const args = argv.filter((a) => a !== "--check");
  const fixture = resolve(args[0] ?? DEFAULT_FIXTURE);
  const outDir = resolve(args[1] ?? DEFAULT_PROTO_DIR);
  const files = renderProtoFiles(loadDescriptorSet(fixture));
  const stale = listOwnedProtos(outDir).filter((p) => !files.has(p));
  let differing = 0;
  for (const [name, text] of files) {
    const path = join(outDir, name);
    const same = existsSync(path) && readFileSync(path, "utf8") === text;
    if (same) continue;
    differing++;
    if (check) {
      console.log(`differs: ${relative(repoRoot, path)}`);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  }
  for (const p of stale) {
    if (check) console.log(`not in descriptors: ${p}`);
    else rmSync(join(outDir, p));
  }
  if (check) {
    const bad = differing + stale.length;
    console.log(bad === 0 ? `proto/ is up to date (${files.size} files)` : `proto/ is STALE (${bad} files)`);
    return bad === 0 ? 0 : 1;
  }
  console.log(`rendered ${files.size} files into ${relative(repoRoot, outDir) || "."} (${differing} changed, ${stale.length} removed)`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
