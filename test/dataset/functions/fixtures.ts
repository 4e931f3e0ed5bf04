/**
 * The function-dataset fixtures TF 2.21 wrote (scripts/tf/gen_function_dataset_fixtures.py) and
 * the comparisons the suites share: elements as raw bytes, GraphDefs modulo process counters.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { clone, fromBinary, toBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import type { AttrValue } from "../../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import { MetadataSchema } from "../../../src/gen/tensorflow/core/framework/dataset_metadata_pb.js";
import { GraphDefSchema, type GraphDef } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import type { NodeDef } from "../../../src/gen/tensorflow/core/framework/node_def_pb.js";
import { dtypeName } from "../../../src/core/dtype.js";
import type { Tensor } from "../../../src/core/tensor.js";
import { REPO_ROOT } from "../../helpers/tf.js";

/** An element spec in TF's JSON form. */
export type SpecJson =
  | { tensor: { dtype: string; shape: number[] | null } }
  | { tuple: SpecJson[] }
  | { dict: Record<string, SpecJson> };

/** One component: raw little-endian bytes, or strings (both base64). */
export type ComponentJson =
  | { dtype: string; shape: number[]; data: string }
  | { dtype: string; shape: number[]; strings: string[] };

/** One pipeline as TF built and ran it. */
export interface FunctionFixture {
  readonly name: string;
  readonly graph: string;
  readonly spec: SpecJson;
  readonly cardinality: number;
  readonly order: "exact" | "multiset";
  readonly globalSeed: number | null;
  /** Two passes over the same dataset. */
  readonly epochs: readonly (readonly (readonly ComponentJson[])[])[];
}

interface FixtureFile {
  cases: FunctionFixture[];
  tfOnly: FunctionFixture[];
}

let cache: FixtureFile | undefined;

function file(): FixtureFile {
  cache ??= JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/function-datasets/fixtures.json"), "utf8")) as FixtureFile;
  return cache;
}

/** All fixtures with a TS twin, in the generator's order. */
export function fixtures(): readonly FunctionFixture[] {
  return file().cases;
}

/** Fixtures of graphs only TF builds (they must run in our core). */
export function tfOnlyFixtures(): readonly FunctionFixture[] {
  return file().tfOnly;
}

/** The fixture named `name`. */
export function fixture(name: string): FunctionFixture {
  const f = fixtures().find((x) => x.name === name);
  if (!f) throw new Error(`no function-dataset fixture named ${name}`);
  return f;
}

/** The fixture's GraphDef. */
export function fixtureGraph(f: FunctionFixture): GraphDef {
  return fromBinary(GraphDefSchema, Buffer.from(f.graph, "base64"));
}

/** A component as one comparable string: `dtype[shape]:base64`. */
export type Key = string;

/** The comparable form of a fixture component. */
export function componentKey(c: ComponentJson): Key {
  return `${c.dtype}[${c.shape.join(",")}]:${"data" in c ? c.data : c.strings.join("|")}`;
}

/** The comparable form of one of our tensors. */
export function tensorKey(t: Tensor): Key {
  const d = t.data;
  let payload: string;
  if (Array.isArray(d)) payload = (d as readonly Uint8Array[]).map((s) => Buffer.from(s).toString("base64")).join("|");
  else {
    const v = d as ArrayBufferView;
    payload = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
  }
  return `${dtypeName(t.dtype)}[${t.shape.join(",")}]:${payload}`;
}

/** The expected elements of pass `epoch` (0 or 1), each as a list of component keys. */
export function expectedEpoch(f: FunctionFixture, epoch: number): Key[][] {
  return f.epochs[epoch].map((e) => e.map(componentKey));
}

/** Elements in comparable order: as produced, or sorted for multiset fixtures. */
export function ordered(f: FunctionFixture, elements: Key[][]): Key[][] {
  if (f.order === "exact") return elements;
  return [...elements].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

const utf8 = new TextDecoder();
const enc = new TextEncoder();

function sortAttrs(attrs: Record<string, AttrValue>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const k of Object.keys(attrs).sort()) out[k] = attrs[k];
  return out;
}

/**
 * `graph` with the values that legitimately differ between two processes made equal:
 * - `metadata` names `<Op>:<n>` (a process-wide dataset counter) become `<Op>:*`;
 * - library function names (`__inference_..._<uid>`, a process-wide tracing counter) become
 *   `fn#<k>`, numbered in the order the graph first refers to them (nodes in order, attrs by key,
 *   depth first into each function), and the library is sorted by that number, since TF sorts
 *   its library by the uid-bearing names;
 * - seed generator resource names `ShuffleDatasetV3/SeedGenerator_<n>` (a process-wide counter);
 * - attr map order (no meaning in protobuf).
 * Everything else (node names, ops, inputs, attr values, function bodies) must match.
 */
export function normalizeGraph(graph: GraphDef): GraphDef {
  const g = clone(GraphDefSchema, graph);
  const lib = new Map((g.library?.function ?? []).map((f) => [f.signature?.name ?? "", f]));
  const names = new Map<string, string>();
  const visit = (nodes: readonly NodeDef[]) => {
    for (const n of nodes) {
      for (const k of Object.keys(n.attr).sort()) {
        const v = n.attr[k];
        if (v.value.case !== "func") continue;
        const name = v.value.value.name;
        if (names.has(name)) continue;
        names.set(name, `fn#${names.size}`);
        const f = lib.get(name);
        if (f) visit(f.nodeDef);
      }
    }
  };
  visit(g.node);
  const fixNode = (n: NodeDef) => {
    for (const v of Object.values(n.attr)) {
      if (v.value.case === "func") v.value.value.name = names.get(v.value.value.name) ?? v.value.value.name;
      if (v.value.case === "tensor") {
        for (const h of v.value.value.resourceHandleVal) h.name = h.name.replace(/_\d+$/, "_*");
      }
    }
    const md = n.attr.metadata;
    if (md?.value.case === "s" && md.value.value.length > 0) {
      const meta = fromBinary(MetadataSchema, md.value.value);
      const m = /^([A-Za-z0-9]+):\d+$/.exec(utf8.decode(meta.name));
      if (m) meta.name = enc.encode(`${m[1]}:*`);
      md.value.value = toBinary(MetadataSchema, meta);
    }
    n.attr = sortAttrs(n.attr);
  };
  g.node.forEach(fixNode);
  for (const f of g.library?.function ?? []) {
    if (f.signature) f.signature.name = names.get(f.signature.name) ?? f.signature.name;
    f.nodeDef.forEach(fixNode);
    f.attr = sortAttrs(f.attr);
    for (const a of Object.values(f.argAttr)) a.attr = sortAttrs(a.attr);
  }
  if (g.library) g.library.function.sort((a, b) => (a.signature?.name ?? "").localeCompare(b.signature?.name ?? ""));
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
