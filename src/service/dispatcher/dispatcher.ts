/**
 * The dispatcher's behaviour, one method per RPC of `tensorflow.data.DispatcherService`, following
 * TF 2.21 (spec §2.2): codes and messages as TF's where TF has them. Runtime-neutral: the network
 * is reached only through `platform().createTransport()` (to push tasks to workers), time through
 * an injectable clock.
 *
 * Every request field is validated before the state is touched; every state change is a journal
 * `Update` applied through `commit()`, under one lock, so an RPC either applies all of its updates
 * or none.
 */
import { create, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { TfDataError } from "../../core/errors.js";
import { TargetWorkers, type DatasetDef, type TaskDef, TaskDefSchema, DatasetDefSchema } from "../../gen/tensorflow/core/data/service/common_pb.js";
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
  type GetVersionResponse,
  GetVersionResponseSchema,
  type GetWorkersResponse,
  GetWorkersResponseSchema,
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
import { type DatasetStore, MemoryDatasetStore } from "./dataset-store.js";
import {
  MAX_DATASET_DEF_BYTES,
  MAX_ELEMENT_SPEC_BYTES,
  MAX_HEARTBEAT_TASKS,
  PROCESS_TASK_TIMEOUT_MS,
} from "./limits.js";
import { validateMatchingMetadata } from "./metadata.js";
import { prepareGraph } from "./prepare-graph.js";
import { SerialLock } from "./serial-lock.js";
import { DispatcherState, type Iteration, type Job, type Task } from "./state.js";
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

/** The tf.data service protocol version TF 2.21 speaks (`kDataServiceVersion`). */
export const DATA_SERVICE_VERSION = 9n;

/** Sharding policies defined by TF (anything else on the wire is invalid). */
const KNOWN_SHARDING_POLICIES: ReadonlySet<number> = new Set([0, 1, 2, 3, 4, 5]);
/** Compression values defined by TF. */
const KNOWN_COMPRESSIONS: ReadonlySet<number> = new Set([0, 1, 2, 3]);
/** Target-worker values defined by TF. */
const KNOWN_TARGET_WORKERS: ReadonlySet<number> = new Set([0, 1, 2, 3]);
/** Cardinalities below this are meaningless (-1 = infinite, -2 = unknown). */
const MIN_CARDINALITY = -2n;
/** gRPC codes of a task push that mean "worker unreachable now": the heartbeat repairs it (TF), plus our push timeout. */
const IGNORED_PUSH_CODES: ReadonlySet<Code> = new Set([Code.Unavailable, Code.Aborted, Code.Canceled, Code.DeadlineExceeded]);

/** What the dispatcher needs from outside; everything has a default. */
export interface DispatcherDeps {
  /** Wall clock in milliseconds (default `Date.now`). Tests inject a fake. */
  now?: () => number;
  /** Transport to a worker (default `platform().createTransport(address, "grpc")`). */
  workerTransport?: (address: string) => Transport;
  /** Graph storage (default in memory). */
  datasetStore?: DatasetStore;
  /** Where operational messages go (default: nowhere). */
  log?: (message: string) => void;
}

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

/** TF's `ProcessingModeDef.ShortDebugString()`: empty for OFF (the proto3 default). */
function processingModeDebugString(policy: ShardingPolicy): string {
  return policy === ShardingPolicy.OFF ? "" : `sharding_policy: ${ShardingPolicy[policy] ?? policy}`;
}

/** TF's `TargetWorkersToString`. */
function targetWorkersString(t: TargetWorkers): string {
  switch (t) {
    case TargetWorkers.AUTO: return "AUTO";
    case TargetWorkers.ANY: return "ANY";
    case TargetWorkers.LOCAL: return "LOCAL";
    default: return "UNKNOWN";
  }
}

function update(u: MessageInitShape<typeof UpdateSchema>["updateType"]): Update {
  return create(UpdateSchema, { updateType: u });
}

/** The dispatcher: state, RPC semantics and maintenance. `DispatchServer` serves it. */
export class Dispatcher {
  /** The configuration this dispatcher runs with. */
  readonly config: DispatcherConfig;
  private readonly state = new DispatcherState();
  private readonly store: DatasetStore;
  private readonly lock = new SerialLock();
  private readonly now: () => number;
  private readonly workerTransport: (address: string) => Transport;
  private readonly log: (message: string) => void;
  private readonly workerClients = new Map<string, Client<typeof WorkerService>>();
  /** Last heartbeat per client (ms); +Infinity until its first heartbeat (never timed out before it reads). */
  private readonly clientHeartbeats = new Map<bigint, number>();
  /** Last heartbeat per worker (ms); entries leave when the worker is reported missing. */
  private readonly workerHeartbeats = new Map<string, number>();
  private readonly missing = new Set<string>();
  private readonly pushes = new AbortController();
  private maintenanceTimer: ReturnType<typeof setInterval> | undefined;
  private started = false;
  private stopped = false;

  constructor(config: DispatcherConfig, deps: DispatcherDeps = {}) {
    this.config = config;
    this.now = deps.now ?? Date.now;
    this.workerTransport = deps.workerTransport ?? ((address) => platform().createTransport(address, "grpc"));
    this.store = deps.datasetStore ?? new MemoryDatasetStore();
    this.log = deps.log ?? (() => {});
  }

  /** Marks the dispatcher started and starts the maintenance pass (unless `jobGcTimeoutMs` is -1, as TF). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.config.jobGcTimeoutMs >= 0) {
      this.maintenanceTimer = setInterval(() => void this.runMaintenance(), this.config.jobGcCheckIntervalMs);
    }
  }

  /** Stops maintenance and aborts in-flight task pushes; later RPCs answer `UNAVAILABLE`. Idempotent. */
  stop(): void {
    this.stopped = true;
    if (this.maintenanceTimer !== undefined) clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = undefined;
    this.pushes.abort();
    this.workerClients.clear();
  }

  /** Number of registered workers (TF's `DispatchServer._num_workers()`). */
  numWorkers(): number {
    return this.state.listWorkers().length;
  }

  /** Addresses of workers that stopped heartbeating for longer than `workerTimeoutMs`. */
  missingWorkers(): string[] {
    return [...this.missing];
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

  /** `WorkerHeartbeat`: registration on first contact, then task assignment and deletion lists. */
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
    return this.lock.run(() => {
      const address = req.workerAddress;
      this.workerHeartbeats.set(address, this.now());
      this.missing.delete(address);
      if (!this.state.worker(address)) this.registerWorker(req);
      const assigned = this.state.tasksForWorker(address) ?? [];
      const current = new Set(req.currentTasks);
      const assignedIds = new Set(assigned.map((t) => t.id));
      const toDelete = [...current].filter((id) => !assignedIds.has(id));
      const newTasks = assigned.filter((t) => !current.has(t.id)).map((t) => this.taskDef(t));
      return create(WorkerHeartbeatResponseSchema, { newTasks, tasksToDelete: toDelete });
    });
  }

  /** `WorkerUpdate`: task completions. An unknown task fails the whole RPC (`NOT_FOUND`, TF). */
  async workerUpdate(req: WorkerUpdateRequest): Promise<WorkerUpdateResponse> {
    this.checkStarted();
    for (const u of req.updates) checkIdField("WorkerUpdateRequest.updates.task_id", u.taskId);
    return this.lock.run(() => {
      // Validate the whole batch first: nothing is applied if one id is unknown.
      for (const u of req.updates) this.state.taskFromId(u.taskId);
      const finishing = new Set<bigint>();
      const updates: Update[] = [];
      for (const u of req.updates) {
        if (!u.completed) continue;
        const task = this.state.taskFromId(u.taskId);
        if (task.finished || finishing.has(task.id)) continue; // duplicate completion
        finishing.add(task.id);
        updates.push(update({ case: "finishTask", value: { taskId: task.id } }));
      }
      this.commit(updates);
      return create(WorkerUpdateResponseSchema, {});
    });
  }

  /** `GetDatasetDef`: the stored graph (workers' fallback when `TaskDef.path` is unreadable). */
  async getDatasetDef(req: GetDatasetDefRequest): Promise<GetDatasetDefResponse> {
    this.checkStarted();
    checkDatasetIdField("GetDatasetDefRequest", req.datasetId);
    return this.lock.run(() => {
      const dataset = this.state.datasetFromId(req.datasetId);
      return create(GetDatasetDefResponseSchema, { datasetDef: this.store.get(dataset.datasetId) });
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
    return this.lock.run(() => {
      if (requested !== undefined && this.state.hasDataset(requested)) {
        validateMatchingMetadata(requested, this.state.datasetFromId(requested).metadata, metadata);
        return create(GetOrRegisterDatasetResponseSchema, { datasetId: requested });
      }
      const datasetId = requested ?? this.state.nextAvailableDatasetId();
      this.store.put(datasetId, def);
      this.commit([update({ case: "registerDataset", value: { datasetId, metadata } })]);
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
    return this.lock.run(() => {
      this.state.datasetFromId(req.datasetId);
      const name = jobName ?? `anonymous_job_${this.state.nextAvailableJobId()}_${randomUint64()}`;
      const existing = this.state.jobByName(name);
      if (existing) {
        this.validateMatchingJob(existing, policy, req);
        return create(GetOrCreateJobResponseSchema, { jobId: existing.id });
      }
      this.checkSupportedJob(policy, numConsumers, req.useCrossTrainerCache);
      const jobId = this.state.nextAvailableJobId();
      this.commit([update({
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
   * `GetOrCreateIteration`: joins (job name, repetition) or creates it with one task per registered
   * worker, acquires a new iteration client, then pushes the new tasks to their workers.
   */
  async getOrCreateIteration(req: GetOrCreateIterationRequest): Promise<GetOrCreateIterationResponse> {
    this.checkStarted();
    checkIdField("GetOrCreateIterationRequest.job_id", req.jobId);
    checkNonNegative("GetOrCreateIterationRequest.repetition", req.repetition);
    const { clientId, newTasks } = await this.lock.run(() => {
      const job = this.state.jobFromId(req.jobId);
      const iteration = this.state.iterationByKey(job.name, req.repetition);
      const updates: Update[] = [];
      let iterationId: bigint;
      const taskIds: bigint[] = [];
      if (!iteration || iteration.garbageCollected) {
        iterationId = this.state.nextAvailableIterationId();
        updates.push(update({
          case: "createIteration",
          value: { iterationId, jobId: job.id, repetition: req.repetition, numSplitProviders: 0n },
        }));
        let taskId = this.state.nextAvailableTaskId();
        for (const worker of this.state.listWorkers()) {
          taskIds.push(taskId);
          updates.push(this.createTaskUpdate(taskId++, iterationId, worker.address));
        }
      } else {
        iterationId = iteration.id;
      }
      const clientId = this.state.nextAvailableIterationClientId();
      updates.push(update({ case: "acquireIterationClient", value: { iterationId, iterationClientId: clientId } }));
      this.commit(updates);
      this.clientHeartbeats.set(clientId, Number.POSITIVE_INFINITY);
      return { clientId, newTasks: taskIds.map((id) => this.taskDef(this.state.taskFromId(id))) };
    });
    await this.assignTasks(newTasks);
    return create(GetOrCreateIterationResponseSchema, { iterationClientId: clientId });
  }

  /** `ReleaseIterationClient`: the client's iterator is gone. */
  async releaseIterationClient(req: ReleaseIterationClientRequest): Promise<ReleaseIterationClientResponse> {
    this.checkStarted();
    checkIdField("ReleaseIterationClientRequest.iteration_client_id", req.iterationClientId);
    return this.lock.run(() => {
      this.state.iterationForIterationClientId(req.iterationClientId);
      this.releaseClient(req.iterationClientId);
      return create(ReleaseIterationClientResponseSchema, {});
    });
  }

  /** `ClientHeartbeat`: the iteration's tasks, whether it is finished, and the deployment mode. */
  async clientHeartbeat(req: ClientHeartbeatRequest): Promise<ClientHeartbeatResponse> {
    this.checkStarted();
    checkIdField("ClientHeartbeatRequest.iteration_client_id", req.iterationClientId);
    return this.lock.run(() => {
      const clientId = req.iterationClientId;
      if (!this.state.hasIterationClient(clientId)) {
        throw new TfDataError("NotFound", `Unknown iteration client id ${clientId}. The dispatcher is not ` +
          "configured to be fault tolerant, so this could be caused by a dispatcher restart.");
      }
      this.clientHeartbeats.set(clientId, this.now());
      const iteration = this.state.iterationForIterationClientId(clientId);
      if (iteration.garbageCollected) {
        throw new TfDataError("FailedPrecondition", "The requested iteration has been garbage collected due to " +
          "inactivity. Consider configuring the dispatcher with a higher `iteration_gc_timeout_ms`.");
      }
      // Round-robin bookkeeping (current_round, blocked_round, pending tasks) arrives with coordinated
      // reads (issue 4); jobs with num_consumers are refused until then, so no iteration has pending tasks.
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
        iterationFinished: iteration.finished,
        deploymentMode: this.deploymentMode(),
      });
    });
  }

  /** `GetWorkers`: every registered worker (missing ones included, as TF). */
  async getWorkers(): Promise<GetWorkersResponse> {
    this.checkStarted();
    return this.lock.run(() =>
      create(GetWorkersResponseSchema, { workers: this.state.listWorkers().map((w) => ({ address: w.address })) }));
  }

  /** `DisableCompressionAtRuntime`: the first caller decides for a SNAPPY dataset; others learn the decision. */
  async disableCompressionAtRuntime(req: DisableCompressionAtRuntimeRequest): Promise<DisableCompressionAtRuntimeResponse> {
    this.checkStarted();
    checkDatasetIdField("DisableCompressionAtRuntimeRequest", req.datasetId);
    return this.lock.run(() => {
      const dataset = this.state.datasetFromId(req.datasetId);
      if (dataset.metadata.compression !== Compression.SNAPPY) {
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
      this.commit([update({
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
   * and report workers silent for longer than `workerTimeoutMs`. Exposed for tests.
   */
  runMaintenance(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.lock.run(() => {
      const now = this.now();
      for (const clientId of this.state.listActiveClientIds()) {
        const last = this.clientHeartbeats.get(clientId) ?? now;
        if (now > last + this.config.clientTimeoutMs) {
          this.log(`Releasing timed-out client with id ${clientId}`);
          this.releaseClient(clientId);
        }
      }
      for (const iteration of this.state.listIterations()) {
        if (!this.shouldGcIteration(iteration, now)) continue;
        // Not journaled, as TF: a restarted dispatcher collects the iteration again later.
        this.state.apply(update({ case: "garbageCollectIteration", value: { iterationId: iteration.id } }));
        this.log(`Garbage collected iteration ${iteration.id} (${iteration.job.name}, ${iteration.repetition})`);
      }
      for (const [address, last] of this.workerHeartbeats) {
        if (now > last + this.config.workerTimeoutMs) {
          this.log(`Lost worker ${address} due to timeout`);
          this.workerHeartbeats.delete(address);
          this.missing.add(address);
        }
      }
    }).catch((err: unknown) => this.log(`Maintenance pass failed: ${String(err)}`));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Applies updates in order (the journal, issue 4, will append each before applying it). */
  private commit(updates: readonly Update[]): void {
    for (const u of updates) this.state.apply(u);
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
    if (m.cardinality < MIN_CARDINALITY) {
      throw invalid(`DataServiceMetadata.cardinality ${m.cardinality} is not valid: use >= 0 for a finite ` +
        "dataset, -1 for infinite or -2 for unknown.");
    }
    if (m.optionalElementSpec.case === "elementSpec" && m.optionalElementSpec.value.length > MAX_ELEMENT_SPEC_BYTES) {
      throw new TfDataError("ResourceExhausted", `DataServiceMetadata.element_spec is ` +
        `${m.optionalElementSpec.value.length} bytes; the limit is ${MAX_ELEMENT_SPEC_BYTES}.`);
    }
  }

  /** TF's `ValidateMatchingJob`: processing mode, cross-trainer cache and target workers must agree. */
  private validateMatchingJob(job: Job, policy: ShardingPolicy, req: GetOrCreateJobRequest): void {
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

  /** Refuses what this issue does not implement yet, naming it (never silently degraded). */
  private checkSupportedJob(policy: ShardingPolicy, numConsumers: bigint | undefined, crossTrainerCache: boolean): void {
    if (policy !== ShardingPolicy.OFF) {
      const legacy = policy === ShardingPolicy.DYNAMIC ? ' ("distributed_epoch")' : "";
      throw new TfDataError("Unimplemented", `Processing mode ${ShardingPolicy[policy]}${legacy} is not ` +
        'implemented yet (issue 4); only OFF ("parallel_epochs") is supported.');
    }
    if (numConsumers !== undefined) {
      throw new TfDataError("Unimplemented",
        "Coordinated reads (num_consumers / consumer_index) are not implemented yet (issue 4).");
    }
    if (crossTrainerCache) {
      throw new TfDataError("Unimplemented", "The cross-trainer cache is not implemented yet (issue 4).");
    }
  }

  private registerWorker(req: WorkerHeartbeatRequest): void {
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
    // A worker that registers late gets a task in every unfinished iteration (its copy starts from the beginning).
    let taskId = this.state.nextAvailableTaskId();
    for (const iteration of this.state.listIterations()) {
      if (iteration.finished) continue;
      // Round-robin iterations would get a pending task here (issue 4); none can exist yet.
      if (iteration.job.numConsumers !== undefined) continue;
      updates.push(update({
        case: "createTask",
        value: {
          taskId: taskId++,
          iterationId: iteration.id,
          workerAddress: address,
          transferServers: req.transferServers,
          workerTags: req.workerTags,
          workerUid: req.workerUid,
        },
      }));
    }
    this.commit(updates);
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

  private releaseClient(clientId: bigint): void {
    this.commit([update({
      case: "releaseIterationClient",
      value: { iterationClientId: clientId, timeMicros: BigInt(Math.floor(this.now())) * 1000n },
    })]);
    this.clientHeartbeats.delete(clientId);
  }

  private shouldGcIteration(iteration: Iteration, nowMs: number): boolean {
    if (iteration.job.shardingPolicy === ShardingPolicy.DYNAMIC && !this.config.gcDynamicShardingJobs) return false;
    if (iteration.finished || iteration.numClients > 0 || iteration.lastClientReleasedMicros < 0n) return false;
    const releasedMs = Number(iteration.lastClientReleasedMicros / 1000n);
    return nowMs >= releasedMs + this.config.jobGcTimeoutMs;
  }

  /** TF's `PopulateTaskDef`: everything a worker needs to run the task, graph inline (no workDir). */
  private taskDef(task: Task): TaskDef {
    const job = task.iteration.job;
    const des = task.iteration.distributedEpochState;
    const def: DatasetDef = this.store.get(job.datasetId);
    return create(TaskDefSchema, {
      dataset: { case: "datasetDef", value: def },
      datasetId: job.datasetId,
      taskId: task.id,
      iterationId: task.iteration.id,
      workerAddress: task.workerAddress,
      processingModeDef: { shardingPolicy: job.shardingPolicy },
      numSplitProviders: des ? BigInt(des.indices.length) : 0n,
      optionalNumConsumers: job.numConsumers === undefined
        ? { case: undefined }
        : { case: "numConsumers", value: job.numConsumers },
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
