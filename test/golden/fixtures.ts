/**
 * The golden corpus fixtures written by `scripts/tf/gen_golden_corpus.py` (TF 2.21's side of
 * every pipeline), loaded once per process.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { GraphDefSchema, type GraphDef } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { REPO_ROOT } from "../helpers/tf.js";
import { fromBase64 } from "../graph/graph-fixtures.js";

/** Where the fixtures live. */
export const GOLDEN_DIR = join(REPO_ROOT, "test", "fixtures", "golden");

/** An element structure as TF's `element_spec` (shape null = unknown rank, -1 = unknown dim). */
export type SpecJson =
  | { readonly tensor: { readonly dtype: string; readonly shape: readonly number[] | null } }
  | { readonly tuple: readonly SpecJson[] }
  | { readonly dict: Readonly<Record<string, SpecJson>> };

/** One element component: raw little-endian bytes, or (dtype string) one byte string per value. */
export type ComponentJson =
  | { readonly dtype: string; readonly shape: readonly number[]; readonly data: string }
  | { readonly dtype: "string"; readonly shape: readonly number[]; readonly strings: readonly string[] };

/** One pipeline as TF built and ran it. */
export interface GoldenFixture {
  readonly name: string;
  /** `_as_serialized_graph()`, base64. */
  readonly graph: string;
  readonly spec: SpecJson;
  /** TF's cardinality: -1 infinite, -2 unknown. */
  readonly cardinality: number;
  /** Float results involve transcendental ops: equal within 1 ulp. */
  readonly ulp: boolean;
  /** "exact" order, or "multiset" where TF itself does not fix it. */
  readonly order: "exact" | "multiset";
  /** For infinite pipelines: how many leading elements were recorded. */
  readonly prefix: number | null;
  /** Ops of the graph's dataset nodes and of its functions' bodies. */
  readonly datasetOps: readonly string[];
  readonly functionOps: readonly string[];
  readonly elements: readonly (readonly ComponentJson[])[];
}

/** A TF graph using an op we do not implement, and where that op is. */
export interface UnsupportedFixture {
  readonly name: string;
  readonly graph: string;
  readonly op: string;
  /** The names of the nodes running `op` (in the graph or in a function body). */
  readonly nodes: readonly string[];
}

/** `index.json`. */
export interface GoldenIndex {
  readonly tfVersion: string;
  /** The pipeline names in the generator's order. */
  readonly names: readonly string[];
  readonly unsupported: readonly UnsupportedFixture[];
}

let index: GoldenIndex | undefined;
const cache = new Map<string, GoldenFixture>();

/** The fixtures' index. */
export function goldenIndex(): GoldenIndex {
  index ??= JSON.parse(readFileSync(join(GOLDEN_DIR, "index.json"), "utf8")) as GoldenIndex;
  return index;
}

/** The fixture of pipeline `name`. */
export function goldenFixture(name: string): GoldenFixture {
  let f = cache.get(name);
  if (!f) {
    f = JSON.parse(readFileSync(join(GOLDEN_DIR, `${name}.json`), "utf8")) as GoldenFixture;
    cache.set(name, f);
  }
  return f;
}

/** TF's GraphDef of a fixture. */
export function fixtureGraphDef(f: { readonly graph: string }): GraphDef {
  return fromBinary(GraphDefSchema, fromBase64(f.graph));
}
