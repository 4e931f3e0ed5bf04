/**
 * TF's auto-shard rewrite (grappler `AutoShard`, run by a tf.data service worker for the static
 * sharding policies with `num_replicas = 1`), on a dataset GraphDef:
 *
 * - `DATA`: a `ShardDataset(num_workers, worker_index, require_non_empty=true)` goes at the end of
 *   the pipeline, before its trailing `PrefetchDataset` / `OptionsDataset` / `FinalizeDataset`
 *   nodes: worker i gets elements i, i + n, ... of what the pipeline yields (checked with TF 2.21:
 *   `range(10).batch(2)` on 2 workers gives worker 0 `[0,1] [4,5] [8,9]`).
 * - `HINT`: every `ShardDataset` whose `num_shards` is `SHARD_HINT` (-1) gets `num_workers` and
 *   `worker_index` instead; other pipelines are left alone.
 * - `FILE`: shards the file names a reader dataset reads. No file reader exists in this
 *   implementation yet, so every pipeline fails as TF fails one without files: `NOT_FOUND` "Found
 *   an unshardable source dataset: <node>".
 * - `AUTO` (`FILE_OR_DATA`): `FILE`, falling back to `DATA` when that finds no files.
 */
import { create } from "@bufbuild/protobuf";
import { TfDataError } from "../core/errors.js";
import { DType } from "../core/dtype.js";
import { GraphDefSchema, type GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import { NodeDefSchema, type NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import { attrBool, attrShapeList, attrTensor, attrType, attrTypeList, sortedAttrs } from "./attr-value.js";
import { describeNode, GraphIndex } from "./graph-index.js";
import { parseGraphInput } from "./input-ref.js";
import { NodeAttrs } from "./node-attrs.js";
import { nodeDebugString } from "./node-text.js";
import { readScalar, scalarTensorProto } from "./tensor-value.js";
import { MAX_DATASET_DEPTH } from "./constants.js";

/** TF's `AutoShardPolicy` values a tf.data service sharding policy maps to. */
export type AutoShardPolicy = "FILE" | "DATA" | "AUTO" | "HINT";

/** `tf.data.experimental.SHARD_HINT`: the `num_shards` placeholder of `shard` under HINT. */
export const SHARD_HINT = -1n;

/** Ops DATA sharding places the shard before (they end a pipeline TF built for reading). */
const TRAILING_OPS: ReadonlySet<string> = new Set(["PrefetchDataset", "OptionsDataset", "FinalizeDataset"]);

/** Ops whose every dataset input is walked by FILE sharding. */
const MULTI_INPUT_OPS: ReadonlySet<string> = new Set(["ZipDataset", "ConcatenateDataset"]);

/** Prefix of the names of nodes the rewrite adds. */
const NODE_PREFIX = "tfdata_auto_shard";

/** TF's message when a `shard(SHARD_HINT, ...)` is left for iteration. */
export const SHARD_HINT_MISUSE_MESSAGE = "`tf.data.Dataset.shard(SHARD_HINT, ...)` can only be used in " +
  "`tf.distribute.Strategy.experimental_distribute_dataset()` with `tf.data.experimental.AutoShardPolicy.HINT` " +
  "policy, or tf.data service with `tf.data.experimental.service.ShardingPolicy.HINT` processing mode.";

function isDatasetOp(op: string): boolean {
  return /Dataset(V\d+)?$/.test(op);
}

/** A fresh node name (`base`, `base_1`, ...) not used in `index`. */
function freshName(index: GraphIndex, taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 1; index.nodes.has(name) || taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

function int64Const(name: string, value: bigint): NodeDef {
  return create(NodeDefSchema, {
    name,
    op: "Const",
    attr: sortedAttrs({ dtype: attrType(DType.int64), value: attrTensor(scalarTensorProto(DType.int64, value)) }),
  });
}

/** The int64 value of a scalar `Const` node, or undefined when `node` is not one. */
function constInt(node: NodeDef | undefined): bigint | undefined {
  if (node?.op !== "Const") return undefined;
  const v = node.attr["value"]?.value;
  if (v?.case !== "tensor") return undefined;
  try {
    const x = readScalar(v.value, describeNode(node));
    return typeof x === "bigint" ? x : typeof x === "number" && Number.isInteger(x) ? BigInt(x) : undefined;
  } catch {
    return undefined;
  }
}

/** Data (non-control) input node names of `node`. */
function dataInputs(node: NodeDef): string[] {
  return node.input.map(parseGraphInput).filter((r) => !r.control).map((r) => r.node);
}

/** Replaces data input `i` of `node` by `name`, keeping the others (and control inputs) in place. */
function withInput(node: NodeDef, i: number, name: string): NodeDef {
  let k = -1;
  const input = node.input.map((raw) => (parseGraphInput(raw).control || ++k !== i ? raw : name));
  return create(NodeDefSchema, { ...node, input });
}

/** `graph` with `changed` nodes replaced (by name) and `added` nodes appended before the `_Retval`. */
function rebuild(graph: GraphDef, changed: ReadonlyMap<string, NodeDef>, added: readonly NodeDef[]): GraphDef {
  const nodes = graph.node.map((n) => changed.get(n.name) ?? n);
  return create(GraphDefSchema, { ...graph, node: [...added, ...nodes] });
}

/** DATA: a `ShardDataset` before the trailing prefetch/options/finalize nodes. */
function shardByData(graph: GraphDef, numWorkers: bigint, index: bigint): GraphDef {
  const g = new GraphIndex(graph);
  let consumer = g.retval();
  let input = g.outputNode();
  for (let depth = 0; TRAILING_OPS.has(input.op); depth++) {
    if (depth > MAX_DATASET_DEPTH) throw new TfDataError("InvalidArgument", "dataset graph nests too deep to shard");
    consumer = input;
    input = g.node(dataInputs(input)[0] ?? "", describeNode(input));
  }
  const taken = new Set<string>();
  const numShards = int64Const(freshName(g, taken, `${NODE_PREFIX}/num_shards`), numWorkers);
  const shardIndex = int64Const(freshName(g, taken, `${NODE_PREFIX}/index`), index);
  const spec = new NodeAttrs(input.attr, describeNode(input)).outputSpec();
  const shard = create(NodeDefSchema, {
    name: freshName(g, taken, `${NODE_PREFIX}/ShardDataset`),
    op: "ShardDataset",
    input: [input.name, numShards.name, shardIndex.name],
    attr: sortedAttrs({
      // As TF's rewrite: a worker whose shard would be empty while others get elements is an error.
      require_non_empty: attrBool(true),
      output_types: attrTypeList(spec.map((c) => c.dtype)),
      output_shapes: attrShapeList(spec.map((c) => c.shape)),
    }),
  });
  return rebuild(graph, new Map([[consumer.name, withInput(consumer, 0, shard.name)]]), [numShards, shardIndex, shard]);
}

/** HINT: `num_shards = SHARD_HINT` placeholders become (num_workers, worker_index). */
function shardByHint(graph: GraphDef, numWorkers: bigint, index: bigint): GraphDef {
  const g = new GraphIndex(graph);
  const taken = new Set<string>();
  const changed = new Map<string, NodeDef>();
  const added: NodeDef[] = [];
  for (const node of graph.node) {
    if (node.op !== "ShardDataset") continue;
    const inputs = dataInputs(node);
    if (constInt(g.nodes.get(inputs[1] ?? "")) !== SHARD_HINT) continue;
    const n = int64Const(freshName(g, taken, `${NODE_PREFIX}/num_shards`), numWorkers);
    const i = int64Const(freshName(g, taken, `${NODE_PREFIX}/index`), index);
    added.push(n, i);
    changed.set(node.name, withInput(withInput(node, 1, n.name), 2, i.name));
  }
  return changed.size === 0 ? graph : rebuild(graph, changed, added);
}

/**
 * FILE: walks to the sources as TF does; with no file readers implemented, the first source found
 * fails the rewrite with TF's NOT_FOUND.
 */
function shardByFile(graph: GraphDef): never {
  const g = new GraphIndex(graph);
  const walk = (node: NodeDef, depth: number): void => {
    if (depth > MAX_DATASET_DEPTH) throw new TfDataError("InvalidArgument", "dataset graph nests too deep to shard");
    const inputs = dataInputs(node).map((name) => g.node(name, describeNode(node))).filter((n) => isDatasetOp(n.op));
    if (inputs.length === 0) {
      throw new TfDataError("NotFound", `Found an unshardable source dataset: \n${nodeDebugString(node)}`);
    }
    for (const input of MULTI_INPUT_OPS.has(node.op) ? inputs : inputs.slice(0, 1)) walk(input, depth + 1);
  };
  walk(g.outputNode(), 0);
  throw new TfDataError("NotFound", "Found no source dataset to shard by files.");
}

/** Fails as TF's `ShardDataset` iterator does when a `SHARD_HINT` placeholder is left in `graph`. */
export function checkNoShardHints(graph: GraphDef): void {
  const g = new GraphIndex(graph);
  for (const node of graph.node) {
    if (node.op === "ShardDataset" && constInt(g.nodes.get(dataInputs(node)[1] ?? "")) === SHARD_HINT) {
      throw new TfDataError("FailedPrecondition", SHARD_HINT_MISUSE_MESSAGE);
    }
  }
}

/**
 * `graph` rewritten for worker `index` of `numWorkers` under `policy` (see the module comment).
 * Throws TF's errors: NOT_FOUND for FILE without files, FAILED_PRECONDITION for a `SHARD_HINT`
 * left in a DATA / AUTO pipeline, INVALID_ARGUMENT for a bad worker count or index.
 */
export function autoShard(graph: GraphDef, policy: AutoShardPolicy, numWorkers: bigint, index: bigint): GraphDef {
  if (numWorkers <= 0n || index < 0n || index >= numWorkers) {
    throw new TfDataError("InvalidArgument", `Auto-sharding needs 0 <= worker index < number of workers, got worker ` +
      `index ${index} of ${numWorkers} workers; static sharding takes them from DispatcherConfig.worker_addresses.`);
  }
  switch (policy) {
    case "HINT":
      return shardByHint(graph, numWorkers, index);
    case "FILE":
      return shardByFile(graph);
    case "DATA":
    case "AUTO": {
      if (policy === "AUTO") {
        try {
          shardByFile(graph);
        } catch (err) {
          if (!(err instanceof TfDataError) || err.code !== "NotFound") throw err;
        }
      }
      const sharded = shardByData(graph, numWorkers, index);
      checkNoShardHints(sharded);
      return sharded;
    }
  }
}
