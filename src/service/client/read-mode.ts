/**
 * How one iteration client reads, decided when its iteration starts (TF's `DataServiceParams`
 * validation, the AUTO→LOCAL switch and the per-task filter, spec §3.5–§3.7):
 *
 * - `targetWorkers`: AUTO skips tasks on *remote* workers tagged COLOCATED (no cross-trainer-host
 *   reads); ANY reads every task; LOCAL reads only workers of this process, by direct call. With
 *   static sharding and a COLOCATED deployment, AUTO becomes LOCAL. Coordinated reads read every
 *   task.
 * - A reader that skipped a task cannot wait for the whole iteration, so it ends when its own
 *   tasks end.
 * - When the reader is done, tasks it read exclusively from local workers (LOCAL, or AUTO and
 *   tagged COLOCATED; never for coordinated reads) are deleted on those workers.
 */
import { TfDataError } from "../../core/errors.js";
import { TargetWorkers, type TaskInfo } from "../../gen/tensorflow/core/data/service/common_pb.js";
import {
  DeploymentMode,
  ProcessingModeDef_ShardingPolicy as ShardingPolicy,
} from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import { LocalWorkers } from "../worker/local-workers.js";

/** The worker tag of workers that run on trainer hosts (compared upper-cased, as TF). */
export const COLOCATED_WORKER_TAG = "COLOCATED";

/** TF's `kInfiniteCardinality`. */
const INFINITE = -1n;

/** The parameters the rules look at. */
export interface ReadParams {
  /** After {@link effectiveTargetWorkers}. */
  readonly targetWorkers: TargetWorkers;
  readonly processingMode: ShardingPolicy;
  /** The job name as sent (undefined = anonymous job). */
  readonly jobName: string | undefined;
  /** Set for coordinated reads. */
  readonly numConsumers: bigint | undefined;
  /** Set when reading through the cross-trainer cache. */
  readonly trainerId: string | undefined;
  /** The iteration's repetition (0 for the first iterator of a dataset object). */
  readonly repetition: bigint;
  /** The registered dataset's cardinality (`DataServiceMetadata.cardinality`). */
  readonly cardinality: bigint;
}

/** TF's `IsStaticShard`. */
function isStaticShard(p: ShardingPolicy): boolean {
  return p === ShardingPolicy.FILE || p === ShardingPolicy.DATA || p === ShardingPolicy.FILE_OR_DATA ||
    p === ShardingPolicy.HINT;
}

/** TF's switch: static sharding in a COLOCATED deployment reads the local worker (AUTO → LOCAL). */
export function effectiveTargetWorkers(
  target: TargetWorkers, policy: ShardingPolicy, deploymentMode: DeploymentMode | undefined,
): TargetWorkers {
  if (isStaticShard(policy) && deploymentMode === DeploymentMode.COLOCATED && target === TargetWorkers.AUTO) {
    return TargetWorkers.LOCAL;
  }
  return target;
}

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

/** TF's `ValidateDataServiceParams` (local workers, then the cross-trainer cache), with TF's messages. */
export function validateReadParams(p: ReadParams): void {
  if (p.targetWorkers === TargetWorkers.LOCAL) {
    if (LocalWorkers.empty()) {
      if (isStaticShard(p.processingMode)) {
        throw invalid(`Static sharding policy <${ShardingPolicy[p.processingMode]}> requires local tf.data workers, ` +
          "but no local worker is found. You need to run local tf.data service workers in your training workers. " +
          "Static sharding also requires a fixed worker pool and a list of worker addresses in the " +
          'DispatcherConfig. See the "Processing Modes" section in the module doc for details.');
      }
      throw invalid("Local reads require local tf.data workers, but no local worker is found. You need to run " +
        "local tf.data service workers in your training workers.");
    }
    if (p.numConsumers !== undefined) {
      throw invalid('Coordinated reads require non-local workers, but `target_workers` is "LOCAL".');
    }
  }
  if (p.trainerId === undefined) return;
  if (!p.jobName) throw invalid("Cross-trainer caching requires named jobs. Got empty `job_name`.");
  if (p.cardinality !== INFINITE) {
    throw invalid("Cross-trainer caching requires the input dataset to be infinite. Got input with cardinality " +
      `${p.cardinality}`);
  }
  if (p.repetition > 1n) {
    throw invalid("Cross-trainer caching requires infinite datasets and disallows multiple repetitions of the " +
      `same dataset. Got repetition ${p.repetition}`);
  }
  if (p.numConsumers !== undefined) {
    throw invalid("Cross-trainer caching does not support coordinated reads. Got number of coordinated " +
      `consumers: ${p.numConsumers}`);
  }
}

/** True when the task's worker carries the COLOCATED tag (any case). */
export function isColocatedTask(info: TaskInfo): boolean {
  return info.workerTags.some((tag) => tag.toUpperCase() === COLOCATED_WORKER_TAG);
}

/** TF's `ShouldReadFromTask`. */
export function shouldReadFromTask(p: ReadParams, info: TaskInfo): boolean {
  if (p.numConsumers !== undefined) return true;
  const local = LocalWorkers.get(info.workerAddress) !== undefined;
  if (p.targetWorkers === TargetWorkers.LOCAL && !local) return false;
  // Cross-trainer-host reads would compete with training for the trainer hosts' resources.
  if (p.targetWorkers === TargetWorkers.AUTO && !local && isColocatedTask(info)) return false;
  return true;
}

/** TF's `ShouldDeleteLocalTask`: the task was read only by this client. */
export function shouldDeleteLocalTask(p: ReadParams, info: TaskInfo): boolean {
  if (p.numConsumers !== undefined) return false;
  if (p.targetWorkers === TargetWorkers.LOCAL) return true;
  return p.targetWorkers === TargetWorkers.AUTO && isColocatedTask(info);
}

/** TF's `DeleteLocalWorkerTasks`: run when a reader is done with its tasks. */
export function deleteLocalTasks(p: ReadParams, tasks: readonly TaskInfo[]): void {
  for (const info of tasks) {
    const worker = LocalWorkers.get(info.workerAddress);
    if (worker && shouldDeleteLocalTask(p, info)) worker.deleteLocalTask(info.taskId);
  }
}

/** The read parameters of one iteration (the AUTO→LOCAL switch applied). */
export function readParams(init: {
  readonly targetWorkers?: TargetWorkers;
  readonly processingMode: ShardingPolicy;
  readonly jobName?: string;
  readonly numConsumers?: bigint;
  readonly trainerId?: string;
  readonly deploymentMode?: DeploymentMode;
  readonly repetition: bigint;
  readonly cardinality: bigint;
}): ReadParams {
  return {
    targetWorkers: effectiveTargetWorkers(init.targetWorkers ?? TargetWorkers.AUTO, init.processingMode, init.deploymentMode),
    processingMode: init.processingMode,
    jobName: init.jobName,
    numConsumers: init.numConsumers,
    trainerId: init.trainerId,
    repetition: init.repetition,
    cardinality: init.cardinality,
  };
}
