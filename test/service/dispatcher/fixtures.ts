// Shared builders for the dispatcher suites: requests, a fake clock, fake workers.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect";
import {
  ClientHeartbeatRequestSchema,
  GetOrCreateIterationRequestSchema,
  GetOrCreateJobRequestSchema,
  GetOrRegisterDatasetRequestSchema,
  WorkerHeartbeatRequestSchema,
  WorkerUpdateRequestSchema,
} from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import type { TaskDef } from "../../../src/gen/tensorflow/core/data/service/common_pb.js";
import { TargetWorkers } from "../../../src/gen/tensorflow/core/data/service/common_pb.js";
import { WorkerService } from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import {
  DataServiceMetadata_Compression as Compression,
  ProcessingModeDef_ShardingPolicy as ShardingPolicy,
} from "../../../src/gen/tensorflow/core/protobuf/data_service_pb.js";
import { DispatcherConfig, type DispatcherConfigInit } from "../../../src/service/config.js";
import { Dispatcher, type DispatcherDeps } from "../../../src/service/dispatcher/dispatcher.js";
import { Dataset } from "../../../src/dataset/index.js";
import { NodeStorage } from "../../../src/runtime/node-storage.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export { Compression, ShardingPolicy, TargetWorkers };

/** A tiny dataset graph (content is opaque to the dispatcher). */
export function graph(name = "range") {
  return {
    node: [
      { name: "start", op: "Const", device: "/job:localhost/device:CPU:0" },
      { name, op: "RangeDataset", input: ["start"] },
      { name: "table", op: "HashTableV2" },
    ],
    versions: { producer: 2083 },
  };
}

/** A GetOrRegisterDataset request; `id` requests a dataset id; `dataset` gives a real graph. */
export function registerRequest(opts: {
  id?: string; compression?: Compression; cardinality?: bigint; spec?: Uint8Array; dataset?: Dataset;
} = {}) {
  return create(GetOrRegisterDatasetRequestSchema, {
    dataset: { graph: opts.dataset ? opts.dataset.toGraphDef() : graph() },
    metadata: {
      compression: opts.compression ?? Compression.OFF,
      cardinality: opts.cardinality ?? 10n,
      optionalElementSpec: opts.spec ? { case: "elementSpec", value: opts.spec } : { case: undefined },
    },
    optionalDatasetId: opts.id === undefined ? { case: undefined } : { case: "datasetId", value: opts.id },
  });
}

/** A GetOrCreateJob request. */
export function jobRequest(datasetId: string, opts: {
  name?: string; policy?: ShardingPolicy; target?: TargetWorkers; cache?: boolean; numConsumers?: bigint;
} = {}) {
  return create(GetOrCreateJobRequestSchema, {
    datasetId,
    processingModeDef: { shardingPolicy: opts.policy ?? ShardingPolicy.OFF },
    optionalJobName: opts.name === undefined ? { case: undefined } : { case: "jobName", value: opts.name },
    optionalNumConsumers: opts.numConsumers === undefined ? { case: undefined } : { case: "numConsumers", value: opts.numConsumers },
    useCrossTrainerCache: opts.cache ?? false,
    targetWorkers: opts.target ?? TargetWorkers.AUTO,
  });
}

/** A GetOrCreateIteration request. */
export function iterationRequest(jobId: bigint, repetition = 0n) {
  return create(GetOrCreateIterationRequestSchema, { jobId, repetition });
}

/** A worker heartbeat. */
export function heartbeat(address: string, currentTasks: bigint[] = [], tags: string[] = []) {
  return create(WorkerHeartbeatRequestSchema, {
    workerAddress: address,
    currentTasks,
    workerTags: tags,
    transferServers: [{ protocol: "grpc", address }],
  });
}

/** A WorkerUpdate marking tasks completed. */
export function completed(address: string, ...taskIds: bigint[]) {
  return create(WorkerUpdateRequestSchema, {
    workerAddress: address,
    updates: taskIds.map((taskId) => ({ taskId, completed: true })),
  });
}

/** A client heartbeat. */
export function clientHeartbeat(iterationClientId: bigint) {
  return create(ClientHeartbeatRequestSchema, { iterationClientId });
}

/** A round-robin client heartbeat with its current round and, optionally, the round it blocked at. */
export function rrHeartbeat(iterationClientId: bigint, currentRound: bigint, blockedRound?: bigint) {
  return create(ClientHeartbeatRequestSchema, {
    iterationClientId,
    optionalCurrentRound: { case: "currentRound", value: currentRound },
    optionalBlockedRound: blockedRound === undefined ? { case: undefined } : { case: "blockedRound", value: blockedRound },
  });
}

/** A GetSplit request. */
export function splitRequest(iterationId: bigint, repetition = 0n, splitProviderIndex = 0n) {
  return { iterationId, repetition, splitProviderIndex } as Parameters<Dispatcher["getSplit"]>[0];
}

/** The int64 value of a GetSplit answer, or "EOS". */
export function splitValue(res: Awaited<ReturnType<Dispatcher["getSplit"]>>): bigint | "EOS" {
  if (res.endOfSplits) return "EOS";
  const c = res.split!.tensorContent;
  return new DataView(c.buffer, c.byteOffset, c.byteLength).getBigInt64(0, true);
}

/** Drains a provider of an iteration: the split values until end of splits. */
export async function drainSplits(d: Dispatcher, iterationId: bigint, repetition = 0n, provider = 0n): Promise<bigint[]> {
  const out: bigint[] = [];
  for (;;) {
    const v = splitValue(await d.getSplit(splitRequest(iterationId, repetition, provider)));
    if (v === "EOS") return out;
    out.push(v);
  }
}

const tmpDirs: string[] = [];

/** A fresh temporary work dir, removed by `removeTmpDirs()`. */
export function tmpWorkDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tfdata-dispatcher-"));
  tmpDirs.push(dir);
  return dir;
}

/** Removes every work dir `tmpWorkDir` made. */
export function removeTmpDirs(): void {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A controllable clock in milliseconds. */
export class FakeClock {
  t = 1_000_000;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Fake workers reached through in-memory transports: records pushed tasks; can fail pushes. */
export class FakeWorkers {
  readonly pushed: TaskDef[] = [];
  /** Per address: a gRPC code to fail ProcessTask with. */
  readonly failWith = new Map<string, Code>();
  readonly transport = (address: string): Transport =>
    createRouterTransport(({ service }) => {
      service(WorkerService, {
        processTask: (req) => {
          const code = this.failWith.get(address);
          if (code !== undefined) throw new ConnectError(`worker ${address} says no`, code);
          if (req.task) this.pushed.push(req.task);
          return {};
        },
      });
    });
}

const live: Dispatcher[] = [];

/** Stops every dispatcher `makeDispatcher` created (their maintenance timers would keep the process alive). */
export async function stopDispatchers(): Promise<void> {
  await Promise.all(live.splice(0).map((d) => d.stop()));
}

/** A started Dispatcher with a fake clock and fake workers; stop it with `stopDispatchers()`. */
export function makeDispatcher(init: DispatcherConfigInit = {}, deps: DispatcherDeps = {}) {
  const clock = new FakeClock();
  const workers = new FakeWorkers();
  const d = new Dispatcher(new DispatcherConfig({ jobGcTimeoutMs: -1, ...init }), {
    now: clock.now,
    workerTransport: workers.transport,
    ...deps,
  });
  void d.start();
  live.push(d);
  return { d, clock, workers };
}

/**
 * A started Dispatcher with a work dir (real files through NodeStorage), by default fault
 * tolerant; `clock` and `workers` may be shared with an earlier instance to model a restart.
 */
export async function makeStoredDispatcher(workDir: string, init: DispatcherConfigInit = {}, shared: {
  clock?: FakeClock; workers?: FakeWorkers; log?: string[];
} = {}) {
  const clock = shared.clock ?? new FakeClock();
  const workers = shared.workers ?? new FakeWorkers();
  const d = new Dispatcher(new DispatcherConfig({ jobGcTimeoutMs: -1, workDir, faultTolerantMode: true, ...init }), {
    now: clock.now,
    workerTransport: workers.transport,
    storage: new NodeStorage(workDir),
    log: shared.log ? (m) => shared.log!.push(m) : undefined,
  });
  live.push(d);
  await d.start();
  return { d, clock, workers };
}

/** Stops a dispatcher and waits until its journal is closed (a clean "crash" point: all is fsync'd). */
export async function stopNow(d: Dispatcher): Promise<void> {
  await d.stop();
}

/** Awaits `p` and returns the TfDataError/ConnectError it rejects with (fails if it resolves). */
export async function rejection(p: Promise<unknown> | (() => unknown)): Promise<{ code: string | number; message: string }> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    const e = err as { code: string | number; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error("expected a rejection, got a result");
}
