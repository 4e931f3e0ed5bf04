/**
 * Our client (Node) for the interop suites, running in a worker thread (our-client-thread.ts) so a
 * stalled read can be abandoned for sure: the thread is terminated and a fresh one serves the next
 * read. Same shape of answer as the TF client's sessions, so cells compare both the same way.
 */
import { Worker } from "node:worker_threads";
import type { Component, Element } from "../golden/compare.js";

/** What one read asks for. */
export interface OurReadOptions {
  /** A golden-corpus pipeline (its TypeScript twin) or `range(n)`. */
  readonly dataset: { corpus: string } | { range: number };
  /** `grpc://host:port`. */
  readonly service: string;
  readonly processingMode: "parallel_epochs" | "distributed_epoch";
  readonly compression: "AUTO" | null;
  /** `taskRefreshIntervalHintMs`; null = default (1 s). */
  readonly refreshMs?: number | null;
}

/** What one read returned. */
export interface OurReadResult {
  readonly elements: Element[];
  readonly done: boolean;
  readonly timedOut: boolean;
  readonly error: string | null;
  readonly seconds: number;
}

/** Handle on the client thread. */
export interface OurClient {
  /** Reads to the end, or until `timeoutMs` passes (then the thread is replaced). */
  readDataset(opts: OurReadOptions, timeoutMs: number): Promise<OurReadResult>;
  stop(): Promise<void>;
}

/** How long a fresh thread may take to load the library and the wasm core. */
const THREAD_START_TIMEOUT_MS = 60_000;

type Reply = { ready: true } | { id: number; element?: Component[]; done?: true; error?: string };

function startThread(): { worker: Worker; ready: Promise<void> } {
  // tsx's loader hooks do not reach worker threads by themselves: register them in the thread.
  const entry = new URL("./our-client-thread.ts", import.meta.url).href;
  const src = `import { register } from ${JSON.stringify(import.meta.resolve("tsx/esm/api"))};\n` +
    `register();\nawait import(${JSON.stringify(entry)});\n`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(src)}`));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("our client thread did not start in time")), THREAD_START_TIMEOUT_MS);
    worker.once("message", (m: Reply) => {
      clearTimeout(timer);
      if ("ready" in m) resolve();
      else reject(new Error(`our client thread said ${JSON.stringify(m)} before ready`));
    });
    worker.once("error", (e) => { clearTimeout(timer); reject(e); });
  });
  ready.catch(() => {});
  return { worker, ready };
}

/** Starts the client thread (lazily replaced after a stalled read). */
export function startOurClient(): OurClient {
  let current: { worker: Worker; ready: Promise<void> } | null = null;
  let nextId = 1;
  const thread = () => (current ??= startThread());
  return {
    async readDataset(opts, timeoutMs) {
      const t = thread();
      t.worker.ref();
      try {
        await t.ready;
      } catch (err) {
        if (current === t) current = null;
        void t.worker.terminate();
        throw err;
      }
      const id = nextId++;
      const started = performance.now();
      const elements: Element[] = [];
      return await new Promise<OurReadResult>((resolve) => {
        const finish = (r: Omit<OurReadResult, "elements" | "seconds">) => {
          clearTimeout(timer);
          t.worker.off("message", onMessage);
          t.worker.off("error", onError);
          t.worker.unref(); // an idle client thread never keeps the test process alive
          resolve({ ...r, elements, seconds: (performance.now() - started) / 1000 });
        };
        const onMessage = (m: Reply) => {
          if ("ready" in m || m.id !== id) return;
          if (m.element) elements.push(m.element);
          else if (m.done) finish({ done: true, timedOut: false, error: null });
          else if (m.error !== undefined) finish({ done: false, timedOut: false, error: m.error });
        };
        const onError = (e: Error) => {
          current = null;
          finish({ done: false, timedOut: false, error: `our client thread crashed: ${e.message}` });
        };
        const timer = setTimeout(() => {
          // The read may be stuck inside our iterator: end the whole thread.
          if (current === t) current = null;
          void t.worker.terminate();
          finish({ done: false, timedOut: true, error: null });
        }, timeoutMs);
        t.worker.on("message", onMessage);
        t.worker.on("error", onError);
        t.worker.postMessage({ id, refreshMs: null, ...opts });
      });
    },
    async stop() {
      const t = current;
      current = null;
      await t?.worker.terminate();
    },
  };
}
