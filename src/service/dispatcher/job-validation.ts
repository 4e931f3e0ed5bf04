/**
 * Checks of `GetOrCreateJob` requests: TF's `ValidateMatchingJob` for a named job that already
 * exists, and the combinations a job cannot have (TF's Python client refuses most of them; the
 * dispatcher refuses them too, so other clients cannot create jobs that could never be read).
 */
import { TfDataError } from "../../core/errors.js";
import { TargetWorkers } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { GetOrCreateJobRequest } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { ProcessingModeDef_ShardingPolicy as ShardingPolicy } from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import type { Job } from "./state.js";

/** Sharding policies defined by TF (anything else on the wire is invalid). */
export const KNOWN_SHARDING_POLICIES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5]);
/** Target-worker values defined by TF. */
export const KNOWN_TARGET_WORKERS: ReadonlySet<number> = new Set([0, 1, 2, 3]);

/** TF's `IsStaticShard`: the auto-shard policies FILE, DATA, FILE_OR_DATA and HINT. */
export function isStaticShard(policy: ShardingPolicy): boolean {
  return policy === ShardingPolicy.FILE || policy === ShardingPolicy.DATA ||
    policy === ShardingPolicy.FILE_OR_DATA || policy === ShardingPolicy.HINT;
}

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

/** TF's `ProcessingModeDef.ShortDebugString()`: empty for OFF (the proto3 default). */
export function processingModeDebugString(policy: ShardingPolicy): string {
  return policy === ShardingPolicy.OFF ? "" : `sharding_policy: ${ShardingPolicy[policy] ?? policy}`;
}

/** TF's `TargetWorkersToString`. */
export function targetWorkersString(t: TargetWorkers): string {
  switch (t) {
    case TargetWorkers.AUTO: return "AUTO";
    case TargetWorkers.ANY: return "ANY";
    case TargetWorkers.LOCAL: return "LOCAL";
    default: return "UNKNOWN";
  }
}

/** TF's `ValidateMatchingJob`: processing mode, cross-trainer cache and target workers must agree. */
export function validateMatchingJob(job: Job, policy: ShardingPolicy, req: GetOrCreateJobRequest): void {
  let diff = "";
  if (job.shardingPolicy !== policy) {
    diff += `Existing processing mode: <${processingModeDebugString(job.shardingPolicy)}>; got ` +
      `<${processingModeDebugString(policy)}>. `;
  }
  if (job.useCrossTrainerCache !== req.useCrossTrainerCache) {
    diff += `Existing cross-trainer cache: <${job.useCrossTrainerCache ? "enabled" : "disabled"}>; got ` +
      `<${req.useCrossTrainerCache ? "enabled" : "disabled"}>. `;
  }
  if (job.targetWorkers !== req.targetWorkers) {
    diff += `Existing target workers: <${targetWorkersString(job.targetWorkers)}>; got ` +
      `<${targetWorkersString(req.targetWorkers)}>. `;
  }
  if (diff) {
    throw invalid(`Tried to create job with name ${job.name}, but found an existing job with different ` +
      `parameters: ${diff}`);
  }
}

/** What a job request asks for, once decoded. */
export interface JobShape {
  readonly policy: ShardingPolicy;
  readonly jobName: string | undefined;
  readonly numConsumers: bigint | undefined;
  readonly crossTrainerCache: boolean;
  readonly targetWorkers: TargetWorkers;
}

/**
 * Refuses jobs that could never be read: static sharding without a configured worker list (TF
 * would fail every task assignment later with "Worker … is not in the workers list"), and the
 * combinations TF's client refuses for coordinated reads and the cross-trainer cache.
 */
export function validateJobShape(shape: JobShape, configuredWorkers: number): void {
  if (isStaticShard(shape.policy) && configuredWorkers === 0) {
    throw new TfDataError("FailedPrecondition", `Static sharding policy ${ShardingPolicy[shape.policy]} needs a ` +
      "fixed worker list: start the dispatcher with DispatcherConfig.workerAddresses listing every worker " +
      '("host:port", or "host:%port%" for any port of that host); a worker\'s shard index is its position there.');
  }
  if (shape.numConsumers !== undefined) {
    if (shape.jobName === undefined) {
      throw invalid("GetOrCreateJobRequest.num_consumers (coordinated reads) needs a job_name shared by all " +
        "consumers; an anonymous job has only one consumer.");
    }
    if (shape.crossTrainerCache) {
      throw invalid("Coordinated reads (num_consumers) cannot be combined with the cross-trainer cache.");
    }
    if (shape.targetWorkers === TargetWorkers.LOCAL) {
      throw invalid('Coordinated reads (num_consumers) cannot be combined with target_workers="LOCAL": every ' +
        "consumer reads every worker in turn.");
    }
  }
  if (shape.crossTrainerCache && shape.jobName === undefined) {
    throw invalid("The cross-trainer cache needs a job_name: trainers share the cache of one named job.");
  }
}
