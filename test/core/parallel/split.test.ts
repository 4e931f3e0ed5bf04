import { test } from "uvu";
import * as assert from "uvu/assert";
import type { DatasetPlan, FunctionPlan } from "../../../src/core/plan.js";
import { DType } from "../../../src/core/dtype.js";
import { bindChannel, splitPlan } from "../../../src/core/parallel/split.js";

const fn: FunctionPlan = { numArgs: 1, instructions: [], outputs: [0] };
const src: DatasetPlan = { op: "range", start: 0n, stop: 10n, step: 1n, dtype: DType.int64 };
const pmap = (input: DatasetPlan, det?: boolean): DatasetPlan => ({ op: "map", input, fn, numParallelCalls: -1n, deterministic: det });
const map = (input: DatasetPlan): DatasetPlan => ({ op: "map", input, fn });
const batch = (input: DatasetPlan, n: bigint): DatasetPlan => ({ op: "batch", input, batchSize: n, dropRemainder: false });
const filter = (input: DatasetPlan): DatasetPlan => ({ op: "filter", input, predicate: fn });
const prefetch = (input: DatasetPlan): DatasetPlan => ({ op: "prefetch", input, bufferSize: -1n });

test("a plan without a parallel map or prefetch is not split", () => {
  assert.is(splitPlan(batch(map(src), 4n)), null);
  assert.is(splitPlan(src), null);
});

test("a parallel map splits: upstream is its input, the stage reads a channel", () => {
  const s = splitPlan(pmap(src));
  assert.ok(s !== null && s.kind === "map");
  assert.equal(s!.upstream, src);
  assert.equal(s!.stage, { op: "map", input: { op: "channel", id: 0 }, fn });
  assert.is(s!.unit, 1);
  assert.is(s!.kind === "map" && s!.deterministic, true);
});

test("batches above the map go into the stage and set the chunk unit", () => {
  const s = splitPlan(prefetch(batch(batch(map(pmap(src, false)), 4n), 3n)));
  assert.ok(s !== null && s.kind === "map");
  assert.is(s!.unit, 12);
  assert.is(s!.kind === "map" && s!.deterministic, false);
  // prefetch is dropped from the stage (the threads compute ahead already); the sequential map stays.
  assert.equal(s!.stage, batch(batch(map({ op: "map", input: { op: "channel", id: 0 }, fn }), 4n), 3n));
});

test("a batch above a filter cannot be chunked; a filter above a batch can", () => {
  assert.is(splitPlan(batch(filter(pmap(src)), 4n)), null);
  const s = splitPlan(filter(batch(pmap(src), 4n)));
  assert.ok(s !== null && s.kind === "map" && s.unit === 4);
});

test("the deepest usable parallel map is the cut; ops it cannot chunk stop the search", () => {
  const s = splitPlan(pmap(batch(pmap(src), 2n)));
  assert.ok(s !== null && s.kind === "map");
  assert.equal(s!.upstream, src);
  assert.is(s!.unit, 2);
  // A take above the map is not chunkable: no map split, and no prefetch either.
  assert.is(splitPlan({ op: "take", input: pmap(src), count: 3n }), null);
  // Below a non-chainable op, nothing is split (the chain starts at the root).
  assert.is(splitPlan({ op: "repeat", input: prefetch(pmap(src)), count: 2n }), null);
});

test("a prefetch without a usable parallel map makes a producer split", () => {
  const s = splitPlan(map(prefetch(batch(src, 5n))));
  assert.ok(s !== null && s.kind === "producer");
  assert.equal(s!.upstream, batch(src, 5n));
  assert.equal(s!.stage, map({ op: "channel", id: 0 }));
  const root = splitPlan(prefetch(src));
  assert.ok(root !== null && root.kind === "producer");
  assert.equal(root!.stage, { op: "channel", id: 0 });
});

test("a producer over a cache is not replayable (a later pass reads this thread's cache)", () => {
  const s = splitPlan(prefetch({ op: "cache", input: src }));
  assert.ok(s !== null && s.kind === "producer" && s.replayable === false);
  const t = splitPlan(prefetch(batch(src, 2n)));
  assert.ok(t !== null && t.kind === "producer" && t.replayable === true);
});

test("bindChannel binds every channel leaf", () => {
  const bound = bindChannel(batch(map({ op: "channel", id: 0 }), 2n), 7);
  assert.equal(bound, batch(map({ op: "channel", id: 7 }), 2n));
});

test.run();
