/**
 * `WorkerServer`: TF's `tf.data.experimental.service.WorkerServer`. Binds a port, registers with the
 * dispatcher by heartbeat, then serves `tensorflow.data.WorkerService` (gRPC for TensorFlow peers,
 * Connect and gRPC-web for browsers) while a heartbeat loop and a task-completion loop keep the
 * dispatcher informed.
 */
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { ProcessTaskResponseSchema, WorkerService } from "../../gen/tensorflow/core/data/service/worker_pb.js";
import { TfDataError } from "../../core/errors.js";
import { WorkerConfig, type WorkerConfigInit } from "../config.js";
import { guard, toConnectError } from "../errors.js";
import { GET_ELEMENT_PATH, type RawServerStreamHandler, type RawUnaryHandler } from "./get-element-wire.js";
import { ElementStreamService } from "../../gen/tfdata/v1/transfer_pb.js";
import { platform, type ListeningServer } from "../platform.js";
import { DispatcherClient } from "../client/dispatcher-client.js";
import { retry, sleep } from "../client/retry.js";
import { defaultPipelineDeps, type PipelineDeps, type TaskInitContext } from "./task-pipeline.js";
import { WorkerState } from "./worker-state.js";
import { LocalWorkers, type LocalWorker } from "./local-workers.js";
import { ROUND_ROBIN_SKIP_WAIT_MS } from "./round-robin-runner.js";
import { GRANT_CREDITS_PATH, guardStream, STREAM_ELEMENTS_PATH } from "./element-stream.js";
import { UNCOMPRESSED_RESPONSES } from "../handler-options.js";

/** How long a failed `WorkerUpdate` waits before it is sent again (TF: 5 s). */
export const TASK_COMPLETION_RETRY_MS = 5_000;

/**
 * Knobs that are not part of TF's `WorkerConfig`: for tests and embedding.
 * @private Internal, does not follow semantic versioning.
 */
export interface WorkerServerInternals {
  /** Wait after a failed `WorkerUpdate`; default {@link TASK_COMPLETION_RETRY_MS}. */
  readonly taskCompletionRetryMs?: number;
  /** Graph + core used to run tasks; default: the real ones. */
  readonly pipelineDeps?: () => Promise<PipelineDeps>;
  /** Receives warnings (failed heartbeats, ...); default `console.warn`. */
  readonly warn?: (message: string) => void;
  /** Serve and advertise the `tfdata.v1` element stream (default true; false = unary only, like TF). */
  readonly elementStream?: boolean;
  /** Round fill wait of round-robin tasks before a round is skipped (default TF's 100 ms). */
  readonly roundRobinSkipWaitMs?: number;
  /**
   * Join this process's local-worker registry once registered (default true), so clients here
   * can read it with `targetWorkers: "LOCAL"`. False makes it look remote (tests).
   */
  readonly registerLocalWorker?: boolean;
}

type Phase = "new" | "starting" | "running" | "stopping" | "stopped";

/**
 * A tf.data service worker.
 *
 * @example
 * const worker = new WorkerServer(new WorkerConfig({ dispatcherAddress: "localhost:5050" }));
 * await worker.start();   // bound and registered
 * await worker.join();    // until stop()
 */
export class WorkerServer {
  private phase: Phase = "new";
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private listener: ListeningServer | undefined;
  private dispatcher: DispatcherClient | undefined;
  private readonly state: WorkerState;
  private readonly internals: Required<WorkerServerInternals>;
  private completionWake: (() => void) | undefined;
  private readonly loops: Promise<void>[] = [];
  private joined!: Promise<void>;
  private joinFailed = false;
  private settleJoin!: { resolve: () => void; reject: (err: unknown) => void };
  private lastWarning = "";

  /** The validated configuration. */
  readonly config: WorkerConfig;

  /**
   * @param config the worker's configuration (`dispatcherAddress` is required); a plain options
   *   object is validated into a `WorkerConfig`.
   * @param start start right away (as TF); `start()` then returns the same promise.
   * @param internals test and embedding knobs, see {@link WorkerServerInternals}.
   */
  constructor(config: WorkerConfig | WorkerConfigInit, start = true, internals: WorkerServerInternals = {}) {
    this.config = config instanceof WorkerConfig ? config : new WorkerConfig(config);
    this.internals = {
      taskCompletionRetryMs: internals.taskCompletionRetryMs ?? TASK_COMPLETION_RETRY_MS,
      pipelineDeps: internals.pipelineDeps ?? defaultPipelineDeps,
      warn: internals.warn ?? ((m) => console.warn(m)),
      elementStream: internals.elementStream ?? true,
      roundRobinSkipWaitMs: internals.roundRobinSkipWaitMs ?? ROUND_ROBIN_SKIP_WAIT_MS,
      registerLocalWorker: internals.registerLocalWorker ?? true,
    };
    this.resetJoin();
    this.state = new WorkerState({
      initContext: () => this.initContext(),
      elementStream: this.internals.elementStream,
      onTaskCompleted: () => this.completionWake?.(),
    });
    if (start) this.start().catch(() => {});
  }

  /**
   * Binds the port and registers with the dispatcher; resolves once both are done. Idempotent.
   * Registration is retried (TF's backoff) while the dispatcher is unavailable; a version mismatch
   * or another non-retryable error rejects, and the port is released.
   */
  start(): Promise<void> {
    if (this.phase === "stopping" || this.phase === "stopped") {
      return Promise.reject(new TfDataError("FailedPrecondition",
        "This WorkerServer was stopped; create a new WorkerServer to serve again."));
    }
    if (this.joinFailed) this.resetJoin();
    this.starting ??= this.run().catch(async (err: unknown) => {
      const listener = this.listener;
      this.listener = undefined;
      await listener?.close().catch(() => {});
      if (this.phase === "starting") {
        this.phase = "new";
        this.starting = undefined;
        this.joinFailed = true;
        this.settleJoin.reject(err);
      }
      throw err;
    });
    return this.starting;
  }

  /** Stops serving: closes the port, the loops and every task. Idempotent; resolves when done. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.phase = "stopping";
      LocalWorkers.remove(this.localWorker);
      this.state.stopAll();
      this.abort.abort(new ConnectError("Worker is shutting down", Code.Canceled));
      await this.starting?.catch(() => {});
      await Promise.allSettled(this.loops);
      const listener = this.listener;
      this.listener = undefined;
      await listener?.close();
      this.phase = "stopped";
      this.settleJoin.resolve();
    })();
    return this.stopping;
  }

  private resetJoin(): void {
    this.joinFailed = false;
    this.joined = new Promise<void>((resolve, reject) => (this.settleJoin = { resolve, reject }));
    this.joined.catch(() => {}); // surfaced through join()/start(), never as an unhandled rejection
  }

  /** Resolves once the server is stopped; rejects if the latest `start()` failed. */
  join(): Promise<void> {
    return this.joined;
  }

  /** The address advertised to the dispatcher and clients (TF's `_address`); `""` before binding. */
  get address(): string {
    return this.state.workerAddress;
  }

  /** The bound port (0 before binding). */
  get port(): number {
    return this.listener?.port ?? 0;
  }

  /** Number of tasks the worker holds (TF's `_num_tasks()`). */
  numTasks(): number {
    return this.state.numTasks;
  }

  private async run(): Promise<void> {
    this.phase = "starting";
    const signal = this.abort.signal;
    const cfg = this.config;
    // `rawUnary` lets a runtime that can (Node) serve gRPC GetElement without Connect's per-call
    // machinery; runtimes that do not know the option serve it through the routes as usual.
    const listenOptions = {
      host: cfg.host, port: cfg.port, rawUnary: this.rawUnaryRoutes(), rawServerStream: this.rawServerStreamRoutes(),
    };
    this.listener = await platform().listen((router) => this.routes(router), listenOptions);
    if (signal.aborted) throw signal.reason;
    this.state.workerAddress = cfg.workerAddress.replace("%port%", String(this.listener.port));
    const dispatcher = (this.dispatcher = new DispatcherClient(cfg.dispatcherAddress, cfg.protocol));
    await dispatcher.ensureCompatible(signal, (err) =>
      this.warnOnce(`Failed to reach the dispatcher at ${cfg.dispatcherAddress}`, err));
    await retry(() => this.heartbeat(), {
      description: `register worker ${this.address} with the dispatcher at ${cfg.dispatcherAddress}`,
      signal,
      onRetry: (err) => this.warnOnce(`Failed to register with the dispatcher at ${cfg.dispatcherAddress}`, err),
    });
    this.state.registered = true;
    if (this.internals.registerLocalWorker) LocalWorkers.add(this.localWorker);
    this.phase = "running";
    this.loops.push(this.heartbeatLoop(), this.completionLoop());
  }

  private routes(router: ConnectRouter): void {
    const state = this.state;
    router.service(WorkerService, {
      processTask: guard((req) => {
        state.processTask(req.task);
        return create(ProcessTaskResponseSchema, {});
      }),
      getElement: guard((req, ctx) => state.getElement(req, ctx)),
      getWorkerTasks: guard(() => state.getWorkerTasks()),
      getSnapshotTaskProgresses: guard(() => {
        throw new ConnectError(
          "WorkerService.GetSnapshotTaskProgresses is not implemented (distributed snapshots are not supported yet).",
          Code.Unimplemented,
        );
      }),
    }, UNCOMPRESSED_RESPONSES);
    if (!this.internals.elementStream) return;
    router.service(ElementStreamService, {
      streamElements: (req, ctx) => guardStream(state.streamElements(req, ctx.signal)),
      grantCredits: guard((req) => state.streams.grantCredits(req)),
    }, UNCOMPRESSED_RESPONSES);
  }

  /** Unary gRPC methods served on serialized messages where the runtime can (see get-element-wire.ts). */
  private rawUnaryRoutes(): ReadonlyMap<string, RawUnaryHandler> {
    const state = this.state;
    const routes = new Map<string, RawUnaryHandler>([
      [GET_ELEMENT_PATH, async (request) => {
        try {
          return await state.getElementWire(request);
        } catch (err) {
          throw toConnectError(err);
        }
      }],
    ]);
    if (this.internals.elementStream) {
      routes.set(GRANT_CREDITS_PATH, async (request) => {
        try {
          return state.streams.grantCreditsWire(request);
        } catch (err) {
          throw toConnectError(err);
        }
      });
    }
    return routes;
  }

  /** Server-streaming gRPC methods served on serialized messages where the runtime can. */
  private rawServerStreamRoutes(): ReadonlyMap<string, RawServerStreamHandler> {
    const state = this.state;
    if (!this.internals.elementStream) return new Map();
    return new Map<string, RawServerStreamHandler>([
      [STREAM_ELEMENTS_PATH, (request, signal) => guardStream(state.streams.streamElementsWire(request, signal))],
    ]);
  }

  /** This worker as in-process clients see it (local-workers.ts). */
  private readonly localWorker: LocalWorker = ((server: WorkerServer): LocalWorker => ({
    get address() {
      return server.address;
    },
    getElementResult: (req) => server.state.getElementResult(req),
    deleteLocalTask: (taskId) => server.state.deleteLocalTask(taskId),
  }))(this);

  private initContext(): TaskInitContext {
    if (!this.dispatcher) throw new ConnectError("Worker has not yet registered with dispatcher.", Code.Unavailable);
    return {
      workerAddress: this.state.workerAddress,
      dispatcher: this.dispatcher,
      dispatcherTimeoutMs: this.config.dispatcherTimeoutMs,
      signal: this.abort.signal,
      deps: this.internals.pipelineDeps,
      runners: {
        crossTrainerCacheSizeBytes: this.config.crossTrainerCacheSizeBytes,
        roundRobinSkipWaitMs: this.internals.roundRobinSkipWaitMs,
      },
    };
  }

  /** One `WorkerHeartbeat`: reports held tasks, adopts new ones, drops deleted ones. */
  private async heartbeat(): Promise<void> {
    const dispatcher = this.dispatcher!;
    const res = await dispatcher.rpc.workerHeartbeat(this.state.heartbeatRequest(this.config.workerTags), {
      signal: this.abort.signal,
    });
    this.state.applyHeartbeat(res);
  }

  private async heartbeatLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await sleep(this.config.heartbeatIntervalMs, signal);
        await this.heartbeat();
        this.recovered("heartbeats to the dispatcher");
      } catch (err) {
        if (signal.aborted) return;
        this.warnOnce("Failed to send heartbeat to dispatcher", err);
      }
    }
  }

  /** Reports completed tasks with `WorkerUpdate`; a failed batch stays pending and is resent later. */
  private async completionLoop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const ids = this.state.pendingCompletions();
      if (ids.length === 0) {
        let onAbort!: () => void;
        await new Promise<void>((resolve) => {
          this.completionWake = resolve;
          onAbort = () => resolve();
          signal.addEventListener("abort", onAbort, { once: true });
        });
        // One listener per wait would pile up on the worker's signal (one per completed task).
        signal.removeEventListener("abort", onAbort);
        this.completionWake = undefined;
        continue;
      }
      try {
        await this.dispatcher!.rpc.workerUpdate(
          { workerAddress: this.address, updates: ids.map((taskId) => ({ taskId, completed: true })) },
          { signal },
        );
        this.state.acknowledgeCompletions(ids);
        this.recovered("task updates to the dispatcher");
      } catch (err) {
        if (signal.aborted) return;
        this.warnOnce("Failed to send task updates to dispatcher", err);
        await sleep(this.internals.taskCompletionRetryMs, signal).catch(() => {});
      }
    }
  }

  /** Logs a failure once per distinct message, so a dispatcher outage does not flood the log. */
  private warnOnce(what: string, err: unknown): void {
    const message = `tf.data service worker ${this.address}: ${what}: ${err instanceof Error ? err.message : String(err)}`;
    if (message === this.lastWarning) return;
    this.lastWarning = message;
    this.internals.warn(message);
  }

  private recovered(what: string): void {
    if (this.lastWarning === "") return;
    this.lastWarning = "";
    this.internals.warn(`tf.data service worker ${this.address}: ${what} work again.`);
  }
}
