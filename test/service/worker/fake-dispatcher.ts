// A scriptable stand-in for the dispatcher, for worker tests: it records what the worker sends and
// answers what the test sets (new tasks, deletions, failures, a wrong version).
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { GraphDef } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { UncompressedElementSchema } from "../../../src/gen/tensorflow/core/framework/dataset_pb.js";
import type { TaskDef } from "../../../src/gen/tensorflow/core/data/service/common_pb.js";
import { DatasetDefSchema, TaskDefSchema } from "../../../src/gen/tensorflow/core/data/service/common_pb.js";
import {
  DispatcherService,
  type WorkerHeartbeatRequest,
  type WorkerUpdateRequest,
} from "../../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { TfDataError } from "../../../src/core/errors.js";
import type { DatasetPlan } from "../../../src/core/plan.js";
import { DType } from "../../../src/core/dtype.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { platform, setPlatform, type ListeningServer } from "../../../src/service/platform.js";
import type { PipelineDeps } from "../../../src/service/worker/task-pipeline.js";
import type { ElementSource } from "../../../src/service/worker/task-runner.js";

setPlatform(nodePlatform);

/** Polls `cond` every 5 ms until it holds or `timeoutMs` passes. */
export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A dispatcher whose answers the test controls. */
export class FakeDispatcher {
  version = 9n;
  readonly heartbeats: WorkerHeartbeatRequest[] = [];
  readonly updates: WorkerUpdateRequest[] = [];
  readonly compressionQueries: string[] = [];
  readonly datasetDefQueries: string[] = [];
  /** The next this-many heartbeats fail with UNAVAILABLE. */
  failHeartbeats = 0;
  /** The next this-many WorkerUpdates fail with UNAVAILABLE. */
  failUpdates = 0;
  /** Sent once, in the next heartbeat answer. */
  newTasks: TaskDef[] = [];
  /** Sent in every heartbeat answer while set. */
  tasksToDelete: bigint[] = [];
  compressionDisabled = false;
  readonly graphs = new Map<string, GraphDef>();
  private server: ListeningServer | undefined;

  get address(): string {
    return `127.0.0.1:${this.server!.port}`;
  }

  async start(): Promise<this> {
    this.server = await platform().listen((router) => {
      router.service(DispatcherService, {
        getVersion: () => ({ version: this.version }),
        workerHeartbeat: (req) => {
          this.heartbeats.push(req);
          if (this.failHeartbeats > 0) {
            this.failHeartbeats--;
            throw new ConnectError("dispatcher is warming up", Code.Unavailable);
          }
          const newTasks = this.newTasks;
          this.newTasks = [];
          return { newTasks, tasksToDelete: this.tasksToDelete };
        },
        workerUpdate: (req) => {
          this.updates.push(req);
          if (this.failUpdates > 0) {
            this.failUpdates--;
            throw new ConnectError("try again", Code.Unavailable);
          }
          return {};
        },
        disableCompressionAtRuntime: (req) => {
          this.compressionQueries.push(req.datasetId);
          return { decision: { case: "compressionDisabledAtRuntime", value: this.compressionDisabled } };
        },
        getDatasetDef: (req) => {
          this.datasetDefQueries.push(req.datasetId);
          const graph = this.graphs.get(req.datasetId);
          if (!graph) throw new ConnectError(`Dataset id ${req.datasetId} not found`, Code.NotFound);
          return { datasetDef: { graph } };
        },
      });
    }, { host: "127.0.0.1", port: 0 });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}

/** A graph the fake pipeline understands: `range:N`, `fail-at:K`, or `unsupported:OP` as its only node. */
export function fakeGraph(spec: string): GraphDef {
  return create(GraphDefSchema, { node: [{ name: spec, op: "Fake" }] });
}

/** A TaskDef for `workerAddress` with an inline fake graph. */
export function taskDef(init: {
  taskId: bigint;
  workerAddress: string;
  graph?: string;
  datasetId?: string;
  extra?: Partial<MessageInitShape<typeof TaskDefSchema>>;
}): TaskDef {
  return create(TaskDefSchema, {
    taskId: init.taskId,
    iterationId: 2000n,
    datasetId: init.datasetId ?? "1000",
    workerAddress: init.workerAddress,
    dataset: { case: "datasetDef", value: create(DatasetDefSchema, { graph: fakeGraph(init.graph ?? "range:5") }) },
    ...init.extra,
  } as MessageInitShape<typeof TaskDefSchema>);
}

/** Serialized UncompressedElement holding one int64 scalar, as the core would encode it. */
export function int64Element(v: bigint): Uint8Array {
  return toBinary(UncompressedElementSchema, create(UncompressedElementSchema, {
    components: [{ dtype: DType.int64, tensorShape: {}, tensorContent: new Uint8Array(new BigInt64Array([v]).buffer) }],
  }));
}

/** Pipeline deps without graph lowering or wasm: understands {@link fakeGraph}s; records calls. */
export function fakeDeps(log: { stripped: number; closed: number }): () => Promise<PipelineDeps> {
  const deps: PipelineDeps = {
    lower(graph) {
      const spec = graph.node[0]?.name ?? "";
      if (spec.startsWith("unsupported:")) {
        throw new TfDataError("Unimplemented", `Unsupported op '${spec.slice(12)}' in node 'n'`);
      }
      return { op: "range", start: 0n, stop: BigInt(spec.split(":")[1] ?? "0"), step: spec.startsWith("fail-at") ? -1n : 1n, dtype: DType.int64 } as DatasetPlan;
    },
    stripCompressionMap(graph) {
      log.stripped++;
      return graph;
    },
    async createSource(plan): Promise<ElementSource> {
      const p = plan as { stop: bigint; step: bigint };
      let i = 0n;
      return {
        next() {
          if (p.step < 0n && i === p.stop) throw new TfDataError("InvalidArgument", `element ${i} is bad`);
          if (p.step > 0n && i >= p.stop) return null;
          return { kind: "uncompressed", bytes: int64Element(i++) };
        },
        close() {
          log.closed++;
        },
      };
    },
  };
  return () => Promise.resolve(deps);
}
