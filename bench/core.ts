// Core (wasm) throughput, no RPC: element codecs, iteration, and the batch copy path.
//
// Usage: node --import tsx bench/core.ts
// Prints one line per measurement. The batch lines compare with a plain JS copy of the same bytes
// (memory bandwidth as Node sees it), the target of the batch copy path.
import { getCore } from "../src/core/core.js";
import { DType } from "../src/core/dtype.js";
import type { DatasetPlan } from "../src/core/plan.js";
import { Tensor } from "../src/core/tensor.js";
import { Dataset } from "../src/dataset/dataset.js";
import { lower } from "../src/graph/lower.js";

const core = await getCore();

/** Shape of one image, and how many go in a batch (the 32x224x224x3 uint8 case). */
const IMAGE_SHAPE = [224, 224, 3];
const IMAGE_BATCH = 32;
const IMAGE_BATCHES = 100;
/** int64 scalars per batch in the scalar batching case. */
const SCALAR_BATCH = 75_264;
/** How long each codec measurement runs. */
const CODEC_MS = 1500;

function image(n: number, noise: number): Uint8Array {
  const b = new Uint8Array(n * 224 * 224 * 3);
  let s = 1;
  for (let k = 0; k < n; k++) for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) for (let c = 0; c < 3; c++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[((k * 224 + y) * 224 + x) * 3 + c] = ((x + y + c * 40 + k * 10) + ((s >>> 24) & noise)) & 255;
  }
  return b;
}

function codec(name: string, t: Tensor): void {
  const mb = (t.data as Uint8Array).byteLength / 1e6;
  let enc = core.encodeElement([t], "compressed");
  for (let i = 0; i < 3; i++) core.decodeElement("compressed", core.encodeElement([t], "compressed"));
  let n = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < CODEC_MS) {
    enc = core.encodeElement([t], "compressed");
    n++;
  }
  const c = n * mb / ((performance.now() - t0) / 1000);
  n = 0;
  t0 = performance.now();
  while (performance.now() - t0 < CODEC_MS) {
    core.decodeElement("compressed", enc);
    n++;
  }
  const d = n * mb / ((performance.now() - t0) / 1000);
  console.log(`${name}: ${mb.toFixed(2)} MB -> ${enc.length} bytes (ratio ${(enc.length / (mb * 1e6)).toFixed(3)}); ` +
    `compress ${c.toFixed(0)} MB/s, decompress ${d.toFixed(0)} MB/s`);
}

/** Runs `plan` to the end through `nextWire` (what a worker does); ms per element and MB/s of wire bytes. */
function wire(name: string, plan: DatasetPlan, limit = Infinity): void {
  const it = core.createIterator(plan);
  let n = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (let w = it.nextWire(); w && n < limit; w = it.nextWire()) {
    n++;
    bytes += w.bytes.length;
  }
  const ms = performance.now() - t0;
  it.close();
  console.log(`${name}: ${n} elements, ${(ms / n).toFixed(2)} ms each, ${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s of wire bytes`);
}

/** A JS copy of `bytes` bytes into a fresh buffer: the memory bandwidth reference. */
function copyReference(bytes: number): void {
  const src = new Uint8Array(bytes).fill(1);
  for (let i = 0; i < 5; i++) new Uint8Array(bytes).set(src);
  const reps = 50;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) new Uint8Array(bytes).set(src);
  const ms = (performance.now() - t0) / reps;
  console.log(`reference: allocate + copy ${(bytes / 1e6).toFixed(1)} MB in JS: ${ms.toFixed(2)} ms (${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s)`);
}

codec("image uint8 [7,224,224,3], 4-bit noise", new Tensor(DType.uint8, [7, 224, 224, 3], image(7, 15)));
codec("image uint8 [7,224,224,3], 1-bit noise", new Tensor(DType.uint8, [7, 224, 224, 3], image(7, 1)));
codec("zeros uint8 [1048576]", new Tensor(DType.uint8, [1 << 20], new Uint8Array(1 << 20)));

for (let rep = 0; rep < 2; rep++) {
  const range = { op: "range", start: 0n, stop: 1_000_000n, step: 1n, dtype: DType.int64 } as DatasetPlan;
  const it = core.createIterator(range);
  let t0 = performance.now();
  let n = 0;
  while (it.next()) n++;
  console.log(`range(1e6) via next(): ${(n / (performance.now() - t0) * 1000 / 1e6).toFixed(2)} M elements/s`);
  const it2 = core.createIterator(range);
  t0 = performance.now();
  n = 0;
  while (it2.nextWire()) n++;
  console.log(`range(1e6) via nextWire(): ${(n / (performance.now() - t0) * 1000 / 1e6).toFixed(2)} M elements/s`);
}

// Batching scalars: every element is its own tensor; the batch copies each as it arrives.
wire(`range(${SCALAR_BATCH * 20}).batch(${SCALAR_BATCH}) int64`, {
  op: "batch", batchSize: BigInt(SCALAR_BATCH), dropRemainder: false,
  input: { op: "range", start: 0n, stop: BigInt(SCALAR_BATCH * 20), step: 1n, dtype: DType.int64 },
} as DatasetPlan);

// Batching images: 32 copies of 150,528 bytes per batch, then the wire encoding.
const img = new Tensor(DType.uint8, IMAGE_SHAPE, image(1, 15));
const images = Dataset.fromTensors(img).repeat(IMAGE_BATCH * IMAGE_BATCHES).batch(IMAGE_BATCH);
wire(`fromTensors(uint8 [224,224,3]).repeat(${IMAGE_BATCH * IMAGE_BATCHES}).batch(${IMAGE_BATCH})`, lower(images.toGraphDef()).plan);
copyReference(IMAGE_BATCH * (img.data as Uint8Array).byteLength);
