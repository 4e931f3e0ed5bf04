// DataServiceMetadata.element_spec: the bytes TF's nested_structure_coder writes (golden hex from
// TF 2.21), and the way back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TensorSpec } from "../../../src/dataset/tensor-spec.js";
import { decodeElementSpec, encodeElementSpec } from "../../../src/service/client/element-spec-coder.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// python: nested_structure_coder.encode_structure(spec).SerializeToString().hex()
const GOLDEN: [string, () => unknown, string][] = [
  ["range(10).element_spec", () => new TensorSpec([], "int64"), "8a020412001809"],
  ["(TensorSpec([None, 3], float32), TensorSpec(None, string))",
    () => [new TensorSpec([null, 3], "float32"), new TensorSpec(null, "string")],
    "a203250a188a02151211120b08ffffffffffffffffff011202080318010a098a0206120218011807"],
  ["{'b': TensorSpec([], int32), 'a': TensorSpec([2], uint8, name='x')}",
    () => ({ b: new TensorSpec([], "int32"), a: new TensorSpec([2], "uint8", "x") }),
    "aa03230a0c0a016212078a0204120018030a130a0161120e8a020b0a01781204120208021804"],
];

for (const [name, spec, golden] of GOLDEN) {
  test(`encodes ${name} as TF does, and decodes it back`, () => {
    const bytes = encodeElementSpec(spec() as never);
    assert.is(hex(bytes), golden);
    assert.equal(decodeElementSpec(bytes), spec());
  });
}

test("decodes TF's list_value as an array and rejects garbage", () => {
  assert.equal(decodeElementSpec(Buffer.from("9a03090a078a020412001803", "hex")), [new TensorSpec([], "int32")]);
  assert.throws(() => decodeElementSpec(Uint8Array.of(0xff, 0xff)), /StructuredValue/);
});

test.run();
