/**
 * Runs kernel golden cases: each case's node is lowered by the registered kernel op (exactly as a
 * FunctionDef node would be), run as a one-instruction FunctionPlan in the core, and compared with
 * TF's outputs: same dtype and shape, bytes equal (transcendental ops may differ by 1 ulp), or the
 * same error code with TF's message contained in ours.
 */
import { create } from "@bufbuild/protobuf";
import { AttrValueSchema, AttrValue_ListValueSchema, type AttrValue } from "../../../src/gen/tensorflow/core/framework/attr_value_pb.js";
import { NodeDefSchema } from "../../../src/gen/tensorflow/core/framework/node_def_pb.js";
import { DType, dtypeName } from "../../../src/core/dtype.js";
import { TfDataError } from "../../../src/core/errors.js";
import type { FunctionPlan } from "../../../src/core/plan.js";
import type { Tensor } from "../../../src/core/tensor.js";
import { attrBool, attrBytes, attrInt, attrType } from "../../../src/graph/attr-value.js";
import { NodeAttrs } from "../../../src/graph/node-attrs.js";
import { ensureBuiltinOps } from "../../../src/graph/ops/all.js";
import { kernelOp, type KernelLowerContext } from "../../../src/graph/ops/registry.js";
import type { FixtureAttr, FixtureCase } from "./fixtures.js";
import { kernelRunner, type KernelRunner } from "./harness.js";

/**
 * Messages we cannot reproduce word for word: TF's eager runtime answers a few invalid calls from
 * the op's shape function (inside a tf.data function those fail at trace time instead), and some
 * checks we make earlier, at lowering. For them the code must match and our message `ours`.
 */
const SHAPE_FN_MESSAGES: ReadonlyArray<{ tf: RegExp; ours: RegExp }> = [
  { tf: /^Shape must be at least rank \d+ but is rank \d+$/, ours: /Expected axis in the range/ },
  // Rejected at lowering, where the input's rank (TF's ", Dimension : N") is not known yet.
  { tf: /^TileOp : The input data type is not supported, DataType : uint16, Dimension : \d+$/, ours: /TileOp : The input data type is not supported, DataType : uint16/ },
];

/** Ops whose float results may differ from TF's by 1 ulp (libm vs Eigen polynomial kernels). */
export const ULP_TOLERANT = new Set(["Exp", "Log", "Pow", "Rsqrt"]);

function attrValue([, kind, v]: FixtureAttr): AttrValue {
  switch (kind) {
    case "type": return attrType(v as number);
    case "int": return attrInt(v as number);
    case "bool": return attrBool(v as boolean);
    case "string": return attrBytes(v as string);
    case "list_int":
      return create(AttrValueSchema, { value: { case: "list", value: create(AttrValue_ListValueSchema, { i: (v as number[]).map(BigInt) }) } });
  }
}

/** Lowers the case's node and returns the one-instruction function (throws lowering errors). */
export function caseFunction(c: FixtureCase): FunctionPlan {
  ensureBuiltinOps();
  const def = kernelOp(c.op);
  if (!def) throw new TfDataError("Unimplemented", `no kernel op '${c.op}' is registered`);
  const attr: Record<string, AttrValue> = {};
  for (const a of c.attrs) attr[a[0]] = attrValue(a);
  const node = create(NodeDefSchema, { name: "node", op: c.op, input: c.inputs.map((_, i) => `in_${i}`), attr });
  const where = `node 'node' (${c.op})`;
  const ctx: KernelLowerContext = {
    node,
    where,
    attrs: new NodeAttrs(node.attr, where),
    inputCount: c.inputs.length,
    inputTypes: c.inputs.map((t) => t.dtype),
    error: (code, message) => new TfDataError(code, `${where}: ${message}`),
  };
  const k = def.lower(ctx);
  if (k.inputTypes && (k.inputTypes.length !== c.inputs.length || k.inputTypes.some((t, i) => t !== c.inputs[i].dtype))) {
    throw new TfDataError("InvalidArgument", `inputs [${c.inputs.map((t) => dtypeName(t.dtype))}] do not match ` +
      `[${k.inputTypes.map(dtypeName)}]`);
  }
  const numOutputs = k.outputs.reduce((n, o) => n + o.dtypes.length, 0);
  const n = c.inputs.length;
  return {
    numArgs: n,
    instructions: [{ kernel: k.kernel, inputs: c.inputs.map((_, i) => i), numOutputs, ...(k.attrs ? { attrs: k.attrs } : {}) }],
    outputs: Array.from({ length: numOutputs }, (_, i) => n + i),
  };
}

function rawBytes(t: Tensor): Uint8Array {
  if (Array.isArray(t.data)) {
    const parts = t.data as readonly Uint8Array[];
    const out: number[] = [];
    for (const p of parts) out.push(p.length >>> 24, (p.length >>> 16) & 255, (p.length >>> 8) & 255, p.length & 255, ...p);
    return new Uint8Array(out);
  }
  const v = t.data as ArrayBufferView;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Distance in ulps between float bit patterns (NaNs equal to NaNs); Infinity when incomparable. */
function ulpDistance(dtype: DType, got: Tensor, want: Tensor): number {
  const n = got.size;
  let worst = 0;
  const ord = (b: bigint, bits: bigint): bigint => (b >> (bits - 1n) ? -(b & ((1n << (bits - 1n)) - 1n)) : b);
  for (let i = 0; i < n; i++) {
    let a: bigint, b: bigint, bits: bigint;
    if (dtype === DType.float32) {
      const x = (got.data as Float32Array)[i], y = (want.data as Float32Array)[i];
      a = BigInt(new Uint32Array((got.data as Float32Array).buffer, (got.data as Float32Array).byteOffset + 4 * i, 1)[0]);
      b = BigInt(new Uint32Array((want.data as Float32Array).buffer, (want.data as Float32Array).byteOffset + 4 * i, 1)[0]);
      if (Number.isNaN(x) && Number.isNaN(y)) {
        if (a !== b) return Infinity; // NaNs must match bit for bit too
        continue;
      }
      bits = 32n;
    } else if (dtype === DType.float64) {
      const x = (got.data as Float64Array)[i], y = (want.data as Float64Array)[i];
      a = new BigUint64Array((got.data as Float64Array).buffer, (got.data as Float64Array).byteOffset + 8 * i, 1)[0];
      b = new BigUint64Array((want.data as Float64Array).buffer, (want.data as Float64Array).byteOffset + 8 * i, 1)[0];
      if (Number.isNaN(x) && Number.isNaN(y)) {
        if (a !== b) return Infinity;
        continue;
      }
      bits = 64n;
    } else if (dtype === DType.float16 || dtype === DType.bfloat16) {
      const x = (got.data as Uint16Array)[i], y = (want.data as Uint16Array)[i];
      const nan = (h: number) => (dtype === DType.float16 ? (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 : (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0);
      if (nan(x) && nan(y)) {
        if (x !== y) return Infinity;
        continue;
      }
      a = BigInt(x);
      b = BigInt(y);
      bits = 16n;
    } else return Infinity;
    const d = ord(a, bits) - ord(b, bits);
    const ad = Number(d < 0n ? -d : d);
    if (ad > worst) worst = ad;
  }
  return worst;
}

/** The outcome of one case. */
export interface CaseResult {
  ok: boolean;
  /** Largest ulp difference seen on a tolerant op (0 when bit-exact). */
  ulps: number;
  detail: string;
}

function describe(t: Tensor): string {
  const js = JSON.stringify(t.toJS(), (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return `${t}${js.length > 300 ? js.slice(0, 300) + "..." : js}`;
}

function bitsOf(t: Tensor, i: number): string {
  if (Array.isArray(t.data)) return JSON.stringify(new TextDecoder().decode((t.data as readonly Uint8Array[])[i]));
  const v = (t.data as unknown as ArrayLike<number | bigint>)[i];
  if (t.dtype === DType.float32) return `${v}(0x${new Uint32Array(Float32Array.of(v as number).buffer)[0].toString(16)})`;
  if (t.dtype === DType.float64) return `${v}(0x${new BigUint64Array(Float64Array.of(v as number).buffer)[0].toString(16)})`;
  if (t.dtype === DType.float16 || t.dtype === DType.bfloat16) return `0x${(v as number).toString(16)}`;
  return String(v);
}

/** The first differing elements, with the inputs feeding them when shapes allow. */
function firstDiffs(c: FixtureCase, g: Tensor, w: Tensor): string {
  const out: string[] = [];
  const gb = Array.isArray(g.data), n = w.size;
  for (let i = 0; i < n && out.length < 4; i++) {
    const a = bitsOf(g, i), b = bitsOf(w, i);
    if (a === b && !gb) continue;
    if (a === b) continue;
    const ins = c.inputs.every((t) => t.size === n) ? ` from (${c.inputs.map((t) => bitsOf(t, i)).join(", ")})` : "";
    out.push(`[${i}] got ${a} TF ${b}${ins}`);
  }
  return out.join("; ") || "byte layout differs";
}

/** Runs one case against the core. */
export function runCase(runner: KernelRunner, c: FixtureCase): CaseResult {
  let got: Tensor[];
  try {
    got = runner.run(caseFunction(c), c.inputs);
  } catch (e) {
    if (!(e instanceof TfDataError)) throw e;
    if (!c.error) return { ok: false, ulps: 0, detail: `unexpected error ${e.code}: ${e.message}` };
    if (e.code !== c.error.code) return { ok: false, ulps: 0, detail: `error code ${e.code} (${e.message}), TF: ${c.error.code} (${c.error.message})` };
    const shapeFn = SHAPE_FN_MESSAGES.find((m) => m.tf.test(c.error!.message));
    if (shapeFn ? !shapeFn.ours.test(e.message) : !e.message.includes(c.error.message)) {
      return { ok: false, ulps: 0, detail: `message "${e.message}" lacks TF's "${c.error.message}"` };
    }
    return { ok: true, ulps: 0, detail: "" };
  }
  if (c.error) return { ok: false, ulps: 0, detail: `no error; TF: ${c.error.code}: ${c.error.message}; got ${got.map(describe)}` };
  const want = c.outputs ?? [];
  if (got.length !== want.length) return { ok: false, ulps: 0, detail: `${got.length} outputs, TF ${want.length}` };
  let ulps = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (g.dtype !== w.dtype || g.shape.join() !== w.shape.join()) {
      return { ok: false, ulps: 0, detail: `output ${i}: ${g} vs TF ${w}` };
    }
    const gb = rawBytes(g), wb = rawBytes(w);
    if (gb.length === wb.length && gb.every((x, j) => x === wb[j])) continue;
    const d = ULP_TOLERANT.has(c.op) ? ulpDistance(w.dtype, g, w) : Infinity;
    if (d <= 1) {
      ulps = Math.max(ulps, d);
      continue;
    }
    return { ok: false, ulps: 0, detail: `output ${i} ${w}: ${firstDiffs(c, g, w)}` };
  }
  return { ok: true, ulps, detail: "" };
}

/** Runs every case of a family; returns failures and per-op stats. */
export async function runFamily(cases: FixtureCase[]): Promise<{
  failures: string[];
  perOp: Map<string, { cases: number; exact: number; maxUlps: number }>;
}> {
  const runner = await kernelRunner();
  const failures: string[] = [];
  const perOp = new Map<string, { cases: number; exact: number; maxUlps: number }>();
  for (const c of cases) {
    const r = runCase(runner, c);
    const s = perOp.get(c.op) ?? { cases: 0, exact: 0, maxUlps: 0 };
    s.cases++;
    if (r.ok && r.ulps === 0) s.exact++;
    s.maxUlps = Math.max(s.maxUlps, r.ulps);
    perOp.set(c.op, s);
    if (!r.ok) {
      const types = c.attrs.filter((a) => a[1] === "type").map((a) => `${a[0]}=${dtypeName(a[2] as number)}`).join(",");
      failures.push(`${c.op}[${types}] ${c.note ?? ""} inputs ${c.inputs.map((t) => t.toString()).join(" ")}: ${r.detail}`);
    }
  }
  return { failures, perOp };
}
