// Flattens a protobuf-es file descriptor into one line per wire-relevant fact, so that two
// schemas (TF's descriptors and our generated code) can be compared line by line and any
// mismatch printed as a readable diff.
import { ScalarType, type DescEnum, type DescField, type DescFile, type DescMessage } from "@bufbuild/protobuf";
import { protoCamelCase } from "@bufbuild/protobuf/reflect";
import type { DescriptorProto_ReservedRange, EnumDescriptorProto_EnumReservedRange } from "@bufbuild/protobuf/wkt";

/** One line per file header, message, field, oneof, enum, enum value, reserved range, service and RPC. */
export function summarizeFile(file: DescFile): string[] {
  const lines: string[] = [];
  const deps = file.dependencies.map((d) => d.proto.name).join(",");
  lines.push(`file ${file.proto.name} package=${file.proto.package} edition=${file.edition} deps=[${deps}]`);
  for (const e of file.enums) summarizeEnum(e, lines);
  for (const m of file.messages) summarizeMessage(m, lines);
  for (const s of file.services) {
    lines.push(`service ${s.typeName} rpcs=${s.methods.length}`);
    for (const m of s.methods) {
      lines.push(
        `rpc /${s.typeName}/${m.name} kind=${m.methodKind} in=${m.input.typeName} out=${m.output.typeName} idempotency=${m.idempotency}`,
      );
    }
  }
  return lines;
}

function reservedText(ranges: readonly (DescriptorProto_ReservedRange | EnumDescriptorProto_EnumReservedRange)[]): string {
  return ranges.map((r) => `${r.start}..${r.end}`).join(",");
}

function summarizeEnum(e: DescEnum, lines: string[]): void {
  lines.push(
    `enum ${e.typeName} open=${e.open} values=${e.values.length} reserved=[${reservedText(e.proto.reservedRange)}] reservedNames=[${e.proto.reservedName.join(",")}]`,
  );
  for (const v of e.values) lines.push(`enum-value ${e.typeName}.${v.name} = ${v.number}`);
}

function summarizeMessage(m: DescMessage, lines: string[]): void {
  lines.push(
    `message ${m.typeName} fields=${m.fields.length} oneofs=${m.oneofs.map((o) => o.name).join(",")} reserved=[${reservedText(m.proto.reservedRange)}] reservedNames=[${m.proto.reservedName.join(",")}]`,
  );
  for (const f of m.fields) lines.push(`field ${m.typeName}.${f.name} = ${f.number} ${fieldText(f)}`);
  for (const e of m.nestedEnums) summarizeEnum(e, lines);
  for (const n of m.nestedMessages) summarizeMessage(n, lines);
}

function fieldText(f: DescField): string {
  let t: string;
  switch (f.fieldKind) {
    case "scalar":
      t = `scalar ${ScalarType[f.scalar]}`;
      break;
    case "enum":
      t = `enum ${f.enum.typeName}`;
      break;
    case "message":
      t = `message ${f.message.typeName} delimited=${f.delimitedEncoding}`;
      break;
    case "list": {
      const elem =
        f.listKind === "scalar" ? ScalarType[f.scalar] : f.listKind === "enum" ? f.enum.typeName : f.message.typeName;
      const delimited = f.listKind === "message" ? ` delimited=${f.delimitedEncoding}` : "";
      t = `list<${f.listKind} ${elem}> packed=${f.packed}${delimited}`;
      break;
    }
    case "map": {
      const value =
        f.mapKind === "scalar" ? ScalarType[f.scalar] : f.mapKind === "enum" ? f.enum.typeName : f.message.typeName;
      t = `map<${ScalarType[f.mapKey]}, ${f.mapKind} ${value}>`;
      break;
    }
  }
  const oneof = f.oneof ? ` oneof=${f.oneof.name}` : "";
  const explicitPacked = f.proto.options?.packed === true ? " [packed=true]" : "";
  // TF's embedded descriptors leave json_name unset (protoc fills it only on request), while
  // buf fills it; both mean the default camelCase name unless a custom one is set.
  const json = f.jsonName === "" ? protoCamelCase(f.name) : f.jsonName;
  return `${t}${oneof} presence=${f.presence} json=${json} deprecated=${f.deprecated}${explicitPacked}`;
}

/** Lines only in `expected` (prefixed "- ") and only in `actual` (prefixed "+ "); empty when equal as multisets. */
export function diffLines(expected: readonly string[], actual: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const l of actual) count.set(l, (count.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of expected) {
    const n = count.get(l) ?? 0;
    if (n > 0) count.set(l, n - 1);
    else out.push(`- ${l}`);
  }
  for (const l of actual) {
    const n = count.get(l) ?? 0;
    if (n > 0) {
      out.push(`+ ${l}`);
      count.set(l, n - 1);
    }
  }
  return out;
}
