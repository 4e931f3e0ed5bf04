/**
 * `DispatchServer`: TF's `tf.data.experimental.service.DispatchServer` in TypeScript. It serves
 * `tensorflow.data.DispatcherService` over gRPC (and Connect / gRPC-web on the same port) through
 * the installed runtime platform.
 */
import { TfDataError } from "../core/errors.js";
import { DispatcherConfig, type DispatcherConfigInit } from "./config.js";
import { Dispatcher, type DispatcherDeps } from "./dispatcher/dispatcher.js";
import { dispatcherRoutes } from "./dispatcher/handlers.js";
import { type ListeningServer, platform } from "./platform.js";

/**
 * The coordinator of a tf.data service: registers datasets, creates jobs and iterations, assigns
 * tasks to workers. Elements never pass through it.
 *
 * @example
 * const dispatcher = new DispatchServer();        // binds a free port
 * await dispatcher.start();                       // resolves once bound (idempotent)
 * console.log(dispatcher.target);                 // "grpc://localhost:PORT"
 * await dispatcher.stop();                        // join() resolves once stopped
 */
export class DispatchServer {
  /** The configuration the server runs with. */
  readonly config: DispatcherConfig;
  /** The dispatcher behind this server (its state, for tests and introspection). */
  readonly dispatcher: Dispatcher;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private listener: ListeningServer | undefined;
  private readonly stopped: Promise<void>;
  private markStopped!: () => void;

  /**
   * @param config a `DispatcherConfig` (or its options); default: any free port, TF's defaults.
   * @param start when true (default, as TF) the server starts binding at once; `start()` returns the
   *   same promise.
   * @param deps extension for tests and embedding: the dispatcher's clock, log, storage and its
   *   `MaybeRemoveTask` wait (TF's fixed 10 s).
   */
  constructor(config?: DispatcherConfig | DispatcherConfigInit, start = true, deps: DispatcherDeps = {}) {
    this.config = config instanceof DispatcherConfig ? config : new DispatcherConfig(config ?? {});
    this.dispatcher = new Dispatcher(this.config, deps);
    this.stopped = new Promise<void>((resolve) => (this.markStopped = resolve));
    if (start) {
      // The caller may never await start(); a bind failure then must not become an unhandled rejection.
      this.start().catch(() => {});
    }
  }

  /**
   * Binds and starts serving; resolves once bound and started (in fault-tolerant mode, once the
   * journal is replayed). Idempotent: every call returns the same promise.
   */
  start(): Promise<void> {
    if (this.stopping) {
      return Promise.reject(new TfDataError("FailedPrecondition",
        "This DispatchServer was stopped; create a new DispatchServer to serve again."));
    }
    this.starting ??= (async () => {
      // Bound first, as TF: RPCs arriving while the journal is replayed answer UNAVAILABLE.
      this.listener = await platform().listen(dispatcherRoutes(this.dispatcher), {
        host: this.config.host,
        port: this.config.port,
      });
      try {
        await this.dispatcher.start();
      } catch (err) {
        const listener = this.listener;
        this.listener = undefined;
        await listener.close().catch(() => {});
        throw err;
      }
    })();
    return this.starting;
  }

  /**
   * The address clients use: `"grpc://localhost:PORT"` (TF's `target`). Throws before the server is
   * bound; `await start()` first.
   */
  get target(): string {
    return `${this.config.protocol}://${this._address}`;
  }

  /** `"localhost:PORT"`, the address workers use as `dispatcherAddress` (TF's `_address`). */
  get _address(): string {
    if (!this.listener) {
      throw new TfDataError("FailedPrecondition",
        "DispatchServer is not bound yet: await dispatcher.start() before reading target/_address.");
    }
    return `localhost:${this.listener.port}`;
  }

  /** The bound port (useful with port 0); throws before the server is bound. */
  get port(): number {
    void this._address;
    return (this.listener as ListeningServer).port;
  }

  /** Number of workers that have registered (TF's `_num_workers()`). */
  numWorkers(): number {
    return this.dispatcher.numWorkers();
  }

  /** Alias of `numWorkers()` with TF's private name. */
  _numWorkers(): number {
    return this.numWorkers();
  }

  /**
   * Stops serving: closes the listener and every open connection, clears all timers and aborts
   * outgoing calls. Idempotent; resolves once everything is closed.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const dispatcherStopped = this.dispatcher.stop();
      try {
        await this.starting;
      } catch {
        // A failed start left nothing bound.
      }
      await this.listener?.close();
      await dispatcherStopped;
      this.markStopped();
    })();
    return this.stopping;
  }

  /** Resolves once the server has stopped (TF's blocking `join()`). */
  join(): Promise<void> {
    return this.stopped;
  }
}
