// Isomorphic suite: element decoding treats its input as untrusted. Truncated, corrupted or
// oversized messages give a TfDataError with a useful code, never a trap, and the core stays usable.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError } from "../../src/core/errors.js";
import { Tensor } from "../../src/core/tensor.js";

const rb = suite("decoding untrusted elements");

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

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
const len = (f: number, body: number[]) => [(f << 3) | 2, ...varint(body.length), ...body];
const vint = (f: number, v: number | bigint) => [f << 3, ...varint(v)];
const shapeOf = (dims: (number | bigint)[]) => len(2, dims.flatMap((d) => len(2, d ? vint(1, d) : [])));

function sample(): Tensor[] {
  return [
    Tensor.scalar(7n),
    Tensor.fromValues([["ab", ""], ["cde", "f"]], DType.string),
    Tensor.fromValues([0.5, 1.5, -2.0], DType.float32),
    Tensor.fromValues([[1, 2], [3, 4]], DType.uint16),
  ];
}

function expectError(fn: () => unknown, codes: string[], message?: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isTfDataError(e), String(e));
    assert.ok(codes.includes((e as { code: string }).code), `code ${(e as { code: string }).code}: ${String(e)}`);
    if (message) assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable("accepted");
}

rb("every truncation of a valid element is rejected or decodes consistently", async () => {
  const core = await getCore();
  for (const kind of ["uncompressed", "compressed"] as const) {
    const bytes = core.encodeElement(sample(), kind);
    for (let cut = 0; cut < bytes.length; cut++) {
      try {
        const out = core.decodeElement(kind, bytes.subarray(0, cut));
        // A cut at a component boundary is a valid shorter UncompressedElement.
        assert.ok(kind === "uncompressed" && out.length < 4, `${kind} cut at ${cut} decoded ${out.length} components`);
      } catch (e) {
        assert.ok(isTfDataError(e), `${kind} cut at ${cut}: ${String(e)}`);
      }
    }
  }
  assert.is(core.broken, null);
});

rb("random corruption never traps the core", async () => {
  const core = await getCore();
  const rnd = prng(5);
  let rejected = 0;
  for (const kind of ["uncompressed", "compressed"] as const) {
    const good = core.encodeElement(sample(), kind);
    for (let i = 0; i < 1500; i++) {
      const bad = good.slice();
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
      try {
        core.decodeElement(kind, bad);
      } catch (e) {
        assert.ok(isTfDataError(e), `${kind} corruption ${i}: ${String(e)}`);
        assert.ok(["InvalidArgument", "DataLoss", "Internal", "Unimplemented", "ResourceExhausted"].includes((e as { code: string }).code), String(e));
        rejected++;
      }
    }
  }
  assert.ok(rejected > 500, `only ${rejected} corruptions were rejected`);
  assert.is(core.broken, null);
  assert.equal(core.decodeElement("compressed", core.encodeElement(sample(), "compressed")).map((t) => t.toJS()),
    sample().map((t) => t.toJS()));
});

rb("structural errors are named", async () => {
  const core = await getCore();
  const el = (proto: number[]) => new Uint8Array(len(1, proto));
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 3), ...shapeOf([3]), ...len(4, [1, 2, 3, 4])])),
    ["InvalidArgument"], /tensor_content has 4 bytes but a int32 tensor of shape \[3\] needs 12/);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 3), ...shapeOf([2]), ...len(7, [1, 2, 3])])),
    ["InvalidArgument"], /3 values for a tensor of shape \[2\]/);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 3), ...len(2, vint(3, 1))])),
    ["InvalidArgument"], /unknown rank/);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 3), ...len(2, len(2, vint(1, -1)))])),
    ["InvalidArgument"], /unknown \(-1\) or negative dimension/);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 20), ...shapeOf([1])])), ["Unimplemented"], /DataType\(20\)/);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 7), ...shapeOf([2]), ...len(4, [5, 1, 65])])),
    ["InvalidArgument"], /malformed string tensor_content/);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 3), ...shapeOf([1]), ...len(5, [0, 0, 128, 63])])),
    ["InvalidArgument"], /int32 TensorProto must carry its values in tensor_content or field 7, found field 5/);
  const ce = (fields: number[]) => new Uint8Array(fields);
  expectError(() => core.decodeElement("compressed", ce([...len(1, [0]), ...vint(3, 1)])), ["Internal"], /Unsupported compressed element version: 1/);
  expectError(() => core.decodeElement("compressed", ce([...len(1, [4, 12, 1, 2, 3, 4]), ...len(2, [...vint(1, 4), ...shapeOf([8]), ...len(4, [8])])])),
    ["Internal"], /Uncompressed size mismatch: snappy header says 4 bytes, metadata says 8/);
  expectError(() => core.decodeElement("compressed", ce([...len(1, [4, 12, 1, 2, 3, 4]), ...len(2, [...vint(1, 4), ...shapeOf([8]), ...len(4, [4])])])),
    ["Internal"], /metadata declares 4 bytes but a uint8 tensor of shape \[8\] has 8/);
  expectError(() => core.decodeElement("compressed", ce([...len(1, [2, 4, 97, 98]), ...len(2, [...vint(1, 7), ...shapeOf([3]), ...len(4, [1, 1])])])),
    ["Internal"], /lists 2 string sizes for shape \[3\]/);
});

rb("CompressedElement fields in any order, unpacked sizes and unknown fields are accepted", async () => {
  const core = await getCore();
  const good = core.encodeElement([Tensor.fromValues(["ab", "", "cde"], DType.string), Tensor.fromValues([1, 2], DType.int16)], "compressed");
  const canonical = core.decodeElement("compressed", good).map((t) => t.toJS());
  // Rebuild it by hand: metadata first, sizes unpacked, an unknown field, explicit version 0, data last.
  const data = (() => {
    let pos = 1;
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = good[pos++];
      n |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    return [...good.subarray(pos, pos + n)];
  })();
  const strMeta = [...vint(1, DType.string), ...shapeOf([3]), ...vint(4, 2), ...vint(4, 0), ...vint(4, 3), ...vint(9, 1)];
  const intMeta = [...len(4, varint(4)), ...shapeOf([2]), ...vint(1, DType.int16)];
  const shuffled = new Uint8Array([...len(2, strMeta), ...vint(3, 0), ...len(77, [1, 2]), ...len(2, intMeta), ...len(1, data)]);
  assert.equal(core.decodeElement("compressed", shuffled).map((t) => t.toJS()), canonical);
  assert.equal(canonical, [["ab", "", "cde"], [1, 2]]);
});

rb("oversized declarations fail with ResourceExhausted before allocating", async () => {
  const core = await getCore();
  const before = core.memoryBytes;
  const el = (proto: number[]) => new Uint8Array(len(1, proto));
  // float32 [2^28, 8]: 8 GiB, declared by a 20-byte message.
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 1), ...shapeOf([1 << 28, 8])])), ["ResourceExhausted", "InvalidArgument"]);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 7), ...shapeOf([1 << 30, 4])])), ["ResourceExhausted", "InvalidArgument"]);
  expectError(() => core.decodeElement("uncompressed", el([...vint(1, 1), ...shapeOf([2n ** 40n, 2n ** 40n])])), ["InvalidArgument"], /more than/);
  assert.ok(core.memoryBytes - before < 64 << 20, `memory grew by ${core.memoryBytes - before} bytes`);
  assert.is(core.broken, null);
});

rb.run();
