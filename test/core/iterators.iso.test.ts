// Isomorphic suite (Node, Deno, Chromium): the core's dataset iterators and plan validation.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getCore, type CoreIterator } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError, type TfDataErrorCode } from "../../src/core/errors.js";
import type { DatasetPlan, FunctionPlan } from "../../src/core/plan.js";
import { Tensor } from "../../src/core/tensor.js";

const it = suite("core iterators");

const range = (start: bigint, stop: bigint, step = 1n, dtype: DType = DType.int64): DatasetPlan =>
  ({ op: "range", start, stop, step, dtype });

function drain(iter: CoreIterator): Tensor[][] {
  const out: Tensor[][] = [];
  for (let e = iter.next(); e !== null; e = iter.next()) out.push(e);
  return out;
}

async function values(plan: DatasetPlan): Promise<unknown[]> {
  const core = await getCore();
  return drain(core.createIterator(plan)).map((e) => (e.length === 1 ? e[0].toJS() : e.map((t) => t.toJS())));
}

/** Python's range, as TF's RangeDataset defines it. */
function pyRange(start: bigint, stop: bigint, step: bigint): bigint[] {
  const out: bigint[] = [];
  for (let v = start; step > 0n ? v < stop : v > stop; v += step) out.push(v);
  return out;
}

async function rejects(plan: DatasetPlan, code: TfDataErrorCode, message: RegExp): Promise<void> {
  const core = await getCore();
  try {
    core.createIterator(plan);
  } catch (e) {
    assert.ok(isTfDataError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable(`plan ${JSON.stringify(plan, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))} was accepted`);
}

it("range(10) yields int64 scalars 0..9", async () => {
  const core = await getCore();
  const els = drain(core.createIterator(range(0n, 10n)));
  assert.is(els.length, 10);
  for (const [i, e] of els.entries()) {
    assert.is(e.length, 1);
    assert.is(e[0].dtype, DType.int64);
    assert.equal(e[0].shape, []);
    assert.instance(e[0].data, BigInt64Array);
    assert.is(e[0].toJS(), BigInt(i));
  }
});

it("range follows Python's range for positive, negative and empty argument forms", async () => {
  const cases: [bigint, bigint, bigint][] = [
    [0n, 5n, 1n], [2n, 11n, 3n], [5n, 0n, -1n], [10n, -3n, -4n], [0n, 0n, 1n], [5n, 2n, 1n],
    [2n, 5n, -1n], [-3n, 3n, 2n], [-1n, -10n, -3n], [7n, 8n, 100n], [0n, 1n, -1n],
  ];
  for (const [start, stop, step] of cases) {
    assert.equal(await values(range(start, stop, step)), pyRange(start, stop, step), `range(${start}, ${stop}, ${step})`);
  }
});

it("range casts to the requested dtype", async () => {
  assert.equal(await values(range(0n, 3n, 1n, DType.int32)), [0, 1, 2]);
  assert.equal(await values(range(-2n, 2n, 1n, DType.float32)), [-2, -1, 0, 1]);
  assert.equal(await values(range(0n, 2n, 1n, DType.float64)), [0, 1]);
  assert.equal(await values(range(250n, 265n, 5n, DType.uint8)), [250, 255, 4]); // wraps, as TF does
  assert.equal(await values(range(1n, 4n, 1n, DType.float16)), [1, 2, 3]);
  assert.equal(await values(range(0n, 3n, 1n, DType.bfloat16)), [0, 1, 2]);
  assert.equal(await values(range(0n, 3n, 1n, DType.uint64)), [0n, 1n, 2n]);
  const core = await getCore();
  const [e] = drain(core.createIterator(range(7n, 8n, 1n, DType.int16)));
  assert.is(e[0].dtype, DType.int16);
  assert.instance(e[0].data, Int16Array);
});

it("range stops instead of wrapping around at the int64 limit", async () => {
  const max = (1n << 63n) - 1n;
  assert.equal(await values(range(max - 2n, max, 5n)), [max - 2n]);
  assert.equal(await values(range(max - 1n, max, 1n)), [max - 1n]);
  const min = -(1n << 63n);
  assert.equal(await values(range(min + 1n, min, -3n)), [min + 1n]);
});

it("take: count < 0 takes all, 0 none, n at most n", async () => {
  const src = range(0n, 5n);
  assert.equal(await values({ op: "take", input: src, count: -1n }), [0n, 1n, 2n, 3n, 4n]);
  assert.equal(await values({ op: "take", input: src, count: 0n }), []);
  assert.equal(await values({ op: "take", input: src, count: 3n }), [0n, 1n, 2n]);
  assert.equal(await values({ op: "take", input: src, count: 50n }), [0n, 1n, 2n, 3n, 4n]);
});

it("batch keeps the partial last batch unless dropRemainder", async () => {
  assert.equal(await values({ op: "batch", input: range(0n, 10n), batchSize: 3n, dropRemainder: false }),
    [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n], [9n]]);
  assert.equal(await values({ op: "batch", input: range(0n, 10n), batchSize: 3n, dropRemainder: true }),
    [[0n, 1n, 2n], [3n, 4n, 5n], [6n, 7n, 8n]]);
  assert.equal(await values({ op: "batch", input: range(0n, 2n), batchSize: 5n, dropRemainder: true }), []);
  assert.equal(await values({ op: "batch", input: range(0n, 0n), batchSize: 5n, dropRemainder: false }), []);
  assert.equal(await values({ op: "batch", input: range(0n, 4n), batchSize: 2n, dropRemainder: true }), [[0n, 1n], [2n, 3n]]);
});

it("batch of batches has a rank-2 shape and the input dtype", async () => {
  const core = await getCore();
  const plan: DatasetPlan = {
    op: "batch", batchSize: 2n, dropRemainder: false,
    input: { op: "batch", batchSize: 3n, dropRemainder: true, input: range(0n, 12n, 1n, DType.int32) },
  };
  const els = drain(core.createIterator(plan));
  assert.equal(els.map((e) => e[0].shape), [[2, 3], [2, 3]]);
  assert.is(els[0][0].dtype, DType.int32);
  assert.equal(els[1][0].toJS(), [[6, 7, 8], [9, 10, 11]]);
});

const compressThenUncompress = (numArgs: number, dtypes: number[], outTypes = dtypes): FunctionPlan => ({
  numArgs,
  instructions: [
    { kernel: "CompressElement", inputs: [...Array(numArgs).keys()], numOutputs: 1, attrs: { input_types: dtypes } },
    { kernel: "UncompressElement", inputs: [numArgs], numOutputs: numArgs, attrs: { output_types: outTypes } },
  ],
  outputs: [...Array(numArgs).keys()].map((i) => numArgs + 1 + i),
});

it("map(CompressElement then UncompressElement) round-trips every element", async () => {
  const batched: DatasetPlan = { op: "batch", batchSize: 4n, dropRemainder: false, input: range(0n, 10n) };
  assert.equal(await values({ op: "map", input: batched, fn: compressThenUncompress(1, [DType.int64]) }), await values(batched));
  assert.equal(await values({ op: "map", input: range(3n, 6n, 1n, DType.float32), fn: compressThenUncompress(1, [DType.float32]) }),
    [3, 4, 5]);
});

it("map(Identity) passes elements through", async () => {
  const fn: FunctionPlan = { numArgs: 1, instructions: [{ kernel: "Identity", inputs: [0], numOutputs: 1 }], outputs: [1] };
  assert.equal(await values({ op: "map", input: range(0n, 3n), fn }), [0n, 1n, 2n]);
  const two: FunctionPlan = { numArgs: 1, instructions: [], outputs: [0, 0] };
  assert.equal(await values({ op: "map", input: range(0n, 2n), fn: two }), [[0n, 0n], [1n, 1n]]);
});

it("a compressed element leaves the core as a variant holding the serialized CompressedElement", async () => {
  const core = await getCore();
  const fn: FunctionPlan = { numArgs: 1, instructions: [{ kernel: "CompressElement", inputs: [0], numOutputs: 1 }], outputs: [1] };
  const els = drain(core.createIterator({ op: "map", input: range(5n, 8n), fn }));
  assert.is(els.length, 3);
  const v = els[1][0];
  assert.is(v.dtype, DType.variant);
  assert.equal(v.shape, []);
  const [decoded] = core.decodeElement("compressed", (v.data as readonly Uint8Array[])[0]);
  assert.is(decoded.toJS(), 6n);
});

it("nextWire sends one scalar CompressedElement as compressed, anything else as uncompressed", async () => {
  const core = await getCore();
  const fn: FunctionPlan = { numArgs: 1, instructions: [{ kernel: "CompressElement", inputs: [0], numOutputs: 1 }], outputs: [1] };
  const batched: DatasetPlan = { op: "batch", batchSize: 2n, dropRemainder: false, input: range(0n, 5n) };
  const compressed = core.createIterator({ op: "map", input: batched, fn });
  const plain = core.createIterator(batched);
  const expected = [[0n, 1n], [2n, 3n], [4n]];
  for (const want of expected) {
    const c = compressed.nextWire();
    const p = plain.nextWire();
    assert.ok(c !== null && p !== null);
    assert.is(c.kind, "compressed");
    assert.is(p.kind, "uncompressed");
    assert.equal(core.decodeElement("compressed", c.bytes).map((t) => t.toJS()), [want]);
    assert.equal(core.decodeElement("uncompressed", p.bytes).map((t) => t.toJS()), [want]);
  }
  assert.is(compressed.nextWire(), null);
  assert.is(plain.nextWire(), null);
});

it("next() keeps answering null after the end; close() then makes it throw FailedPrecondition", async () => {
  const core = await getCore();
  const iter = core.createIterator(range(0n, 1n));
  assert.ok(iter.next() !== null);
  assert.is(iter.next(), null);
  assert.is(iter.next(), null);
  iter.close();
  iter.close();
  try {
    iter.next();
    assert.unreachable("next() after close() returned");
  } catch (e) {
    assert.ok(isTfDataError(e, "FailedPrecondition"), String(e));
  }
});

it("many iterators interleave independently", async () => {
  const core = await getCore();
  const a = core.createIterator(range(0n, 3n));
  const b = core.createIterator(range(10n, 13n));
  const got: unknown[] = [];
  for (let i = 0; i < 3; i++) got.push(a.next()![0].toJS(), b.next()![0].toJS());
  assert.equal(got, [0n, 10n, 1n, 11n, 2n, 12n]);
  a.close();
  b.close();
});

it("invalid plans are rejected up front, naming what is wrong", async () => {
  await rejects({ op: "batch", input: range(0n, 3n), batchSize: 0n, dropRemainder: false }, "InvalidArgument", /batchSize must be greater than zero, got 0/);
  await rejects({ op: "batch", input: range(0n, 3n), batchSize: -4n, dropRemainder: false }, "InvalidArgument", /batchSize.*-4/);
  await rejects(range(0n, 3n, 0n), "InvalidArgument", /step must be a non-zero integer/);
  await rejects(range(0n, 3n, 1n, DType.string), "InvalidArgument", /dtype must be a numeric dtype.*string/);
  await rejects(range(0n, 3n, 1n, DType.bool), "InvalidArgument", /dtype must be a numeric dtype.*bool/);
  await rejects({ op: "noSuchOp" } as unknown as DatasetPlan, "Unimplemented", /dataset op "noSuchOp" is not implemented/);
  await rejects({ op: "take", count: 1n } as unknown as DatasetPlan, "InvalidArgument", /take: needs input dataset #0/);
  await rejects({ op: "range", start: 0n, stop: 3n } as unknown as DatasetPlan, "InvalidArgument", /range: missing attribute "step"/);
  await rejects({ op: "take", input: range(0n, 3n), count: "x" } as unknown as DatasetPlan, "InvalidArgument", /attribute "count" must be an integer/);
  await rejects({ op: "map", input: range(0n, 3n) } as unknown as DatasetPlan, "InvalidArgument", /needs a function "fn"/);
  await rejects({ op: "map", input: range(0n, 3n), fn: { numArgs: 1, instructions: [{ kernel: "NoSuchOp", inputs: [0], numOutputs: 1 }], outputs: [1] } },
    "Unimplemented", /instruction 0 \(NoSuchOp\).*kernel "NoSuchOp" is not implemented/);
  await rejects({ op: "map", input: range(0n, 3n), fn: { numArgs: 1, instructions: [{ kernel: "Identity", inputs: [3], numOutputs: 1 }], outputs: [1] } },
    "InvalidArgument", /input 0 refers to slot 3, but only slots 0..0 are defined/);
  await rejects({ op: "map", input: range(0n, 3n), fn: { numArgs: 1, instructions: [], outputs: [2] } },
    "InvalidArgument", /function output 0 refers to slot 2/);
  await rejects({ op: "map", input: range(0n, 3n), fn: { numArgs: 1, instructions: [{ kernel: "CompressElement", inputs: [0], numOutputs: 2 }], outputs: [1] } },
    "InvalidArgument", /CompressElement has exactly 1 output/);
  await rejects({ op: "map", input: range(0n, 3n), fn: { numArgs: 1, instructions: [{ kernel: "CompressElement", inputs: [0], numOutputs: 1, attrs: { input_types: [9, 9] } }], outputs: [1] } },
    "InvalidArgument", /input_types has 2 entries for 1 inputs/);
  await rejects({ op: "batch", input: { op: "range", start: 0n, stop: 1n, step: 0n, dtype: 9 }, batchSize: 2n, dropRemainder: false },
    "InvalidArgument", /batch: range: step must be/);
});

it("an element that fails inside the pipeline throws a TfDataError from next()", async () => {
  const core = await getCore();
  // output_types disagrees with what the compressed element holds.
  const fn = compressThenUncompress(1, [DType.int64], [DType.float32]);
  const iter = core.createIterator({ op: "map", input: range(0n, 3n), fn });
  try {
    iter.next();
    assert.unreachable("a wrong output_types was accepted");
  } catch (e) {
    assert.ok(isTfDataError(e, "InvalidArgument"), String(e));
    assert.match((e as Error).message, /component 0 has dtype int64, output_types says float32/);
  }
  // The core stays usable.
  assert.equal(await values(range(0n, 2n)), [0n, 1n]);
});

it.run();
