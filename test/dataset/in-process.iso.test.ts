// Isomorphic smoke suite: runs unchanged under Deno and Chromium (no node:*, Deno or DOM-only
// APIs) and proves that each runtime loads our sources, the generated protos, the wasm core, and
// runs a Dataset pipeline in-process (issue 2 §9).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { getCore } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { Tensor } from "../../src/core/tensor.js";
import { Dataset } from "../../src/dataset/index.js";
import { GetVersionResponseSchema } from "../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";

const iso = suite("in-process");

iso("GetVersionResponse{version: 9} encodes as TF does (field 1 varint)", () => {
  const bytes = toBinary(GetVersionResponseSchema, create(GetVersionResponseSchema, { version: 9n }));
  assert.equal([...bytes], [0x08, 0x09]);
  assert.is(fromBinary(GetVersionResponseSchema, bytes).version, 9n);
});

iso("the wasm core round-trips an int64 element through both wire layouts", async () => {
  const core = await getCore();
  const t = Tensor.fromValues([0n, 1n, -2n, 2n ** 62n], DType.int64, [2, 2]);
  for (const kind of ["compressed", "uncompressed"] as const) {
    const [back] = core.decodeElement(kind, core.encodeElement([t], kind));
    assert.is(back.dtype, DType.int64, kind);
    assert.equal([...back.shape], [2, 2], kind);
    assert.equal([...(back.data as BigInt64Array)], [0n, 1n, -2n, 2n ** 62n], kind);
  }
});

iso("Dataset.range(10).batch(3) runs in-process: [0 1 2] [3 4 5] [6 7 8] [9]", async () => {
  const batches = (await Dataset.range(10).batch(3).toArray()) as Tensor[];
  assert.equal(batches.map((b) => [...b.shape]), [[3], [3], [3], [1]]);
  assert.equal(batches.map((b) => [...(b.data as BigInt64Array)]), [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n], [9n]]);
});

iso("Dataset.range(10) yields the ten int64 values as bigint, no precision lost", async () => {
  assert.equal(await Dataset.range(10).toArray(), [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
  assert.equal(await Dataset.range(2n ** 60n, 2n ** 60n + 2n).toArray(), [2n ** 60n, 2n ** 60n + 1n]);
});

iso.run();
