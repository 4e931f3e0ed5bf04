/**
 * Helpers for comparing our GraphDefs with TensorFlow's fixtures (no node:* imports: usable by
 * isomorphic suites).
 */
import { clone, fromBinary, toBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { MetadataSchema as DatasetMetadataSchema } from "../../src/gen/tensorflow/core/framework/dataset_metadata_pb.js";
import { GraphDefSchema, type GraphDef } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import type { AttrValue } from "../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import type { NodeDef } from "../../src/gen/tensorflow/core/framework/node_def_pb.js";
import { TF_GRAPH_FIXTURES } from "../fixtures/graphs/tf-graphs.js";
import type { FixtureComponent, TfGraphFixture } from "../fixtures/graphs/fixture-types.js";
import { dtypeName } from "../../src/core/dtype.js";

/** Base64 -> bytes (atob exists in Node 20, Deno and browsers). */
export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The fixture named `name`. */
export function fixture(name: string): TfGraphFixture {
  const f = TF_GRAPH_FIXTURES.find((x) => x.name === name);
  if (!f) throw new Error(`no TF graph fixture named ${name}`);
  return f;
}

/** The fixture's graph bytes. */
export function fixtureBytes(name: string): Uint8Array {
  return fromBase64(fixture(name).graph);
}

/** The fixture's GraphDef. */
export function fixtureGraph(name: string): GraphDef {
  return fromBinary(GraphDefSchema, fixtureBytes(name));
}

const utf8 = new TextDecoder();
const enc = new TextEncoder();

function sortAttrs(attrs: Record<string, AttrValue>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const k of Object.keys(attrs).sort()) out[k] = attrs[k];
  return out;
}

/**
 * `graph` with only the fields that legitimately differ between two processes normalized:
 * - the `metadata` name `<Op>:<n>`: TF numbers datasets with one process-wide counter, taken when
 *   each dataset is created, so the number depends on what the process did before (user-given
 *   names are kept as they are);
 * - library function names `__inference_..._<n>`: TF's tracing counter, same reason; each becomes
 *   `..._#<k>` by order of first definition, and references follow;
 * - attr map order: `_as_serialized_graph` writes maps in hash order (registered graphs are
 *   sorted), and map order carries no meaning in protobuf.
 * Node names (`Const/_0`, ...), ops, inputs, attr values, types and versions are untouched.
 */
export function normalizeGraph(graph: GraphDef): GraphDef {
  const g = clone(GraphDefSchema, graph);
  const fnNames = new Map<string, string>();
  for (const f of g.library?.function ?? []) {
    const name = f.signature?.name ?? "";
    const m = /^(__inference_.*_)(\d+)$/.exec(name);
    if (m) fnNames.set(name, `${m[1]}#${fnNames.size}`);
  }
  const fixAttrs = (attrs: Record<string, AttrValue>): Record<string, AttrValue> => {
    for (const v of Object.values(attrs)) {
      if (v.value.case === "func") v.value.value.name = fnNames.get(v.value.value.name) ?? v.value.value.name;
    }
    return sortAttrs(attrs);
  };
  const fixNode = (n: NodeDef) => {
    const md = n.attr.metadata;
    if (md?.value.case === "s") {
      const meta = fromBinary(DatasetMetadataSchema, md.value.value);
      const name = utf8.decode(meta.name);
      const m = /^([A-Za-z0-9]+):\d+$/.exec(name);
      if (m) meta.name = enc.encode(`${m[1]}:*`);
      md.value.value = toBinary(DatasetMetadataSchema, meta);
    }
    n.attr = fixAttrs(n.attr);
  };
  g.node.forEach(fixNode);
  for (const f of g.library?.function ?? []) {
    if (f.signature) f.signature.name = fnNames.get(f.signature.name) ?? f.signature.name;
    f.nodeDef.forEach(fixNode);
    f.attr = fixAttrs(f.attr);
    for (const a of Object.values(f.argAttr)) a.attr = sortAttrs(a.attr);
  }
  return g;
}

function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") {
    const out: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** The normalized graph as JSON with sorted keys: deep-equal iff the graphs match structurally. */
export function canonicalJson(graph: GraphDef): JsonValue {
  return sortKeys(toJson(GraphDefSchema, normalizeGraph(graph)));
}

/** The normalized graph's bytes (attr maps sorted, as TF's deterministic serialization). */
export function canonicalBytes(graph: GraphDef): Uint8Array {
  return toBinary(GraphDefSchema, normalizeGraph(graph));
}

/** A core tensor in the fixtures' element layout (int64/uint64 values as decimal strings). */
export function fixtureComponent(t: { dtype: number; shape: readonly number[]; data: unknown }): FixtureComponent {
  const data = t.data as ArrayLike<number | bigint> | readonly Uint8Array[];
  const values: (string | number | boolean)[] = [];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === "bigint") values.push(String(v));
    else if (v instanceof Uint8Array) throw new Error("string/variant components are not in the fixtures");
    else values.push(t.dtype === 10 ? v !== 0 : v);
  }
  return { dtype: dtypeName(t.dtype), shape: [...t.shape], values };
}
