// One-element operands take TF's scalar code path (and our register fast path,
// assembly/kernels/scalar-program.ts): every element of the golden elementwise cases, run alone
// as rank-0 tensors, matches what TF computes for it alone.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType, dtypeSize } from "../../../src/core/dtype.js";
import { Tensor } from "../../../src/core/tensor.js";
import { loadFamily, type FixtureCase } from "./fixtures.js";
import { caseFunction, ULP_TOLERANT } from "./golden.js";
import { kernelRunner } from "./harness.js";

function elementBytes(t: Tensor, i: number): Uint8Array {
  const v = t.data as ArrayBufferView;
  const size = dtypeSize(t.dtype);
  return new Uint8Array(v.buffer, v.byteOffset + i * size, size);
}

function scalarOf(t: Tensor, i: number): Tensor {
  const b = elementBytes(t, i).slice();
  const one = Tensor.fromCore(t.dtype, [], new (t.data as unknown as { constructor: new (b: ArrayBuffer) => Tensor["data"] }).constructor(b.buffer));
  return one;
}

/** ulps between two float bit patterns of `dtype` (Infinity for NaN mismatches and non-floats). */
function ulps(dtype: DType, a: Uint8Array, b: Uint8Array): number {
  const view = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);
  if (dtype === DType.float32) {
    const x = view(a).getInt32(0, true), y = view(b).getInt32(0, true);
    if (Number.isNaN(view(a).getFloat32(0, true)) || Number.isNaN(view(b).getFloat32(0, true))) return Infinity;
    const o = (v: number) => (v < 0 ? -(v & 0x7fffffff) : v);
    return Math.abs(o(x) - o(y));
  }
  if (dtype === DType.float64) {
    if (Number.isNaN(view(a).getFloat64(0, true)) || Number.isNaN(view(b).getFloat64(0, true))) return Infinity;
    const x = view(a).getBigInt64(0, true), y = view(b).getBigInt64(0, true);
    const o = (v: bigint) => (v < 0n ? -(v & 0x7fffffffffffffffn) : v);
    const d = o(x) - o(y);
    return Number(d < 0n ? -d : d);
  }
  if (dtype === DType.float16 || dtype === DType.bfloat16) {
    const x = view(a).getUint16(0, true), y = view(b).getUint16(0, true);
    const nan = (h: number) => (dtype === DType.float16 ? (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0 : (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0);
    if (nan(x) || nan(y)) return Infinity;
    const o = (v: number) => (v & 0x8000 ? -(v & 0x7fff) : v);
    return Math.abs(o(x) - o(y));
  }
  return Infinity;
}

test("elementwise ops on rank-0 operands match TF's scalar path", async () => {
  const r = await kernelRunner();
  const problems: string[] = [];
  let checked = 0;
  for (const family of ["binary", "unary", "cast"]) {
    for (const c of loadFamily(family).cases as FixtureCase[]) {
      if (!c.scalarDiffs || !c.outputs) continue;
      const fn = caseFunction(c);
      const out = c.outputs[0];
      for (let i = 0; i < out.size; i++) {
        const args = c.inputs.map((t) => scalarOf(t, i));
        let got: Uint8Array;
        try {
          got = elementBytes(r.run(fn, args)[0], 0);
        } catch (e) {
          problems.push(`${c.op} ${c.note ?? ""} [${i}]: ${String(e)}`);
          continue;
        }
        const want = c.scalarDiffs[String(i)] ?? elementBytes(out, i);
        checked++;
        if (got.every((x, j) => x === want[j])) continue;
        if (ULP_TOLERANT.has(c.op) && ulps(out.dtype, got, want) <= 1) continue;
        const types = c.attrs.filter((a) => a[1] === "type").map((a) => `${a[0]}=${a[2]}`).join(",");
        problems.push(`${c.op}[${types}] [${i}] inputs ${args.map((a) => JSON.stringify(a.toJS(), (_, v) => typeof v === "bigint" ? String(v) : v))}: ` +
          `got ${Buffer.from(got).toString("hex")} TF ${Buffer.from(want).toString("hex")}`);
      }
    }
  }
  assert.ok(checked > 10000, `checked ${checked} elements`);
  if (process.env.SCALAR_DUMP) console.log(problems.join("\n"));
  assert.equal(problems.slice(0, 30), []);
});

test.run();
