/**
 * `CacheDatasetV2`: TF's `Dataset.cache()` in memory (filename ""). Layout (TF 2.21, eager):
 * `<input>`, `Const/_n` (string scalar filename ""), `Const/_n+1` (a DT_RESOURCE scalar: the
 * handle of the `MemoryCacheManager` the dataset owns, `CacheDatasetV2/MemoryCache_<k>`),
 * `CacheDatasetV2/_n+2` inputs [input, filename, cache], attrs output_types, output_shapes,
 * metadata.
 *
 * As with shuffle's seed generator, the handle names a resource of the process that built the
 * graph; the process that loads it makes the dataset its own cache.
 */
import { create } from "@bufbuild/protobuf";
import { NodeDefSchema, type NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { ResourceHandleProtoSchema } from "../../gen/tensorflow/core/framework/resource_handle_pb.js";
import { TensorProtoSchema } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { TensorShapeProtoSchema } from "../../gen/tensorflow/core/framework/tensor_shape_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { DType } from "../../core/dtype.js";
import { Tensor } from "../../core/tensor.js";
import { attrTensor, attrType, sortedAttrs } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { describeNode } from "../graph-index.js";
import { checkMetadata, checkSpec } from "./common.js";
import { tensorConst } from "./const-tensor.js";
import type { DatasetOpDef } from "./registry.js";
import { DT_RESOURCE } from "./shuffle.js";

/** The device TF 2.21 writes in resource handles made by an eager CPU process. */
const HANDLE_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0";
/** TF's `TypeIndex` hash and mangled name of `tensorflow::data::MemoryCacheManager`. */
const MEMORY_CACHE_HASH = 4887254149437318178n;
const MEMORY_CACHE_TYPE = "N10tensorflow4data18MemoryCacheManagerE";

let memoryCaches = 0;

/**
 * The resource name of the next memory cache (`CacheDatasetV2/MemoryCache_<k>`, one counter per
 * process, taken when a cache dataset is created, as TF does).
 */
export function nextMemoryCacheName(): string {
  return `CacheDatasetV2/MemoryCache_${memoryCaches++}`;
}

/** Arguments of a `CacheDatasetV2` node. */
export interface CacheArgs {
  /** From `nextMemoryCacheName()`. */
  readonly cacheName: string;
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits the filename Const, the cache handle and the `CacheDatasetV2` node; returns its name. */
export function emitCache(b: GraphBuilder, input: string, a: CacheArgs): string {
  const filename = tensorConst(b, new Tensor(DType.string, [], [new Uint8Array(0)]));
  const handle = create(TensorProtoSchema, {
    dtype: DT_RESOURCE as DataType,
    tensorShape: create(TensorShapeProtoSchema),
    resourceHandleVal: [create(ResourceHandleProtoSchema, {
      device: HANDLE_DEVICE,
      container: "localhost",
      name: a.cacheName,
      hashCode: MEMORY_CACHE_HASH,
      maybeTypeName: MEMORY_CACHE_TYPE,
    })],
  });
  const cache = b.addNode(create(NodeDefSchema, {
    name: b.uniqueName("Const"),
    op: "Const",
    attr: sortedAttrs({ dtype: attrType(DT_RESOURCE), value: attrTensor(handle) }),
  }));
  return b.datasetNode({ op: "CacheDatasetV2", inputs: [input, filename, cache], spec: a.spec, metadataName: a.metadataName });
}

function isCacheHandle(node: NodeDef): boolean {
  if (node.op === "DummyMemoryCache" || node.op === "AnonymousMemoryCache") return true;
  if (node.op !== "Const") return false;
  const t = node.attr.dtype?.value;
  return t?.case === "type" && (t.value as number) === DT_RESOURCE;
}

/** Lowers `CacheDatasetV2` with filename "" to a `cache` plan (file caches are not supported). */
export const cacheDatasetV2Op: DatasetOpDef = {
  op: "CacheDatasetV2",
  lower(ctx) {
    ctx.expectInputs(3);
    const input = ctx.dataset(0);
    const filename = ctx.tensor(1, DType.string);
    const name = filename.tensorContent.length > 1 || filename.stringVal.some((s) => s.length > 0);
    if ((filename.tensorShape?.dim.length ?? 0) !== 0) throw ctx.error("InvalidArgument", "filename must be a scalar");
    if (name) {
      throw ctx.error("Unimplemented", "caching to files (a non-empty filename) is not supported; use cache() " +
        "without a filename (in memory)");
    }
    const handle = ctx.inputNode(2);
    if (!isCacheHandle(handle)) {
      throw ctx.error("Unimplemented", `input #2 (cache) must be a memory cache handle (a DT_RESOURCE Const or ` +
        `DummyMemoryCache), got ${describeNode(handle)}`);
    }
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "cache passes its input's elements through and");
    return { plan: { op: "cache", input: input.plan }, cardinality: input.cardinality };
  },
};

/** Lowers `CacheDataset` (V1: [input, filename]) with filename "" to a `cache` plan. */
export const cacheDatasetOp: DatasetOpDef = {
  op: "CacheDataset",
  lower(ctx) {
    ctx.expectInputs(2);
    const input = ctx.dataset(0);
    const filename = ctx.tensor(1, DType.string);
    if (filename.tensorContent.length > 1 || filename.stringVal.some((s) => s.length > 0)) {
      throw ctx.error("Unimplemented", "caching to files (a non-empty filename) is not supported");
    }
    checkMetadata(ctx);
    checkSpec(ctx, input.spec, "cache passes its input's elements through and");
    return { plan: { op: "cache", input: input.plan }, cardinality: input.cardinality };
  },
};
