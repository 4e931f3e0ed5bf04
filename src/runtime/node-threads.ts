/**
 * Threads for the parallel runner (src/core/parallel) on `node:worker_threads`, which Node and
 * Deno both provide. This module is also the threads' entry: loaded in a worker started by
 * `nodeThreads.spawn()`, it runs the stage loop. Under tsx (development) workers inherit the
 * `--import tsx` flag, so the `.ts` entry loads as the built `.js` one does.
 */
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { runStageThread } from "../core/parallel/stage-thread.js";
import type { ThreadFactory, ThreadHandle } from "../core/parallel/threads.js";

/** The `workerData` key that marks a worker as a stage thread. */
const STAGE_THREAD_MARK = "tfdataStageThread";

/**
 * Starts a worker on this module. From TypeScript sources under Node (tsx in development) the
 * worker first registers tsx's loader itself: loaders registered with `--import` in the main
 * thread do not reach workers. Deno runs TypeScript natively.
 */
function startWorker(): Worker {
  const options = { workerData: { [STAGE_THREAD_MARK]: true } };
  const self = import.meta.url;
  if (!self.endsWith(".ts") || typeof (globalThis as { Deno?: unknown }).Deno === "object") {
    return new Worker(new URL(self), options);
  }
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(self)}))` +
    `.catch((e) => { console.error(e); process.exit(1); });`;
  return new Worker(boot, { ...options, eval: true });
}

function spawn(): ThreadHandle {
  const worker = startWorker();
  let stopped = false;
  let exitHandler: ((error: Error) => void) | null = null;
  let lastError: Error | null = null;
  worker.on("error", (e) => {
    lastError = e instanceof Error ? e : new Error(String(e));
  });
  worker.on("messageerror", (e) => {
    lastError = e instanceof Error ? e : new Error(String(e));
  });
  worker.on("exit", (code) => {
    if (stopped) return;
    stopped = true;
    exitHandler?.(lastError ?? new Error(`the thread exited with code ${code}`));
  });
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
    onMessage: (handler) => {
      worker.on("message", handler);
    },
    onExit: (handler) => {
      exitHandler = handler;
    },
    terminate: () => {
      if (stopped) return;
      stopped = true;
      void worker.terminate();
    },
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

/** `node:worker_threads` threads, as many at once as the machine has cores. */
export const nodeThreads: ThreadFactory = {
  name: typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "deno" : "node",
  maxThreads: availableParallelism(),
  spawn,
};

if (!isMainThread && parentPort !== null && (workerData as Record<string, unknown> | null)?.[STAGE_THREAD_MARK] === true) {
  const port = parentPort;
  runStageThread({
    postMessage: (message, transfer) => port.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
    onMessage: (handler) => {
      port.on("message", handler);
    },
    exit: () => port.close(),
  });
}
