// Our element codecs against TF 2.21 itself (scripts/tf/gen_element_fixtures.py `check` mode, one
// python process for the whole suite):
// - TF decodes what we encode (UncompressElement for CompressedElement, ParseTensor for the
//   components of an UncompressedElement) into the values we started from, for random elements;
// - our snappy output equals TF's byte for byte (CompressElement of one uint8 vector) on
//   random, structured and text-like data across the 64 KiB fragment boundaries;
// - TensorProtos in the forms other TF peers may send (typed *_val fields, packed and unpacked,
//   fewer values than elements, fields out of order, unknown fields) decode as TF decodes them.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../src/core/core.js";
import { DType, dtypeSize } from "../../src/core/dtype.js";
import { viewNumeric } from "../../src/core/js-values.js";
import { Tensor } from "../../src/core/tensor.js";
import { REPO_ROOT, tfPython } from "../helpers/tf.js";

/** Longest the TF check process may take (import ~5 s plus a few hundred decodes). */
const TF_TIMEOUT_MS = 240_000;

interface Described { dtype: number; shape: number[]; data?: string; strings?: string[] }
interface Answer { id: number; ok: boolean; error?: string; components?: Described[]; compressed?: string }

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

function describe(t: Tensor): Described {
  if (t.dtype === DType.string) return { dtype: t.dtype, shape: [...t.shape], strings: (t.data as readonly Uint8Array[]).map(b64) };
  const d = t.data as ArrayBufferView;
  return { dtype: t.dtype, shape: [...t.shape], data: b64(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)) };
}

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

const NUMERIC = [DType.bool, DType.int8, DType.uint8, DType.int16, DType.uint16, DType.int32, DType.uint32, DType.int64,
  DType.uint64, DType.float16, DType.bfloat16, DType.float32, DType.float64, DType.complex64, DType.complex128];

function randomTensor(rnd: () => number): Tensor {
  const all = [...NUMERIC, DType.string];
  const dtype = all[Math.floor(rnd() * all.length)];
  const rank = Math.floor(rnd() * 4);
  const shape = Array.from({ length: rank }, () => (rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * 5)));
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === DType.string) {
    return new Tensor(dtype, shape, Array.from({ length: n }, () =>
      Uint8Array.from({ length: rnd() < 0.2 ? 0 : Math.floor(rnd() * (rnd() < 0.1 ? 300 : 12)) }, () => Math.floor(rnd() * 256))));
  }
  const bytes = new Uint8Array(n * dtypeSize(dtype));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
  if (dtype === DType.bool) for (let i = 0; i < bytes.length; i++) bytes[i] &= 1;
  // Keep NaNs out of the float16/bfloat16 payloads: TF may canonicalize NaN bits.
  if (dtype === DType.float16 || dtype === DType.bfloat16) for (let i = 1; i < bytes.length; i += 2) bytes[i] &= 0x3f;
  return new Tensor(dtype, shape, viewNumeric(dtype, bytes.buffer, 0, bytes.length));
}

// --- hand-built protobuf for the TensorProto forms -------------------------------------------
const varint = (v: number | bigint): number[] => {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
};
const tag = (f: number, wt: number) => varint((f << 3) | wt);
const len = (f: number, body: number[]) => [...tag(f, 2), ...varint(body.length), ...body];
const vint = (f: number, v: number | bigint) => [...tag(f, 0), ...varint(v)];
const f32 = (v: number) => [...new Uint8Array(new Float32Array([v]).buffer)];
const f64 = (v: number) => [...new Uint8Array(new Float64Array([v]).buffer)];
const shapeOf = (dims: number[]) => len(2, dims.flatMap((d) => len(2, d ? vint(1, d) : [])));
const element = (...protos: number[][]) => new Uint8Array(protos.flatMap((p) => len(1, p)));

/** Uncompressed elements written the ways TF peers may write them, each with its dtypes. */
function protoForms(): { name: string; bytes: Uint8Array; dtypes: number[]; shapes: number[][] }[] {
  const enc = new TextEncoder();
  const forms: { name: string; proto: number[]; dtype: number; shape: number[] }[] = [
    { name: "float_val packed", dtype: DType.float32, shape: [3], proto: [...vint(1, 1), ...shapeOf([3]), ...len(5, [...f32(1.5), ...f32(-2), ...f32(3.25)])] },
    { name: "float_val unpacked", dtype: DType.float32, shape: [2], proto: [...vint(1, 1), ...shapeOf([2]), ...tag(5, 5), ...f32(7), ...tag(5, 5), ...f32(-1)] },
    { name: "float_val fewer values repeat the last", dtype: DType.float32, shape: [2, 2], proto: [...vint(1, 1), ...shapeOf([2, 2]), ...len(5, [...f32(1), ...f32(2)])] },
    { name: "double_val", dtype: DType.float64, shape: [2], proto: [...vint(1, 2), ...shapeOf([2]), ...len(6, [...f64(Math.PI), ...f64(-0)])] },
    { name: "int_val int32 negative", dtype: DType.int32, shape: [3], proto: [...vint(1, 3), ...shapeOf([3]), ...len(7, [...varint(-5), ...varint(7), ...varint(2 ** 31 - 1)])] },
    { name: "int_val unpacked uint8", dtype: DType.uint8, shape: [2], proto: [...vint(1, 4), ...shapeOf([2]), ...vint(7, 255), ...vint(7, 3)] },
    { name: "int_val int16 / int8 / uint16", dtype: DType.int16, shape: [2], proto: [...vint(1, 5), ...shapeOf([2]), ...len(7, [...varint(-300), ...varint(300)])] },
    { name: "int_val int8", dtype: DType.int8, shape: [2], proto: [...vint(1, 6), ...shapeOf([2]), ...len(7, [...varint(-128), ...varint(127)])] },
    { name: "int_val uint16", dtype: DType.uint16, shape: [1], proto: [...vint(1, 17), ...shapeOf([1]), ...len(7, varint(65535))] },
    { name: "int64_val", dtype: DType.int64, shape: [3], proto: [...vint(1, 9), ...shapeOf([3]), ...len(10, [...varint(-(2n ** 63n)), ...varint(2n ** 62n), ...varint(-1)])] },
    { name: "uint64_val", dtype: DType.uint64, shape: [2], proto: [...vint(1, 23), ...shapeOf([2]), ...len(17, [...varint(2n ** 64n - 1n), ...varint(5)])] },
    { name: "uint32_val", dtype: DType.uint32, shape: [2], proto: [...vint(1, 22), ...shapeOf([2]), ...len(16, [...varint(2 ** 32 - 1), ...varint(9)])] },
    { name: "bool_val", dtype: DType.bool, shape: [3], proto: [...vint(1, 10), ...shapeOf([3]), ...len(11, [1, 0, 1])] },
    { name: "half_val float16", dtype: DType.float16, shape: [2], proto: [...vint(1, 19), ...shapeOf([2]), ...len(13, [...varint(0x3e00), ...varint(0xc000)])] },
    { name: "half_val bfloat16", dtype: DType.bfloat16, shape: [2], proto: [...vint(1, 14), ...shapeOf([2]), ...len(13, [...varint(0x3f80), ...varint(0xc060)])] },
    { name: "scomplex_val repeat the last pair", dtype: DType.complex64, shape: [3], proto: [...vint(1, 8), ...shapeOf([3]), ...len(9, [...f32(1), ...f32(2), ...f32(3), ...f32(4)])] },
    { name: "dcomplex_val", dtype: DType.complex128, shape: [1], proto: [...vint(1, 18), ...shapeOf([1]), ...len(12, [...f64(0.5), ...f64(-0.25)])] },
    { name: "string_val", dtype: DType.string, shape: [3], proto: [...vint(1, 7), ...shapeOf([3]), ...len(8, [...enc.encode("ab")]), ...len(8, []), ...len(8, [...enc.encode("é")])] },
    { name: "string_val repeat the last", dtype: DType.string, shape: [2, 2], proto: [...vint(1, 7), ...shapeOf([2, 2]), ...len(8, [...enc.encode("x")]), ...len(8, [...enc.encode("yz")])] },
    { name: "no values means zeros", dtype: DType.int32, shape: [2], proto: [...vint(1, 3), ...shapeOf([2])] },
    { name: "scalar without tensor_shape", dtype: DType.int64, shape: [], proto: [...vint(1, 9), ...len(10, varint(42))] },
    { name: "fields out of order and unknown fields", dtype: DType.int32, shape: [2],
      proto: [...len(4, [1, 0, 0, 0, 2, 0, 0, 0]), ...vint(99, 7), ...len(98, [1, 2, 3]), ...shapeOf([2]), ...vint(3, 0), ...vint(1, 3)] },
  ];
  return forms.map((f) => ({ name: f.name, bytes: element(f.proto), dtypes: [f.dtype], shapes: [f.shape] }));
}

test("TF decodes our encodings, our snappy equals TF's, and we decode TensorProto forms as TF does", async () => {
  const python = tfPython();
  if (!python) return; // tfPython() printed why (and throws on CI)
  const core = await getCore();
  const rnd = prng(1234);
  const requests: Record<string, unknown>[] = [];
  const checks = new Map<number, (a: Answer) => void>();
  let id = 0;
  const ask = (req: Record<string, unknown>, check: (a: Answer) => void) => {
    requests.push({ id: ++id, ...req });
    checks.set(id, check);
  };

  // 1. TF decodes what we encode.
  for (let i = 0; i < 40; i++) {
    const comps = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => randomTensor(rnd));
    const want = comps.map(describe);
    for (const kind of ["uncompressed", "compressed"] as const) {
      const bytes = core.encodeElement(comps, kind);
      ask({ kind, bytes: b64(bytes), dtypes: comps.map((t) => t.dtype), shapes: comps.map((t) => [...t.shape]) }, (a) => {
        assert.ok(a.ok, `element ${i} (${kind}): TF failed: ${a.error}`);
        assert.equal(a.components, want, `element ${i} (${kind}): TF decoded other values`);
      });
    }
  }

  // 2. Snappy byte equality (sizes > 0: TF's in-process empty tensor lists a 0-byte size).
  const words = Array.from({ length: 200 }, () => Array.from({ length: 2 + Math.floor(rnd() * 8) }, () => String.fromCharCode(97 + Math.floor(rnd() * 26))).join(""));
  const samples: [string, (n: number) => Uint8Array][] = [
    ["random", (n) => Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256))],
    ["text", (n) => { const s = new TextEncoder().encode(Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(" ")); return s.subarray(0, n); }],
    ["structured", (n) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + Math.floor(rnd() * 3)) & 255)],
    ["image", (n) => Uint8Array.from({ length: n }, (_, i) => ((i % 672) / 3 + Math.floor(i / 672) + Math.floor(rnd() * 4)) & 255)],
  ];
  for (const n of [1, 4, 15, 16, 17, 100, 256, 257, 5000, 32769, 65535, 65536, 65537, 150528, 300000]) {
    for (const [name, gen] of samples) {
      const data = gen(n);
      const ours = core.encodeElement([new Tensor(DType.uint8, [data.length], data)], "compressed");
      ask({ snappy: b64(data) }, (a) => {
        assert.ok(a.ok, `snappy ${name} n=${n}: TF failed: ${a.error}`);
        assert.ok(a.compressed === b64(ours), `snappy ${name} n=${n}: our CompressedElement (${ours.length} bytes) differs from TF's`);
      });
    }
  }

  // 3. TensorProto forms: we decode them to what TF decodes.
  for (const form of protoForms()) {
    const ours = core.decodeElement("uncompressed", form.bytes).map(describe);
    ask({ kind: "uncompressed", bytes: b64(form.bytes), dtypes: form.dtypes, shapes: form.shapes }, (a) => {
      assert.ok(a.ok, `${form.name}: TF failed: ${a.error}`);
      assert.equal(ours, a.components, `${form.name}: we decode other values than TF`);
    });
  }

  const r = spawnSync(python, [join(REPO_ROOT, "scripts/tf/gen_element_fixtures.py"), "check"], {
    input: requests.map((q) => JSON.stringify(q)).join("\n") + "\n",
    encoding: "utf8", timeout: TF_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3" },
  });
  assert.is(r.status, 0, `gen_element_fixtures.py check failed: ${r.error?.message ?? ""}\n${r.stderr?.slice(-2000)}`);
  const answers = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Answer);
  assert.is(answers.length, requests.length, "one answer per request");
  for (const a of answers) checks.get(a.id)!(a);
});

test.run();
