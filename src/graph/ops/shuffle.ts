/**
 * `ShuffleDatasetV3` (TF 2.x) and `ShuffleDataset` (V1, graph mode): TF's `Dataset.shuffle`.
 *
 * V3 layout (TF 2.21, eager): `<input>`, `Const/_n` (int64 buffer_size), `Const/_n+1` (int64
 * seed), `Const/_n+2` (int64 seed2), `Const/_n+3` (a DT_RESOURCE scalar: the handle of the seed
 * generator the dataset owns, `ShuffleDatasetV3/SeedGenerator_<k>`), `ShuffleDatasetV3/_n+4`
 * inputs [input, buffer_size, seed, seed2, seed_generator], attrs reshuffle_each_iteration,
 * output_types, output_shapes, metadata.
 *
 * The handle names a resource of the process that built the graph; a process that loads the
 * graph (a TF worker, or us) does not find it and makes the dataset its own generator: random
 * seeds re-drawn per iteration when `reshuffle_each_iteration`, fixed ones otherwise.
 */
import { create } from "@bufbuild/protobuf";
import { NodeDefSchema, type NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { ResourceHandleProtoSchema } from "../../gen/tensorflow/core/framework/resource_handle_pb.js";
import { TensorProtoSchema } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema } from "../../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { attrBool, attrTensor, attrType, sortedAttrs } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { describeNode } from "../graph-index.js";
import type { DatasetPlan } from "../../core/plan.js";
import { checkMetadata, checkSpec, INFINITE, UNKNOWN } from "./common.js";
import type { DatasetLowerContext, DatasetOpDef, LoweredNode } from "./registry.js";

/** TF's DT_RESOURCE (not a dtype elements can have, so not in our `DType`). */
export const DT_RESOURCE = 20;

/** The device TF 2.21 writes in resource handles made by an eager CPU process. */
const HANDLE_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0";
/** TF's `TypeIndex` hash and mangled name of `tensorflow::data::SeedGenerator`. */
const SEED_GENERATOR_HASH = 4819294061521843419n;
const SEED_GENERATOR_TYPE = "N10tensorflow4data13SeedGeneratorE";

let seedGenerators = 0;

/**
 * The resource name of the next seed generator (`ShuffleDatasetV3/SeedGenerator_<k>`, one counter
 * per process, taken when a shuffle dataset is created, as TF does).
 */
export function nextSeedGeneratorName(): string {
  return `ShuffleDatasetV3/SeedGenerator_${seedGenerators++}`;
}

/** Arguments of a `ShuffleDatasetV3` node. */
export interface ShuffleArgs {
  readonly bufferSize: bigint;
  readonly seed: bigint;
  readonly seed2: bigint;
  readonly reshuffleEachIteration: boolean;
  /** From `nextSeedGeneratorName()`. */
  readonly seedGenerator: string;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits the Consts, the seed-generator handle and the `ShuffleDatasetV3` node; returns its name. */
export function emitShuffle(b: GraphBuilder, input: string, a: ShuffleArgs): string {
  const bufferSize = b.int64Const(a.bufferSize);
  const seed = b.int64Const(a.seed);
  const seed2 = b.int64Const(a.seed2);
  const handle = create(TensorProtoSchema, {
    dtype: DT_RESOURCE as DataType,
    tensorShape: create(TensorShapeProtoSchema),
    resourceHandleVal: [create(ResourceHandleProtoSchema, {
      device: HANDLE_DEVICE,
      container: "localhost",
      name: a.seedGenerator,
      hashCode: SEED_GENERATOR_HASH,
      maybeTypeName: SEED_GENERATOR_TYPE,
    })],
  });
  const generator = b.addNode(create(NodeDefSchema, {
    name: b.uniqueName("Const"),
    op: "Const",
    attr: sortedAttrs({ dtype: attrType(DT_RESOURCE), value: attrTensor(handle) }),
  }));
  return b.datasetNode({
    op: "ShuffleDatasetV3",
    inputs: [input, bufferSize, seed, seed2, generator],
    attrs: { reshuffle_each_iteration: attrBool(a.reshuffleEachIteration) },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

const INT64_RANGE = 1n << 64n;

/** 64 random bits as a signed bigint (TF's `random::New64()` for the (0, 0) seed pair). */
function random64(): bigint {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(words);
  else for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * 0x100000000);
  const v = (BigInt(words[1]) << 32n) | BigInt(words[0]);
  return v >= 1n << 63n ? v - INT64_RANGE : v;
}

/** TF's RandomSeeds: (0, 0) means "pick random seeds" (done here, once per lowered dataset). */
export function resolveSeeds(seed: bigint, seed2: bigint): [bigint, bigint] {
  if (seed === 0n && seed2 === 0n) return [random64(), random64()];
  return [seed, seed2];
}

function isSeedGenerator(node: NodeDef): boolean {
  if (node.op === "DummySeedGenerator") return true;
  if (node.op !== "Const") return false;
  const t = node.attr.dtype?.value;
  return t?.case === "type" && (t.value as number) === DT_RESOURCE;
}

function lowerShuffle(ctx: DatasetLowerContext, v3: boolean): LoweredNode {
  ctx.expectInputs(v3 ? 5 : 4);
  const input = ctx.dataset(0);
  const bufferSize = ctx.int64(1);
  const [seed, seed2] = resolveSeeds(ctx.int64(2), ctx.int64(3));
  if (v3) {
    const gen = ctx.inputNode(4);
    if (!isSeedGenerator(gen)) {
      throw ctx.error("Unimplemented", `input #4 (seed_generator) must be a seed generator handle (a DT_RESOURCE ` +
        `Const or DummySeedGenerator), got ${describeNode(gen)}`);
    }
  }
  if (bufferSize <= 0n) throw ctx.error("InvalidArgument", `buffer_size must be greater than zero, got ${bufferSize}.`);
  const reshuffleEachIteration = ctx.attrs.bool("reshuffle_each_iteration", true);
  checkMetadata(ctx);
  checkSpec(ctx, input.spec, "shuffle passes its input's elements through and");
  return {
    plan: { op: "shuffle", input: input.plan, bufferSize, seed, seed2, reshuffleEachIteration },
    cardinality: input.cardinality,
  };
}

/**
 * `ShuffleAndRepeatDatasetV2` [input, buffer_size, seed, seed2, count, seed_generator] and V1
 * (without the generator): TF's fusion of `shuffle(...).repeat(count)`. Its buffer spans epoch
 * boundaries, but it draws each epoch only from that epoch's elements, re-seeds per epoch from
 * the same generator and refills before every draw, so it yields exactly what the unfused pair
 * yields; it lowers to `repeat(shuffle(...))`.
 */
function lowerShuffleAndRepeat(ctx: DatasetLowerContext, v2: boolean): LoweredNode {
  ctx.expectInputs(v2 ? 6 : 5);
  const input = ctx.dataset(0);
  const bufferSize = ctx.int64(1);
  const [seed, seed2] = resolveSeeds(ctx.int64(2), ctx.int64(3));
  const count = ctx.int64(4);
  if (v2 && !isSeedGenerator(ctx.inputNode(5))) {
    throw ctx.error("Unimplemented", `input #5 (seed_generator) must be a seed generator handle, got ${describeNode(ctx.inputNode(5))}`);
  }
  if (bufferSize <= 0n) throw ctx.error("InvalidArgument", `buffer_size must be greater than zero, got ${bufferSize}.`);
  const reshuffleEachIteration = ctx.attrs.bool("reshuffle_each_iteration", true);
  checkMetadata(ctx);
  checkSpec(ctx, input.spec, "shuffle-and-repeat passes its input's elements through and");
  const shuffle: DatasetPlan = { op: "shuffle", input: input.plan, bufferSize, seed, seed2, reshuffleEachIteration };
  const n = input.cardinality;
  const cardinality = count === 0n || n === 0n ? 0n : count < 0n ? (n === UNKNOWN ? UNKNOWN : INFINITE)
    : n < 0n ? n : n * count;
  return { plan: { op: "repeat", input: shuffle, count }, cardinality };
}

/** Lowers `ShuffleAndRepeatDatasetV2`. */
export const shuffleAndRepeatDatasetV2Op: DatasetOpDef = {
  op: "ShuffleAndRepeatDatasetV2",
  lower: (ctx) => lowerShuffleAndRepeat(ctx, true),
};

/** Lowers `ShuffleAndRepeatDataset` (V1). */
export const shuffleAndRepeatDatasetOp: DatasetOpDef = {
  op: "ShuffleAndRepeatDataset",
  lower: (ctx) => lowerShuffleAndRepeat(ctx, false),
};

/** Lowers `ShuffleDatasetV3`. */
export const shuffleDatasetV3Op: DatasetOpDef = { op: "ShuffleDatasetV3", lower: (ctx) => lowerShuffle(ctx, true) };

/** Lowers `ShuffleDataset` (V1: seeds as inputs, no generator resource). */
export const shuffleDatasetOp: DatasetOpDef = { op: "ShuffleDataset", lower: (ctx) => lowerShuffle(ctx, false) };
