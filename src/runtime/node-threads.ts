/**
 * Threads for the parallel runner (src/core/parallel) on `node:worker_threads`, which Node and
 * Deno both provide. This module is also the threads' entry: loaded in a worker started by
 * `nodeThreads.spawn()`, it runs the stage loop.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isMainThread, MessageChannel, parentPort, receiveMessageOnPort, Worker, workerData, type MessagePort } from "node:worker_threads";
import { runStageThread } from "../core/parallel/stage-thread.js";
import type { ThreadFactory, ThreadHandle } from "../core/parallel/threads.js";

/** The `workerData` key that marks a worker as a stage thread. */
const STAGE_THREAD_MARK = "tfdataStageThread";
/** The `workerData` key of the port the thread answers on. */
const REPLY_PORT = "tfdataReplyPort";

/**
 * Starts a worker on this module. From TypeScript sources under Node (tsx, in development), the
 * worker runs a bundle of this module made once per process with esbuild (a dev dependency):
 * loaders registered with `--import` do not reach workers, and transpiling every module again
 * in each worker costs a second. Deno runs TypeScript natively; built `.js` loads as is.
 */
function startWorker(reply: MessagePort): Worker {
  const options = { workerData: { [STAGE_THREAD_MARK]: true, [REPLY_PORT]: reply }, transferList: [reply] };
  const self = import.meta.url;
  if (!self.endsWith(".ts") || typeof (globalThis as { Deno?: unknown }).Deno === "object") {
    return new Worker(new URL(self), options);
  }
  // No inherited `--import tsx`: the bundle is plain JavaScript, and tsx's loader costs ~0.2 s per worker.
  return new Worker(new URL(devBundle(self)), { ...options, execArgv: [] });
}

let bundled: string | null = null;

/** Bundles this module (and what it imports) into a temporary `.mjs`; returns its URL. */
function devBundle(self: string): string {
  if (bundled !== null) return bundled;
  const require = createRequire(self);
  const esbuild = require("esbuild") as {
    buildSync(o: object): { outputFiles: { contents: Uint8Array }[] };
  };
  const out = esbuild.buildSync({
    entryPoints: [fileURLToPath(self)],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
    // Threads always receive the compiled module; the embedded one is never loaded there.
    external: ["*/gen/core-wasm.js"],
  });
  const dir = mkdtempSync(join(tmpdir(), "tfdata-threads-"));
  const file = join(dir, "stage-thread.mjs");
  writeFileSync(file, out.outputFiles[0].contents);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  bundled = pathToFileURL(file).href;
  return bundled;
}

/**
 * Starts a stage thread. It answers on a port of its own, so the calling thread can also take its
 * messages synchronously (`receive`) while it computes without returning to the event loop.
 */
function spawn(): ThreadHandle {
  const { port1: replies, port2 } = new MessageChannel();
  const worker = startWorker(port2);
  let stopped = false;
  let exitHandler: ((error: Error) => void) | null = null;
  let messageHandler: ((message: unknown) => void) | null = null;
  let lastError: Error | null = null;
  worker.on("error", (e) => {
    lastError = e instanceof Error ? e : new Error(String(e));
  });
  worker.on("messageerror", (e) => {
    lastError = e instanceof Error ? e : new Error(String(e));
  });
  worker.on("exit", (code) => {
    replies.close();
    if (stopped) return;
    stopped = true;
    exitHandler?.(lastError ?? new Error(`the thread exited with code ${code}`));
  });
  let refd = true;
  return {
    postMessage: (message, transfer) => worker.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
    onMessage: (handler) => {
      messageHandler = handler;
      replies.on("message", handler);
      // A message listener refs the port: keep it as the thread is (see ref/unref).
      if (!refd) replies.unref();
    },
    receive: () => {
      for (let m = receiveMessageOnPort(replies); m !== undefined; m = receiveMessageOnPort(replies)) messageHandler?.(m.message);
    },
    onExit: (handler) => {
      exitHandler = handler;
    },
    terminate: () => {
      if (stopped) return;
      stopped = true;
      replies.close();
      void worker.terminate();
    },
    ref: () => {
      refd = true;
      worker.ref();
      replies.ref();
    },
    unref: () => {
      refd = false;
      worker.unref();
      replies.unref();
    },
  };
}

/** `node:worker_threads` threads, as many at once as the machine has cores. */
export const nodeThreads: ThreadFactory = {
  name: typeof (globalThis as { Deno?: unknown }).Deno === "object" ? "deno" : "node",
  maxThreads: availableParallelism(),
  spawn,
};

const data = workerData as Record<string, unknown> | null;
if (!isMainThread && parentPort !== null && data?.[STAGE_THREAD_MARK] === true) {
  const port = parentPort;
  const reply = data[REPLY_PORT] as MessagePort;
  runStageThread({
    postMessage: (message, transfer) => reply.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
    onMessage: (handler) => {
      port.on("message", handler);
    },
    exit: () => {
      reply.close();
      port.close();
    },
  });
}
