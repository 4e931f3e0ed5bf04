/**
 * Reads the kernel golden cases written by scripts/tf/gen_kernel_fixtures.py (TF 2.21) and turns
 * their tensors into host `Tensor`s (regenerating `lcg` inputs and expanding `cross` cases).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DType, dtypeSize } from "../../../src/core/dtype.js";
import { numberToF16Bits } from "../../../src/core/js-values.js";
import { Tensor } from "../../../src/core/tensor.js";

/** test/fixtures/kernels. */
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "kernels");

/** A tensor as the fixture stores it. */
export interface FixtureTensor {
  dtype: number;
  shape: number[];
  b64?: string;
  strings?: string[];
  lcg?: { seed: number; scale: number };
}

/** One attr: [name, kind, value]. */
export type FixtureAttr = [string, "type" | "int" | "bool" | "string" | "list_int", number | boolean | string | number[]];

/** One case. */
export interface FixtureCase {
  op: string;
  attrs: FixtureAttr[];
  inputs: Tensor[];
  outputs?: Tensor[];
  error?: { code: string; message: string };
  note?: string;
  /**
   * Present when TF also ran the op once per element on rank-0 operands (its scalar path): the
   * elements whose scalar result differs from the vector run, as raw little-endian bytes.
   */
  scalarDiffs?: Record<string, Uint8Array>;
}

function bytesOf(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, "base64"));
}

function lcgTensor(dtype: number, shape: number[], seed: number, scale: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  let x = seed >>> 0;
  const f32 = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(1664525, x) + 1013904223) >>> 0;
    f32[i] = (x / 4294967296 - 0.5) * scale;
  }
  switch (dtype) {
    case DType.float32: return new Tensor(DType.float32, shape, f32);
    case DType.float64: return new Tensor(DType.float64, shape, Float64Array.from(f32));
    case DType.float16: return new Tensor(DType.float16, shape, Uint16Array.from(f32, (v) => numberToF16Bits(v)));
    case DType.bfloat16: {
      const u = new Uint32Array(f32.buffer);
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const b = u[i];
        out[i] = (b & 0x7fffffff) > 0x7f800000 ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
      }
      return new Tensor(DType.bfloat16, shape, out);
    }
  }
  throw new Error(`lcg inputs of dtype ${dtype} are not supported`);
}

/** The host tensor of a fixture tensor. */
export function toTensor(t: FixtureTensor): Tensor {
  const dtype = t.dtype as DType;
  if (t.lcg) return lcgTensor(dtype, t.shape, t.lcg.seed, t.lcg.scale);
  if (dtype === DType.string) return new Tensor(dtype, t.shape, (t.strings ?? []).map(bytesOf));
  const raw = bytesOf(t.b64 ?? "");
  const buf = raw.slice().buffer;
  const n = raw.length / dtypeSize(dtype);
  const views: Partial<Record<number, () => Tensor["data"]>> = {
    [DType.float32]: () => new Float32Array(buf, 0, n),
    [DType.float64]: () => new Float64Array(buf, 0, n),
    [DType.int32]: () => new Int32Array(buf, 0, n),
    [DType.uint8]: () => new Uint8Array(buf, 0, n),
    [DType.int16]: () => new Int16Array(buf, 0, n),
    [DType.int8]: () => new Int8Array(buf, 0, n),
    [DType.int64]: () => new BigInt64Array(buf, 0, n),
    [DType.bool]: () => new Uint8Array(buf, 0, n),
    [DType.bfloat16]: () => new Uint16Array(buf, 0, n),
    [DType.uint16]: () => new Uint16Array(buf, 0, n),
    [DType.float16]: () => new Uint16Array(buf, 0, n),
    [DType.uint32]: () => new Uint32Array(buf, 0, n),
    [DType.uint64]: () => new BigUint64Array(buf, 0, n),
  };
  const make = views[dtype];
  if (!make) throw new Error(`fixture dtype ${dtype} is not supported`);
  return new Tensor(dtype, t.shape, make());
}

/** `cross` expansion: every pair (a[i], b[j]), a repeated and b tiled. */
function crossExpand(a: Tensor, b: Tensor): [Tensor, Tensor] {
  const na = a.size, nb = b.size;
  const pick = (t: Tensor, idx: (k: number) => number): Tensor => {
    const n = na * nb;
    if (Array.isArray(t.data)) {
      const src = t.data as readonly Uint8Array[];
      return new Tensor(t.dtype, [n], Array.from({ length: n }, (_, k) => src[idx(k)]));
    }
    const src = t.data as unknown as { length: number; [i: number]: number | bigint; constructor: new (n: number) => never };
    const out = new (src.constructor as unknown as new (n: number) => { [i: number]: number | bigint })(n);
    for (let k = 0; k < n; k++) out[k] = src[idx(k)];
    return new Tensor(t.dtype, [n], out as unknown as Tensor["data"]);
  };
  return [pick(a, (k) => Math.floor(k / nb)), pick(b, (k) => k % nb)];
}

interface RawCase {
  op: string;
  attrs: FixtureAttr[];
  inputs: { ref: number }[];
  outputs?: { ref: number }[];
  error?: { code: string; message: string };
  note?: string;
  expand?: "cross";
  scalar_diffs?: Record<string, string>;
}

/** Loads the cases of one family file (`binary`, `reduce`, ...). */
export function loadFamily(name: string): { tfVersion: string; cases: FixtureCase[] } {
  const raw = JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), "utf8")) as {
    tf_version: string; tensors: FixtureTensor[]; cases: RawCase[];
  };
  const cache = new Map<number, Tensor>();
  const get = (r: { ref: number }): Tensor => {
    let t = cache.get(r.ref);
    if (!t) {
      t = toTensor(raw.tensors[r.ref]);
      cache.set(r.ref, t);
    }
    return t;
  };
  const cases = raw.cases.map((c): FixtureCase => {
    let inputs = c.inputs.map(get);
    if (c.expand === "cross") inputs = crossExpand(inputs[0], inputs[1]);
    const scalarDiffs = c.scalar_diffs
      ? Object.fromEntries(Object.entries(c.scalar_diffs).map(([k, v]) => [k, bytesOf(v)]))
      : undefined;
    return { op: c.op, attrs: c.attrs, inputs, outputs: c.outputs?.map(get), error: c.error, note: c.note, scalarDiffs };
  });
  return { tfVersion: raw.tf_version, cases };
}

/** The family names (index.json). */
export function familyNames(): string[] {
  return (JSON.parse(readFileSync(join(FIXTURE_DIR, "index.json"), "utf8")) as { families: string[] }).families;
}
