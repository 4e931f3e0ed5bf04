/**
 * The dispatcher's state as an event-sourced store: every mutation is one TF journal `Update`
 * (journal.proto) passed to `apply()`. Replaying the same updates rebuilds the same state, which is
 * what the fault-tolerant journal (issue 4) will do at start-up.
 *
 * `apply()` checks the update's preconditions first and throws (`Internal`) without touching
 * anything when they do not hold, so a bad update never leaves the state half-applied; `check()`
 * runs the same checks alone, so the dispatcher journals only updates that will apply. Request
 * validation is the caller's job (see `dispatcher.ts`): updates reaching `apply()` are expected to
 * be consistent, and a failing precondition means a bug or a corrupt journal.
 *
 * Deliberate difference from TF: a `ProduceSplitUpdate` for a later repetition than the
 * provider's current one resets the provider's position to 0 before counting the split (TF keeps
 * counting from the old position, so a dispatcher restored from its journal would skip splits).
 */
import { TfDataError } from "../../core/errors.js";
import type { DataTransferServerInfo } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { TargetWorkers } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type {
  AcquireIterationClientUpdate,
  ClientHeartbeatUpdate,
  CompressionDisabledAtRuntimeUpdate,
  CreateIterationUpdate,
  CreateJobUpdate,
  CreatePendingTaskUpdate,
  CreateTaskUpdate,
  FinishTaskUpdate,
  GarbageCollectIterationUpdate,
  ProduceSplitUpdate,
  RegisterDatasetUpdate,
  RegisterWorkerUpdate,
  ReleaseIterationClientUpdate,
  RemoveTaskUpdate,
  Update,
} from "../../gen/tensorflow/core/data/service/journal_pb.js";
import {
  type DataServiceMetadata,
  ProcessingModeDef_ShardingPolicy as ShardingPolicy,
} from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import { WorkerIndexResolver } from "./worker-index.js";

/** First generated dataset id (TF: "1000"). */
export const FIRST_DATASET_ID = 1000n;
/** First iteration id (TF: 2000). */
export const FIRST_ITERATION_ID = 2000n;
/** First iteration-client id (TF: 3000). */
export const FIRST_ITERATION_CLIENT_ID = 3000n;
/** First task id (TF: 4000). */
export const FIRST_TASK_ID = 4000n;
/** First job id (TF: 5000). */
export const FIRST_JOB_ID = 5000n;

/** A registered dataset; its graph lives in the dataset store. */
export interface Dataset {
  readonly datasetId: string;
  readonly metadata: DataServiceMetadata;
}

/** A worker, known from its first heartbeat. Workers are never unregistered (as TF). */
export interface Worker {
  readonly address: string;
  readonly transferServers: readonly DataTransferServerInfo[];
  readonly tags: readonly string[];
  readonly uid: bigint;
}

/** A job: a dataset read under one processing mode, shared by name. */
export interface Job {
  readonly id: bigint;
  readonly name: string;
  readonly datasetId: string;
  readonly shardingPolicy: ShardingPolicy;
  /** Set for coordinated (round-robin) reads. */
  readonly numConsumers: bigint | undefined;
  readonly useCrossTrainerCache: boolean;
  readonly targetWorkers: TargetWorkers;
}

/** Split cursor of a DYNAMIC iteration, one entry per split provider. */
export interface DistributedEpochState {
  readonly repetitions: bigint[];
  readonly indices: bigint[];
}

/** A round-robin task waiting for every consumer to agree on its starting round. */
export interface PendingTask {
  readonly task: Task;
  targetRound: bigint;
  readonly readyConsumers: Set<bigint>;
  failures: number;
}

/** One pass ("repetition") over a job. */
export interface Iteration {
  readonly id: bigint;
  readonly job: Job;
  readonly repetition: bigint;
  readonly distributedEpochState: DistributedEpochState | undefined;
  readonly pendingTasks: PendingTask[];
  numClients: number;
  /** -1 until a client is released. */
  lastClientReleasedMicros: bigint;
  finished: boolean;
  garbageCollected: boolean;
}

/** One worker's share of one iteration. */
export interface Task {
  readonly id: bigint;
  readonly iteration: Iteration;
  readonly workerAddress: string;
  readonly transferServers: readonly DataTransferServerInfo[];
  readonly workerTags: readonly string[];
  readonly workerUid: bigint;
  startingRound: bigint;
  finished: boolean;
  removed: boolean;
}

function internal(message: string): TfDataError {
  return new TfDataError("Internal", `Inconsistent dispatcher state update: ${message}`);
}

function notFound(message: string): TfDataError {
  return new TfDataError("NotFound", message);
}

/** Map key of an iteration: (job name, repetition). */
function iterationKey(jobName: string, repetition: bigint): string {
  return JSON.stringify([jobName, repetition.toString()]);
}

function maxPlusOne(current: bigint, id: bigint): bigint {
  return id + 1n > current ? id + 1n : current;
}

/** A state change, prepared after its preconditions were checked. */
type Mutation = () => void;

/** Options of a `DispatcherState`. */
export interface DispatcherStateOptions {
  /** `DispatcherConfig.workerAddresses`: the fixed worker list of static sharding. */
  readonly workerAddresses?: readonly string[];
}

/** The dispatcher's in-memory state; see the module comment. */
export class DispatcherState {
  private readonly datasets = new Map<string, Dataset>();
  private readonly workers = new Map<string, Worker>();
  private readonly jobsById = new Map<bigint, Job>();
  private readonly jobsByName = new Map<string, Job>();
  private readonly iterations = new Map<bigint, Iteration>();
  private readonly iterationsByKey = new Map<string, Iteration>();
  /** Iteration of each acquired, not yet released client. */
  private readonly iterationForClient = new Map<bigint, Iteration>();
  private readonly tasks = new Map<bigint, Task>();
  /** Active tasks of each iteration, in creation order (finished ones stay; removed and pending do not). */
  private readonly tasksByIteration = new Map<bigint, Task[]>();
  /** Unfinished, non-removed tasks (active or pending) per worker. */
  private readonly tasksByWorker = new Map<string, Map<bigint, Task>>();
  private readonly compressionDecisions = new Map<string, boolean>();
  private nextDatasetNumber = FIRST_DATASET_ID;
  private nextIterationId = FIRST_ITERATION_ID;
  private nextIterationClientId = FIRST_ITERATION_CLIENT_ID;
  private nextTaskId = FIRST_TASK_ID;
  private nextJobId = FIRST_JOB_ID;
  /** Static-sharding worker indices; registering a worker claims its entry (so replay restores them). */
  private readonly workerIndices: WorkerIndexResolver;

  constructor(options: DispatcherStateOptions = {}) {
    this.workerIndices = new WorkerIndexResolver(options.workerAddresses ?? []);
  }

  /** Applies one update; throws without mutating anything if its preconditions fail. */
  apply(update: Update): void {
    this.prepare(update)();
  }

  /** Throws exactly when `apply(update)` would, without changing anything. */
  check(update: Update): void {
    this.prepare(update);
  }

  private prepare(update: Update): Mutation {
    const u = update.updateType;
    switch (u.case) {
      case "registerDataset": return this.registerDataset(u.value);
      case "registerWorker": return this.registerWorker(u.value);
      case "createJob": return this.createJob(u.value);
      case "createIteration": return this.createIteration(u.value);
      case "produceSplit": return this.produceSplit(u.value);
      case "acquireIterationClient": return this.acquireIterationClient(u.value);
      case "releaseIterationClient": return this.releaseIterationClient(u.value);
      case "garbageCollectIteration": return this.garbageCollectIteration(u.value);
      case "removeTask": return this.removeTask(u.value);
      case "createPendingTask": return this.createPendingTask(u.value);
      case "clientHeartbeat": return this.clientHeartbeat(u.value);
      case "createTask": return this.createTask(u.value);
      case "finishTask": return this.finishTask(u.value);
      case "compressionDisabledAtRuntime": return this.recordCompressionDecision(u.value);
      case "snapshot":
        throw new TfDataError("Unimplemented", "SnapshotUpdate: distributed snapshots are not implemented yet.");
      case undefined:
        throw internal("update type not set");
    }
  }

  // ---- queries -------------------------------------------------------------------------------

  /** The next generated dataset id ("1000", "1001", ..., skipping ids taken by requests). */
  nextAvailableDatasetId(): string {
    return this.nextDatasetNumber.toString();
  }
  /** The id the next created job gets. */
  nextAvailableJobId(): bigint {
    return this.nextJobId;
  }
  /** The id the next created iteration gets. */
  nextAvailableIterationId(): bigint {
    return this.nextIterationId;
  }
  /** The id the next acquired iteration client gets. */
  nextAvailableIterationClientId(): bigint {
    return this.nextIterationClientId;
  }
  /** The id the next created task gets. */
  nextAvailableTaskId(): bigint {
    return this.nextTaskId;
  }

  /** The dataset with `id`, or `NotFound` with TF's message. */
  datasetFromId(id: string): Dataset {
    const d = this.datasets.get(id);
    if (!d) throw notFound(`Dataset id ${id} not found`);
    return d;
  }
  /** True if a dataset with `id` is registered. */
  hasDataset(id: string): boolean {
    return this.datasets.has(id);
  }
  /** The worker registered at `address`, if any. */
  worker(address: string): Worker | undefined {
    return this.workers.get(address);
  }
  /** All registered workers, in registration order. */
  listWorkers(): Worker[] {
    return [...this.workers.values()];
  }
  /** The job with `id`, or `NotFound` with TF's message. */
  jobFromId(id: bigint): Job {
    const j = this.jobsById.get(id);
    if (!j) throw notFound(`Job with id ${id} not found`);
    return j;
  }
  /** The job named `name`, if any. */
  jobByName(name: string): Job | undefined {
    return this.jobsByName.get(name);
  }
  /** The iteration with `id`, or `NotFound` with TF's message. */
  iterationFromId(id: bigint): Iteration {
    const it = this.iterations.get(id);
    if (!it) throw notFound(`Iteration id ${id} not found`);
    return it;
  }
  /** The iteration for (job name, repetition), garbage-collected ones included. */
  iterationByKey(jobName: string, repetition: bigint): Iteration | undefined {
    return this.iterationsByKey.get(iterationKey(jobName, repetition));
  }
  /** All iterations in creation order. */
  listIterations(): Iteration[] {
    return [...this.iterations.values()];
  }
  /** The iteration an (unreleased) client reads, or `NotFound` with TF's message. */
  iterationForIterationClientId(clientId: bigint): Iteration {
    const it = this.iterationForClient.get(clientId);
    if (!it) throw notFound(`Iteration client id not found: ${clientId}`);
    return it;
  }
  /** True if `clientId` is acquired and not released. */
  hasIterationClient(clientId: bigint): boolean {
    return this.iterationForClient.has(clientId);
  }
  /** Clients whose iteration is unfinished (candidates for the client timeout). */
  listActiveClientIds(): bigint[] {
    const ids: bigint[] = [];
    for (const [id, it] of this.iterationForClient) if (!it.finished) ids.push(id);
    return ids;
  }
  /** The task with `id` (removed tasks are forgotten), or `NotFound` with TF's message. */
  taskFromId(id: bigint): Task {
    const t = this.tasks.get(id);
    if (!t) throw notFound(`Task ${id} not found`);
    return t;
  }
  /** True if a (non-removed) task with `id` exists. */
  hasTask(id: bigint): boolean {
    return this.tasks.has(id);
  }
  /** Active tasks of an iteration in creation order (what clients are told to read). */
  tasksForIteration(iterationId: bigint): readonly Task[] {
    return this.tasksByIteration.get(iterationId) ?? [];
  }
  /** Unfinished tasks assigned to a worker (active or pending), in creation order; `undefined` for an unknown worker. */
  tasksForWorker(address: string): Task[] | undefined {
    const m = this.tasksByWorker.get(address);
    return m ? [...m.values()] : undefined;
  }
  /** Refuses a worker missing from the configured worker list (TF's `FAILED_PRECONDITION`). */
  validateWorker(address: string): void {
    this.workerIndices.validateWorker(address);
  }
  /** The static-sharding index of a registered worker, or TF's `NOT_FOUND`. */
  workerIndex(address: string): number {
    return this.workerIndices.workerIndex(address);
  }
  /** Pending round-robin tasks of an iteration, head first. */
  pendingTasks(iterationId: bigint): readonly PendingTask[] {
    return this.iterations.get(iterationId)?.pendingTasks ?? [];
  }
  /** True if the worker has, or had, a task in the iteration (active, finished or pending). */
  workerHasTaskIn(iterationId: bigint, address: string): boolean {
    const it = this.iterations.get(iterationId);
    if (!it) return false;
    return (this.tasksByIteration.get(iterationId) ?? []).some((t) => t.workerAddress === address) ||
      it.pendingTasks.some((p) => p.task.workerAddress === address);
  }
  /** The first caller's compression decision for a dataset, if one was made. */
  compressionDisabledAtRuntime(datasetId: string): boolean | undefined {
    return this.compressionDecisions.get(datasetId);
  }

  // ---- updates -------------------------------------------------------------------------------

  private registerDataset(u: RegisterDatasetUpdate): Mutation {
    if (u.datasetId === "") throw internal("RegisterDatasetUpdate without a dataset id");
    if (this.datasets.has(u.datasetId)) throw internal(`dataset ${u.datasetId} is already registered`);
    const metadata = u.metadata;
    if (!metadata) throw internal(`RegisterDatasetUpdate for ${u.datasetId} without metadata`);
    return () => {
      this.datasets.set(u.datasetId, { datasetId: u.datasetId, metadata });
      while (this.datasets.has(this.nextDatasetNumber.toString())) this.nextDatasetNumber++;
    };
  }

  private registerWorker(u: RegisterWorkerUpdate): Mutation {
    if (u.workerAddress === "") throw internal("RegisterWorkerUpdate without an address");
    if (this.workers.has(u.workerAddress)) throw internal(`worker ${u.workerAddress} is already registered`);
    return () => {
      this.workers.set(u.workerAddress, {
        address: u.workerAddress,
        transferServers: [...u.transferServers],
        tags: [...u.workerTags],
        uid: u.workerUid,
      });
      this.tasksByWorker.set(u.workerAddress, new Map());
      this.workerIndices.addWorker(u.workerAddress);
    };
  }

  private createJob(u: CreateJobUpdate): Mutation {
    if (this.jobsById.has(u.jobId)) throw internal(`job ${u.jobId} already exists`);
    if (this.jobsByName.has(u.jobName)) throw internal(`a job named ${u.jobName} already exists`);
    if (!this.datasets.has(u.datasetId)) throw internal(`job ${u.jobId} refers to unknown dataset ${u.datasetId}`);
    const job: Job = {
      id: u.jobId,
      name: u.jobName,
      datasetId: u.datasetId,
      shardingPolicy: u.processingModeDef?.shardingPolicy ?? ShardingPolicy.OFF,
      numConsumers: u.optionalNumConsumers.case === "numConsumers" ? u.optionalNumConsumers.value : undefined,
      useCrossTrainerCache: u.useCrossTrainerCache,
      targetWorkers: u.targetWorkers,
    };
    return () => {
      this.jobsById.set(job.id, job);
      this.jobsByName.set(job.name, job);
      this.nextJobId = maxPlusOne(this.nextJobId, job.id);
    };
  }

  private createIteration(u: CreateIterationUpdate): Mutation {
    const job = this.jobsById.get(u.jobId);
    if (!job) throw internal(`iteration ${u.iterationId} refers to unknown job ${u.jobId}`);
    if (this.iterations.has(u.iterationId)) throw internal(`iteration ${u.iterationId} already exists`);
    const key = iterationKey(job.name, u.repetition);
    const existing = this.iterationsByKey.get(key);
    if (existing && !existing.garbageCollected) {
      throw internal(`iteration (${job.name}, ${u.repetition}) already exists as ${existing.id}`);
    }
    if (u.numSplitProviders < 0n || u.numSplitProviders > 1_000_000n) {
      throw internal(`iteration ${u.iterationId} has ${u.numSplitProviders} split providers`);
    }
    const n = Number(u.numSplitProviders);
    const iteration: Iteration = {
      id: u.iterationId,
      job,
      repetition: u.repetition,
      distributedEpochState: job.shardingPolicy === ShardingPolicy.DYNAMIC
        ? { repetitions: new Array<bigint>(n).fill(0n), indices: new Array<bigint>(n).fill(0n) }
        : undefined,
      pendingTasks: [],
      numClients: 0,
      lastClientReleasedMicros: -1n,
      finished: false,
      garbageCollected: false,
    };
    return () => {
      this.iterations.set(iteration.id, iteration);
      this.iterationsByKey.set(key, iteration);
      this.tasksByIteration.set(iteration.id, []);
      this.nextIterationId = maxPlusOne(this.nextIterationId, iteration.id);
    };
  }

  private produceSplit(u: ProduceSplitUpdate): Mutation {
    const it = this.iterations.get(u.iterationId);
    const des = it?.distributedEpochState;
    if (!it || !des) throw internal(`ProduceSplitUpdate for non-DYNAMIC or unknown iteration ${u.iterationId}`);
    const p = Number(u.splitProviderIndex);
    if (!(u.splitProviderIndex >= 0n && p < des.indices.length)) {
      throw internal(`split provider index ${u.splitProviderIndex} out of range`);
    }
    if (u.repetition < des.repetitions[p]) {
      throw internal(`ProduceSplitUpdate repetition ${u.repetition} < current ${des.repetitions[p]}`);
    }
    return () => {
      if (u.repetition > des.repetitions[p]) {
        // The caller skipped ahead (e.g. the longer input of a zip): the provider restarts.
        des.repetitions[p] = u.repetition;
        des.indices[p] = 0n;
      }
      if (u.finished) {
        des.repetitions[p]++;
        des.indices[p] = 0n;
      } else {
        des.indices[p]++;
      }
    };
  }

  private acquireIterationClient(u: AcquireIterationClientUpdate): Mutation {
    const it = this.iterations.get(u.iterationId);
    if (!it) throw internal(`client ${u.iterationClientId} acquires unknown iteration ${u.iterationId}`);
    if (this.iterationForClient.has(u.iterationClientId)) throw internal(`client ${u.iterationClientId} already acquired`);
    return () => {
      this.iterationForClient.set(u.iterationClientId, it);
      it.numClients++;
      this.nextIterationClientId = maxPlusOne(this.nextIterationClientId, u.iterationClientId);
    };
  }

  private releaseIterationClient(u: ReleaseIterationClientUpdate): Mutation {
    const it = this.iterationForClient.get(u.iterationClientId);
    if (!it) throw internal(`release of unknown client ${u.iterationClientId}`);
    return () => {
      it.numClients--;
      it.lastClientReleasedMicros = u.timeMicros;
      this.iterationForClient.delete(u.iterationClientId);
    };
  }

  private garbageCollectIteration(u: GarbageCollectIterationUpdate): Mutation {
    const it = this.iterations.get(u.iterationId);
    if (!it) throw internal(`garbage collection of unknown iteration ${u.iterationId}`);
    return () => {
      for (const task of this.tasksByIteration.get(it.id) ?? []) {
        task.finished = true;
        this.tasksByWorker.get(task.workerAddress)?.delete(task.id);
      }
      it.finished = true;
      it.garbageCollected = true;
    };
  }

  private removeTask(u: RemoveTaskUpdate): Mutation {
    const task = this.tasks.get(u.taskId);
    if (!task) throw internal(`removal of unknown task ${u.taskId}`);
    return () => {
      task.removed = true;
      const list = this.tasksByIteration.get(task.iteration.id);
      const i = list ? list.indexOf(task) : -1;
      if (list && i >= 0) list.splice(i, 1);
      const pending = task.iteration.pendingTasks.findIndex((p) => p.task === task);
      if (pending >= 0) task.iteration.pendingTasks.splice(pending, 1);
      this.tasksByWorker.get(task.workerAddress)?.delete(task.id);
      this.tasks.delete(task.id);
    };
  }

  private createPendingTask(u: CreatePendingTaskUpdate): Mutation {
    const it = this.checkNewTask(u.taskId, u.iterationId, u.workerAddress);
    return () => {
      const task = this.newTask(u.taskId, it, u);
      it.pendingTasks.push({ task, targetRound: u.startingRound, readyConsumers: new Set(), failures: 0 });
    };
  }

  private clientHeartbeat(u: ClientHeartbeatUpdate): Mutation {
    const it = this.iterationForClient.get(u.iterationClientId);
    if (!it) throw internal(`ClientHeartbeatUpdate for unknown client ${u.iterationClientId}`);
    const head = it.pendingTasks[0];
    const numConsumers = it.job.numConsumers;
    if (!head || numConsumers === undefined) {
      throw internal(`ClientHeartbeatUpdate for iteration ${it.id} without a pending round-robin task`);
    }
    return () => {
      if (u.taskRejected) {
        head.failures++;
        head.readyConsumers.clear();
        head.targetRound = u.taskRejected.newTargetRound;
      }
      if (u.taskAccepted) {
        head.readyConsumers.add(u.iterationClientId);
        if (BigInt(head.readyConsumers.size) === numConsumers) {
          head.task.startingRound = head.targetRound;
          this.tasksByIteration.get(it.id)?.push(head.task);
          it.pendingTasks.shift();
        }
      }
    };
  }

  private createTask(u: CreateTaskUpdate): Mutation {
    const it = this.checkNewTask(u.taskId, u.iterationId, u.workerAddress);
    return () => {
      const task = this.newTask(u.taskId, it, u);
      this.tasksByIteration.get(it.id)?.push(task);
    };
  }

  private finishTask(u: FinishTaskUpdate): Mutation {
    const task = this.tasks.get(u.taskId);
    if (!task) throw internal(`completion of unknown task ${u.taskId}`);
    return () => {
      task.finished = true;
      this.tasksByWorker.get(task.workerAddress)?.delete(task.id);
      const all = this.tasksByIteration.get(task.iteration.id) ?? [];
      task.iteration.finished = all.every((t) => t.finished);
    };
  }

  private recordCompressionDecision(u: CompressionDisabledAtRuntimeUpdate): Mutation {
    if (!this.datasets.has(u.datasetId)) throw internal(`compression decision for unknown dataset ${u.datasetId}`);
    return () => {
      this.compressionDecisions.set(u.datasetId, u.compressionDisabled);
    };
  }

  private checkNewTask(taskId: bigint, iterationId: bigint, workerAddress: string): Iteration {
    if (this.tasks.has(taskId)) throw internal(`task ${taskId} already exists`);
    const it = this.iterations.get(iterationId);
    if (!it) throw internal(`task ${taskId} refers to unknown iteration ${iterationId}`);
    if (!this.workers.has(workerAddress)) throw internal(`task ${taskId} refers to unknown worker ${workerAddress}`);
    return it;
  }

  private newTask(
    id: bigint,
    iteration: Iteration,
    u: { workerAddress: string; transferServers: DataTransferServerInfo[]; workerTags: string[]; workerUid: bigint },
  ): Task {
    const task: Task = {
      id,
      iteration,
      workerAddress: u.workerAddress,
      transferServers: [...u.transferServers],
      workerTags: [...u.workerTags],
      workerUid: u.workerUid,
      startingRound: 0n,
      finished: false,
      removed: false,
    };
    this.tasks.set(id, task);
    this.tasksByWorker.get(u.workerAddress)?.set(id, task);
    this.nextTaskId = maxPlusOne(this.nextTaskId, id);
    return task;
  }
}
