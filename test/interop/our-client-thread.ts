// Worker-thread entry of our client for the interop suites (see our-client.ts): reads golden-corpus
// pipelines (the TypeScript twins) through `distribute` and posts each element back as it arrives.
//
// Why a thread: a read that stalls (a worker that never answers) cannot be interrupted from the
// outside once our async iterator awaits, and its timers would keep the test process alive.
// Terminating the thread ends it for sure; the servers under test stay in the main thread.
import { parentPort, type MessagePort } from "node:worker_threads";
import { Dataset, distribute } from "../../src/entry/node.js";
import { fromTensor } from "../golden/compare.js";
import { CORPUS } from "../golden/corpus.js";

/** A read request (see `OurReadOptions` in our-client.ts). */
interface ReadRequest {
  readonly id: number;
  readonly dataset: { corpus: string } | { range: number };
  readonly service: string;
  readonly processingMode: "parallel_epochs" | "distributed_epoch";
  readonly compression: "AUTO" | null;
  readonly refreshMs: number | null;
}

function build(req: ReadRequest): Dataset {
  let ds: Dataset;
  if ("corpus" in req.dataset) {
    const make = CORPUS[req.dataset.corpus];
    if (!make) throw new Error(`no pipeline ${req.dataset.corpus} in test/golden/corpus.ts`);
    ds = make() as unknown as Dataset;
  } else {
    ds = Dataset.range(req.dataset.range);
  }
  return ds.apply(distribute({
    processingMode: req.processingMode,
    service: req.service,
    compression: req.compression,
    taskRefreshIntervalHintMs: req.refreshMs,
  }));
}

async function read(port: MessagePort, req: ReadRequest): Promise<void> {
  try {
    const ds = build(req);
    for await (const comps of ds.components()) {
      // Copies: a view would drag its whole underlying buffer through the structured clone.
      const element = comps.map(fromTensor).map((c) => ({
        dtype: c.dtype, shape: c.shape, bytes: c.bytes?.slice(), strings: c.strings?.map((s) => s.slice()),
      }));
      port.postMessage({ id: req.id, element });
    }
    port.postMessage({ id: req.id, done: true });
  } catch (err) {
    port.postMessage({ id: req.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
}

// Only as a worker thread: a test runner importing every file of the folder gets a no-op.
if (parentPort) {
  const port = parentPort;
  port.on("message", (req: ReadRequest) => void read(port, req));
  port.postMessage({ ready: true });
}
