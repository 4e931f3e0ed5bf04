/**
 * The tf.data service client API, with TF's names in camelCase: `distribute` (register + read, as a
 * transformation for `Dataset.apply`), `registerDataset` and `fromDatasetId`.
 *
 * @example
 * const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: "grpc://localhost:5050" }));
 * console.log(await ds.toArray()); // 0n..9n (order across workers is not deterministic)
 */
import { TfDataError } from "../../core/errors.js";
import { Dataset } from "../../dataset/dataset.js";
import type { ElementSpec } from "../../dataset/structure.js";
import { TargetWorkers } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { GraphDef } from "../../gen/tensorflow/core/framework/graph_pb.js";
import { DataServiceMetadata_Compression as Compression } from "../../gen/tensorflow/core/protobuf/data_service_pb.js";
import { appendCompressionMap } from "../../graph/compression-map.js";
import { AUTOTUNE, DataServiceSource, DEFAULT_TASK_REFRESH_INTERVAL_MS } from "./data-service-source.js";
import { DispatcherClient } from "./dispatcher-client.js";
import { decodeElementSpec, encodeElementSpec } from "./element-spec-coder.js";
import { parseProcessingMode, type ProcessingMode, ShardingPolicy } from "./processing-mode.js";
import { describeFailure, retryOrFail } from "./failure.js";
import { parseService, type ServiceAddress, type ServiceSpec } from "./service-address.js";
import { CrossTrainerCache, parseCrossTrainerCache, type CrossTrainerCacheLike } from "./cross-trainer-cache-option.js";

/** Retry budget of dataset registration (TF: 60 min). */
export const REGISTRATION_RETRY_MS = 60 * 60 * 1000;

/** `compression`: `"AUTO"` (snappy, the runtime may turn it off), `"SNAPPY"` (forced), `null` (none). */
export type CompressionOption = "AUTO" | "SNAPPY" | null;

/** Options shared by `distribute` and `fromDatasetId` (TF's keyword arguments, camelCase). */
export interface ReadOptions {
  /** Share one job between readers that use the same non-empty name; default: an exclusive job. */
  jobName?: string | null;
  /**
   * Coordinated (round-robin) reads: this consumer's index in `[0, numConsumers)`. Set both or
   * neither; needs `jobName` and an infinite dataset. Consumers then read the job's tasks in the
   * same order, in rounds, so that each step's elements come from one worker.
   */
  consumerIndex?: number | bigint | null;
  /** Coordinated (round-robin) reads: the number of consumers of the job (see `consumerIndex`). */
  numConsumers?: number | bigint | null;
  /** Requests in flight plus elements waiting, at most; > 0, or -1 / unset = autotune (16). */
  maxOutstandingRequests?: number | null;
  /**
   * How elements travel from workers. Unset: the `tfdata.v1` element stream where a worker
   * advertises it (tfdata-service workers), else `GetElement` (TF workers). `"grpc"`: always
   * `GetElement`, as TF. Other values are not implemented. (The RPC protocol is `service`'s.)
   */
  dataTransferProtocol?: string | null;
  /**
   * Share the job's elements with other trainers through the workers' cache (TF's
   * `CrossTrainerCache`): `new CrossTrainerCache("trainer 1")` or `{ trainerId: "trainer 1" }`.
   * Needs `jobName` and an infinite dataset; no coordinated reads.
   */
  crossTrainerCache?: CrossTrainerCacheLike | null;
  /**
   * Which workers to read: `"AUTO"` (default: every worker but remote ones tagged `COLOCATED`),
   * `"ANY"` (every worker) or `"LOCAL"` (only workers running in this process, called directly
   * without RPC). Consumers of a shared job must agree.
   */
  targetWorkers?: "AUTO" | "ANY" | "LOCAL" | "auto" | "any" | "local" | null;
  /**
   * How often to ask the dispatcher for task changes (TF's private `task_refresh_interval_hint_ms`);
   * default 1000. Also how soon the end of an iteration is noticed.
   * @private Internal, does not follow semantic versioning.
   */
  taskRefreshIntervalHintMs?: number | null;
}

/** Options of {@link distribute}. */
export interface DistributeOptions extends ReadOptions {
  /** `"parallel_epochs"` (TF's OFF), `"distributed_epoch"` (DYNAMIC) or a `ShardingPolicy`. */
  processingMode: ProcessingMode;
  /** The dispatcher: `"grpc://host:port"`, `"host:port"`, `"connect://host:port"`, ... (see `parseService`). */
  service: ServiceSpec;
  /** Element compression on the wire; default `"AUTO"`. */
  compression?: CompressionOption;
}

/** Options of {@link registerDataset}. */
export interface RegisterOptions {
  /** Element compression on the wire; default `"AUTO"`. */
  compression?: CompressionOption;
  /** Register under this id (reused if it exists with the same metadata); default: a new id. */
  datasetId?: string | null;
}

const READ_KEYS = [
  "jobName", "consumerIndex", "numConsumers", "maxOutstandingRequests", "dataTransferProtocol",
  "crossTrainerCache", "targetWorkers", "taskRefreshIntervalHintMs",
] as const;
const DISTRIBUTE_KEYS: ReadonlySet<string> = new Set(["processingMode", "service", "compression", ...READ_KEYS]);
const FROM_ID_KEYS: ReadonlySet<string> = new Set(READ_KEYS);
const REGISTER_KEYS: ReadonlySet<string> = new Set(["compression", "datasetId"]);

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

function checkKeys(where: string, opts: object, known: ReadonlySet<string>): void {
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw invalid(`${where} expects an options object.`);
  }
  for (const key of Object.keys(opts)) {
    if (!known.has(key)) {
      const hint = [...known].find((k) => k.toLowerCase() === key.replace(/_/g, "").toLowerCase());
      throw invalid(`${where} has no option '${key}'${hint ? `; did you mean '${hint}'?` : ""} ` +
        `Known options: ${[...known].join(", ")}.`);
    }
  }
}

/** TF's compression enum for the API value. */
function compressionProto(compression: CompressionOption | undefined): Compression {
  if (compression === undefined || compression === "AUTO") return Compression.SNAPPY;
  if (compression === "SNAPPY") return Compression.FORCED_SNAPPY;
  if (compression === null) return Compression.OFF;
  throw invalid(`Invalid \`compression\` argument: ${JSON.stringify(compression)}. Must be one of "AUTO", null, "SNAPPY".`);
}

/** TF's `_validate_job_name`. */
function jobNameOf(jobName: unknown): string | undefined {
  if (jobName === undefined || jobName === null) return undefined;
  if (typeof jobName !== "string") {
    throw invalid(`\`jobName\` must be a string, but \`jobName\` was of type ${typeof jobName}. jobName=${String(jobName)}`);
  }
  if (!jobName) throw invalid("`jobName` must not be empty");
  return jobName;
}

interface ParsedReadOptions {
  readonly jobName: string | undefined;
  readonly consumerIndex: bigint | undefined;
  readonly numConsumers: bigint | undefined;
  readonly crossTrainerCache: CrossTrainerCache | undefined;
  readonly maxOutstandingRequests: number;
  readonly taskRefreshIntervalMs: number;
  readonly targetWorkers: TargetWorkers;
  readonly elementStream: boolean;
}

function parseReadOptions(opts: ReadOptions): ParsedReadOptions {
  const unimplemented = (what: string) =>
    new TfDataError("Unimplemented", `${what} is not implemented yet by the tfdata-service client; leave it unset.`);
  const coordinated = parseCoordinatedRead(opts);
  const crossTrainerCache = parseCrossTrainerCache(opts.crossTrainerCache);
  if (opts.dataTransferProtocol != null && opts.dataTransferProtocol !== "grpc") {
    throw unimplemented(`dataTransferProtocol '${opts.dataTransferProtocol}'`);
  }
  const max = opts.maxOutstandingRequests ?? AUTOTUNE;
  if (typeof max !== "number" || !Number.isSafeInteger(max) || (max <= 0 && max !== AUTOTUNE)) {
    throw invalid(`maxOutstandingRequests must be positive or ${AUTOTUNE} (autotune), got ${String(max)}.`);
  }
  const refresh = opts.taskRefreshIntervalHintMs ?? DEFAULT_TASK_REFRESH_INTERVAL_MS;
  if (typeof refresh !== "number" || !Number.isFinite(refresh) || refresh <= 0) {
    throw invalid(`taskRefreshIntervalHintMs must be a positive number of milliseconds, got ${String(refresh)}.`);
  }
  const target = (opts.targetWorkers ?? "AUTO").toUpperCase();
  let targetWorkers: TargetWorkers;
  if (target === "AUTO" || target === "") targetWorkers = TargetWorkers.AUTO;
  else if (target === "ANY") targetWorkers = TargetWorkers.ANY;
  else if (target === "LOCAL") targetWorkers = TargetWorkers.LOCAL;
  else throw invalid(`Unrecognized targetWorkers ${JSON.stringify(opts.targetWorkers)}; expected "AUTO", "ANY" or "LOCAL".`);
  return {
    jobName: jobNameOf(opts.jobName), ...coordinated, crossTrainerCache, maxOutstandingRequests: max, taskRefreshIntervalMs: refresh, targetWorkers,
    elementStream: opts.dataTransferProtocol == null,
  };
}

/** Registration of a graph with its metadata; the shared core of `registerDataset` and `distribute`. */
async function register(
  dispatcher: DispatcherClient,
  dataset: Dataset,
  compression: CompressionOption | undefined,
  datasetId: string | undefined,
): Promise<string> {
  const proto = compressionProto(compression);
  let graph: GraphDef = dataset.toGraphDef();
  if (proto !== Compression.OFF) graph = appendCompressionMap(graph);
  await describeFailure(`Failed to connect to the tf.data service dispatcher at ${dispatcher.address}`,
    () => dispatcher.ensureCompatible());
  const res = await retryOrFail(() => dispatcher.rpc.getOrRegisterDataset({
    dataset: { graph },
    metadata: {
      optionalElementSpec: { case: "elementSpec", value: encodeElementSpec(dataset.elementSpec) },
      compression: proto,
      cardinality: BigInt(dataset.cardinality()),
    },
    optionalDatasetId: datasetId === undefined ? { case: undefined } : { case: "datasetId", value: datasetId },
  }), {
    description: `register a dataset with the tf.data service at ${dispatcher.address}`,
    deadlineMs: REGISTRATION_RETRY_MS,
  });
  return res.datasetId;
}

function checkRegisterable(dataset: unknown, what: string): asserts dataset is Dataset {
  if (!(dataset instanceof Dataset)) throw invalid(`${what} expects a Dataset.`);
  if (!dataset.serializable) {
    throw invalid(`${what}: this dataset reads its elements from elsewhere (e.g. it is already distributed) and ` +
      "has no graph to register.");
  }
}

/**
 * Registers `dataset` with the tf.data service and returns its id (TF's `register_dataset`).
 * With compression `"AUTO"` / `"SNAPPY"` the registered graph ends with TF's compression map.
 *
 * @example const id = await registerDataset("grpc://localhost:5050", Dataset.range(10));
 */
export async function registerDataset(service: ServiceSpec, dataset: Dataset, options: RegisterOptions = {}): Promise<string> {
  checkKeys("registerDataset", options, REGISTER_KEYS);
  const address = parseService(service);
  checkRegisterable(dataset, "registerDataset");
  compressionProto(options.compression);
  const datasetId = options.datasetId ?? undefined;
  if (datasetId !== undefined && (typeof datasetId !== "string" || datasetId === "")) {
    throw invalid(`datasetId must be a non-empty string, got ${JSON.stringify(datasetId)}.`);
  }
  return register(new DispatcherClient(address.address, address.protocol), dataset, options.compression, datasetId);
}

/** Builds the reading dataset over a source. */
function readingDataset(source: DataServiceSource, elementSpec: ElementSpec, cardinality: number): Dataset {
  return Dataset.fromIteratorFactory(elementSpec, () => source.iterate(), { cardinality });
}

/** Cardinality of an infinite dataset; a coordinated read reports it (TF: round-robin reads need infinite input). */
const INFINITE = -1;

/** `consumerIndex` / `numConsumers`: both or neither (TF's `ValueError`s), integers with 0 <= index < count. */
function parseCoordinatedRead(opts: ReadOptions): { consumerIndex: bigint | undefined; numConsumers: bigint | undefined } {
  if (opts.consumerIndex == null && opts.numConsumers == null) return { consumerIndex: undefined, numConsumers: undefined };
  if ((opts.consumerIndex == null) !== (opts.numConsumers == null)) {
    throw invalid("Must either set both `consumerIndex` and `numConsumers`, or neither. " +
      `consumerIndex=${opts.consumerIndex}, numConsumers=${opts.numConsumers}`);
  }
  if (opts.jobName == null) {
    throw invalid(`\`jobName\` must be set when setting \`numConsumers\`. numConsumers was set to ${opts.numConsumers}.`);
  }
  const asBig = (name: string, v: unknown): bigint => {
    if (typeof v === "bigint") return v;
    if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
    throw invalid(`\`${name}\` must be an integer, got ${String(v)}.`);
  };
  const consumerIndex = asBig("consumerIndex", opts.consumerIndex);
  const numConsumers = asBig("numConsumers", opts.numConsumers);
  if (numConsumers < 1n || consumerIndex < 0n || consumerIndex >= numConsumers) {
    throw invalid(`\`consumerIndex\` must be in [0, numConsumers) and \`numConsumers\` at least 1; got ` +
      `consumerIndex=${consumerIndex}, numConsumers=${numConsumers}.`);
  }
  return { consumerIndex, numConsumers };
}

/** TF's cardinality of the reading dataset (spec §3.11): 0 stays 0, infinite stays infinite for OFF/DYNAMIC/DATA. */
function readingCardinality(registered: number, policy: ShardingPolicy): number {
  if (registered === 0) return 0;
  const keepsInfinite = policy === ShardingPolicy.OFF || policy === ShardingPolicy.DYNAMIC || policy === ShardingPolicy.DATA;
  if (registered === -1 && keepsInfinite) return -1;
  return -2;
}

/**
 * A transformation that moves dataset processing to the tf.data service (TF's `distribute`):
 * `ds.apply(distribute({...}))` registers `ds` on the first iteration, then every iteration reads
 * a new repetition of the job from the workers. With N workers, `"parallel_epochs"` yields N
 * copies of the dataset per iteration, in no guaranteed order.
 *
 * @example
 * const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: dispatcher.target }));
 */
export function distribute(options: DistributeOptions): (dataset: Dataset) => Dataset {
  checkKeys("distribute", options, DISTRIBUTE_KEYS);
  const policy = parseProcessingMode(options.processingMode);
  const address: ServiceAddress = parseService(options.service);
  compressionProto(options.compression);
  const read = parseReadOptions(options);
  return (dataset: Dataset): Dataset => {
    checkRegisterable(dataset, "distribute");
    const dispatcher = new DispatcherClient(address.address, address.protocol);
    let registered: Promise<string> | undefined;
    const source = new DataServiceSource({
      service: address,
      processingMode: policy,
      dispatcher,
      datasetId: () => (registered ??= register(dispatcher, dataset, options.compression, undefined).catch((err: unknown) => {
        registered = undefined;
        throw err;
      })),
      jobName: read.jobName,
      maxOutstandingRequests: read.maxOutstandingRequests,
      taskRefreshIntervalMs: read.taskRefreshIntervalMs,
      targetWorkers: read.targetWorkers,
      elementStream: read.elementStream,
      consumerIndex: read.consumerIndex,
      numConsumers: read.numConsumers,
      crossTrainerCache: read.crossTrainerCache,
    });
    return readingDataset(source, dataset.elementSpec,
      read.numConsumers !== undefined ? INFINITE : readingCardinality(dataset.cardinality(), policy));
  };
}

/**
 * A dataset reading the registered dataset `datasetId` from the tf.data service (TF's
 * `from_dataset_id`). The job name is sent as `"dataset_id=<id>/<jobName>"`, as TF does. Without
 * `elementSpec`, the one stored at registration is fetched, so this returns a promise.
 *
 * @example const ds = await fromDatasetId("parallel_epochs", "grpc://localhost:5050", id);
 */
export async function fromDatasetId(
  processingMode: ProcessingMode,
  service: ServiceSpec,
  datasetId: string,
  elementSpec?: ElementSpec | null,
  options: ReadOptions = {},
): Promise<Dataset> {
  checkKeys("fromDatasetId", options, FROM_ID_KEYS);
  const policy = parseProcessingMode(processingMode);
  const address = parseService(service);
  if (typeof datasetId !== "string" || datasetId === "") {
    throw invalid(`datasetId must be a non-empty string, got ${JSON.stringify(datasetId)}.`);
  }
  const read = parseReadOptions(options);
  const dispatcher = new DispatcherClient(address.address, address.protocol);
  const source = new DataServiceSource({
    service: address,
    processingMode: policy,
    dispatcher,
    datasetId: () => Promise.resolve(datasetId),
    jobName: read.jobName === undefined ? undefined : `dataset_id=${datasetId}/${read.jobName}`,
    maxOutstandingRequests: read.maxOutstandingRequests,
    taskRefreshIntervalMs: read.taskRefreshIntervalMs,
    targetWorkers: read.targetWorkers,
    elementStream: read.elementStream,
    consumerIndex: read.consumerIndex,
    numConsumers: read.numConsumers,
    crossTrainerCache: read.crossTrainerCache,
  });
  const { metadata } = await source.prepare();
  let spec = elementSpec ?? undefined;
  if (spec === undefined) {
    if (metadata?.optionalElementSpec.case !== "elementSpec") {
      throw invalid(`Dataset ${datasetId} was registered without an element_spec; pass elementSpec to fromDatasetId.`);
    }
    spec = decodeElementSpec(metadata.optionalElementSpec.value);
  }
  return readingDataset(source, spec,
    read.numConsumers !== undefined ? INFINITE : readingCardinality(Number(metadata?.cardinality ?? -2n), policy));
}

export { CrossTrainerCache } from "./cross-trainer-cache-option.js";
