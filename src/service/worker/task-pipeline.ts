/**
 * Builds a task's pipeline on its first `GetElement` (TF's lazy task initialisation): get the
 * dataset graph, ask the dispatcher whether compression was disabled at runtime, strip the
 * compression map if so, lower the graph once, and start a core iterator behind a task runner.
 * A plan with a parallel map or a prefetch runs on the parallel runner (worker threads, each with
 * its own wasm instance), so `num_parallel_calls` and `prefetch` overlap work as in TF.
 */
import { getCore } from "../../core/core.js";
import { TfDataError } from "../../core/errors.js";
import { ParallelPipeline } from "../../core/parallel/pipeline.js";
import { splitPlan, type PlanSplit } from "../../core/parallel/split.js";
import { threadFactory } from "../../core/parallel/threads.js";
import type { DatasetPlan } from "../../core/plan.js";
import type { TaskDef } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { GraphDef } from "../../gen/tensorflow/core/framework/graph_pb.js";
import { stripCompressionMap } from "../../graph/compression-map.js";
import { lower } from "../../graph/lower.js";
import type { DispatcherClient } from "../client/dispatcher-client.js";
import { retry } from "../client/retry.js";
import { AsyncFirstComeFirstServedTaskRunner, type AsyncElementSource } from "./async-fcfs-task-runner.js";
import { FirstComeFirstServedTaskRunner, type ElementSource, type TaskRunner } from "./task-runner.js";
import { applyStaticSharding, checkShardingPolicy, isDynamicTask } from "./sharding.js";
import { startDynamicTask } from "./dynamic-task.js";
import { checkRoundRobinTask, taskRunnerFor, type RunnerSettings } from "./task-runner-kind.js";

/** Retry budget of the worker's `DisableCompressionAtRuntime` call (TF: 1 h). */
export const COMPRESSION_DECISION_RETRY_MS = 60 * 60 * 1000;

/**
 * What task initialisation needs from the graph and core layers; injectable so the worker's
 * protocol logic can be tested without them. {@link defaultPipelineDeps} wires the real ones.
 */
export interface PipelineDeps {
  /** Lowers a dataset GraphDef into a core plan; throws `TfDataError` (e.g. UNIMPLEMENTED op). */
  lower(graph: GraphDef): DatasetPlan;
  /** Removes the trailing `map(CompressElement)` the client appended for compression. */
  stripCompressionMap(graph: GraphDef): GraphDef;
  /** Starts a core iterator over `plan`, seen through its wire output. */
  createSource(plan: DatasetPlan): Promise<ElementSource>;
  /**
   * Starts `plan` on the parallel runner when it has a parallel part (a parallel map or a
   * prefetch) and the runtime has threads; null otherwise, and `createSource` runs it. Optional:
   * without it every task runs in the worker's thread (test doubles).
   */
  createParallelSource?(plan: DatasetPlan): Promise<AsyncElementSource | null>;
  /**
   * TF's cardinality of a graph lowered by `lower` (-1n infinite, -2n unknown); round-robin tasks
   * need it. Optional: without it the check is skipped (test doubles).
   */
  cardinality?(graph: GraphDef): bigint;
}

/** Cardinalities of graphs `realPipelineDeps.lower` lowered (so round-robin tasks lower once). */
const loweredCardinality = new WeakMap<GraphDef, bigint>();

/** The real graph + core implementation. */
export const realPipelineDeps: PipelineDeps = {
  lower: (graph) => {
    const lowered = lower(graph);
    loweredCardinality.set(graph, lowered.cardinality);
    return lowered.plan;
  },
  cardinality: (graph) => loweredCardinality.get(graph) ?? lower(graph).cardinality,
  stripCompressionMap: (graph) => stripCompressionMap(graph),
  async createSource(plan) {
    const it = (await getCore()).createIterator(plan);
    return { next: () => it.nextWire(), close: () => it.close() };
  },
  async createParallelSource(plan) {
    if (threadFactory() === null) return null;
    // Decided on the plan alone, before the runner core builds anything. The client's compression
    // map alone is never costly enough next to its input for threads: the one-thread runner is the
    // leaner path there.
    const split = splitPlan(plan);
    if (split === null || onlyCompressionIsParallel(split)) return null;
    const pipeline = await ParallelPipeline.ofSplit(split);
    // The worker's thread only moves elements (callerComputes off): it must keep answering RPCs.
    const it = pipeline.createIterator({ output: "wire", callerComputes: false });
    pipeline.close(); // the pass keeps what it needs
    return {
      next: () => {
        const ready = it.tryNextWire();
        return ready === undefined ? it.nextWire() : Promise.resolve(ready);
      },
      tryNext: () => it.tryNextWire(),
      close: () => it.close(),
    };
  },
};

/** Whether a split's only parallel part is the compression map at the root (no prefetch below it). */
function onlyCompressionIsParallel(split: PlanSplit): boolean {
  if (split.kind !== "map" || split.fallback !== undefined) return false;
  const stage = split.stage;
  return stage.op === "map" && stage.input.op === "channel" && stage.fn.instructions.some((i) => i.kernel === "CompressElement");
}

/** Provider of {@link realPipelineDeps}, the default of `WorkerServer`. */
export const defaultPipelineDeps = (): Promise<PipelineDeps> => Promise.resolve(realPipelineDeps);

/** The worker-side context a task needs to initialise. */
export interface TaskInitContext {
  /** The worker's advertised address; `TaskDef.worker_address` must equal it. */
  readonly workerAddress: string;
  /** The dispatcher (for `GetDatasetDef` and `DisableCompressionAtRuntime`). */
  readonly dispatcher: DispatcherClient;
  /** Retry budget for dispatcher calls (`WorkerConfig.dispatcherTimeoutMs`). */
  readonly dispatcherTimeoutMs: number;
  /** Aborted when the worker stops. */
  readonly signal: AbortSignal;
  /** Graph and core. */
  readonly deps: () => Promise<PipelineDeps>;
  /** Round-robin and cross-trainer cache settings (task-runner-kind.ts). */
  readonly runners?: RunnerSettings;
}

/** Rejects task kinds this worker cannot run yet, naming them (before any RPC or lowering). */
export function checkTaskSupported(def: TaskDef): void {
  checkShardingPolicy(def);
}

/** Builds the task's runner; see the module comment. Errors keep their gRPC codes. */
export async function initializeTask(def: TaskDef, ctx: TaskInitContext): Promise<TaskRunner> {
  if (def.workerAddress !== ctx.workerAddress) {
    throw new TfDataError("Internal",
      `Dispatcher's worker address ${def.workerAddress} does not match worker's address ${ctx.workerAddress}.`);
  }
  checkTaskSupported(def);
  const deps = await ctx.deps();
  let graph = await datasetGraph(def, ctx);
  if (await compressionDisabledAtRuntime(def.datasetId, ctx)) graph = deps.stripCompressionMap(graph);
  graph = applyStaticSharding(def, graph); // FILE / DATA / FILE_OR_DATA / HINT (sharding.ts)
  const plan = deps.lower(graph);
  checkRoundRobinTask(def, deps.cardinality?.(graph)); // round-robin needs an infinite input
  if (ctx.signal.aborted) throw new TfDataError("Canceled", "Worker is shutting down");
  // Round-robin and cross-trainer cache tasks read through the FCFS runner (task-runner-kind.ts).
  if (isDynamicTask(def)) return taskRunnerFor(def, await startDynamicTask(def, plan, ctx), ctx.runners); // DYNAMIC: sources read splits
  return taskRunnerFor(def, await firstComeFirstServed(plan, deps), ctx.runners);
}

/** The task's FCFS runner: over the parallel runner when the plan has a parallel part. */
async function firstComeFirstServed(plan: DatasetPlan, deps: PipelineDeps): Promise<TaskRunner> {
  const parallel = await deps.createParallelSource?.(plan);
  if (parallel) return new AsyncFirstComeFirstServedTaskRunner(parallel);
  return new FirstComeFirstServedTaskRunner(await deps.createSource(plan));
}

/**
 * The task's graph: inline in the TaskDef, else from the dispatcher. (TF first reads
 * `TaskDef.path` from a shared filesystem; a runtime-neutral worker goes straight to the
 * `GetDatasetDef` fallback.)
 */
async function datasetGraph(def: TaskDef, ctx: TaskInitContext): Promise<GraphDef> {
  if (def.dataset.case === "datasetDef") {
    const graph = def.dataset.value.graph;
    if (!graph) throw new TfDataError("InvalidArgument", `Task ${def.taskId} has a DatasetDef without a graph.`);
    return graph;
  }
  const res = await retry(() => ctx.dispatcher.rpc.getDatasetDef({ datasetId: def.datasetId }, { signal: ctx.signal }), {
    description: `get dataset ${def.datasetId} from the dispatcher`,
    deadlineMs: ctx.dispatcherTimeoutMs,
    signal: ctx.signal,
  });
  const graph = res.datasetDef?.graph;
  if (!graph) throw new TfDataError("Internal", `The dispatcher returned no graph for dataset ${def.datasetId}.`);
  return graph;
}

/** TF's worker-side question: it votes "keep compression"; the dispatcher's first decision wins. */
async function compressionDisabledAtRuntime(datasetId: string, ctx: TaskInitContext): Promise<boolean> {
  const res = await retry(
    () => ctx.dispatcher.rpc.disableCompressionAtRuntime(
      { datasetId, disableCompressionAtRuntime: false }, { signal: ctx.signal }),
    {
      description: `ask the dispatcher whether compression is disabled for dataset ${datasetId}`,
      deadlineMs: COMPRESSION_DECISION_RETRY_MS,
      signal: ctx.signal,
    },
  );
  return res.decision.case === "compressionDisabledAtRuntime" && res.decision.value;
}
