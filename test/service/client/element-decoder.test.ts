// The client's JS fast path for UncompressedElements decodes TF's own bytes exactly as the core
// does, hands everything it does not handle to the core, and only views large aligned buffers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getCore } from "../../../src/core/core.js";
import { DType } from "../../../src/core/dtype.js";
import { Tensor, type NumericData } from "../../../src/core/tensor.js";
import {
  createElementDecoder,
  decodeUncompressedFast,
  ZERO_COPY_MIN_BYTES,
} from "../../../src/service/client/element-decoder.js";

const DIR = "test/fixtures/elements";
const index = JSON.parse(readFileSync(join(DIR, "index.json"), "utf8")) as {
  elements: { name: string; uncompressed: string; compressed: string }[];
};

function bytesOf(d: NumericData): Uint8Array {
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function plain(ts: Tensor[]) {
  return ts.map((t) => ({
    dtype: t.dtype,
    shape: [...t.shape],
    type: t.data.constructor.name,
    data: Array.isArray(t.data) ? t.data.map((s) => [...s]) : [...bytesOf(t.data as NumericData)],
  }));
}

test("TF's UncompressedElement fixtures: the decoder answers what the core answers, fast where it can", async () => {
  const core = await getCore();
  const decode = createElementDecoder((k, b) => core.decodeElement(k, b));
  let fast = 0;
  for (const e of index.elements) {
    for (const kind of ["uncompressed", "compressed"] as const) {
      const bytes = new Uint8Array(readFileSync(join(DIR, e[kind])));
      assert.equal(plain(decode(kind, bytes)), plain(core.decodeElement(kind, bytes)), `${e.name} ${kind}`);
      if (kind === "uncompressed" && decodeUncompressedFast(bytes)) fast++;
    }
  }
  // Every numeric fixture with values takes the fast path; strings, variants, empty tensors and
  // "multi" (it has a string component) do not.
  const numeric = index.elements.filter((e) => !/string|variant|empty|multi/.test(e.name)).length;
  assert.is(fast, numeric, "fast-path decodes");
  assert.ok(numeric >= 25, `expected many numeric fixtures, got ${numeric}`);
});

test("strings, variants and empty tensors are left to the core", () => {
  for (const name of ["scalar_string", "string_2x2", "variant_pair", "empty_float32_0", "empty_int64_2x0"]) {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.uncompressed.bin`)));
    assert.is(decodeUncompressedFast(bytes), null, name);
  }
});

test("malformed input is left to the core (which reports the error)", async () => {
  const core = await getCore();
  const good = new Uint8Array(readFileSync(join(DIR, "int32_2x3.uncompressed.bin")));
  const cut = good.subarray(0, good.length - 3);
  assert.is(decodeUncompressedFast(cut), null, "truncated");
  const decode = createElementDecoder((k, b) => core.decodeElement(k, b));
  assert.throws(() => decode("uncompressed", cut));
  assert.is(decodeUncompressedFast(Uint8Array.of(0x0a, 0x05, 0x08)), null, "length past the end");
});

test("large aligned components are views over the received buffer; small ones are copies", async () => {
  const core = await getCore();
  const big = new Tensor(DType.float32, [ZERO_COPY_MIN_BYTES / 4], new Float32Array(ZERO_COPY_MIN_BYTES / 4).map((_, i) => i));
  const small = new Tensor(DType.int64, [], BigInt64Array.of(-7n));
  const wire = core.encodeElement([small, big], "uncompressed");
  // Place the message so that the float32 content lands 4-aligned, then misaligned.
  for (const shift of [0, 1, 2, 3]) {
    const holder = new Uint8Array(wire.length + 8);
    holder.set(wire, shift);
    const bytes = holder.subarray(shift, shift + wire.length);
    const [s, b] = decodeUncompressedFast(bytes)!;
    assert.is((s.data as BigInt64Array)[0], -7n);
    assert.is.not((s.data as NumericData).buffer, holder.buffer, "a scalar is copied");
    assert.equal([...(b.data as Float32Array).subarray(0, 4)], [0, 1, 2, 3]);
    assert.is((b.data as Float32Array)[ZERO_COPY_MIN_BYTES / 4 - 1], ZERO_COPY_MIN_BYTES / 4 - 1);
    const bd = b.data as NumericData;
    if (bd.buffer === holder.buffer) assert.is(bd.byteOffset % 4, 0, `shift ${shift}: a view must be aligned`);
  }
  // At least one of the four placements is aligned, and that one is a view (no copy).
  const views = [0, 1, 2, 3].filter((shift) => {
    const holder = new Uint8Array(wire.length + 8);
    holder.set(wire, shift);
    return (decodeUncompressedFast(holder.subarray(shift, shift + wire.length))![1].data as NumericData).buffer === holder.buffer;
  });
  assert.is(views.length, 1, "exactly one of four byte shifts aligns a float32 view");
});

test("a Node Buffer input (whose slice() is a view into a shared pool) decodes into copies", async () => {
  const core = await getCore();
  const wire = core.encodeElement([new Tensor(DType.int64, [], BigInt64Array.of(42n))], "uncompressed");
  const pooled = Buffer.from(wire); // small Buffers are carved out of Node's shared 8 KiB pool
  assert.ok(pooled.buffer.byteLength > pooled.length, "the test needs a pooled Buffer");
  const [t] = decodeUncompressedFast(pooled)!;
  assert.is((t.data as BigInt64Array)[0], 42n);
  assert.is((t.data as BigInt64Array).buffer.byteLength, 8, "a copy of its own, not a view of the pool");
});

test.run();
