/**
 * Helpers for the golden suites of the sources and function-free transformations: TF's fixtures
 * (scripts/tf/gen_dataset_fixtures.py) decoded, our values in the fixtures' layout, and graph
 * normalization. No node:* imports (isomorphic).
 */
import { clone, fromBinary, type JsonValue } from "@bufbuild/protobuf";
import { GraphDefSchema, type GraphDef } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { dtypeName, DType } from "../../../src/core/dtype.js";
import type { Tensor } from "../../../src/core/tensor.js";
import { DatasetSpec, TensorSpec, type ElementSpec } from "../../../src/dataset/index.js";
import { canonicalBytes, canonicalJson, fromBase64 } from "../../graph/graph-fixtures.js";
import type { DatasetFixtureComponent, FixtureSpec, TfDatasetFixture } from "../../fixtures/datasets/fixture-types.js";
import { TF_DATASET_FIXTURES } from "../../fixtures/datasets/tf-datasets.js";

/** The fixture named `name`. */
export function datasetFixture(name: string): TfDatasetFixture {
  const f = TF_DATASET_FIXTURES.find((x) => x.name === name);
  if (!f) throw new Error(`no dataset fixture named ${name}`);
  return f;
}

/** Every fixture. */
export const DATASET_FIXTURES = TF_DATASET_FIXTURES;

/** The fixture's GraphDef. */
export function fixtureGraphDef(f: TfDatasetFixture): GraphDef {
  if (!f.graph) throw new Error(`fixture ${f.name} has no graph`);
  return fromBinary(GraphDefSchema, fromBase64(f.graph));
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** A tensor (core or host) in the fixtures' component layout. */
export function fixtureOf(t: Pick<Tensor, "dtype" | "shape" | "data">): DatasetFixtureComponent {
  if (t.dtype === DType.string) {
    return { dtype: "string", shape: [...t.shape], strings: (t.data as readonly Uint8Array[]).map(toBase64) };
  }
  const d = t.data as ArrayBufferView;
  return { dtype: dtypeName(t.dtype), shape: [...t.shape], data: toBase64(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) };
}

/** Our element spec in the fixtures' layout (dict entries in our key order). */
export function specOf(spec: ElementSpec): FixtureSpec {
  if (spec instanceof DatasetSpec) return { dataset: specOf(spec.elementSpec) };
  if (spec instanceof TensorSpec) {
    const c = spec.toComponent();
    return { tensor: { dtype: dtypeName(c.dtype), shape: c.shape } };
  }
  if (Array.isArray(spec)) return { tuple: (spec as readonly ElementSpec[]).map(specOf) };
  const dict = spec as Record<string, ElementSpec>;
  return { dict: Object.keys(dict).map((k) => [k, specOf(dict[k])] as const) };
}

/**
 * `graph` normalized for comparison: besides what `canonicalJson` normalizes (metadata ids,
 * `__inference_*_<n>` function names, attr order), the process-wide counter in resource names
 * (`CacheDatasetV2/MemoryCache_<n>`) and the order of functions' `ret` maps.
 */
export function normalizedJson(graph: GraphDef): JsonValue {
  return canonicalJson(normalizeResources(graph));
}

/** The normalized graph's canonical bytes. */
export function normalizedBytes(graph: GraphDef): Uint8Array {
  return canonicalBytes(normalizeResources(graph));
}

function sortMap<V>(m: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}

function normalizeResources(graph: GraphDef): GraphDef {
  const g = clone(GraphDefSchema, graph);
  // Map order carries no meaning (and TF's serialization of `ret` does not sort it).
  for (const f of g.library?.function ?? []) {
    f.ret = sortMap(f.ret);
    f.controlRet = sortMap(f.controlRet);
  }
  for (const n of g.node) {
    const v = n.attr.value?.value;
    if (n.op !== "Const" || v?.case !== "tensor") continue;
    for (const h of v.value.resourceHandleVal) h.name = h.name.replace(/_\d+$/, "_*");
  }
  return g;
}

/** A short human-readable rendering of a component, for assertion messages. */
export function describeComponent(c: DatasetFixtureComponent): string {
  if ("strings" in c) return `string[${c.shape}] ${c.strings.map((s) => JSON.stringify(atob(s))).join(",")}`;
  return `${c.dtype}[${c.shape}] ${c.data}`;
}
