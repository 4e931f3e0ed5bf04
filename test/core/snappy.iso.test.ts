// Isomorphic suite: the core's snappy, through CompressedElement encode/decode of uint8 tensors.
// Round trips on random and repetitive data; hand-made streams (every tag form, overlapping
// copies) checked against a tiny reference decoder written here; malformed streams rejected with
// a TfDataError and without trapping the instance.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getCore, type Core } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError } from "../../src/core/errors.js";
import { Tensor } from "../../src/core/tensor.js";

const sn = suite("snappy");

/** Deterministic PRNG (xorshift32). */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function lenField(field: number, body: ArrayLike<number>): number[] {
  return [(field << 3) | 2, ...varint(body.length), ...Array.from(body)];
}

/** A serialized CompressedElement of one uint8 vector of `n` bytes whose snappy data is `data`. */
function compressedElement(data: Uint8Array, n: number): Uint8Array {
  const shape = lenField(2, [0x08, ...varint(n)]);
  const meta = [0x08, DType.uint8, ...lenField(2, shape), ...(n > 0 ? lenField(4, varint(n)) : [])];
  return new Uint8Array([...lenField(1, data), ...lenField(2, meta)]);
}

/** Reference snappy decoder (straightforward, byte at a time) to check ours against. */
function referenceDecode(src: Uint8Array): Uint8Array | null {
  let pos = 0;
  let n = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) return null;
    const b = src[pos++];
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(n);
  let op = 0;
  while (pos < src.length) {
    const tag = src[pos++];
    let len: number;
    let off: number;
    switch (tag & 3) {
      case 0: {
        len = (tag >> 2) + 1;
        if (len > 60) {
          const extra = len - 60;
          if (pos + extra > src.length) return null;
          len = 0;
          for (let k = 0; k < extra; k++) len += src[pos + k] * 2 ** (8 * k);
          len += 1;
          pos += extra;
        }
        if (pos + len > src.length || op + len > n) return null;
        out.set(src.subarray(pos, pos + len), op);
        pos += len;
        op += len;
        continue;
      }
      case 1:
        if (pos + 1 > src.length) return null;
        len = ((tag >> 2) & 7) + 4;
        off = ((tag >> 5) << 8) | src[pos++];
        break;
      case 2:
        if (pos + 2 > src.length) return null;
        len = (tag >> 2) + 1;
        off = src[pos] | (src[pos + 1] << 8);
        pos += 2;
        break;
      default:
        if (pos + 4 > src.length) return null;
        len = (tag >> 2) + 1;
        off = (src[pos] | (src[pos + 1] << 8) | (src[pos + 2] << 16)) + src[pos + 3] * 2 ** 24;
        pos += 4;
    }
    if (off === 0 || off > op || op + len > n) return null;
    for (let k = 0; k < len; k++, op++) out[op] = out[op - off];
  }
  return op === n ? out : null;
}

/** A random valid snappy stream using every tag form, and its decoded bytes. */
function randomStream(rnd: () => number, ops: number): { stream: Uint8Array; plain: Uint8Array } {
  const body: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < ops; i++) {
    const r = rnd();
    if (plain.length === 0 || r < 0.3) {
      const len = rnd() < 0.8 ? 1 + Math.floor(rnd() * 20) : 1 + Math.floor(rnd() * 300);
      const lit = Array.from({ length: len }, () => Math.floor(rnd() * 256));
      const m = len - 1;
      if (m < 60 && rnd() < 0.8) body.push(m << 2);
      else {
        // Long forms, sometimes wider than needed (valid: readers take the value).
        const bytes = m < 256 && rnd() < 0.5 ? 1 : m < 65536 && rnd() < 0.5 ? 2 : rnd() < 0.5 ? 3 : 4;
        body.push((59 + bytes) << 2);
        for (let k = 0; k < bytes; k++) body.push(Math.floor(m / 2 ** (8 * k)) & 255);
      }
      body.push(...lit);
      plain.push(...lit);
      continue;
    }
    const maxOff = Math.min(plain.length, 70000);
    const off = rnd() < 0.5 ? 1 + Math.floor(rnd() * Math.min(maxOff, 16)) : 1 + Math.floor(rnd() * maxOff);
    const form = rnd();
    let len: number;
    if (form < 0.33 && off < 2048) {
      len = 4 + Math.floor(rnd() * 8);
      body.push(1 | ((len - 4) << 2) | ((off >> 8) << 5), off & 255);
    } else if (form < 0.66 && off < 65536) {
      len = 1 + Math.floor(rnd() * 64);
      body.push(2 | ((len - 1) << 2), off & 255, off >> 8);
    } else {
      len = 1 + Math.floor(rnd() * 64);
      body.push(3 | ((len - 1) << 2), off & 255, (off >> 8) & 255, (off >> 16) & 255, 0);
    }
    for (let k = 0; k < len; k++) plain.push(plain[plain.length - off]);
  }
  return { stream: new Uint8Array([...varint(plain.length), ...body]), plain: new Uint8Array(plain) };
}

function roundTrip(core: Core, data: Uint8Array): Uint8Array {
  const enc = core.encodeElement([new Tensor(DType.uint8, [data.length], data)], "compressed");
  const [t] = core.decodeElement("compressed", enc);
  assert.is(t.dtype, DType.uint8);
  assert.equal([...t.shape], [data.length]);
  return t.data as Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  assert.is(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.unreachable(`${what}: first difference at byte ${i}`);
}

sn("round trip: random, repetitive and structured data of many sizes", async () => {
  const core = await getCore();
  const rnd = prng(42);
  const sizes = [0, 1, 3, 4, 14, 15, 16, 17, 31, 64, 65, 100, 4095, 65535, 65536, 65537, 131072, 200001];
  for (const n of sizes) {
    const random = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
    const zeros = new Uint8Array(n);
    const period = Uint8Array.from({ length: n }, (_, i) => (i % 7) * 31);
    const runs = Uint8Array.from({ length: n }, (_, i) => (Math.floor(i / 37) * 13) & 255);
    const text = Uint8Array.from({ length: n }, (_, i) => "the quick brown fox jumps over the lazy dog ".charCodeAt((i * 7 + (i >> 9)) % 44));
    for (const [name, data] of Object.entries({ random, zeros, period, runs, text })) {
      sameBytes(roundTrip(core, data), data, `${name} n=${n}`);
    }
  }
});

sn("compression shrinks repetitive data and bounds incompressible data", async () => {
  const core = await getCore();
  const n = 1 << 20;
  const zeros = core.encodeElement([new Tensor(DType.uint8, [n], new Uint8Array(n))], "compressed");
  assert.ok(zeros.length < n / 20, `1 MiB of zeros compressed to ${zeros.length} bytes`);
  const rnd = prng(7);
  const noise = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
  const enc = core.encodeElement([new Tensor(DType.uint8, [n], noise)], "compressed");
  assert.ok(enc.length <= 32 + n + n / 6 + 64, `noise grew to ${enc.length} bytes`);
});

sn("hand-made streams with every tag form decode like the reference decoder", async () => {
  const core = await getCore();
  const rnd = prng(2024);
  for (let i = 0; i < 300; i++) {
    const { stream, plain } = randomStream(rnd, 1 + Math.floor(rnd() * 60));
    const ref = referenceDecode(stream);
    assert.ok(ref !== null);
    sameBytes(ref!, plain, `stream ${i} (reference)`);
    const [t] = core.decodeElement("compressed", compressedElement(stream, plain.length));
    sameBytes(t.data as Uint8Array, plain, `stream ${i}`);
  }
});

sn("malformed streams are rejected with a TfDataError, never a trap", async () => {
  const core = await getCore();
  const rnd = prng(99);
  const expectReject = (stream: Uint8Array, n: number, what: string) => {
    try {
      core.decodeElement("compressed", compressedElement(stream, n));
    } catch (e) {
      assert.ok(isTfDataError(e), `${what}: ${String(e)}`);
      assert.ok(["DataLoss", "Internal", "InvalidArgument"].includes((e as { code: string }).code), `${what}: ${String(e)}`);
      return;
    }
    assert.unreachable(`${what}: accepted`);
  };
  expectReject(new Uint8Array([]), 0, "no preamble");
  expectReject(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0, "overlong preamble");
  expectReject(new Uint8Array([5, 4 << 2, 1, 2]), 5, "literal past the input");
  expectReject(new Uint8Array([3, 4 << 2, 1, 2, 3, 4, 5]), 3, "literal past the declared length");
  expectReject(new Uint8Array([4, 0, 9, 1 | (0 << 2), 2]), 4, "copy offset beyond the output");
  expectReject(new Uint8Array([4, 0, 9, 2 | (2 << 2), 0, 0]), 4, "copy offset 0");
  expectReject(new Uint8Array([6, 0, 9, 2 | (9 << 2), 1, 0]), 6, "copy past the declared length");
  expectReject(new Uint8Array([6, 0, 9, 2 | (1 << 2), 1]), 6, "truncated copy");
  expectReject(new Uint8Array([6, 0, 9]), 6, "output shorter than declared");
  expectReject(new Uint8Array([2, 0, 9]), 6, "preamble disagrees with the metadata");
  expectReject(new Uint8Array([2, 63 << 2, 0xff, 0xff, 0xff, 0xff, 9]), 2, "literal length overflow");
  // Random corruption of valid streams: each either decodes to the declared length or is rejected.
  for (let i = 0; i < 400; i++) {
    const { stream, plain } = randomStream(rnd, 1 + Math.floor(rnd() * 30));
    const bad = stream.slice(0, rnd() < 0.3 ? Math.floor(rnd() * stream.length) : stream.length);
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
    const ref = referenceDecode(bad);
    try {
      const [t] = core.decodeElement("compressed", compressedElement(bad, plain.length));
      assert.ok(ref !== null && ref.length === plain.length, `corruption ${i}: accepted a stream the reference rejects`);
      sameBytes(t.data as Uint8Array, ref!, `corruption ${i}`);
    } catch (e) {
      assert.ok(isTfDataError(e), `corruption ${i}: ${String(e)}`);
      assert.ok(ref === null || ref.length !== plain.length, `corruption ${i}: rejected a valid stream: ${String(e)}`);
    }
  }
  assert.is(core.broken, null);
  sameBytes(roundTrip(core, new Uint8Array([1, 2, 3])), new Uint8Array([1, 2, 3]), "still usable");
});

sn.run();
