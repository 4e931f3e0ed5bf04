/**
 * Which runner serves a task (TF's `TaskRunner::Create`): round-robin when the `TaskDef` has
 * `num_consumers` (coordinated reads), the cross-trainer cache when `use_cross_trainer_cache`,
 * else first-come-first-served. The round-robin and caching runners read the task's elements
 * through its first-come-first-served runner.
 */
import { TfDataError } from "../../core/errors.js";
import type { TaskDef } from "../../gen/tensorflow/core/data/service/common_pb.js";
import { CachingTaskRunner, DEFAULT_CROSS_TRAINER_CACHE_SIZE_BYTES } from "./caching-runner.js";
import { RoundRobinTaskRunner } from "./round-robin-runner.js";
import { pullFrom } from "./runner-source.js";
import type { TaskRunner } from "./task-runner.js";

/** Most consumers of a round-robin task (each round buffers one element per consumer). */
export const MAX_ROUND_ROBIN_CONSUMERS = 1 << 20;

/** Worker settings the runners need. */
export interface RunnerSettings {
  /** `WorkerConfig.crossTrainerCacheSizeBytes`; default TF's 10 GiB. */
  readonly crossTrainerCacheSizeBytes?: number;
  /** Round fill wait before a round is skipped; default TF's 100 ms. */
  readonly roundRobinSkipWaitMs?: number;
}

/** The task's `num_consumers` when it is a round-robin task. */
export function roundRobinConsumers(def: TaskDef): bigint | undefined {
  return def.optionalNumConsumers.case === "numConsumers" ? def.optionalNumConsumers.value : undefined;
}

/**
 * TF's check at task creation: a round-robin task needs an input of infinite (or unknown)
 * cardinality; `cardinality` is TF's number for the task's dataset (-1 infinite, -2 unknown).
 */
export function checkRoundRobinTask(def: TaskDef, cardinality: bigint | undefined): void {
  const n = roundRobinConsumers(def);
  if (n === undefined) return;
  if (n <= 0n || n > BigInt(MAX_ROUND_ROBIN_CONSUMERS)) {
    throw new TfDataError("InvalidArgument", `Task ${def.taskId} has num_consumers = ${n}; a round-robin task has ` +
      `1 to ${MAX_ROUND_ROBIN_CONSUMERS} consumers.`);
  }
  if (cardinality !== undefined && cardinality !== -1n && cardinality !== -2n) {
    throw new TfDataError("FailedPrecondition", "Round robin reads require that the input dataset has infinite " +
      `cardinality, but the dataset has cardinality ${cardinality}. Consider adding a \`.repeat()\` transformation ` +
      "to the dataset.");
  }
}

/** The runner for `def` over its first-come-first-served runner `fcfs`. */
export function taskRunnerFor(def: TaskDef, fcfs: TaskRunner, settings: RunnerSettings = {}): TaskRunner {
  const n = roundRobinConsumers(def);
  if (n !== undefined) {
    return new RoundRobinTaskRunner(pullFrom(fcfs), Number(n), { skipWaitMs: settings.roundRobinSkipWaitMs });
  }
  if (def.useCrossTrainerCache) {
    const bytes = settings.crossTrainerCacheSizeBytes;
    return new CachingTaskRunner(pullFrom(fcfs), bytes !== undefined && bytes > 0 ? bytes : DEFAULT_CROSS_TRAINER_CACHE_SIZE_BYTES);
  }
  return fcfs;
}
