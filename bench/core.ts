import { getCore } from "../src/core/core.js";
import { Tensor } from "../src/core/tensor.js";
import { DType } from "../src/core/dtype.js";
const core = await getCore();
let NOISE = 15;
function image(n: number): Uint8Array {
  const b = new Uint8Array(n * 224 * 224 * 3); let s = 1;
  for (let k = 0; k < n; k++) for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) for (let c = 0; c < 3; c++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[((k * 224 + y) * 224 + x) * 3 + c] = ((x + y + c * 40 + k * 10) + ((s >>> 24) & NOISE)) & 255;
  }
  return b;
}
function bench(name: string, t: Tensor) {
  const mb = (t.data as Uint8Array).byteLength / 1e6;
  let enc = core.encodeElement([t], "compressed");
  for (let i = 0; i < 3; i++) core.decodeElement("compressed", core.encodeElement([t], "compressed"));
  let n = 0, t0 = performance.now();
  while (performance.now() - t0 < 1500) { enc = core.encodeElement([t], "compressed"); n++; }
  const c = n * mb / ((performance.now() - t0) / 1000);
  n = 0; t0 = performance.now();
  while (performance.now() - t0 < 1500) { core.decodeElement("compressed", enc); n++; }
  const d = n * mb / ((performance.now() - t0) / 1000);
  console.log(`${name}: ${mb.toFixed(2)} MB -> ${enc.length} bytes (ratio ${(enc.length / (mb * 1e6)).toFixed(3)}); compress ${c.toFixed(0)} MB/s, decompress ${d.toFixed(0)} MB/s`);
}
bench("image uint8 [7,224,224,3], 4-bit noise", new Tensor(DType.uint8, [7, 224, 224, 3], image(7)));
NOISE = 1; bench("image uint8 [7,224,224,3], 1-bit noise", new Tensor(DType.uint8, [7, 224, 224, 3], image(7)));
bench("zeros uint8 [1048576]", new Tensor(DType.uint8, [1 << 20], new Uint8Array(1 << 20)));
for (const rep of [1, 2]) {
  const it = core.createIterator({ op: "range", start: 0n, stop: 1000000n, step: 1n, dtype: DType.int64 });
  let t0 = performance.now(), n = 0;
  while (it.next()) n++;
  console.log(`range(1e6) via next(): ${(n / (performance.now() - t0) * 1000 / 1e6).toFixed(2)} M elements/s`);
  const it2 = core.createIterator({ op: "range", start: 0n, stop: 1000000n, step: 1n, dtype: DType.int64 });
  t0 = performance.now(); n = 0;
  while (it2.nextWire()) n++;
  console.log(`range(1e6) via nextWire(): ${(n / (performance.now() - t0) * 1000 / 1e6).toFixed(2)} M elements/s`);
}
