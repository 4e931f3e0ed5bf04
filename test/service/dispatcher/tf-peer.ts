// Typed handle on tf_peer.py: TensorFlow 2.21 workers, client, readers and dispatchers acting as
// peers of OUR dispatcher (see the python file for the protocol).
import type { JsonChild } from "../../helpers/json-child.js";
import { spawnPython } from "../../helpers/tf.js";

/** How long the python process gets to import TensorFlow. */
const START_TIMEOUT_MS = 90_000;
/** Slack on top of a python-side read deadline before the process is declared stuck. */
const SLACK_MS = 20_000;

/** What a TF client reads: a python expression over `tf`, distributed with TF's own client. */
export interface TfReadSpec {
  /** E.g. `"tf.data.Dataset.range(100)"`. */
  expr: string;
  /** `grpc://host:port` of our dispatcher. */
  service: string;
  processingMode?: "parallel_epochs" | "distributed_epoch";
  jobName?: string;
  /** TF's task refresh (client heartbeat) interval; default 100 ms here (TF: 1 s). */
  refreshMs?: number;
  /** `.repeat(k)` after `distribute` (each repetition is a new iteration of the job). */
  repeat?: number;
  /** Compression of the registered dataset (`null` = None, default "AUTO" as TF). */
  compression?: null | "AUTO";
  /** TF's `target_workers` ("AUTO", "ANY", "LOCAL"). */
  targetWorkers?: "AUTO" | "ANY" | "LOCAL";
  /** `expr` is the whole reading dataset (it calls distribute itself, with `SERVICE`). */
  raw?: boolean;
}

/** A TF process hosting peers of our dispatcher. */
export interface TfPeer {
  readonly version: string;
  /** Starts a TF WorkerServer registered with `dispatcher` (`host:port`); resolves once registered. */
  worker(dispatcher: string, heartbeatMs?: number): Promise<string>;
  stopWorker(address: string): Promise<void>;
  /** Reads a distributed dataset to its end with TF's client. */
  read(spec: TfReadSpec, timeoutMs?: number): Promise<unknown[]>;
  /** Opens a reading session (an iterator). */
  open(session: string, spec: TfReadSpec): Promise<void>;
  /**
   * Opens TF's coordinated-read setup (see tf_peer.py `open_coordinated`): `numConsumers`
   * round-robin consumers of job `jobName`, interleaved.
   */
  openCoordinated(session: string, o: { service: string; numConsumers: number; jobName: string;
    processingMode?: "parallel_epochs" | "distributed_epoch"; refreshMs?: number }): Promise<void>;
  /** Reads `count` elements of a session. */
  take(session: string, count: number, timeoutMs?: number): Promise<unknown[]>;
  /** Reads a session to its end and closes it. */
  drain(session: string, timeoutMs?: number): Promise<unknown[]>;
  /** Drops a session's iterator (TF's client releases its iteration client). */
  close(session: string): Promise<void>;
  /** A TF worker's `_num_tasks()`. */
  numTasks(address: string): Promise<number>;
  /** TF's TFRecordDataset over one journal file, each record parsed as `tensorflow.data.Update`. */
  journal(path: string): Promise<{ type: string; value: Record<string, unknown> }[]>;
  /** TF's TFRecordDataset over a dataset file: record count and the graph's ops. */
  datasetFile(path: string): Promise<{ records: number; ops: string[] }>;
  /** A TF DispatchServer started on `workDir` (in fault-tolerant mode it replays the journal there). */
  tfDispatcher(workDir: string, faultTolerant: boolean): Promise<{ address: string; numWorkers: number }>;
  stopDispatcher(address: string): Promise<void>;
  /**
   * TF's own split providers for each graph (base64 GraphDef): per provider its splits, ending in
   * "EOS" unless cut at `maxSplits`; or TF's error `[code, message]`.
   */
  tfSplits(graphs: readonly string[], maxSplits: number): Promise<TfSplits[]>;
  stop(): Promise<void>;
}

/** TF's split providers of one graph, or the error creating them. */
export type TfSplits = { providers: (number | "EOS")[][] } | { error: [string, string] };

/** Starts tf_peer.py under the TF python. */
export async function startTfPeer(): Promise<TfPeer> {
  const child: JsonChild = spawnPython("test/service/dispatcher/tf_peer.py");
  let version: string;
  try {
    version = String((await child.next("ready", START_TIMEOUT_MS)).version);
  } catch (err) {
    await child.stop();
    throw err;
  }
  const readFields = (s: TfReadSpec) => ({
    expr: s.expr,
    service: s.service,
    processing_mode: s.processingMode ?? "parallel_epochs",
    job_name: s.jobName ?? null,
    refresh_ms: s.refreshMs ?? 100,
    repeat: s.repeat ?? null,
    compression: s.compression === undefined ? "AUTO" : s.compression,
    target_workers: s.targetWorkers ?? null,
    raw: s.raw ?? false,
  });
  return {
    version,
    worker: async (dispatcher, heartbeatMs = 100) =>
      (await child.request({ cmd: "worker", dispatcher, heartbeat_ms: heartbeatMs }, START_TIMEOUT_MS)).worker as string,
    stopWorker: async (address) => { await child.request({ cmd: "stop_worker", address }); },
    read: async (spec, timeoutMs = 30_000) => (await child.request(
      { cmd: "read", ...readFields(spec), timeout_s: timeoutMs / 1000 }, timeoutMs + SLACK_MS)).elements as unknown[],
    open: async (session, spec) => { await child.request({ cmd: "open", session, ...readFields(spec) }, START_TIMEOUT_MS); },
    openCoordinated: async (session, o) => {
      await child.request({ cmd: "open_coordinated", session, service: o.service, num_consumers: o.numConsumers,
        job_name: o.jobName, processing_mode: o.processingMode ?? "parallel_epochs", refresh_ms: o.refreshMs ?? 100 },
      START_TIMEOUT_MS);
    },
    take: async (session, count, timeoutMs = 30_000) => (await child.request(
      { cmd: "take", session, count, timeout_s: timeoutMs / 1000 }, timeoutMs + SLACK_MS)).elements as unknown[],
    drain: async (session, timeoutMs = 30_000) => (await child.request(
      { cmd: "drain", session, timeout_s: timeoutMs / 1000 }, timeoutMs + SLACK_MS)).elements as unknown[],
    close: async (session) => { await child.request({ cmd: "close", session }); },
    numTasks: async (address) => (await child.request({ cmd: "num_tasks", address })).count as number,
    journal: async (path) =>
      (await child.request({ cmd: "journal", path })).updates as { type: string; value: Record<string, unknown> }[],
    datasetFile: async (path) => {
      const ev = await child.request({ cmd: "dataset_file", path });
      return { records: ev.records as number, ops: ev.ops as string[] };
    },
    tfDispatcher: async (workDir, faultTolerant) => {
      const ev = await child.request({ cmd: "tf_dispatcher", work_dir: workDir, fault_tolerant: faultTolerant }, START_TIMEOUT_MS);
      return { address: ev.address as string, numWorkers: ev.num_workers as number };
    },
    stopDispatcher: async (address) => { await child.request({ cmd: "stop_dispatcher", address }); },
    tfSplits: async (graphs, maxSplits) =>
      (await child.request({ cmd: "tf_splits", graphs, max_splits: maxSplits }, 300_000)).results as TfSplits[],
    stop: () => child.stop(),
  };
}
