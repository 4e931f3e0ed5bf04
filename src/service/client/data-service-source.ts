/**
 * The reading side of one distributed dataset object (TF's `DataServiceDataset`): prepares once
 * (version check, dataset id, `GetDataServiceConfig`, `GetDataServiceMetadata`,
 * `DisableCompressionAtRuntime`), then gives every new iterator the next repetition number and an
 * iteration of its own (`GetOrCreateJob` → `GetOrCreateIteration`), read first-come-first-served,
 * or round-robin for coordinated reads (`consumerIndex` / `numConsumers`).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { getCore } from "../../core/core.js";
import { TfDataError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import { TargetWorkers } from "../../gen/tensorflow/core/data/service/common_pb.js";
import {
  DataServiceMetadata_Compression as Compression,
  type DataServiceMetadata,
  type DeploymentMode,
  type ProcessingModeDef_ShardingPolicy as ShardingPolicy,
} from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import { platform, type Platform } from "../platform.js";
import { DispatcherClient } from "./dispatcher-client.js";
import { FcfsReader, type StreamWindow } from "./fcfs-reader.js";
import { createElementDecoder } from "./element-decoder.js";
import { describeFailure, retryOrFail } from "./failure.js";
import type { ServiceAddress } from "./service-address.js";
import { WorkerElementClient, type RawClient } from "./worker-client.js";
import { LocalWorkerClient } from "./local-worker-client.js";
import { deleteLocalTasks, readParams, shouldReadFromTask, validateReadParams } from "./read-mode.js";
import { RoundRobinReader } from "./round-robin-reader.js";

/** `maxOutstandingRequests` meaning "let the runtime decide" (tf.data.AUTOTUNE). */
export const AUTOTUNE = -1;
/** Requests in flight plus results waiting when autotuned (TF's starting value: 16). */
export const AUTOTUNED_MAX_OUTSTANDING_REQUESTS = 16;
/** Default period of the client heartbeat, i.e. of task discovery (TF: 1 s). */
export const DEFAULT_TASK_REFRESH_INTERVAL_MS = 1_000;
/** Retry budget of the metadata, config and compression-decision calls (TF: 1 h). */
export const METADATA_RETRY_MS = 60 * 60 * 1000;
/**
 * Elements all element streams of one iterator may hold (in flight, granted or queued) when
 * `maxOutstandingRequests` is autotuned and the job is the iterator's own; an explicit value is
 * used as is (TF's memory promise: at most element size × maxOutstandingRequests). A shared
 * (named) job gets TF's {@link AUTOTUNED_MAX_OUTSTANDING_REQUESTS}, so one reader does not take
 * elements the others would read.
 */
export const STREAM_AUTOTUNED_WINDOW_ELEMENTS = 1024;
/** Bytes of serialized elements all element streams of one iterator may hold (plus one element per stream). */
export const STREAM_WINDOW_BYTES = 64 * 1024 * 1024;

/** How to read a registered dataset. */
export interface DataServiceSourceInit {
  /** The dispatcher and the protocol to speak. */
  readonly service: ServiceAddress;
  /** Sharding policy of the job. */
  readonly processingMode: ShardingPolicy;
  /** The dataset id; called once, on first use (registration for `distribute`). */
  readonly datasetId: () => Promise<string>;
  /** Job name sent verbatim (shared jobs); `undefined` = anonymous, exclusive job. */
  readonly jobName?: string;
  /** Window of requests in flight + results waiting; {@link AUTOTUNE} = runtime default. */
  readonly maxOutstandingRequests: number;
  /** Heartbeat / task refresh period. */
  readonly taskRefreshIntervalMs: number;
  /** Which workers to read from (sent with `GetOrCreateJob`; shared jobs must agree). */
  readonly targetWorkers?: TargetWorkers;
  /** The dispatcher client, when the caller already has one (shared with registration). */
  readonly dispatcher?: DispatcherClient;
  /** Read through the `tfdata.v1` element stream where a worker advertises it (default true). */
  readonly elementStream?: boolean;
  /**
   * Overrides of the element streams' window (defaults: {@link STREAM_AUTOTUNED_WINDOW_ELEMENTS}
   * or `maxOutstandingRequests`, and {@link STREAM_WINDOW_BYTES}).
   * @private For tests and embedding; does not follow semantic versioning.
   */
  readonly streamWindow?: Partial<StreamWindow>;
  /** Coordinated reads: this consumer's index (with `numConsumers`; round-robin-reader.ts). */
  readonly consumerIndex?: bigint;
  /** Coordinated reads: the number of consumers of the job. */
  readonly numConsumers?: bigint;
  /** Read through the workers' cross-trainer cache as this trainer (read-mode.ts). */
  readonly crossTrainerCache?: { readonly trainerId: string };
}

interface Prepared {
  readonly datasetId: string;
  readonly metadata: DataServiceMetadata | undefined;
  /** From `GetDataServiceConfig` (decides AUTO→LOCAL under static sharding). */
  readonly deploymentMode?: DeploymentMode;
}

/** What an iteration reads through: first-come-first-served or round-robin. */
export type IterationReader = AsyncIterableIterator<Tensor[]> & {
  return(): Promise<IteratorResult<Tensor[], undefined>>;
};

/** See the module comment. */
export class DataServiceSource {
  /** The dispatcher client. */
  readonly dispatcher: DispatcherClient;
  private repetition = 0n;
  private prepared: Promise<Prepared> | undefined;
  private readonly workers = new Map<string, WorkerElementClient>();

  constructor(readonly init: DataServiceSourceInit) {
    this.dispatcher = init.dispatcher ?? new DispatcherClient(init.service.address, init.service.protocol);
  }

  /** A new iterator: takes the next repetition now, contacts the service on its first `next()`. */
  iterate(): AsyncIterableIterator<Tensor[]> {
    return new DataServiceIteration(this, this.repetition++);
  }

  /** The dataset id and its metadata (once per object; a failure is retried by the next iterator). */
  prepare(signal?: AbortSignal): Promise<Prepared> {
    this.prepared ??= this.doPrepare(signal).catch((err: unknown) => {
      this.prepared = undefined;
      throw err;
    });
    return this.prepared;
  }

  /** Creates the iteration for `repetition` and its reader. */
  async openReader(repetition: bigint, signal: AbortSignal): Promise<IterationReader> {
    const { datasetId, metadata, deploymentMode } = await this.prepare(signal);
    const rpc = this.dispatcher.rpc;
    const where = `the dispatcher at ${this.dispatcher.address}`;
    const core = await getCore();
    // Target workers, coordinated reads and the cross-trainer cache (TF's checks, read-mode.ts).
    const mode = readParams({
      ...this.init, trainerId: this.init.crossTrainerCache?.trainerId, deploymentMode, repetition,
      cardinality: metadata?.cardinality ?? -2n,
    });
    validateReadParams(mode);
    const { jobId } = await retryOrFail(() => rpc.getOrCreateJob({
      datasetId,
      processingModeDef: { shardingPolicy: this.init.processingMode },
      optionalJobName: this.init.jobName === undefined ? { case: undefined } : { case: "jobName", value: this.init.jobName },
      optionalNumConsumers: mode.numConsumers === undefined ? { case: undefined } : { case: "numConsumers", value: mode.numConsumers },
      useCrossTrainerCache: mode.trainerId !== undefined,
      targetWorkers: mode.targetWorkers,
    }, { signal }), { description: `get or create job with ${where}`, signal });
    const { iterationClientId } = await retryOrFail(
      () => rpc.getOrCreateIteration({ jobId, repetition }, { signal }),
      { description: `get or create iteration with ${where}`, signal },
    );
    const max = this.init.maxOutstandingRequests === AUTOTUNE
      ? AUTOTUNED_MAX_OUTSTANDING_REQUESTS
      : this.init.maxOutstandingRequests;
    const decode = createElementDecoder((kind, bytes) => core.decodeElement(kind, bytes));
    const local = mode.targetWorkers === TargetWorkers.LOCAL;
    const reader: IterationReader = mode.numConsumers !== undefined ? new RoundRobinReader({
      dispatcher: this.dispatcher,
      iterationClientId,
      consumerIndex: this.init.consumerIndex ?? 0n,
      worker: (address) => this.worker(address),
      maxOutstandingRequests: max,
      taskRefreshIntervalMs: this.init.taskRefreshIntervalMs,
      decode,
    }) : new FcfsReader({
      dispatcher: this.dispatcher,
      iterationClientId,
      worker: (address) => (local ? this.localWorker(address) : this.worker(address)),
      maxOutstandingRequests: max,
      taskRefreshIntervalMs: this.init.taskRefreshIntervalMs,
      decode,
      trainerId: mode.trainerId,
      shouldReadTask: (info) => shouldReadFromTask(mode, info),
      onClose: (tasks) => deleteLocalTasks(mode, tasks),
      // Streams carry no trainer id, and local reads make no RPC at all.
      streamWindow: this.init.elementStream === false || local || mode.trainerId !== undefined ? undefined : {
        elements: this.init.maxOutstandingRequests !== AUTOTUNE ? max
          : this.init.jobName === undefined ? STREAM_AUTOTUNED_WINDOW_ELEMENTS : AUTOTUNED_MAX_OUTSTANDING_REQUESTS,
        bytes: STREAM_WINDOW_BYTES,
        ...this.init.streamWindow,
      },
    });
    if (signal.aborted) {
      await reader.return();
      throw new ConnectError("The tf.data service iterator was closed", Code.Canceled);
    }
    return reader;
  }

  /** TF's "local" data transfer: the worker of this process at `address`, called directly. */
  private localWorker(address: string): WorkerElementClient {
    let w = this.workers.get(`local:${address}`);
    if (!w) {
      w = new LocalWorkerClient(address);
      this.workers.set(`local:${address}`, w);
    }
    return w;
  }

  private worker(address: string): WorkerElementClient {
    let w = this.workers.get(address);
    if (!w) {
      // Plain gRPC without Connect where the runtime offers it (see worker-client.ts).
      const p = platform() as Platform & { createRawClient?: (address: string) => RawClient };
      const protocol = this.init.service.protocol;
      const raw = protocol === "grpc" ? p.createRawClient?.(address) : undefined;
      w = new WorkerElementClient(p.createTransport(address, protocol), raw);
      this.workers.set(address, w);
    }
    return w;
  }

  private async doPrepare(signal?: AbortSignal): Promise<Prepared> {
    await describeFailure(`Failed to connect to the tf.data service dispatcher at ${this.dispatcher.address}`,
      () => this.dispatcher.ensureCompatible(signal));
    const datasetId = await this.init.datasetId();
    const rpc = this.dispatcher.rpc;
    const opts = { signal, deadlineMs: METADATA_RETRY_MS };
    const { config } = await retryOrFail(() => rpc.getDataServiceConfig({}, { signal }), {
      ...opts,
      description: `get the data service config from the dispatcher at ${this.dispatcher.address}`,
    });
    let metadata: DataServiceMetadata | undefined;
    try {
      metadata = (await retryOrFail(() => rpc.getDataServiceMetadata({ datasetId }, { signal }), {
        ...opts,
        description: `get the metadata of dataset ${datasetId}`,
      })).metadata;
    } catch (err) {
      if (err instanceof TfDataError && err.code === "NotFound") {
        throw new TfDataError("NotFound",
          `Dataset id ${datasetId} not found. It must be registered with \`registerDataset\` before calling ` +
            `\`fromDatasetId\`. (${err.message})`, { cause: err });
      }
      throw err;
    }
    const compression = metadata?.compression ?? Compression.UNSPECIFIED;
    if (compression === Compression.UNSPECIFIED) {
      throw new TfDataError("Internal",
        `Dataset ${datasetId} was registered with compression COMPRESSION_UNSPECIFIED; expected ` +
          "COMPRESSION_OFF, COMPRESSION_SNAPPY or COMPRESSION_FORCED_SNAPPY.");
    }
    if (compression !== Compression.OFF) {
      // Our local vote is "keep compression" (TF's open-source decision); the first voter wins.
      await retryOrFail(() => rpc.disableCompressionAtRuntime({ datasetId, disableCompressionAtRuntime: false }, { signal }), {
        ...opts,
        description: `ask the dispatcher whether compression is disabled for dataset ${datasetId}`,
      });
    }
    return { datasetId, metadata, deploymentMode: config?.deploymentMode };
  }
}

/** What an iteration's finalizer needs: everything but the iteration object itself. */
interface IterationHandle {
  reader: Promise<IterationReader> | undefined;
  readonly abort: AbortController;
}

/**
 * Releases iterations that were dropped without `return()` once they are garbage collected (JS
 * has no destructors; TF releases in the iterator's destructor). Best effort: `break` / `return()`
 * is the reliable way.
 */
const abandoned = new FinalizationRegistry<IterationHandle>((handle) => {
  handle.abort.abort(new ConnectError("The tf.data service iterator was garbage collected", Code.Canceled));
  void handle.reader?.then((r) => r.return(), () => {});
});

/** One iterator over a {@link DataServiceSource}: lazily opened, releasable before it opens. */
class DataServiceIteration implements AsyncIterableIterator<Tensor[]> {
  private readonly handle: IterationHandle = { reader: undefined, abort: new AbortController() };
  private done = false;

  constructor(private readonly source: DataServiceSource, private readonly repetition: bigint) {
    abandoned.register(this, this.handle, this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Tensor[], undefined>> {
    if (this.done) return { done: true, value: undefined };
    this.handle.reader ??= this.source.openReader(this.repetition, this.handle.abort.signal);
    let reader: IterationReader;
    try {
      reader = await this.handle.reader;
    } catch (err) {
      this.finish();
      throw err;
    }
    let r: IteratorResult<Tensor[], undefined>;
    try {
      r = await reader.next();
    } catch (err) {
      this.finish();
      throw err;
    }
    if (r.done) this.finish();
    return r;
  }

  async return(): Promise<IteratorResult<Tensor[], undefined>> {
    this.finish();
    this.handle.abort.abort(new ConnectError("The tf.data service iterator was closed", Code.Canceled));
    const reader = await this.handle.reader?.catch(() => undefined);
    await reader?.return();
    return { done: true, value: undefined };
  }

  private finish(): void {
    this.done = true;
    abandoned.unregister(this);
  }
}
