/**
 * Threads for the parallel runner (src/core/parallel) on Web Workers, for browsers. This module
 * is also the workers' entry: loaded in a module worker named `WEB_STAGE_THREAD_NAME`, it runs the
 * stage loop. Bundlers must emit it as a worker entry; pass its URL to `createWebThreads`, e.g.
 * `createWebThreads(new URL("tfdata-service/web-threads", import.meta.url))`, then
 * `setThreadFactory(...)`. Nothing is installed by default: a page opts in.
 */
import { runStageThread } from "../core/parallel/stage-thread.js";
import type { ThreadFactory, ThreadHandle } from "../core/parallel/threads.js";

/** The worker name that marks a Web Worker as a stage thread. */
export const WEB_STAGE_THREAD_NAME = "tfdata-stage-thread";

interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: string, listener: (event: { data?: unknown; message?: string }) => void): void;
  terminate(): void;
}

type WorkerCtor = new (url: URL | string, options: { type: "module"; name: string }) => WorkerLike;

/**
 * A thread factory starting module workers on `entry` (this module's URL as the page serves it).
 * `maxThreads` defaults to `navigator.hardwareConcurrency`.
 */
export function createWebThreads(entry: URL | string, maxThreads?: number): ThreadFactory {
  const g = globalThis as { Worker?: WorkerCtor; navigator?: { hardwareConcurrency?: number } };
  const cores = maxThreads ?? g.navigator?.hardwareConcurrency ?? 1;
  return {
    name: "browser",
    maxThreads: Math.max(1, cores),
    spawn(): ThreadHandle {
      if (g.Worker === undefined) throw new Error("Web Workers are not available here");
      const worker = new g.Worker(entry, { type: "module", name: WEB_STAGE_THREAD_NAME });
      let stopped = false;
      let onExit: ((e: Error) => void) | null = null;
      const die = (why: string): void => {
        if (stopped) return;
        stopped = true;
        worker.terminate();
        onExit?.(new Error(why));
      };
      worker.addEventListener("error", (e) => die(e.message ?? "the worker failed"));
      worker.addEventListener("messageerror", () => die("a message could not be deserialized"));
      return {
        postMessage: (message, transfer) => worker.postMessage(message, [...(transfer ?? [])]),
        onMessage: (handler) => worker.addEventListener("message", (e) => handler(e.data)),
        onExit: (handler) => {
          onExit = handler;
        },
        terminate: () => {
          if (stopped) return;
          stopped = true;
          worker.terminate();
        },
      };
    },
  };
}

interface WorkerScope {
  name?: string;
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

const scope = globalThis as unknown as Partial<WorkerScope> & { document?: unknown };
if (scope.document === undefined && scope.name === WEB_STAGE_THREAD_NAME && typeof scope.postMessage === "function") {
  const self = scope as WorkerScope;
  runStageThread({
    postMessage: (message, transfer) => self.postMessage(message, [...(transfer ?? [])]),
    onMessage: (handler) => self.addEventListener("message", (e) => handler(e.data)),
    exit: () => self.close(),
  });
}
