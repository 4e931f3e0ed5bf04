/**
 * A NodeDef in protobuf text format, the way TF's `NodeDef::DebugString()` prints it in error
 * messages (e.g. the auto-shard rewrite's "Found an unshardable source dataset: ..."): `name`,
 * `op`, `input`s, `device`, then `attr` entries in key order.
 */
import type { AttrValue } from "../gen/tensorflow/core/framework/attr_value_pb.js";
import type { NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import type { TensorShapeProto } from "../gen/tensorflow/core/framework/tensor_shape_pb.js";
import { DataType } from "../gen/tensorflow/core/framework/types_pb.js";

const utf8 = new TextEncoder();

/** A byte string quoted as protobuf text format does (C escapes, octal for other bytes). */
function quote(bytes: Uint8Array | string): string {
  const b = typeof bytes === "string" ? utf8.encode(bytes) : bytes;
  let out = '"';
  for (const c of b) {
    if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x22) out += '\\"';
    else if (c === 0x27) out += "\\'";
    else if (c === 0x5c) out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += "\\" + c.toString(8).padStart(3, "0");
  }
  return out + '"';
}

function typeName(t: number): string {
  return DataType[t] ?? String(t);
}

function shapeLines(shape: TensorShapeProto, pad: string): string[] {
  const out: string[] = [];
  for (const d of shape.dim) {
    out.push(`${pad}dim {`, `${pad}  size: ${d.size}`, ...(d.name ? [`${pad}  name: ${quote(d.name)}`] : []), `${pad}}`);
  }
  if (shape.unknownRank) out.push(`${pad}unknown_rank: true`);
  return out;
}

function block(name: string, inner: string[], pad: string): string[] {
  return [`${pad}${name} {`, ...inner, `${pad}}`];
}

function attrValueLines(v: AttrValue, pad: string): string[] {
  const x = v.value;
  switch (x.case) {
    case "s": return [`${pad}s: ${quote(x.value)}`];
    case "i": return [`${pad}i: ${x.value}`];
    case "f": return [`${pad}f: ${x.value}`];
    case "b": return [`${pad}b: ${x.value}`];
    case "type": return [`${pad}type: ${typeName(x.value)}`];
    case "shape": return block("shape", shapeLines(x.value, pad + "  "), pad);
    case "func": return block("func", [`${pad}  name: ${quote(x.value.name)}`], pad);
    case "placeholder": return [`${pad}placeholder: ${quote(x.value)}`];
    case "tensor": return block("tensor", [`${pad}  dtype: ${typeName(x.value.dtype)}`], pad);
    case "list": {
      const l = x.value;
      const p = pad + "  ";
      const inner = [
        ...l.s.map((s) => `${p}s: ${quote(s)}`),
        ...l.i.map((i) => `${p}i: ${i}`),
        ...l.f.map((f) => `${p}f: ${f}`),
        ...l.b.map((b) => `${p}b: ${b}`),
        ...l.type.map((t) => `${p}type: ${typeName(t)}`),
        ...l.shape.flatMap((s) => block("shape", shapeLines(s, p + "  "), p)),
        ...l.func.flatMap((f) => block("func", [`${p}  name: ${quote(f.name)}`], p)),
      ];
      return block("list", inner, pad);
    }
    default: return [];
  }
}

/** `node` in TF's multi-line text format (without the full type annotation). */
export function nodeDebugString(node: NodeDef): string {
  const lines = [`name: ${quote(node.name)}`, `op: ${quote(node.op)}`, ...node.input.map((i) => `input: ${quote(i)}`)];
  if (node.device) lines.push(`device: ${quote(node.device)}`);
  for (const key of Object.keys(node.attr).sort()) {
    lines.push(...block("attr", [`  key: ${quote(key)}`, ...block("value", attrValueLines(node.attr[key], "    "), "  ")], ""));
  }
  return lines.join("\n") + "\n";
}
