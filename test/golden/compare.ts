/**
 * Comparing elements with TF's: same dtype, same shape, same values. Floats are compared by
 * their bits (so NaN equals NaN only with the same bits, and -0 is not 0), or within 1 ulp for
 * pipelines flagged as using transcendental ops. Multiset pipelines are compared after sorting
 * both sides the same way.
 */
import { dtypeName } from "../../src/core/dtype.js";
import { bf16BitsToNumber, f16BitsToNumber } from "../../src/core/js-values.js";
import type { Tensor } from "../../src/core/tensor.js";
import { TensorSpec, type ElementSpec } from "../../src/dataset/index.js";
import { clone } from "@bufbuild/protobuf";
import type { AttrValue } from "../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import { GraphDefSchema, type GraphDef } from "../../src/gen/tensorflow/core/framework/graph_pb.js";
import { canonicalJson, fromBase64 } from "../graph/graph-fixtures.js";
import type { ComponentJson, GoldenFixture, SpecJson } from "./fixtures.js";

/** A component in comparable form. */
export interface Component {
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Raw little-endian bytes (fixed-width dtypes). */
  readonly bytes?: Uint8Array;
  /** One byte string per value (dtype string). */
  readonly strings?: readonly Uint8Array[];
}

/** An element: its flat components. */
export type Element = readonly Component[];

/** A fixture component in comparable form. */
export function fromJson(c: ComponentJson): Component {
  if ("strings" in c) return { dtype: c.dtype, shape: c.shape, strings: c.strings.map(fromBase64) };
  return { dtype: c.dtype, shape: c.shape, bytes: fromBase64(c.data) };
}

/** One of our tensors in comparable form. */
export function fromTensor(t: Tensor): Component {
  const d = t.data;
  if (Array.isArray(d)) return { dtype: dtypeName(t.dtype), shape: [...t.shape], strings: d as readonly Uint8Array[] };
  const v = d as ArrayBufferView;
  return { dtype: dtypeName(t.dtype), shape: [...t.shape], bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
}

/** The fixture's elements in comparable form. */
export function expectedElements(f: GoldenFixture): Element[] {
  return f.elements.map((e) => e.map(fromJson));
}

/** Our element spec as TF's JSON form (`null` dims become -1). */
export function specJson(spec: ElementSpec): SpecJson {
  if (spec instanceof TensorSpec) {
    return { tensor: { dtype: spec.dtypeName, shape: spec.shape === null ? null : spec.shape.map((d) => d ?? -1) } };
  }
  if (Array.isArray(spec)) return { tuple: (spec as readonly ElementSpec[]).map(specJson) };
  const dict = spec as Readonly<Record<string, ElementSpec>>;
  const out: Record<string, SpecJson> = {};
  for (const k of Object.keys(dict).sort()) out[k] = specJson(dict[k]);
  return { dict: out };
}

const FLOAT_WIDTH: Readonly<Record<string, number>> = { float16: 2, bfloat16: 2, float32: 4, float64: 8 };

/** The values of a component as text, for messages (at most `max` of them). */
export function showValues(c: Component, max = 12): string {
  const shape = `[${c.shape.join(",")}]`;
  if (c.strings) {
    const dec = new TextDecoder("utf-8", { fatal: false });
    const vals = c.strings.slice(0, max).map((s) => JSON.stringify(dec.decode(s)));
    return `${c.dtype}${shape} [${vals.join(", ")}${c.strings.length > max ? ", ..." : ""}]`;
  }
  const b = c.bytes!;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = ({ bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, float16: 2, bfloat16: 2, int32: 4, uint32: 4,
    float32: 4, int64: 8, uint64: 8, float64: 8 } as Record<string, number>)[c.dtype] ?? 1;
  const n = Math.floor(b.byteLength / width);
  const vals: string[] = [];
  for (let i = 0; i < Math.min(n, max); i++) {
    const o = i * width;
    let v: unknown;
    switch (c.dtype) {
      case "bool": v = dv.getUint8(o) !== 0; break;
      case "int8": v = dv.getInt8(o); break;
      case "uint8": v = dv.getUint8(o); break;
      case "int16": v = dv.getInt16(o, true); break;
      case "uint16": v = dv.getUint16(o, true); break;
      case "float16": v = f16BitsToNumber(dv.getUint16(o, true)); break;
      case "bfloat16": v = bf16BitsToNumber(dv.getUint16(o, true)); break;
      case "int32": v = dv.getInt32(o, true); break;
      case "uint32": v = dv.getUint32(o, true); break;
      case "float32": v = dv.getFloat32(o, true); break;
      case "int64": v = dv.getBigInt64(o, true); break;
      case "uint64": v = dv.getBigUint64(o, true); break;
      case "float64": v = dv.getFloat64(o, true); break;
      default: v = `0x${dv.getUint8(o).toString(16)}`;
    }
    vals.push(Object.is(v, -0) ? "-0" : String(v));
  }
  return `${c.dtype}${shape} [${vals.join(", ")}${n > max ? ", ..." : ""}]`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Float bits as a monotonic integer (adjacent floats differ by 1), or null for NaN. */
function orderedKey(bits: bigint, width: number, isNaN: boolean): bigint | null {
  if (isNaN) return null;
  const signBit = 1n << BigInt(width * 8 - 1);
  return bits & signBit ? -(bits & (signBit - 1n)) : bits;
}

/** Index of the first value of `a` more than `ulps` from `b`'s (NaNs must match by bits), or -1. */
function floatMismatch(dtype: string, a: Uint8Array, b: Uint8Array, ulps: number): number {
  const w = FLOAT_WIDTH[dtype];
  const da = new DataView(a.buffer, a.byteOffset, a.byteLength);
  const db = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const read = (dv: DataView, o: number): { bits: bigint; nan: boolean } => {
    switch (w) {
      case 2: {
        const h = dv.getUint16(o, true);
        const nan = dtype === "float16" ? (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 : (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
        return { bits: BigInt(h), nan };
      }
      case 4: return { bits: BigInt(dv.getUint32(o, true)), nan: Number.isNaN(dv.getFloat32(o, true)) };
      default: return { bits: dv.getBigUint64(o, true), nan: Number.isNaN(dv.getFloat64(o, true)) };
    }
  };
  for (let o = 0; o < a.byteLength; o += w) {
    const x = read(da, o);
    const y = read(db, o);
    if (x.bits === y.bits) continue;
    const kx = orderedKey(x.bits, w, x.nan);
    const ky = orderedKey(y.bits, w, y.nan);
    if (kx === null || ky === null) return o / w;
    const diff = kx > ky ? kx - ky : ky - kx;
    if (diff > BigInt(ulps)) return o / w;
  }
  return -1;
}

/** Why `got` differs from `want` (one component), or null when equal. */
export function componentDiff(got: Component, want: Component, ulps: number): string | null {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, TF has ${want.dtype}`;
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return `shape [${got.shape.join(",")}], TF has [${want.shape.join(",")}]`;
  }
  const show = () => `\n      ours: ${showValues(got)}\n      TF:   ${showValues(want)}`;
  if (want.strings) {
    if (!got.strings || got.strings.length !== want.strings.length) return `string count differs${show()}`;
    for (let i = 0; i < want.strings.length; i++) {
      if (!sameBytes(got.strings[i], want.strings[i])) return `string ${i} differs${show()}`;
    }
    return null;
  }
  if (!got.bytes || !want.bytes) return `one side has strings, the other bytes${show()}`;
  if (sameBytes(got.bytes, want.bytes)) return null;
  if (got.bytes.byteLength !== want.bytes.byteLength) return `byte size ${got.bytes.byteLength} vs TF ${want.bytes.byteLength}${show()}`;
  if (ulps > 0 && want.dtype in FLOAT_WIDTH) {
    const i = floatMismatch(want.dtype, got.bytes, want.bytes, ulps);
    return i < 0 ? null : `value ${i} is more than ${ulps} ulp from TF's${show()}`;
  }
  return `values differ${ulps > 0 ? "" : " (bit-exact comparison)"}${show()}`;
}

function elementKey(e: Element): string {
  return e.map((c) => {
    const body = c.strings
      ? c.strings.map((s) => Array.from(s, (x) => x.toString(16).padStart(2, "0")).join("")).join(",")
      : Array.from(c.bytes!, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${c.dtype}[${c.shape.join(",")}]:${body}`;
  }).join("|");
}

/** Why `got` differs from TF's elements `want`, or null when they are equal under the fixture's rules. */
export function elementsDiff(got: readonly Element[], want: readonly Element[],
  rules: { readonly ulp: boolean; readonly order: "exact" | "multiset" }): string | null {
  let g = got;
  let w = want;
  if (rules.order === "multiset") {
    g = [...got].sort((a, b) => (elementKey(a) < elementKey(b) ? -1 : elementKey(a) > elementKey(b) ? 1 : 0));
    w = [...want].sort((a, b) => (elementKey(a) < elementKey(b) ? -1 : elementKey(a) > elementKey(b) ? 1 : 0));
  }
  const ulps = rules.ulp ? 1 : 0;
  const n = Math.min(g.length, w.length);
  for (let i = 0; i < n; i++) {
    if (g[i].length !== w[i].length) {
      return `element ${i}: ${g[i].length} components, TF has ${w[i].length}`;
    }
    for (let j = 0; j < w[i].length; j++) {
      const d = componentDiff(g[i][j], w[i][j], ulps);
      if (d) return `element ${i}${rules.order === "multiset" ? " (sorted)" : ""}, component ${j}: ${d}`;
    }
  }
  if (g.length !== w.length) return `${g.length} elements, TF has ${w.length}`;
  return null;
}

/** The places (up to `max`) where two JSON values differ, each as `path: ours ..., TF ...`. */
export function jsonDiffs(a: unknown, b: unknown, max = 5): string[] {
  const out: string[] = [];
  const show = (v: unknown) => {
    const t = JSON.stringify(v);
    return t === undefined ? String(v) : t.length > 300 ? `${t.slice(0, 300)}...` : t;
  };
  const walk = (x: unknown, y: unknown, path: string) => {
    if (out.length >= max || Object.is(x, y)) return;
    if (typeof x !== typeof y || x === null || y === null || typeof x !== "object" || Array.isArray(x) !== Array.isArray(y)) {
      out.push(`${path || "<root>"}: ours ${show(x)}, TF ${show(y)}`);
      return;
    }
    const keys = new Set([...Object.keys(x as object), ...Object.keys(y as object)]);
    for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(a, b, "");
  return out;
}

/** The first place two JSON values differ (`path: ours ..., TF ...`), or null. */
export function jsonDiff(a: unknown, b: unknown): string | null {
  return jsonDiffs(a, b, 1)[0] ?? null;
}

/**
 * `graph` with its function library in a canonical order: by first use, walking the graph's nodes
 * in order and each function's body as it is reached (unused functions last, by name). TF writes
 * the library from a hash map, so its order carries no meaning; `normalizeGraph` numbers the
 * `__inference_..._<n>` names by library order, so the order must be canonical first.
 */
export function orderLibrary(graph: GraphDef): GraphDef {
  const lib = graph.library;
  if (!lib || lib.function.length < 2) return graph;
  const byName = new Map(lib.function.map((f) => [f.signature?.name ?? "", f]));
  const order: string[] = [];
  const seen = new Set<string>();
  const visitAttrs = (attrs: Record<string, AttrValue>) => {
    for (const k of Object.keys(attrs).sort()) {
      const v = attrs[k].value;
      const names = v.case === "func" ? [v.value.name] : v.case === "list" ? v.value.func.map((fn) => fn.name) : [];
      for (const n of names) visitFunction(n);
    }
  };
  const visitFunction = (name: string) => {
    if (seen.has(name) || !byName.has(name)) return;
    seen.add(name);
    order.push(name);
    for (const n of byName.get(name)!.nodeDef) visitAttrs(n.attr);
  };
  for (const n of graph.node) visitAttrs(n.attr);
  for (const n of [...byName.keys()].sort()) visitFunction(n);
  const g = clone(GraphDefSchema, graph);
  g.library!.function = order.map((n) => g.library!.function.find((f) => f.signature?.name === n)!);
  return g;
}

/**
 * `canonicalJson` of a graph, after `orderLibrary`, with one more process counter blanked: the
 * name of a resource handle captured in a `Const` (`ShuffleDatasetV3/SeedGenerator_<n>`), which TF
 * numbers per process.
 */
export function goldenGraphJson(graph: GraphDef): unknown {
  const walk = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      if (key === "resourceHandleVal" && typeof out.name === "string") out.name = out.name.replace(/_\d+$/, "_*");
      return out;
    }
    return v;
  };
  return walk(canonicalJson(orderLibrary(graph)), "");
}
