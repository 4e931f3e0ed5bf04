/**
 * The runtime seam of the parallel runner: how to start a thread that runs `runStageThread`
 * (stage-thread.ts). `src/runtime/node-threads.ts` implements it with `node:worker_threads` (Node
 * and Deno), `src/runtime/web-threads.ts` with Web Workers. Nothing here knows the runtime.
 */

/** One started thread, seen from the thread that started it. */
export interface ThreadHandle {
  /** Sends `message` (structured clone), moving the buffers in `transfer`. */
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  /** Called with each message the thread posts. */
  onMessage(handler: (message: unknown) => void): void;
  /**
   * Delivers the messages that arrived, now, to the `onMessage` handler, where the runtime can
   * (Node, Deno): the calling thread keeps up with its threads while it computes chunks itself.
   * Without it, the runner returns to the event loop every few milliseconds instead.
   */
  receive?(): void;
  /** Called once if the thread dies (uncaught error or exit) before `terminate()`. */
  onExit(handler: (error: Error) => void): void;
  /** Stops the thread now (idempotent). */
  terminate(): void;
  /** Lets this thread keep the process alive (default for a new thread). */
  ref?(): void;
  /** Lets the process exit while this thread is alive (it is stopped with the process). */
  unref?(): void;
}

/** Starts threads that run the parallel runner's stage loop. */
export interface ThreadFactory {
  /** Runtime name, for messages ("node", "deno", "browser"). */
  readonly name: string;
  /** How many threads can run at once (the machine's cores). */
  readonly maxThreads: number;
  /** Starts one thread; it posts `{ t: "ready" }`-style protocol messages (protocol.ts). */
  spawn(): ThreadHandle;
}

/** The thread side of a `ThreadHandle`: what `runStageThread` talks to. */
export interface ThreadEndpoint {
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  onMessage(handler: (message: unknown) => void): void;
  /** Ends this thread (after a `close` message). */
  exit(): void;
}

let installed: ThreadFactory | null = null;

/**
 * Installs the runtime's thread factory (called by `src/runtime/*` through `setPlatform`, or by a
 * test). `null` turns threads off: pipelines then run in the calling thread.
 */
export function setThreadFactory(factory: ThreadFactory | null): void {
  installed = factory;
}

/** The installed thread factory, or null when this runtime runs pipelines in one thread. */
export function threadFactory(): ThreadFactory | null {
  return installed;
}
