/**
 * What a task's sharding policy asks of the worker (spec §3.2): DYNAMIC reads splits from the
 * dispatcher (dynamic-task.ts); the static policies rewrite the graph with TF's auto-shard rewrite
 * for `TaskDef.num_workers` / `worker_index` (src/graph/auto-shard.ts); OFF runs it as it is.
 */
import { TfDataError } from "../../core/errors.js";
import type { TaskDef } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { GraphDef } from "../../gen/tensorflow/core/framework/graph_pb.js";
import { ProcessingModeDef_ShardingPolicy as Policy } from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import { autoShard, type AutoShardPolicy } from "../../graph/auto-shard.js";

/** The auto-shard policy of each static sharding policy (TF's `ToAutoShardPolicy`). */
const STATIC_POLICIES: ReadonlyMap<Policy, AutoShardPolicy> = new Map([
  [Policy.FILE, "FILE"],
  [Policy.DATA, "DATA"],
  [Policy.FILE_OR_DATA, "AUTO"],
  [Policy.HINT, "HINT"],
] as const);

/** The task's sharding policy (OFF when unset). */
export function shardingPolicy(def: TaskDef): Policy {
  return def.processingModeDef?.shardingPolicy ?? Policy.OFF;
}

/** True for a DYNAMIC (`distributed_epoch`) task. */
export function isDynamicTask(def: TaskDef): boolean {
  return shardingPolicy(def) === Policy.DYNAMIC;
}

/** Fails for a sharding policy this worker does not know (a newer peer's). */
export function checkShardingPolicy(def: TaskDef): void {
  const p = shardingPolicy(def);
  if (p !== Policy.OFF && p !== Policy.DYNAMIC && !STATIC_POLICIES.has(p)) {
    throw new TfDataError("Unimplemented", `Task ${def.taskId} has sharding policy ${Policy[p] ?? `#${p}`}, which this ` +
      "worker does not know (it knows OFF, DYNAMIC, FILE, DATA, FILE_OR_DATA and HINT).");
  }
}

/**
 * The graph this worker runs for `def`: rewritten by TF's auto-shard rewrite under a static
 * policy, unchanged otherwise. Errors are TF's (NOT_FOUND for FILE without files, ...).
 */
export function applyStaticSharding(def: TaskDef, graph: GraphDef): GraphDef {
  const policy = STATIC_POLICIES.get(shardingPolicy(def));
  if (policy === undefined) return graph;
  if (def.numWorkers <= 0n) {
    throw new TfDataError("FailedPrecondition", `Task ${def.taskId} uses static sharding (${policy}) but its TaskDef ` +
      "has num_workers = 0; the dispatcher must list the workers in DispatcherConfig.worker_addresses.");
  }
  return autoShard(graph, policy, def.numWorkers, def.workerIndex);
}
