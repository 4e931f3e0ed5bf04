// Golden element encodings from TF 2.21 (test/fixtures/elements, made by
// scripts/tf/gen_element_fixtures.py from a real TF worker's GetElement responses): our decoder
// reads TF's bytes with the same dtype, shape and values, and our encoder writes TF's exact bytes
// (CompressedElement included, so our snappy output equals TF's byte for byte).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getCore } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { Tensor } from "../../src/core/tensor.js";
import { REPO_ROOT } from "../helpers/tf.js";

const DIR = join(REPO_ROOT, "test", "fixtures", "elements");

interface FixtureComponent {
  dtype: number;
  shape: number[];
  data?: string;
  sha256?: string;
  strings?: string[];
  variant_of?: FixtureComponent[];
}
interface FixtureElement {
  name: string;
  components: FixtureComponent[];
  uncompressed: string;
  compressed: string;
}

const index = JSON.parse(readFileSync(join(DIR, "index.json"), "utf8")) as { tensorflow: string; elements: FixtureElement[] };
const bytesOf = (file: string) => new Uint8Array(readFileSync(join(DIR, file)));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Asserts `t` holds exactly what the fixture lists (raw bytes compared, so NaN and -0 count). */
async function checkComponent(t: Tensor, c: FixtureComponent, where: string): Promise<void> {
  assert.is(t.dtype, c.dtype, `${where}: dtype`);
  assert.equal([...t.shape], c.shape, `${where}: shape`);
  if (c.variant_of) {
    const core = await getCore();
    const inner = core.decodeElement("compressed", (t.data as readonly Uint8Array[])[0]);
    assert.is(inner.length, c.variant_of.length, `${where}: variant components`);
    for (const [i, ic] of c.variant_of.entries()) await checkComponent(inner[i], ic, `${where} variant ${i}`);
    return;
  }
  if (c.strings) {
    assert.equal((t.data as readonly Uint8Array[]).map((s) => Buffer.from(s).toString("base64")), c.strings, `${where}: strings`);
    return;
  }
  const d = t.data as ArrayBufferView;
  const raw = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (c.data !== undefined) assert.is(Buffer.from(raw).toString("base64"), c.data, `${where}: data`);
  else assert.is(createHash("sha256").update(raw).digest("hex"), c.sha256, `${where}: data sha256`);
}

const golden = suite("TF 2.21 golden elements");

golden("the fixture set covers every dtype, empty tensors, several components and both layouts", () => {
  assert.is(index.tensorflow, "2.21.0");
  const dtypes = new Set(index.elements.flatMap((e) => e.components.map((c) => c.dtype)));
  for (const d of Object.values(DType)) assert.ok(dtypes.has(d), `no fixture of dtype ${d}`);
  const names = index.elements.map((e) => e.name);
  for (const n of ["empty_float32_0", "empty_string_0", "multi", "large_compressible", "incompressible", "variant_pair"]) {
    assert.ok(names.includes(n), n);
  }
});

for (const el of index.elements) {
  golden(`${el.name}: decode TF's bytes, re-encode to the same bytes`, async () => {
    const core = await getCore();
    for (const kind of ["uncompressed", "compressed"] as const) {
      const tfBytes = bytesOf(el[kind]);
      const decoded = core.decodeElement(kind, tfBytes);
      assert.is(decoded.length, el.components.length, `${kind}: number of components`);
      for (const [i, c] of el.components.entries()) await checkComponent(decoded[i], c, `${kind} component ${i}`);
      const ours = core.encodeElement(decoded, kind);
      assert.is(hex(ours), hex(tfBytes), `${kind}: our encoding differs from TF's`);
    }
  });
}

golden("tensors built on the host encode to TF's bytes", async () => {
  const core = await getCore();
  const multi = index.elements.find((e) => e.name === "multi")!;
  const tensors = [
    Tensor.scalar(7n),
    Tensor.fromValues(["ab", "cde"], DType.string),
    Tensor.fromValues([0.5, 1.5, -2.0], DType.float32),
    Tensor.scalar(false),
    new Tensor(DType.int32, [0, 3], new Int32Array(0)),
  ];
  assert.is(hex(core.encodeElement(tensors, "uncompressed")), hex(bytesOf(multi.uncompressed)));
  assert.is(hex(core.encodeElement(tensors, "compressed")), hex(bytesOf(multi.compressed)));
});

golden.run();
