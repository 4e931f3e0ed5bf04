// Function-taking datasets fail early and clearly: a TF graph using a dataset op we lack inside a
// flat_map function, an element-dependent argument we cannot bind, or a captured tensor that is not
// a constant is rejected when the graph is lowered, naming the op and the node; and our Dataset
// API rejects bad functions and arguments when the pipeline is built, with TF's messages.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { TfDataError } from "../../../src/core/errors.js";
import { Dataset } from "../../../src/dataset/index.js";
import { lower } from "../../../src/graph/lower.js";
import type { SymbolicTensor as T } from "../../../src/graph/trace/index.js";
import { REPO_ROOT } from "../../helpers/tf.js";

interface ErrorFixture {
  name: string;
  graph: string;
  op: string;
  nodes: string[];
  phrase: string;
}

const errors = (JSON.parse(readFileSync(join(REPO_ROOT, "test/fixtures/function-datasets/fixtures.json"), "utf8")) as {
  errors: ErrorFixture[];
}).errors;

function thrown(f: () => unknown): TfDataError {
  try {
    f();
  } catch (e) {
    if (e instanceof TfDataError) return e;
    throw e;
  }
  throw new Error("expected a TfDataError, nothing was thrown");
}

for (const f of errors) {
  test(`${f.name}: lowering TF's graph fails naming ${f.op} and its node`, () => {
    const graph = fromBinary(GraphDefSchema, Buffer.from(f.graph, "base64"));
    const e = thrown(() => lower(graph));
    assert.ok(e.message.includes(f.phrase), e.message);
    assert.ok(e.message.includes(f.op), `names the op: ${e.message}`);
    assert.ok(f.nodes.some((n) => e.message.includes(`node '${n}'`)), `names the node: ${e.message}`);
    assert.ok(["Unimplemented", "InvalidArgument"].includes(e.code), e.code);
  });
}

test("filter: a predicate that is not a scalar bool fails at trace time with TF's message", () => {
  const e = thrown(() => Dataset.range(3).filter((x: T) => x.add(1)));
  assert.is(e.code, "InvalidArgument");
  assert.match(e.message, /`predicate` must return a `tf.bool` scalar tensor/);
});

test("flatMap / interleave: the function must return a Dataset", () => {
  const e = thrown(() => Dataset.range(3).flatMap((x: T) => x));
  assert.match(e.message, /must return a `Dataset` object/);
  const e2 = thrown(() => Dataset.range(3).interleave((x: T) => [x, x]));
  assert.match(e2.message, /must return a `Dataset` object/);
});

test("map / filter / scan need a function", () => {
  assert.throws(() => Dataset.range(3).map(5 as never), /callable/);
  assert.throws(() => Dataset.range(3).filter(null as never), /callable/);
});

test("numParallelCalls, cycleLength, blockLength and bufferSize are checked as TF checks them", () => {
  assert.throws(() => Dataset.range(3).map((x: T) => x, { numParallelCalls: 0 }), /num_parallel_calls must be greater than zero/);
  assert.throws(() => Dataset.range(3).interleave((x: T) => Dataset.range(x), { cycleLength: 0 }), /cycle_length must be greater than zero/);
  assert.throws(() => Dataset.range(3).interleave((x: T) => Dataset.range(x), { blockLength: -1 }), /block_length must be greater than zero/);
  assert.throws(() => Dataset.range(3).shuffle(0), /buffer_size must be greater than zero/);
});

test("scan: the new state must keep the initial state's dtypes and the result must be a pair", () => {
  assert.throws(() => Dataset.range(3).scan(0n, (s: T, x: T) => [s.cast("int32"), x]), /element types for the new state must match/);
  assert.throws(() => Dataset.range(3).scan(0n, (s: T) => s), /must return a pair/);
});

test("a symbolic tensor cannot leave its function", () => {
  let leaked: T | undefined;
  Dataset.range(3).map((x: T) => {
    leaked = x;
    return x;
  });
  assert.throws(() => Dataset.range(leaked!).toGraphDef(), /can only be used inside the function/);
});

test.run();
