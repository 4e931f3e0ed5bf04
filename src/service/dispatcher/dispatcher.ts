/**
 * The dispatcher's behaviour, one method per RPC of `tensorflow.data.DispatcherService`, following
 * TF 2.21 (spec §2.2): codes and messages as TF's where TF has them. Runtime-neutral: the network
 * is reached only through `platform().createTransport()` (to push tasks to workers), files through
 * `platform().storage()`, time through an injectable clock.
 *
 * Every request field is validated before the state is touched. Every state change is a journal
 * `Update`, checked, then (in fault-tolerant mode) appended durably to the journal, then applied —
 * all under one lock and before the RPC answers.
 *
 * Deliberate differences from TF (spec §7, §8), each closing a known gap:
 * - Worker timeout: TF only logs a worker silent for `workerTimeoutMs`. We finish its unfinished
 *   tasks (journaled), so every iteration it took part in can end: under OFF and static sharding
 *   its copy / shard is dropped; under DYNAMIC its in-flight splits are lost, which the
 *   at-most-once guarantee already allows. Round-robin tasks are left to the consumers' removal
 *   vote (`MaybeRemoveTask`), which keeps them in step. A lost worker gets no task in iterations
 *   created while it is lost; if it comes back, it joins the unfinished iterations it never had a
 *   task in, like a new worker.
 * - `WorkerUpdate` with an unknown task id skips that item (logged) and applies the others: TF
 *   fails the whole batch with `NOT_FOUND`, and its workers then retry forever (TF issue #52252).
 * - Round-robin: the latest round is tracked per iteration (TF stores it per client but reads it
 *   per iteration, so a new pending task always targets round 1).
 * - Iteration garbage collection is journaled (TF applies it in memory only, so a restarted
 *   dispatcher revives collected iterations and their tasks until it collects them again).
 * - Static sharding without `workerAddresses` is refused at `GetOrCreateJob` (TF fails later, on
 *   every task assignment).
 * - `MaybeRemoveTask` waits for the dispatcher to start (TF answers it during journal replay,
 *   when every task still looks unknown and thus "removed").
 * - After a fault-tolerant restart, workers get a fresh heartbeat time, so one that died with the
 *   old dispatcher is still detected as lost (TF forgets them).
 */
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { TfDataError } from "../../core/errors.js";
import { type DatasetDef, DatasetDefSchema, type TaskDef, TaskDefSchema } from "../../gen/tensorflow/core/data/service/common_pb.js";
import {
  type ClientHeartbeatRequest,
  type ClientHeartbeatResponse,
  ClientHeartbeatResponseSchema,
  type DisableCompressionAtRuntimeRequest,
  type DisableCompressionAtRuntimeResponse,
  DisableCompressionAtRuntimeResponseSchema,
  type GetDataServiceConfigResponse,
  GetDataServiceConfigResponseSchema,
  type GetDataServiceMetadataRequest,
  type GetDataServiceMetadataResponse,
  GetDataServiceMetadataResponseSchema,
  type GetDatasetDefRequest,
  type GetDatasetDefResponse,
  GetDatasetDefResponseSchema,
  type GetOrCreateIterationRequest,
  type GetOrCreateIterationResponse,
  GetOrCreateIterationResponseSchema,
  type GetOrCreateJobRequest,
  type GetOrCreateJobResponse,
  GetOrCreateJobResponseSchema,
  type GetOrRegisterDatasetRequest,
  type GetOrRegisterDatasetResponse,
  GetOrRegisterDatasetResponseSchema,
  type GetSplitRequest,
  type GetSplitResponse,
  GetSplitResponseSchema,
  type GetVersionResponse,
  GetVersionResponseSchema,
  type GetWorkersResponse,
  GetWorkersResponseSchema,
  type MaybeRemoveTaskRequest,
  type MaybeRemoveTaskResponse,
  MaybeRemoveTaskResponseSchema,
  type ReleaseIterationClientRequest,
  type ReleaseIterationClientResponse,
  ReleaseIterationClientResponseSchema,
  type WorkerHeartbeatRequest,
  type WorkerHeartbeatResponse,
  WorkerHeartbeatResponseSchema,
  type WorkerUpdateRequest,
  type WorkerUpdateResponse,
  WorkerUpdateResponseSchema,
} from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { type Update, UpdateSchema } from "../../gen/tensorflow/core/data/service/journal_pb.js";
import { WorkerService } from "../../gen/tensorflow/core/data/service/worker_pb.js";
import {
  type DataServiceMetadata,
  DataServiceMetadata_Compression as Compression,
  DataServiceMetadataSchema,
  DeploymentMode,
  ProcessingModeDef_ShardingPolicy as ShardingPolicy,
} from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import type { DispatcherConfig } from "../config.js";
import { toConnectError } from "../errors.js";
import { platform } from "../platform.js";
import type { Storage } from "../storage.js";
import { DATASETS_DIR, type DatasetStore, FileDatasetStore, MemoryDatasetStore } from "./dataset-store.js";
import {
  isStaticShard,
  KNOWN_SHARDING_POLICIES,
  KNOWN_TARGET_WORKERS,
  validateJobShape,
  validateMatchingJob,
} from "./job-validation.js";
import { JournalWriter, replayJournal } from "./journal.js";
import {
  MAX_DATASET_DEF_BYTES,
  MAX_ELEMENT_SPEC_BYTES,
  MAX_HEARTBEAT_TASKS,
  PROCESS_TASK_TIMEOUT_MS,
} from "./limits.js";
import { validateMatchingMetadata } from "./metadata.js";
import { prepareGraph } from "./prepare-graph.js";
import { SerialLock } from "./serial-lock.js";
import { makeSplitProviders, type SplitProvider, splitTensorProto } from "./split-providers.js";
import { DispatcherState, type Iteration, type Task } from "./state.js";
import { TASK_REMOVAL_TIMEOUT_MS, TaskRemover } from "./task-remover.js";
import {
  checkDatasetIdField,
  checkIdField,
  checkJobName,
  checkNonNegative,
  checkRequestedDatasetId,
  checkTransferServers,
  checkWorkerAddress,
  checkWorkerTags,
} from "./validate.js";
import { DATA_SERVICE_VERSION } from "../version.js";

/** Compression values defined by TF. */
const KNOWN_COMPRESSIONS: ReadonlySet<number> = new Set([0, 1, 2, 3]);
/** gRPC codes of a task push that mean "worker unreachable now": the heartbeat repairs it (TF), plus our push timeout. */
const IGNORED_PUSH_CODES: ReadonlySet<Code> = new Set([Code.Unavailable, Code.Aborted, Code.Canceled, Code.DeadlineExceeded]);

/** What the dispatcher needs from outside; everything has a default. */
export interface DispatcherDeps {
  /** Wall clock in milliseconds (default `Date.now`). Tests inject a fake. */
  now?: () => number;
  /** Transport to a worker (default `platform().createTransport(address, "grpc")`). */
  workerTransport?: (address: string) => Transport;
  /** Graph storage (default: in memory, or files under `workDir`). */
  datasetStore?: DatasetStore;
  /** Durable storage for `workDir` (default `platform().storage(workDir)`). */
  storage?: Storage;
  /** Where operational messages go (default: nowhere). */
  log?: (message: string) => void;
  /** How long `MaybeRemoveTask` waits for every consumer's vote (default TF's 10 s). */
  taskRemovalTimeoutMs?: number;
}

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

function update(u: MessageInitShape<typeof UpdateSchema>["updateType"]): Update {
  return create(UpdateSchema, { updateType: u });
}

function maxBig(a: bigint | undefined, b: bigint): bigint {
  return a === undefined || b > a ? b : a;
}

/** The dispatcher: state, RPC semantics and maintenance. `DispatchServer` serves it. */
export class Dispatcher {
  /** The configuration this dispatcher runs with. */
  readonly config: DispatcherConfig;
  private readonly state: DispatcherState;
  private store: DatasetStore;
  private journal: JournalWriter | undefined;
  private readonly lock = new SerialLock();
  private readonly now: () => number;
  private readonly workerTransport: (address: string) => Transport;
  private readonly log: (message: string) => void;
  private readonly deps: DispatcherDeps;
  private readonly taskRemovalTimeoutMs: number;
  private readonly workerClients = new Map<string, Client<typeof WorkerService>>();
  /** Last heartbeat per client (ms); +Infinity until its first heartbeat (never timed out before it reads). */
  private readonly clientHeartbeats = new Map<bigint, number>();
  /** Last heartbeat per worker (ms); entries leave when the worker is declared lost. */
  private readonly workerHeartbeats = new Map<string, number>();
  /** Workers declared lost (silent for longer than `workerTimeoutMs`), until they heartbeat again. */
  private readonly lost = new Set<string>();
  /** Split providers of DYNAMIC iterations (rebuilt from the stored graph after a restart). */
  private readonly splitProviders = new Map<bigint, SplitProvider[]>();
  /** Highest round-robin round each client reported. */
  private readonly clientRounds = new Map<bigint, bigint>();
  /** Highest round-robin round reported by any client of each iteration. */
  private readonly iterationRounds = new Map<bigint, bigint>();
  /** Removal votes in progress, by task id. */
  private readonly removers = new Map<bigint, TaskRemover>();
  private readonly pushes = new AbortController();
  private maintenanceTimer: ReturnType<typeof setInterval> | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private started = false;
  private stopped = false;

  constructor(config: DispatcherConfig, deps: DispatcherDeps = {}) {
    this.config = config;
    this.deps = deps;
    this.state = new DispatcherState({ workerAddresses: config.workerAddresses });
    this.now = deps.now ?? Date.now;
    this.workerTransport = deps.workerTransport ?? ((address) => platform().createTransport(address, "grpc"));
    this.store = deps.datasetStore ?? new MemoryDatasetStore();
    this.log = deps.log ?? (() => {});
    this.taskRemovalTimeoutMs = deps.taskRemovalTimeoutMs ?? TASK_REMOVAL_TIMEOUT_MS;
  }

  /**
   * Starts the dispatcher: with a `workDir`, prepares `<workDir>/datasets`; in fault-tolerant mode,
   * replays the journal and opens a new journal file. Then starts the maintenance pass (unless
   * `jobGcTimeoutMs` is -1, as TF). RPCs answer `UNAVAILABLE` until this resolves. Idempotent.
   * Without a `workDir` it completes synchronously.
   */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    if (this.stopped) throw new TfDataError("Unavailable", "Dispatcher is stopped.");
    if (this.config.workDir !== "") {
      const storage = this.deps.storage ?? this.platformStorage();
      await storage.mkdirs(DATASETS_DIR);
      if (!this.deps.datasetStore) this.store = new FileDatasetStore(storage);
      if (this.config.faultTolerantMode) {
        const summary = await replayJournal(storage, (u) => this.state.apply(u));
        for (const file of summary.tornTails) {
          this.log(`Journal file ${file} ends in an incomplete record (an interrupted, never acknowledged write); ` +
            "it was skipped.");
        }
        this.log(`Restored dispatcher state from ${summary.updates} journal updates in ${summary.files} files.`);
        const journal = await JournalWriter.open(storage);
        if (this.stopped) {
          await journal.close();
          throw new TfDataError("Unavailable", "Dispatcher is stopped.");
        }
        this.journal = journal;
      }
    }
    // Restored clients and workers start with a fresh heartbeat time, so none times out early.
    const now = this.now();
    for (const id of this.state.listActiveClientIds()) this.clientHeartbeats.set(id, now);
    for (const w of this.state.listWorkers()) this.workerHeartbeats.set(w.address, now);
    this.started = true;
    if (this.config.jobGcTimeoutMs >= 0) {
      this.maintenanceTimer = setInterval(() => void this.runMaintenance(), this.config.jobGcCheckIntervalMs);
    }
  }

  private platformStorage(): Storage {
    const p = platform();
    if (!p.storage) {
      throw new TfDataError("Unimplemented", `DispatcherConfig.workDir needs a filesystem, which the ${p.name} ` +
        "platform does not have; run the dispatcher in Node or Deno, or leave workDir unset.");
    }
    return p.storage(this.config.workDir);
  }

  /**
   * Stops maintenance, aborts in-flight task pushes and removal votes, and closes the journal once
   * in-flight state changes are done; later RPCs answer `UNAVAILABLE`. Idempotent.
   */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopped = true;
      if (this.maintenanceTimer !== undefined) clearInterval(this.maintenanceTimer);
      this.maintenanceTimer = undefined;
      this.pushes.abort();
      this.workerClients.clear();
      for (const r of this.removers.values()) r.cancel();
      this.removers.clear();
      this.stopping = (async () => {
        await this.starting?.catch(() => {});
        await this.lock.run(() => {});
        await this.journal?.close().catch(() => {});
      })();
    }
    return this.stopping;
  }

  /** Number of registered workers (TF's `DispatchServer._num_workers()`). */
  numWorkers(): number {
    return this.state.listWorkers().length;
  }

  /** Addresses of workers declared lost (silent for longer than `workerTimeoutMs`). */
  missingWorkers(): string[] {
    return [...this.lost];
  }

  /** Relative path of the journal file being written (fault-tolerant mode), for tests and logs. */
  get journalFile(): string | undefined {
    return this.journal?.path;
  }

  /** Read access to the state, for tests and introspection. */
  get debugState(): DispatcherState {
    return this.state;
  }

  // ---- RPCs ----------------------------------------------------------------------------------

  /** `GetVersion`: the protocol version; answered even before start (as TF). */
  getVersion(): GetVersionResponse {
    return create(GetVersionResponseSchema, { version: DATA_SERVICE_VERSION });
  }

  /**
   * `WorkerHeartbeat`: registration on first contact (refused if `workerAddresses` does not list
   * the worker), then task assignment (`new_tasks`, including pending round-robin tasks) and
   * deletion lists (`tasks_to_delete`).
   */
  async workerHeartbeat(req: WorkerHeartbeatRequest): Promise<WorkerHeartbeatResponse> {
    this.checkStarted();
    checkWorkerAddress("WorkerHeartbeatRequest.worker_address", req.workerAddress);
    checkWorkerTags(req.workerTags);
    checkTransferServers(req.transferServers);
    if (req.currentTasks.length > MAX_HEARTBEAT_TASKS) {
      throw invalid(`WorkerHeartbeatRequest.current_tasks lists ${req.currentTasks.length} tasks; the limit is ` +
        `${MAX_HEARTBEAT_TASKS}.`);
    }
    if (Object.keys(req.snapshotTaskProgress).length > 0) {
      throw new TfDataError("Unimplemented",
        "WorkerHeartbeatRequest.snapshot_task_progress: distributed snapshots are not implemented yet.");
    }
    return this.lock.run(async () => {
      const address = req.workerAddress;
      if (!this.state.worker(address)) {
        this.state.validateWorker(address);
        await this.commit(this.registrationUpdates(req));
      } else if (this.lost.has(address)) {
        await this.commit(this.returningWorkerUpdates(address));
      }
      this.workerHeartbeats.set(address, this.now());
      this.lost.delete(address);
      await this.commit(this.reconnectedRoundRobinUpdates(address));
      const assigned = this.state.tasksForWorker(address) ?? [];
      const current = new Set(req.currentTasks);
      const assignedIds = new Set(assigned.map((t) => t.id));
      const tasksToDelete = [...current].filter((id) => !assignedIds.has(id));
      const newTasks = await Promise.all(assigned.filter((t) => !current.has(t.id)).map((t) => this.taskDef(t)));
      return create(WorkerHeartbeatResponseSchema, { newTasks, tasksToDelete });
    });
  }

  /**
   * `WorkerUpdate`: task completions. Unknown task ids are skipped (logged) and the others applied
   * (TF fails the whole batch; see the module comment). Duplicate completions are ignored.
   */
  async workerUpdate(req: WorkerUpdateRequest): Promise<WorkerUpdateResponse> {
    this.checkStarted();
    for (const u of req.updates) checkIdField("WorkerUpdateRequest.updates.task_id", u.taskId);
    return this.lock.run(async () => {
      const finishing = new Set<bigint>();
      const updates: Update[] = [];
      for (const u of req.updates) {
        if (!this.state.hasTask(u.taskId)) {
          this.log(`WorkerUpdate from ${req.workerAddress}: task ${u.taskId} is unknown (removed, or from before a ` +
            "dispatcher restart); ignoring it.");
          continue;
        }
        if (!u.completed) continue;
        const task = this.state.taskFromId(u.taskId);
        if (task.finished || finishing.has(task.id)) continue;
        finishing.add(task.id);
        updates.push(update({ case: "finishTask", value: { taskId: task.id } }));
      }
      await this.commit(updates);
      return create(WorkerUpdateResponseSchema, {});
    });
  }

  /** `GetDatasetDef`: the stored graph (workers' fallback when `TaskDef.path` is unreadable). */
  async getDatasetDef(req: GetDatasetDefRequest): Promise<GetDatasetDefResponse> {
    this.checkStarted();
    checkDatasetIdField("GetDatasetDefRequest", req.datasetId);
    return this.lock.run(async () => {
      const dataset = this.state.datasetFromId(req.datasetId);
      return create(GetDatasetDefResponseSchema, { datasetDef: await this.store.get(dataset.datasetId) });
    });
  }

  /**
   * `GetSplit`: the next split of a DYNAMIC iteration's provider, with TF's repetition rules: an
   * older repetition gets `end_of_splits`; a newer one restarts the provider. Each split is
   * journaled before it is returned, so every split goes to exactly one caller, even across
   * dispatcher restarts.
   */
  async getSplit(req: GetSplitRequest): Promise<GetSplitResponse> {
    this.checkStarted();
    checkIdField("GetSplitRequest.iteration_id", req.iterationId);
    checkNonNegative("GetSplitRequest.repetition", req.repetition);
    checkNonNegative("GetSplitRequest.split_provider_index", req.splitProviderIndex);
    return this.lock.run(async () => {
      const iteration = this.state.iterationFromId(req.iterationId);
      const des = iteration.distributedEpochState;
      if (!des) {
        throw new TfDataError("FailedPrecondition", `Cannot get split for iteration ${iteration.id}, since it is ` +
          "not a distributed_epoch iteration.");
      }
      if (req.splitProviderIndex >= BigInt(des.indices.length)) {
        throw invalid(`GetSplitRequest.split_provider_index ${req.splitProviderIndex} is out of range: iteration ` +
          `${iteration.id} has ${des.indices.length} split providers (TaskDef.num_split_providers).`);
      }
      const p = Number(req.splitProviderIndex);
      const current = des.repetitions[p];
      if (req.repetition < current) return create(GetSplitResponseSchema, { endOfSplits: true });
      const position = req.repetition > current ? 0n : des.indices[p];
      const provider = (await this.splitProvidersFor(iteration))[p];
      const split = provider.at(position);
      await this.commit([update({
        case: "produceSplit",
        value: {
          iterationId: iteration.id,
          repetition: req.repetition,
          splitProviderIndex: req.splitProviderIndex,
          finished: split === undefined,
        },
      })]);
      return split === undefined
        ? create(GetSplitResponseSchema, { endOfSplits: true })
        : create(GetSplitResponseSchema, { split: splitTensorProto(split) });
    });
  }

  /** `GetOrRegisterDataset`: a requested id is reused (metadata must match); otherwise a new id, never deduped. */
  async getOrRegisterDataset(req: GetOrRegisterDatasetRequest): Promise<GetOrRegisterDatasetResponse> {
    this.checkStarted();
    const def = req.dataset;
    if (!def || !def.graph) {
      throw invalid("GetOrRegisterDatasetRequest.dataset.graph is missing: send the dataset's GraphDef " +
        "(DatasetDef { graph }).");
    }
    if (def.graph.node.length === 0) {
      throw invalid("GetOrRegisterDatasetRequest.dataset.graph has no nodes; a dataset graph ends in a " +
        "dataset node (and usually a _Retval).");
    }
    const size = toBinary(DatasetDefSchema, def).length;
    if (size > MAX_DATASET_DEF_BYTES) {
      throw new TfDataError("ResourceExhausted", `GetOrRegisterDatasetRequest.dataset is ${size} bytes; the ` +
        `dispatcher accepts dataset graphs of at most ${MAX_DATASET_DEF_BYTES} bytes.`);
    }
    const metadata = req.metadata ?? create(DataServiceMetadataSchema, {});
    this.checkMetadata(metadata);
    const requested = req.optionalDatasetId.case === "datasetId" ? req.optionalDatasetId.value : undefined;
    if (requested !== undefined) checkRequestedDatasetId(requested);
    prepareGraph(def.graph);
    return this.lock.run(async () => {
      if (requested !== undefined && this.state.hasDataset(requested)) {
        validateMatchingMetadata(requested, this.state.datasetFromId(requested).metadata, metadata);
        return create(GetOrRegisterDatasetResponseSchema, { datasetId: requested });
      }
      const datasetId = requested ?? this.state.nextAvailableDatasetId();
      // The graph is stored before the registration is journaled (TF): a replayed registration
      // always finds its graph.
      await this.store.put(datasetId, def);
      await this.commit([update({ case: "registerDataset", value: { datasetId, metadata } })]);
      return create(GetOrRegisterDatasetResponseSchema, { datasetId });
    });
  }

  /** `GetDataServiceMetadata`: what the dataset was registered with. */
  async getDataServiceMetadata(req: GetDataServiceMetadataRequest): Promise<GetDataServiceMetadataResponse> {
    this.checkStarted();
    checkDatasetIdField("GetDataServiceMetadataRequest", req.datasetId);
    return this.lock.run(() =>
      create(GetDataServiceMetadataResponseSchema, { metadata: this.state.datasetFromId(req.datasetId).metadata }));
  }

  /** `GetDataServiceConfig`: the deployment mode. */
  getDataServiceConfig(): GetDataServiceConfigResponse {
    this.checkStarted();
    return create(GetDataServiceConfigResponseSchema, { config: { deploymentMode: this.deploymentMode() } });
  }

  /** `GetOrCreateJob`: a named job is shared (parameters must match, TF's message); an anonymous one is new. */
  async getOrCreateJob(req: GetOrCreateJobRequest): Promise<GetOrCreateJobResponse> {
    this.checkStarted();
    checkDatasetIdField("GetOrCreateJobRequest", req.datasetId);
    const policy = req.processingModeDef?.shardingPolicy ?? ShardingPolicy.OFF;
    if (!KNOWN_SHARDING_POLICIES.has(policy)) {
      throw invalid(`GetOrCreateJobRequest.processing_mode_def.sharding_policy ${policy} is not a ShardingPolicy ` +
        "(OFF=0, DYNAMIC=1, FILE=2, DATA=3, FILE_OR_DATA=4, HINT=5).");
    }
    if (!KNOWN_TARGET_WORKERS.has(req.targetWorkers)) {
      throw invalid(`GetOrCreateJobRequest.target_workers ${req.targetWorkers} is not a TargetWorkers value ` +
        "(AUTO=1, ANY=2, LOCAL=3).");
    }
    const jobName = req.optionalJobName.case === "jobName" ? req.optionalJobName.value : undefined;
    if (jobName !== undefined) checkJobName(jobName);
    const numConsumers = req.optionalNumConsumers.case === "numConsumers" ? req.optionalNumConsumers.value : undefined;
    if (numConsumers !== undefined && numConsumers <= 0n) {
      throw invalid(`GetOrCreateJobRequest.num_consumers must be > 0 when set, got ${numConsumers}.`);
    }
    validateJobShape({
      policy,
      jobName,
      numConsumers,
      crossTrainerCache: req.useCrossTrainerCache,
      targetWorkers: req.targetWorkers,
    }, this.config.workerAddresses.length);
    return this.lock.run(async () => {
      this.state.datasetFromId(req.datasetId);
      const name = jobName ?? `anonymous_job_${this.state.nextAvailableJobId()}_${randomUint64()}`;
      const existing = this.state.jobByName(name);
      if (existing) {
        validateMatchingJob(existing, policy, req);
        return create(GetOrCreateJobResponseSchema, { jobId: existing.id });
      }
      const jobId = this.state.nextAvailableJobId();
      await this.commit([update({
        case: "createJob",
        value: {
          jobId,
          jobName: name,
          datasetId: req.datasetId,
          processingModeDef: { shardingPolicy: policy },
          optionalNumConsumers: numConsumers === undefined
            ? { case: undefined }
            : { case: "numConsumers", value: numConsumers },
          targetWorkers: req.targetWorkers,
          useCrossTrainerCache: req.useCrossTrainerCache,
        },
      })]);
      return create(GetOrCreateJobResponseSchema, { jobId });
    });
  }

  /**
   * `GetOrCreateIteration`: joins (job name, repetition) or creates it — for DYNAMIC with its
   * split providers, built from the stored graph (an unsplittable pipeline fails here with TF's
   * `UNIMPLEMENTED`) — with one task per live worker; acquires a new iteration client; then pushes
   * the new tasks to their workers.
   */
  async getOrCreateIteration(req: GetOrCreateIterationRequest): Promise<GetOrCreateIterationResponse> {
    this.checkStarted();
    checkIdField("GetOrCreateIterationRequest.job_id", req.jobId);
    checkNonNegative("GetOrCreateIterationRequest.repetition", req.repetition);
    const { clientId, newTasks } = await this.lock.run(async () => {
      const job = this.state.jobFromId(req.jobId);
      const iteration = this.state.iterationByKey(job.name, req.repetition);
      const updates: Update[] = [];
      let iterationId: bigint;
      const taskIds: bigint[] = [];
      let providers: SplitProvider[] | undefined;
      if (!iteration || iteration.garbageCollected) {
        iterationId = this.state.nextAvailableIterationId();
        if (job.shardingPolicy === ShardingPolicy.DYNAMIC) providers = await this.buildSplitProviders(job.datasetId);
        updates.push(update({
          case: "createIteration",
          value: {
            iterationId,
            jobId: job.id,
            repetition: req.repetition,
            numSplitProviders: BigInt(providers?.length ?? 0),
          },
        }));
        let taskId = this.state.nextAvailableTaskId();
        for (const worker of this.state.listWorkers()) {
          if (this.lost.has(worker.address)) continue;
          taskIds.push(taskId);
          updates.push(this.createTaskUpdate(taskId++, iterationId, worker.address));
        }
      } else {
        iterationId = iteration.id;
      }
      const clientId = this.state.nextAvailableIterationClientId();
      updates.push(update({ case: "acquireIterationClient", value: { iterationId, iterationClientId: clientId } }));
      await this.commit(updates);
      if (providers) this.splitProviders.set(iterationId, providers);
      this.clientHeartbeats.set(clientId, Number.POSITIVE_INFINITY);
      const defs = await Promise.all(taskIds.map((id) => this.taskDef(this.state.taskFromId(id))));
      return { clientId, newTasks: defs };
    });
    await this.assignTasks(newTasks);
    return create(GetOrCreateIterationResponseSchema, { iterationClientId: clientId });
  }

  /**
   * `MaybeRemoveTask`: the round-robin removal vote. Unknown (already removed) tasks answer
   * `removed`; a task is removed once all consumers asked for the same round.
   */
  async maybeRemoveTask(req: MaybeRemoveTaskRequest): Promise<MaybeRemoveTaskResponse> {
    this.checkStarted();
    checkIdField("MaybeRemoveTaskRequest.task_id", req.taskId);
    checkNonNegative("MaybeRemoveTaskRequest.consumer_index", req.consumerIndex);
    checkNonNegative("MaybeRemoveTaskRequest.round", req.round);
    const remover = await this.lock.run(() => {
      if (!this.state.hasTask(req.taskId)) return undefined;
      const task = this.state.taskFromId(req.taskId);
      const numConsumers = task.iteration.job.numConsumers;
      if (numConsumers === undefined) {
        throw new TfDataError("FailedPrecondition", "MaybeRemoveTask called on a non-round-robin task.");
      }
      if (req.consumerIndex >= numConsumers) {
        throw invalid(`MaybeRemoveTaskRequest.consumer_index ${req.consumerIndex} is out of range: the job has ` +
          `${numConsumers} consumers (0..${numConsumers - 1n}).`);
      }
      let r = this.removers.get(req.taskId);
      if (!r) {
        r = new TaskRemover(numConsumers, this.taskRemovalTimeoutMs);
        this.removers.set(req.taskId, r);
      }
      return r;
    });
    if (!remover) return create(MaybeRemoveTaskResponseSchema, { removed: true });
    const removed = await remover.requestRemoval(req.consumerIndex, req.round);
    if (!removed) {
      if (remover.idle && this.removers.get(req.taskId) === remover) this.removers.delete(req.taskId);
      return create(MaybeRemoveTaskResponseSchema, { removed: false });
    }
    this.checkStarted();
    await this.lock.run(async () => {
      if (this.state.hasTask(req.taskId)) {
        await this.commit([update({ case: "removeTask", value: { taskId: req.taskId } })]);
        this.log(`Task ${req.taskId} removed by all consumers in round ${req.round}.`);
      }
      if (this.removers.get(req.taskId) === remover) this.removers.delete(req.taskId);
    });
    return create(MaybeRemoveTaskResponseSchema, { removed: true });
  }

  /** `ReleaseIterationClient`: the client's iterator is gone. */
  async releaseIterationClient(req: ReleaseIterationClientRequest): Promise<ReleaseIterationClientResponse> {
    this.checkStarted();
    checkIdField("ReleaseIterationClientRequest.iteration_client_id", req.iterationClientId);
    return this.lock.run(async () => {
      this.state.iterationForIterationClientId(req.iterationClientId);
      await this.releaseClient(req.iterationClientId);
      return create(ReleaseIterationClientResponseSchema, {});
    });
  }

  /**
   * `ClientHeartbeat`: the iteration's active tasks, whether it is finished, the deployment mode,
   * and for round-robin iterations the pending-task protocol (accept / reject, `block_round`).
   */
  async clientHeartbeat(req: ClientHeartbeatRequest): Promise<ClientHeartbeatResponse> {
    this.checkStarted();
    checkIdField("ClientHeartbeatRequest.iteration_client_id", req.iterationClientId);
    const currentRound = req.optionalCurrentRound.case === "currentRound" ? req.optionalCurrentRound.value : undefined;
    const blockedRound = req.optionalBlockedRound.case === "blockedRound" ? req.optionalBlockedRound.value : undefined;
    if (currentRound !== undefined) checkNonNegative("ClientHeartbeatRequest.current_round", currentRound);
    if (blockedRound !== undefined) checkNonNegative("ClientHeartbeatRequest.blocked_round", blockedRound);
    return this.lock.run(async () => {
      const clientId = req.iterationClientId;
      if (!this.state.hasIterationClient(clientId)) {
        if (this.config.faultTolerantMode) throw new TfDataError("NotFound", `Iteration client id not found: ${clientId}`);
        throw new TfDataError("NotFound", `Unknown iteration client id ${clientId}. The dispatcher is not ` +
          "configured to be fault tolerant, so this could be caused by a dispatcher restart.");
      }
      this.clientHeartbeats.set(clientId, this.now());
      const iteration = this.state.iterationForIterationClientId(clientId);
      if (iteration.garbageCollected) {
        throw new TfDataError("FailedPrecondition", "The requested iteration has been garbage collected due to " +
          "inactivity. Consider configuring the dispatcher with a higher `iteration_gc_timeout_ms`.");
      }
      if (currentRound !== undefined) {
        this.clientRounds.set(clientId, maxBig(this.clientRounds.get(clientId), currentRound));
        this.iterationRounds.set(iteration.id, maxBig(this.iterationRounds.get(iteration.id), currentRound));
      }
      await this.negotiatePendingTask(iteration, clientId, currentRound ?? 0n, blockedRound);
      const pending = this.state.pendingTasks(iteration.id)[0];
      const taskInfo = this.state.tasksForIteration(iteration.id).map((t) => ({
        workerAddress: t.workerAddress,
        transferServers: [...t.transferServers],
        workerTags: [...t.workerTags],
        taskId: t.id,
        iterationId: iteration.id,
        workerUid: t.workerUid,
        startingRound: t.startingRound,
      }));
      return create(ClientHeartbeatResponseSchema, {
        taskInfo,
        optionalBlockRound: pending ? { case: "blockRound", value: pending.targetRound } : { case: undefined },
        iterationFinished: iteration.finished,
        deploymentMode: this.deploymentMode(),
      });
    });
  }

  /** `GetWorkers`: every registered worker (lost ones included, as TF). */
  async getWorkers(): Promise<GetWorkersResponse> {
    this.checkStarted();
    return this.lock.run(() =>
      create(GetWorkersResponseSchema, { workers: this.state.listWorkers().map((w) => ({ address: w.address })) }));
  }

  /** `DisableCompressionAtRuntime`: the first caller decides for a compressed dataset; others learn the decision. */
  async disableCompressionAtRuntime(req: DisableCompressionAtRuntimeRequest): Promise<DisableCompressionAtRuntimeResponse> {
    this.checkStarted();
    checkDatasetIdField("DisableCompressionAtRuntimeRequest", req.datasetId);
    return this.lock.run(async () => {
      const dataset = this.state.datasetFromId(req.datasetId);
      if (dataset.metadata.compression === Compression.OFF) {
        return create(DisableCompressionAtRuntimeResponseSchema, {
          decision: { case: "noCompressionToDisable", value: true },
        });
      }
      const decided = this.state.compressionDisabledAtRuntime(req.datasetId);
      if (decided !== undefined) {
        return create(DisableCompressionAtRuntimeResponseSchema, {
          decision: { case: "compressionDisabledAtRuntime", value: decided },
        });
      }
      const disabled = req.disableCompressionAtRuntime;
      await this.commit([update({
        case: "compressionDisabledAtRuntime",
        value: { datasetId: req.datasetId, compressionDisabled: disabled },
      })]);
      return create(DisableCompressionAtRuntimeResponseSchema, {
        decision: { case: "compressionDisabledAtRuntime", value: disabled },
      });
    });
  }

  // ---- maintenance ---------------------------------------------------------------------------

  /**
   * One maintenance pass (TF's maintenance thread): release clients silent for longer than
   * `clientTimeoutMs`, garbage-collect client-less unfinished iterations after `jobGcTimeoutMs`,
   * and declare workers silent for longer than `workerTimeoutMs` lost, finishing their tasks.
   * Every change is journaled. Exposed for tests.
   */
  runMaintenance(): Promise<void> {
    if (this.stopped || !this.started) return Promise.resolve();
    return this.lock.run(async () => {
      const now = this.now();
      for (const clientId of this.state.listActiveClientIds()) {
        const last = this.clientHeartbeats.get(clientId) ?? now;
        if (now > last + this.config.clientTimeoutMs) {
          this.log(`Releasing timed-out client with id ${clientId}`);
          await this.releaseClient(clientId);
        }
      }
      for (const iteration of this.state.listIterations()) {
        if (!this.shouldGcIteration(iteration, now)) continue;
        await this.commit([update({ case: "garbageCollectIteration", value: { iterationId: iteration.id } })]);
        this.log(`Garbage collected iteration ${iteration.id} (${iteration.job.name}, ${iteration.repetition})`);
      }
      for (const [address, last] of [...this.workerHeartbeats]) {
        if (now <= last + this.config.workerTimeoutMs) continue;
        this.workerHeartbeats.delete(address);
        this.lost.add(address);
        const updates = (this.state.tasksForWorker(address) ?? [])
          .filter((t) => t.iteration.job.numConsumers === undefined)
          .map((t) => update({ case: "finishTask", value: { taskId: t.id } }));
        await this.commit(updates);
        this.log(`Lost worker ${address} due to timeout; finished its ${updates.length} unfinished tasks.`);
      }
    }).catch((err: unknown) => this.log(`Maintenance pass failed: ${String(err)}`));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /**
   * Checks, journals (fault-tolerant mode: appended and fsync'd) and applies updates in order. An
   * update that would not apply is never journaled. If journaling fails midway, the updates
   * before it stay applied and journaled (as in TF), so memory and journal always agree.
   */
  private async commit(updates: readonly Update[]): Promise<void> {
    for (const u of updates) {
      this.state.check(u);
      if (this.journal) await this.journal.append(u);
      this.state.apply(u);
    }
  }

  private checkStarted(): void {
    if (this.stopped) throw new TfDataError("Unavailable", "Dispatcher is stopped.");
    if (!this.started) throw new TfDataError("Unavailable", "Dispatcher has not started yet.");
  }

  private deploymentMode(): DeploymentMode {
    return DeploymentMode[this.config.deploymentMode];
  }

  private checkMetadata(m: DataServiceMetadata): void {
    if (!KNOWN_COMPRESSIONS.has(m.compression)) {
      throw invalid(`DataServiceMetadata.compression ${m.compression} is not a Compression value ` +
        "(UNSPECIFIED=0, OFF=1, SNAPPY=2, FORCED_SNAPPY=3).");
    }
    // Any cardinality is accepted, as TF: TF's client computes values below -2 for some pipelines
    // (e.g. shard(SHARD_HINT, SHARD_HINT) gives -19) and the dispatcher only stores them.
    if (m.optionalElementSpec.case === "elementSpec" && m.optionalElementSpec.value.length > MAX_ELEMENT_SPEC_BYTES) {
      throw new TfDataError("ResourceExhausted", `DataServiceMetadata.element_spec is ` +
        `${m.optionalElementSpec.value.length} bytes; the limit is ${MAX_ELEMENT_SPEC_BYTES}.`);
    }
  }

  /** The split providers of a dataset's stored graph (TF's `MakeSplitProviders`). */
  private async buildSplitProviders(datasetId: string): Promise<SplitProvider[]> {
    const def: DatasetDef = await this.store.get(datasetId);
    if (!def.graph) throw invalid(`Dataset ${datasetId} was registered without a graph.`);
    return makeSplitProviders(def.graph);
  }

  /** The providers of a DYNAMIC iteration; after a restart they are rebuilt on first use. */
  private async splitProvidersFor(iteration: Iteration): Promise<SplitProvider[]> {
    let providers = this.splitProviders.get(iteration.id);
    if (!providers) {
      providers = await this.buildSplitProviders(iteration.job.datasetId);
      const expected = iteration.distributedEpochState?.indices.length ?? 0;
      if (providers.length !== expected) {
        throw new TfDataError("DataLoss", `Iteration ${iteration.id} was created with ${expected} split providers, ` +
          `but the stored graph of dataset ${iteration.job.datasetId} now has ${providers.length}.`);
      }
      this.splitProviders.set(iteration.id, providers);
    }
    return providers;
  }

  /** Registration of a new worker: it gets a task (pending for round-robin) in every unfinished iteration. */
  private registrationUpdates(req: WorkerHeartbeatRequest): Update[] {
    const address = req.workerAddress;
    const updates: Update[] = [update({
      case: "registerWorker",
      value: {
        workerAddress: address,
        transferServers: req.transferServers,
        workerTags: req.workerTags,
        workerUid: req.workerUid,
      },
    })];
    let taskId = this.state.nextAvailableTaskId();
    for (const iteration of this.state.listIterations()) {
      if (iteration.finished) continue;
      const value = {
        taskId: taskId++,
        iterationId: iteration.id,
        workerAddress: address,
        transferServers: req.transferServers,
        workerTags: req.workerTags,
        workerUid: req.workerUid,
      };
      updates.push(iteration.job.numConsumers === undefined
        ? update({ case: "createTask", value })
        : update({ case: "createPendingTask", value: { ...value, startingRound: this.pendingTargetRound(iteration) } }));
    }
    return updates;
  }

  /** A lost worker that heartbeats again joins the unfinished iterations created while it was lost. */
  private returningWorkerUpdates(address: string): Update[] {
    const updates: Update[] = [];
    let taskId = this.state.nextAvailableTaskId();
    for (const iteration of this.state.listIterations()) {
      if (iteration.finished || iteration.job.numConsumers !== undefined) continue;
      if (this.state.workerHasTaskIn(iteration.id, address)) continue;
      updates.push(this.createTaskUpdate(taskId++, iteration.id, address));
    }
    if (updates.length > 0) this.log(`Lost worker ${address} is back; it joins ${updates.length} iterations.`);
    return updates;
  }

  /** TF's `FindNewTasks`: a worker without a task in an unfinished round-robin iteration gets a pending one. */
  private reconnectedRoundRobinUpdates(address: string): Update[] {
    const assigned = new Set((this.state.tasksForWorker(address) ?? []).map((t) => t.iteration.id));
    const updates: Update[] = [];
    let taskId = this.state.nextAvailableTaskId();
    for (const iteration of this.state.listIterations()) {
      if (iteration.finished || iteration.job.numConsumers === undefined || assigned.has(iteration.id)) continue;
      const worker = this.state.worker(address);
      if (!worker) continue;
      updates.push(update({
        case: "createPendingTask",
        value: {
          taskId: taskId++,
          iterationId: iteration.id,
          workerAddress: address,
          transferServers: [...worker.transferServers],
          workerTags: [...worker.tags],
          workerUid: worker.uid,
          startingRound: this.pendingTargetRound(iteration),
        },
      }));
    }
    return updates;
  }

  /** The first round a new round-robin task is proposed for: one past the iteration's latest round. */
  private pendingTargetRound(iteration: Iteration): bigint {
    return (this.iterationRounds.get(iteration.id) ?? 0n) + 1n;
  }

  /**
   * TF's pending-task protocol on the head pending task: a client already at or past the target
   * round rejects it (new target = its round + 2, 4, 8, … by failures); a client that blocked at or
   * before the target accepts it; when all consumers accepted, the task becomes active.
   */
  private async negotiatePendingTask(
    iteration: Iteration, clientId: bigint, currentRound: bigint, blockedRound: bigint | undefined,
  ): Promise<void> {
    const head = this.state.pendingTasks(iteration.id)[0];
    if (!head) return;
    let rejected: { newTargetRound: bigint } | undefined;
    if (currentRound >= head.targetRound) {
      const offset = 2n ** BigInt(head.failures + 1);
      rejected = { newTargetRound: (this.clientRounds.get(clientId) ?? 0n) + offset };
    }
    const accepted = blockedRound !== undefined && blockedRound <= head.targetRound &&
      !head.readyConsumers.has(clientId);
    if (!rejected && !accepted) return;
    await this.commit([update({
      case: "clientHeartbeat",
      value: { iterationClientId: clientId, taskAccepted: accepted, taskRejected: rejected },
    })]);
  }

  private createTaskUpdate(taskId: bigint, iterationId: bigint, workerAddress: string): Update {
    const worker = this.state.worker(workerAddress);
    if (!worker) throw new TfDataError("NotFound", `Worker with address ${workerAddress} not found.`);
    return update({
      case: "createTask",
      value: {
        taskId,
        iterationId,
        workerAddress,
        transferServers: [...worker.transferServers],
        workerTags: [...worker.tags],
        workerUid: worker.uid,
      },
    });
  }

  private async releaseClient(clientId: bigint): Promise<void> {
    await this.commit([update({
      case: "releaseIterationClient",
      value: { iterationClientId: clientId, timeMicros: BigInt(Math.floor(this.now())) * 1000n },
    })]);
    this.clientHeartbeats.delete(clientId);
    this.clientRounds.delete(clientId);
  }

  private shouldGcIteration(iteration: Iteration, nowMs: number): boolean {
    if (iteration.job.shardingPolicy === ShardingPolicy.DYNAMIC && !this.config.gcDynamicShardingJobs) return false;
    if (iteration.finished || iteration.numClients > 0 || iteration.lastClientReleasedMicros < 0n) return false;
    const releasedMs = Number(iteration.lastClientReleasedMicros / 1000n);
    return nowMs >= releasedMs + this.config.jobGcTimeoutMs;
  }

  /**
   * TF's `PopulateTaskDef`: everything a worker needs to run the task. The graph goes inline
   * without a `workDir`, else as the path of its dataset file. Static sharding adds the worker
   * count and this worker's index.
   */
  private async taskDef(task: Task): Promise<TaskDef> {
    const job = task.iteration.job;
    const des = task.iteration.distributedEpochState;
    const path = this.store.path(job.datasetId);
    const staticShard = isStaticShard(job.shardingPolicy);
    return create(TaskDefSchema, {
      dataset: path !== undefined
        ? { case: "path", value: path }
        : { case: "datasetDef", value: await this.store.get(job.datasetId) },
      datasetId: job.datasetId,
      taskId: task.id,
      iterationId: task.iteration.id,
      workerAddress: task.workerAddress,
      processingModeDef: { shardingPolicy: job.shardingPolicy },
      numSplitProviders: des ? BigInt(des.indices.length) : 0n,
      optionalNumConsumers: job.numConsumers === undefined
        ? { case: undefined }
        : { case: "numConsumers", value: job.numConsumers },
      numWorkers: staticShard ? BigInt(this.config.workerAddresses.length) : 0n,
      workerIndex: staticShard ? BigInt(this.state.workerIndex(task.workerAddress)) : 0n,
      useCrossTrainerCache: job.useCrossTrainerCache,
    });
  }

  private workerClient(address: string): Client<typeof WorkerService> {
    let client = this.workerClients.get(address);
    if (!client) {
      client = createClient(WorkerService, this.workerTransport(address));
      this.workerClients.set(address, client);
    }
    return client;
  }

  /**
   * Pushes new tasks with `ProcessTask` (in parallel). A worker that is unreachable right now is
   * skipped: its next heartbeat delivers the task (TF). Any other error fails the RPC, as TF.
   */
  private async assignTasks(tasks: readonly TaskDef[]): Promise<void> {
    const results = await Promise.allSettled(tasks.map(async (task) =>
      this.workerClient(task.workerAddress).processTask(
        { task },
        { signal: this.pushes.signal, timeoutMs: PROCESS_TASK_TIMEOUT_MS },
      )));
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (r.status === "fulfilled") continue;
      const err = toConnectError(r.reason);
      if (IGNORED_PUSH_CODES.has(err.code)) continue;
      throw new ConnectError(`Failed to submit task to worker ${tasks[i].workerAddress}: ${err.rawMessage}`,
        err.code, undefined, undefined, err);
    }
  }
}

/** A random uint64 for anonymous job names (TF: `random::New64()`). */
function randomUint64(): string {
  const a = new BigUint64Array(1);
  crypto.getRandomValues(a);
  return a[0].toString();
}
