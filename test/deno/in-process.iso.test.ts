// Isomorphic smoke suite: runs unchanged under Node, Deno and Chromium (no node:* imports), and
// proves each runtime loads our sources, the generated protos and the protobuf runtime.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GetVersionResponseSchema } from "../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";

const iso = suite("in-process");

iso("GetVersionResponse{version: 9} encodes as TF does (field 1 varint)", () => {
  const bytes = toBinary(GetVersionResponseSchema, create(GetVersionResponseSchema, { version: 9n }));
  assert.equal([...bytes], [0x08, 0x09]);
  assert.is(fromBinary(GetVersionResponseSchema, bytes).version, 9n);
});

iso.run();
