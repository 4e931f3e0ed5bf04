// DYNAMIC sharding, dispatcher half: split providers built at iteration creation, GetSplit with
// TF's repetition rules, exactly-once hand-out under concurrent callers, TF's UNIMPLEMENTED for
// unsplittable pipelines, and the TaskDef fields workers need.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create, toBinary } from "@bufbuild/protobuf";
import { Dataset } from "../../../src/dataset/index.js";
import { GetSplitResponseSchema } from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { TensorProtoSchema } from "../../../src/gen/tensorflow/core/framework/tensor_pb.js";
import { splitTensorProto } from "../../../src/service/dispatcher/split-providers.js";
import {
  completed,
  drainSplits,
  heartbeat,
  iterationRequest,
  jobRequest,
  makeDispatcher,
  registerRequest,
  rejection,
  ShardingPolicy,
  splitRequest,
  splitValue,
  stopDispatchers,
} from "./fixtures.js";

test.after.each(stopDispatchers);

/** A dispatcher with `workers` registered workers and a DYNAMIC iteration over `dataset`. */
async function dynamicIteration(dataset: Dataset, workers = 2, name = "d") {
  const ctx = makeDispatcher();
  for (let i = 1; i <= workers; i++) await ctx.d.workerHeartbeat(heartbeat(`w${i}:${i}`));
  const { datasetId } = await ctx.d.getOrRegisterDataset(registerRequest({ dataset }));
  const { jobId } = await ctx.d.getOrCreateJob(jobRequest(datasetId, { name, policy: ShardingPolicy.DYNAMIC }));
  const { iterationClientId } = await ctx.d.getOrCreateIteration(iterationRequest(jobId));
  const iteration = ctx.d.debugState.iterationForIterationClientId(iterationClientId);
  return { ...ctx, datasetId, jobId, iterationId: iteration.id, iterationClientId };
}

test("splits are TF's bytes: scalar int64 TensorProtos in tensor_content", () => {
  // GetSplitResponse of a TF 2.21 dispatcher for Dataset.range(5), first split, as captured.
  assert.is(Buffer.from(toBinary(TensorProtoSchema, splitTensorProto(0n))).toString("hex"), "0809120022080000000000000000");
  assert.is(Buffer.from(toBinary(TensorProtoSchema, splitTensorProto(10n))).toString("hex"), "0809120022080a00000000000000");
  assert.is(Buffer.from(toBinary(GetSplitResponseSchema, create(GetSplitResponseSchema, { endOfSplits: true }))).toString("hex"), "1001");
});

test("ports dynamic_sharding_test.testBasic (dispatcher half): range(100) splits are the elements, then end of splits", async () => {
  const { d, iterationId, workers } = await dynamicIteration(Dataset.range(100));
  assert.is(d.debugState.iterationFromId(iterationId).distributedEpochState?.indices.length, 1);
  assert.equal(workers.pushed.map((t) => [t.numSplitProviders, t.processingModeDef?.shardingPolicy]),
    [[1n, ShardingPolicy.DYNAMIC], [1n, ShardingPolicy.DYNAMIC]]);
  assert.equal(await drainSplits(d, iterationId), Array.from({ length: 100 }, (_, i) => BigInt(i)));
  // Exhausted: the cursor moved to repetition 1; repetition 0 keeps answering end of splits.
  assert.equal(d.debugState.iterationFromId(iterationId).distributedEpochState, { repetitions: [1n], indices: [0n] });
  assert.is(splitValue(await d.getSplit(splitRequest(iterationId, 0n))), "EOS");
});

test("two workers pulling concurrently get every split exactly once (global lock)", async () => {
  const { d, iterationId } = await dynamicIteration(Dataset.range(200));
  const got: bigint[][] = [[], []];
  await Promise.all([0, 1].map(async (w) => {
    for (;;) {
      const v = splitValue(await d.getSplit(splitRequest(iterationId)));
      if (v === "EOS") return;
      got[w].push(v);
    }
  }));
  assert.ok(got[0].length > 0 && got[1].length > 0, `${got[0].length} / ${got[1].length}`);
  assert.equal([...got[0], ...got[1]].sort((a, b) => Number(a - b)), Array.from({ length: 200 }, (_, i) => BigInt(i)));
});

test("ports dynamic_sharding_test.testRepeatBeforeDistribution (dispatcher half): each repetition re-splits from the start", async () => {
  // A worker's pipeline range(3).repeat(2) resets its remote provider: repetition 0, then 1.
  const { d, iterationId } = await dynamicIteration(Dataset.range(3).repeat(2));
  assert.equal(await drainSplits(d, iterationId, 0n), [0n, 1n, 2n]);
  assert.equal(await drainSplits(d, iterationId, 1n), [0n, 1n, 2n]);
  // A worker lagging in repetition 0 gets end of splits: that epoch is over globally.
  assert.is(splitValue(await d.getSplit(splitRequest(iterationId, 0n))), "EOS");
  assert.equal(d.debugState.iterationFromId(iterationId).distributedEpochState, { repetitions: [2n], indices: [0n] });
});

test("ports dynamic_sharding_test.testImbalancedZipAndRepeat (dispatcher half): a later repetition restarts the provider", async () => {
  const { d, iterationId } = await dynamicIteration(Dataset.zip([Dataset.range(2), Dataset.range(5)]));
  assert.is(d.debugState.iterationFromId(iterationId).distributedEpochState?.indices.length, 2);
  assert.equal(await drainSplits(d, iterationId, 0n, 0n), [0n, 1n]);
  for (const want of [0n, 1n, 2n]) assert.is(splitValue(await d.getSplit(splitRequest(iterationId, 0n, 1n))), want);
  // The zip's shorter input ended: the worker repeats, asking repetition 1 of both providers.
  assert.is(splitValue(await d.getSplit(splitRequest(iterationId, 1n, 1n))), 0n);
  assert.is(splitValue(await d.getSplit(splitRequest(iterationId, 1n, 1n))), 1n);
  assert.equal(d.debugState.iterationFromId(iterationId).distributedEpochState, { repetitions: [1n, 1n], indices: [0n, 2n] });
  // Repetition 0 of provider 1 is over.
  assert.is(splitValue(await d.getSplit(splitRequest(iterationId, 0n, 1n))), "EOS");
});

test("ports dynamic_sharding_test.testTensorSlices (dispatcher half): slice indices", async () => {
  const { d, iterationId } = await dynamicIteration(Dataset.fromTensorSlices([5, 1, 2, 4]));
  assert.equal(await drainSplits(d, iterationId), [0n, 1n, 2n, 3n]);
});

test("DYNAMIC with fewer splits than workers: the first callers take them, the rest see end of splits", async () => {
  const { d, iterationId } = await dynamicIteration(Dataset.range(1), 5);
  assert.is(d.debugState.tasksForIteration(iterationId).length, 5);
  assert.is(splitValue(await d.getSplit(splitRequest(iterationId))), 0n);
  for (let w = 1; w < 5; w++) assert.is(splitValue(await d.getSplit(splitRequest(iterationId))), "EOS");
  // Every worker finishes its task; the iteration ends.
  for (const t of d.debugState.tasksForIteration(iterationId)) await d.workerUpdate(completed(t.workerAddress, t.id));
  assert.is(d.debugState.iterationFromId(iterationId).finished, true);
});

test("each iteration (repetition) of a DYNAMIC job has its own providers and cursor", async () => {
  const { d, jobId, iterationId } = await dynamicIteration(Dataset.range(3));
  assert.equal(await drainSplits(d, iterationId), [0n, 1n, 2n]);
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId, 1n));
  const second = d.debugState.iterationForIterationClientId(iterationClientId).id;
  assert.is(second, iterationId + 1n);
  assert.equal(await drainSplits(d, second), [0n, 1n, 2n]);
});

test("GetSplit errors: unknown iteration, non-DYNAMIC iteration, provider index out of range, bad fields", async () => {
  const { d, iterationId } = await dynamicIteration(Dataset.range(3));
  assert.equal(await rejection(d.getSplit(splitRequest(2999n))), { code: "NotFound", message: "Iteration id 2999 not found" });
  const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(3) }));
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "off" }));
  const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
  const off = d.debugState.iterationForIterationClientId(iterationClientId).id;
  assert.equal(await rejection(d.getSplit(splitRequest(off))), {
    code: "FailedPrecondition",
    message: `Cannot get split for iteration ${off}, since it is not a distributed_epoch iteration.`,
  });
  const range = await rejection(d.getSplit(splitRequest(iterationId, 0n, 1n)));
  assert.is(range.code, "InvalidArgument");
  assert.match(range.message, "split_provider_index 1 is out of range: iteration 2000 has 1 split providers");
  assert.is((await rejection(d.getSplit(splitRequest(iterationId, -1n)))).code, "InvalidArgument");
  assert.is((await rejection(d.getSplit(splitRequest(0n)))).code, "InvalidArgument");
  // None of that moved the cursor.
  assert.equal(d.debugState.iterationFromId(iterationId).distributedEpochState, { repetitions: [0n], indices: [0n] });
});

test("ports dynamic_sharding_test.testDistributedDataset: an unsplittable pipeline fails GetOrCreateIteration with TF's UNIMPLEMENTED, creating nothing", async () => {
  const { d } = makeDispatcher();
  await d.workerHeartbeat(heartbeat("w1:1"));
  const graph = Dataset.range(3).toGraphDef();
  // What a nested distribute() puts in a graph: a source with no dataset input and no splits.
  const out = graph.node.find((n) => n.op === "RangeDataset")!;
  out.op = "DataServiceDatasetV4";
  const req = registerRequest();
  req.dataset!.graph = graph;
  const { datasetId } = await d.getOrRegisterDataset(req);
  const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "nested", policy: ShardingPolicy.DYNAMIC }));
  const err = await rejection(d.getOrCreateIteration(iterationRequest(jobId)));
  assert.equal(err, {
    code: "Unimplemented",
    message: "Cannot create split providers for dataset of type DataServiceDatasetV4, because the dataset is not " +
      "unary (instead having arity 0), and no custom implementation of `MakeSplitProvider` is defined.",
  });
  assert.equal(d.debugState.listIterations(), []);
  assert.is(d.debugState.nextAvailableIterationClientId(), 3000n);
  assert.is(d.debugState.nextAvailableTaskId(), 4000n);
  // The same job in OFF mode would not need splits: only DYNAMIC builds providers.
  const { jobId: offJob } = await d.getOrCreateJob(jobRequest(datasetId, { name: "nested-off" }));
  assert.is((await d.getOrCreateIteration(iterationRequest(offJob))).iterationClientId, 3000n);
});

test("ports dynamic_sharding_test.testOnZippedDataset's legacy expectation is gone in TF 2.21: zip gives one provider per input", async () => {
  // TF 2.4's test expected zip to be unsplittable; TF 2.21 (checked against its dispatcher)
  // gives one provider per zip input, in order, and so do we.
  const { d, iterationId } = await dynamicIteration(Dataset.zip([Dataset.range(2), Dataset.fromTensorSlices([7, 8, 9])]));
  assert.equal(await drainSplits(d, iterationId, 0n, 0n), [0n, 1n]);
  assert.equal(await drainSplits(d, iterationId, 0n, 1n), [0n, 1n, 2n]);
});

test("DYNAMIC iterations are never garbage collected unless gcDynamicShardingJobs", async () => {
  for (const gc of [false, true]) {
    const { d, clock } = makeDispatcher({ jobGcTimeoutMs: 1000, gcDynamicShardingJobs: gc });
    await d.workerHeartbeat(heartbeat("w1:1"));
    const { datasetId } = await d.getOrRegisterDataset(registerRequest({ dataset: Dataset.range(10) }));
    const { jobId } = await d.getOrCreateJob(jobRequest(datasetId, { name: "d", policy: ShardingPolicy.DYNAMIC }));
    const { iterationClientId } = await d.getOrCreateIteration(iterationRequest(jobId));
    await d.releaseIterationClient({ iterationClientId } as Parameters<typeof d.releaseIterationClient>[0]);
    clock.advance(5000);
    await d.workerHeartbeat(heartbeat("w1:1", [4000n])); // the worker is alive
    await d.runMaintenance();
    assert.is(d.debugState.iterationFromId(2000n).garbageCollected, gc, `gcDynamicShardingJobs=${gc}`);
  }
});

test.run();
