import { toBinary, toJson } from "@bufbuild/protobuf";
import { FunctionDefSchema } from "./src/gen/tensorflow/core/framework/function_pb.js";
import { PIPELINES } from "./test/dataset/transformations/pipelines.js";
import { datasetFixture, fixtureGraphDef } from "./test/dataset/transformations/golden.js";
const name = "unbatch_tuple";
const ours = PIPELINES[name]().toGraphDef();
const theirs = fixtureGraphDef(datasetFixture(name));
const a = ours.library!.function[0], b = theirs.library!.function[0];
const ba = toBinary(FunctionDefSchema, a), bb = toBinary(FunctionDefSchema, b);
console.log(ba.length, bb.length);
for (let i = 0; i < Math.min(ba.length, bb.length); i++) if (ba[i] !== bb[i]) { console.log("diff at", i, Buffer.from(ba.slice(i-20, i+40)).toString("latin1"), "|||", Buffer.from(bb.slice(i-20, i+40)).toString("latin1")); break; }
console.log(Object.keys(a.argAttr), Object.keys(b.argAttr));
console.log(JSON.stringify(toJson(FunctionDefSchema, a)) === JSON.stringify(toJson(FunctionDefSchema, b)));
console.log(JSON.stringify(toJson(FunctionDefSchema, a)));
console.log(JSON.stringify(toJson(FunctionDefSchema, b)));
