// The poll protocol of DYNAMIC sharding in the core (src/core/splits.ts): sources wrapped in
// `splitSource` nodes answer split requests; every iterator above them keeps its partial progress
// across those requests. Each plan runs twice: plainly, and with its sources reading splits that
// are handed in only when asked for (the most requests possible) or in chunks; both runs must give
// the same elements in the same order.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getCore, type Core } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError } from "../../src/core/errors.js";
import type { DatasetPlan } from "../../src/core/plan.js";
import { isSplitRequest } from "../../src/core/splits.js";
import { Tensor } from "../../src/core/tensor.js";
import { Dataset } from "../../src/dataset/index.js";
import type { SymbolicTensor as T } from "../../src/graph/trace/index.js";
import { lower } from "../../src/graph/lower.js";
import { bindSplitSources, countSplitSources } from "../../src/graph/split-sources.js";

const splits = suite("core split sources (poll protocol)");

const range = (start: bigint, stop: bigint, step = 1n, dtype: DType = DType.int64): DatasetPlan =>
  ({ op: "range", start, stop, step, dtype });

/** A tensorSlice plan over int32 rows `values`. */
async function slices(values: number[]): Promise<DatasetPlan> {
  const core = await getCore();
  const t = Tensor.fromValues(values, DType.int32, [values.length]);
  return { op: "tensorSlice", components: core.encodeElement([t], "uncompressed") };
}

const planOf = (ds: Dataset): DatasetPlan => lower(ds.toGraphDef()).plan;

type Js = unknown;
const js = (e: Tensor[]): Js => e.map((t) => t.toJS());

function plainRun(core: Core, plan: DatasetPlan): Js[] {
  const it = core.createIterator(plan);
  const out: Js[] = [];
  for (let e = it.next(); e !== null; e = it.next()) out.push(js(e));
  return out;
}

/** The splits of each source of `plan`, in TF's order (range: its values; slices: row indices). */
function naturalSplits(core: Core, plan: DatasetPlan): bigint[][] {
  const out: bigint[][] = [];
  const ids = Array.from({ length: countSplitSources(plan) }, (_, i) => i + 1);
  const visit = (p: DatasetPlan): void => {
    if (p.op === "splitSource") {
      const s = p.input;
      if (s.op === "range") {
        const v: bigint[] = [];
        for (let x = s.start; s.step > 0n ? x < s.stop : x > s.stop; x += s.step) v.push(x);
        out[p.provider - 1] = v;
      } else if (s.op === "tensorSlice") {
        const rows = core.decodeElement("uncompressed", s.components)[0].shape[0];
        out[p.provider - 1] = Array.from({ length: rows }, (_, i) => BigInt(i));
      } else out[p.provider - 1] = [0n];
      return;
    }
    for (const v of Object.values(p)) {
      if (v && typeof v === "object" && "op" in v) visit(v as DatasetPlan);
      if (Array.isArray(v)) for (const x of v) if (x && typeof x === "object" && "op" in x) visit(x as DatasetPlan);
    }
  };
  visit(bindSplitSources(plan, ids));
  return out;
}

interface SplitRun {
  readonly elements: Js[];
  readonly requests: number;
  /** (source index, repetition) of every request, in order. */
  readonly log: string[];
}

/**
 * Runs `plan` with its sources reading splits; each request gets `chunk` splits (or, when the
 * repetition's splits are used up, the end of splits).
 */
function splitRun(core: Core, plan: DatasetPlan, chunk: number): SplitRun {
  const natural = naturalSplits(core, plan);
  const ids = natural.map(() => core.openSplitProvider());
  const it = core.createPollingIterator(bindSplitSources(plan, ids));
  const cursor = new Map<string, number>();
  const out: Js[] = [];
  const log: string[] = [];
  let requests = 0;
  try {
    for (;;) {
      const r = it.poll();
      if (r === null) break;
      if (!isSplitRequest(r)) {
        out.push(js(r));
        continue;
      }
      requests++;
      assert.ok(requests < 100_000, "too many split requests");
      const source = ids.indexOf(r.provider);
      assert.ok(source >= 0, `request for unknown provider ${r.provider}`);
      log.push(`${source}@${r.repetition}`);
      const key = `${source}/${r.repetition}`;
      let at = cursor.get(key) ?? 0;
      const all = natural[source];
      for (let k = 0; k < chunk; k++) {
        if (at >= all.length) {
          assert.ok(core.provideSplit(r.provider, r.repetition, null));
          break;
        }
        assert.ok(core.provideSplit(r.provider, r.repetition, all[at++]));
      }
      cursor.set(key, at);
    }
  } finally {
    it.close();
    for (const id of ids) core.closeSplitProvider(id);
  }
  return { elements: out, requests, log };
}

/** Checks that `plan` gives the same elements plainly and reading splits, one at a time or in chunks. */
async function same(plan: DatasetPlan | (() => Promise<DatasetPlan>), minRequests = 1): Promise<SplitRun> {
  const core = await getCore();
  const p = typeof plan === "function" ? await plan() : plan;
  const want = plainRun(core, p);
  const one = splitRun(core, p, 1);
  assert.equal(one.elements, want, "one split per request");
  assert.ok(one.requests >= minRequests, `expected >= ${minRequests} split requests, got ${one.requests}`);
  for (const chunk of [2, 3, 7]) assert.equal(splitRun(core, p, chunk).elements, want, `${chunk} splits per request`);
  return one;
}

splits("a range source yields the split values, asking once per element and once for the end", async () => {
  const run = await same(range(0n, 10n), 11);
  assert.is(run.requests, 11);
  assert.equal(run.elements, Array.from({ length: 10 }, (_, i) => [BigInt(i)]));
});

splits("a range source casts split values to its dtype; slices index rows; from_tensors yields its element", async () => {
  await same(range(3n, 30n, 4n, DType.int32));
  await same(() => slices([5, 6, 7, 8]));
  const core = await getCore();
  await same({ op: "tensor", components: core.encodeElement([Tensor.scalar(42n)], "uncompressed") });
});

splits("batch keeps its partly filled batch (with and without the remainder)", async () => {
  await same({ op: "batch", input: range(0n, 10n), batchSize: 3n, dropRemainder: false });
  await same({ op: "batch", input: range(0n, 10n), batchSize: 3n, dropRemainder: true });
  await same({ op: "batch", input: { op: "batch", input: range(0n, 17n), batchSize: 2n, dropRemainder: false },
    batchSize: 4n, dropRemainder: false });
});

splits("padded_batch keeps its partly filled batch", async () => {
  const core = await getCore();
  await same({
    op: "paddedBatch", input: range(0n, 11n), batchSize: 4n, dropRemainder: false, paddedShapes: [0],
    paddingValues: core.encodeElement([Tensor.scalar(-1n)], "uncompressed"),
  });
});

splits("rebatch keeps the rows of the batch it is assembling", async () => {
  await same({
    op: "rebatch", input: { op: "batch", input: range(0n, 23n), batchSize: 4n, dropRemainder: false },
    batchSizes: [3, 5], dropRemainder: false, dtypes: [DType.int64], shapes: [1, -1],
  });
});

splits("unbatch, take, skip, concatenate, cache", async () => {
  await same({ op: "unbatch", input: { op: "batch", input: range(0n, 10n), batchSize: 3n, dropRemainder: false } });
  await same({ op: "take", input: { op: "skip", input: range(0n, 20n), count: 3n }, count: 10n });
  await same({ op: "concatenate", input: range(0n, 3n), other: range(10n, 15n) });
  await same({ op: "repeat", input: { op: "cache", input: range(0n, 5n) }, count: 3n });
});

splits("shard (with the rewrite's non-empty check) keeps the element it holds", async () => {
  for (const index of [0n, 1n, 2n]) {
    await same({ op: "shard", input: range(0n, 10n), numShards: 3n, index, requireNonEmpty: true });
  }
  await same({ op: "shard", input: range(0n, 10n), numShards: 4n, index: 3n, requireNonEmpty: false });
});

splits("zip keeps the components it already pulled (equal and unequal inputs)", async () => {
  await same(async () => ({ op: "zip", inputs: [range(0n, 5n), await slices([10, 11, 12, 13, 14])] }));
  await same({ op: "zip", inputs: [range(0n, 7n), range(100n, 103n), range(5n, 0n, -1n)] });
});

splits("shuffle with a seed keeps its buffer: same order as without splits", async () => {
  await same({ op: "shuffle", input: range(0n, 40n), bufferSize: 7n, seed: 42n, seed2: 7n, reshuffleEachIteration: true });
  await same({
    op: "batch", batchSize: 3n, dropRemainder: false,
    input: { op: "repeat", count: 3n, input: { op: "shuffle", input: range(0n, 10n), bufferSize: 4n, seed: 1n, seed2: 2n,
      reshuffleEachIteration: true } },
  });
});

splits("repeat starts the next repetition of the split provider on each pass", async () => {
  const run = await same({ op: "repeat", input: range(0n, 3n), count: 3n });
  assert.equal(run.log, ["0@0", "0@0", "0@0", "0@0", "0@1", "0@1", "0@1", "0@1", "0@2", "0@2", "0@2", "0@2"]);
  // Over split sources an empty pass does not end an endless repeat (other workers took that
  // repetition's splits): it goes on with the next repetition, as TF's does.
  const core = await getCore();
  const p = core.openSplitProvider();
  const it = core.createPollingIterator(bindSplitSources({ op: "repeat", count: -1n, input: range(0n, 5n) }, [p]));
  const give = [[1n, 3n], [], [4n]];
  const used = [0, 0, 0];
  const got: unknown[] = [];
  try {
    for (;;) {
      const r = it.poll();
      assert.ok(r !== null, "the endless repeat ended");
      if (!isSplitRequest(r)) {
        got.push(r[0].toJS());
        continue;
      }
      const rep = Number(r.repetition);
      if (rep === give.length) break;
      core.provideSplit(p, r.repetition, used[rep] < give[rep].length ? give[rep][used[rep]++] : null);
    }
  } finally {
    it.close();
    core.closeSplitProvider(p);
  }
  assert.equal(got, [1n, 3n, 4n]);
  // Without split sources, an endless repeat over an empty pass ends (TF's guard against spinning).
  assert.equal(plainRun(core, { op: "repeat", count: -1n, input: range(0n, 0n) }), []);
});

splits("window holds a built window while its shift waits for splits", async () => {
  // flat_map(lambda w: w) over the windows: the function passes the window dataset through.
  const flatten = (input: DatasetPlan): DatasetPlan => ({
    op: "flatMap", input, body: { op: "datasetParam", index: 0 }, fn: { numArgs: 1, instructions: [], outputs: [0] },
    templateInput: 1,
  });
  const window = (size: bigint, shift: bigint, stride: bigint): DatasetPlan =>
    ({ op: "window", input: range(0n, 20n), size, shift, stride, dropRemainder: false });
  await same(flatten(window(3n, 5n, 1n)));
  await same(flatten(window(4n, 2n, 2n)));
  await same(flatten(window(2n, 9n, 3n)));
});

splits("map, filter, scan, flat_map and interleave keep their in-flight state", async () => {
  await same(planOf(Dataset.range(10).map((x: T) => x.mul(3).add(1))));
  await same(planOf(Dataset.range(20).filter((x: T) => x.floorMod(3).equal(0)).batch(2)));
  await same(planOf(Dataset.range(8).scan(0n, (s: T, x: T) => [s.add(x), s.mul(2)])));
  await same(planOf(Dataset.range(1, 6).flatMap((x: T) => Dataset.range(x))));
  await same(planOf(Dataset.range(1, 7).interleave((x: T) => Dataset.range(x.mul(10), x.mul(10).add(x)),
    { cycleLength: 3, blockLength: 2 })));
});

splits("a split for another repetition is dropped; next() on a waiting iterator names poll()", async () => {
  const core = await getCore();
  const p = core.openSplitProvider();
  const it = core.createPollingIterator({ op: "splitSource", provider: p, input: range(0n, 5n) });
  try {
    assert.not.ok(core.provideSplit(p, 1n, 3n), "repetition 1 is not current");
    let err: unknown;
    try {
      it.next();
    } catch (e) {
      err = e;
    }
    assert.ok(isTfDataError(err, "FailedPrecondition"), String(err));
    assert.match(String(err), /poll/);
    const r = it.poll();
    assert.ok(isSplitRequest(r) && r.provider === p && r.repetition === 0n);
    assert.ok(core.provideSplit(p, 0n, 3n));
    assert.equal(js(it.poll() as Tensor[]), [3n]);
  } finally {
    it.close();
    core.closeSplitProvider(p);
  }
});

splits("a slice split out of range fails; a closed provider cannot be read", async () => {
  const core = await getCore();
  const p = core.openSplitProvider();
  const it = core.createPollingIterator({ op: "splitSource", provider: p, input: await slices([1, 2]) });
  core.provideSplit(p, 0n, 5n);
  try {
    it.poll();
    assert.unreachable("split 5 of 2 slices was accepted");
  } catch (e) {
    assert.ok(isTfDataError(e, "OutOfRange"), String(e));
    assert.match(String(e), /not a slice index/);
  }
  core.closeSplitProvider(p);
  try {
    core.createPollingIterator({ op: "splitSource", provider: p, input: range(0n, 3n) });
    assert.unreachable("a closed provider was accepted");
  } catch (e) {
    assert.ok(isTfDataError(e, "InvalidArgument"), String(e));
    assert.match(String(e), /not open/);
  }
});

splits("the source rewrite follows TF's order and refuses unsplittable plans", () => {
  const zip: DatasetPlan = {
    op: "zip", inputs: [
      { op: "concatenate", input: range(0n, 2n), other: range(5n, 6n) },
      { op: "map", input: range(9n, 10n), fn: { numArgs: 1, instructions: [], outputs: [0] } },
    ],
  };
  assert.is(countSplitSources(zip), 3);
  const bound = bindSplitSources(zip, [7, 8, 9]);
  const order: number[] = [];
  JSON.stringify(bound, (k, v: unknown) => {
    if (k === "provider") order.push(v as number);
    return typeof v === "bigint" ? String(v) : v;
  });
  assert.equal(order, [7, 8, 9]);
  assert.throws(() => bindSplitSources(zip, [1, 2]), /Attempted to feed 2 split providers into a dataset with 3 sources/);
  // enumerate's counter is `replicate_on_split`: it takes a provider (TF counts it) but reads none.
  const enumerated = planOf(Dataset.fromTensorSlices([7, 8, 9]).enumerate());
  assert.is(countSplitSources(enumerated), 2);
  const boundEnum = JSON.stringify(bindSplitSources(enumerated, [4, 5]), (_k, v: unknown) =>
    (typeof v === "bigint" ? String(v) : v instanceof Uint8Array ? "bytes" : v));
  assert.is(boundEnum.match(/splitSource/g)?.length, 1);
  assert.match(boundEnum, /"provider":5/);
  assert.throws(() => bindSplitSources({ op: "channel", id: 1 }, []), /Cannot create a split provider/);
});

splits.run();
