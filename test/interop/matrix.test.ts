// The interop matrix (issue 5 §1): every pairing of client × dispatcher × workers × processing
// mode × compression, with real TensorFlow 2.21 processes on loopback. 2 × 2 × 3 × 2 × 2 = 48 cells,
// one uvu test each, named `client=tf dispatcher=ours workers=mixed mode=distributed_epoch
// compression=AUTO`. Each cell reads the golden-corpus pipelines of PIPELINES (the Python twin
// with TF's client, the TypeScript twin with ours) and checks the exact expected elements
// (matrix-elements.ts): parallel_epochs = an interleaving of one full copy per worker;
// distributed_epoch = every element (row, for batching pipelines) exactly once.
//
// Speed: one TF cluster process hosts every TF server (started by command per deployment) and one
// TF client process takes read commands (both shared with the other interop suites); our client
// reads in a worker thread (so a stalled read can be ended); our servers run in this process.
// Cells are grouped by deployment (dispatcher × workers), which is started once and reused by its
// 8 cells. Worker heartbeats and client refresh are short (WORKER_HEARTBEAT_MS, REFRESH_MS); the
// dispatchers' job GC is left at its defaults (every read finishes its iteration, nothing to GC).
//
// Cells impossible by TF's own design would be listed in IMPOSSIBLE (and test/interop/
// COMPATIBILITY.md) and not run. None of the 48 is: see the note on IMPOSSIBLE.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DispatchServer, DispatcherConfig, WorkerConfig, WorkerServer } from "../../src/entry/node.js";
import type { Element } from "../golden/compare.js";
import { expectedElements } from "../golden/compare.js";
import { goldenFixture } from "../golden/fixtures.js";
import { LOOPBACK } from "../helpers/servers.js";
import { REPO_ROOT, tfPython } from "../helpers/tf.js";
import { sharedTfClient, sharedTfCluster, type SharedLease, type TfClient, type TfCluster } from "../helpers/tf-drivers.js";
import { elementKey, fromTfJson, isInterleaving, multisetDiff, rows } from "./matrix-elements.js";
import { startOurClient, type OurClient } from "./our-client.js";

type Side = "tf" | "ours";
type WorkerSet = "tf" | "ours" | "mixed";
type Mode = "parallel_epochs" | "distributed_epoch";
type Compression = "AUTO" | null;

const CLIENTS: readonly Side[] = ["tf", "ours"];
const DISPATCHERS: readonly Side[] = ["tf", "ours"];
const WORKER_SETS: readonly WorkerSet[] = ["tf", "ours", "mixed"];
const MODES: readonly Mode[] = ["parallel_epochs", "distributed_epoch"];
const COMPRESSIONS: readonly Compression[] = ["AUTO", null];

/** Workers in every deployment (mixed = one of each). */
const WORKERS_PER_CELL = 2;
/** Client heartbeat / task refresh (TF's private `task_refresh_interval_hint_ms`; ours' option). */
const REFRESH_MS = 50;
/** Worker heartbeat period, TF's and ours. */
const WORKER_HEARTBEAT_MS = 200;
/** One read gets this long; a read still going then is a stall (TF's client retries forever). */
const READ_TIMEOUT_MS = 20_000;
/** Longest error text quoted per pipeline in a failure message. */
const MAX_ERROR_CHARS = 400;

/**
 * The pipelines every cell reads (golden corpus names; both engines and TF's DYNAMIC sharding
 * support them, and each is cheap). Together they cover int64/int32/float32/float16/bfloat16/
 * float64/uint8/int8/bool/string components, tuples, dicts, nesting, map, filter and batch.
 * `rows`: a batching pipeline, compared by rows under distributed_epoch (each worker batches the
 * splits it got).
 */
const PIPELINES: readonly { readonly name: string; readonly rows: boolean }[] = [
  { name: "src_range", rows: false },
  { name: "src_slices_strings", rows: false },
  { name: "fn_map_dict", rows: false },
  { name: "src_slices_nested", rows: false },
  { name: "op_cast", rows: false },
  { name: "pipe_map_filter_batch", rows: true },
];

/**
 * Cells that cannot work by TF's own design (cell name -> reason); listed, not run. Empty: with
 * pipelines both engines support, every pairing is possible. What TF's design does rule out lies
 * outside these dimensions (e.g. a pipeline with an op only we implement cannot run on a TF
 * worker; `target_workers="LOCAL"` needs the worker in the reader's own process), and is listed in
 * test/interop/COMPATIBILITY.md.
 */
const IMPOSSIBLE: Readonly<Record<string, string>> = {};

/** One cell of the matrix. */
interface Cell {
  readonly client: Side;
  readonly dispatcher: Side;
  readonly workers: WorkerSet;
  readonly mode: Mode;
  readonly compression: Compression;
}

/** The test name of a cell. */
function cellName(c: Cell): string {
  return `client=${c.client} dispatcher=${c.dispatcher} workers=${c.workers} mode=${c.mode} ` +
    `compression=${c.compression ?? "None"}`;
}

/** Every cell, grouped by deployment so each deployment starts once. */
function allCells(): Cell[] {
  const cells: Cell[] = [];
  for (const dispatcher of DISPATCHERS) {
    for (const workers of WORKER_SETS) {
      for (const client of CLIENTS) {
        for (const mode of MODES) {
          for (const compression of COMPRESSIONS) cells.push({ client, dispatcher, workers, mode, compression });
        }
      }
    }
  }
  return cells;
}

/** Running dispatcher + workers for a group of cells. */
interface Deployment {
  readonly key: string;
  /** `grpc://localhost:PORT` of the dispatcher. */
  readonly target: string;
  stop(): Promise<void>;
}

/** What one read of a pipeline gave, from either client. */
interface Read {
  readonly elements: Element[];
  readonly done: boolean;
  readonly timedOut: boolean;
  readonly error: string | null;
}

/** Expected elements of a pipeline, as TF 2.21 recorded them. */
function expected(name: string): Element[] {
  return expectedElements(goldenFixture(name));
}

/** null when `read` is what `cell` must yield for pipeline `p`, else why not. */
function checkRead(p: { name: string; rows: boolean }, mode: Mode, read: Read): string | null {
  if (read.error !== null) return `read failed: ${read.error.slice(0, MAX_ERROR_CHARS)}`;
  if (read.timedOut) {
    return `no end of sequence within ${READ_TIMEOUT_MS} ms (got ${read.elements.length} elements; the client kept waiting)`;
  }
  const want = expected(p.name);
  if (mode === "parallel_epochs") {
    const copies = Array.from({ length: WORKERS_PER_CELL }, () => want).flat();
    const diff = multisetDiff(read.elements, copies);
    if (diff) return `expected ${WORKERS_PER_CELL} copies: ${diff}`;
    if (!isInterleaving(read.elements.map(elementKey), want.map(elementKey), WORKERS_PER_CELL)) {
      return `the elements are the right multiset but not an interleaving of ${WORKERS_PER_CELL} in-order copies ` +
        "(a task's elements arrived out of order)";
    }
    return null;
  }
  const got = p.rows ? read.elements.flatMap(rows) : read.elements;
  const diff = multisetDiff(got, p.rows ? want.flatMap(rows) : want);
  return diff ? `expected every ${p.rows ? "row" : "element"} exactly once: ${diff}` : null;
}

const matrix = suite("interop matrix");
const python = tfPython(); // throws on CI when TF is missing; locally prints a SKIP banner

/** Per cell: "pass" or the failure message, and its time; written to .tmp for the compatibility table. */
const outcomes: Record<string, { result: string; seconds: number }> = {};

if (!python) {
  for (const cell of allCells()) matrix.skip(cellName(cell), () => {});
} else {
  let cluster: SharedLease<TfCluster> | undefined;
  let tfClientP: SharedLease<TfClient> | undefined;
  let ourClient: OurClient | undefined;
  let current: { key: string; deployment: Promise<Deployment> } | undefined;
  let started = Date.now();

  const tfCluster = () => (cluster ??= sharedTfCluster()).value;
  const tfClient = () => (tfClientP ??= sharedTfClient()).value;
  const ours = () => (ourClient ??= startOurClient());

  /** Starts `dispatcher` + two workers of `workers`; on failure stops what started. */
  async function deploy(dispatcher: Side, workers: WorkerSet): Promise<Deployment> {
    const stops: (() => Promise<void>)[] = [];
    const stopAll = async () => {
      for (const s of stops.reverse()) await s().catch(() => {});
    };
    try {
      let address: string;
      if (dispatcher === "tf") {
        const c = await tfCluster();
        const a = await c.newDispatcher();
        stops.push(() => c.stopServer(a));
        address = a;
      } else {
        const d = new DispatchServer(new DispatcherConfig({ port: 0, host: LOOPBACK }), false);
        await d.start();
        stops.push(() => d.stop());
        address = d.target.split("://")[1];
      }
      const numTf = workers === "tf" ? WORKERS_PER_CELL : workers === "mixed" ? 1 : 0;
      for (let i = 0; i < numTf; i++) {
        const c = await tfCluster();
        const w = await c.newWorker(address, { heartbeatMs: WORKER_HEARTBEAT_MS });
        stops.push(() => c.stopServer(w));
      }
      for (let i = numTf; i < WORKERS_PER_CELL; i++) {
        const w = new WorkerServer(new WorkerConfig({
          dispatcherAddress: address, port: 0, host: LOOPBACK, heartbeatIntervalMs: WORKER_HEARTBEAT_MS,
        }), false);
        stops.push(() => w.stop());
        await w.start();
      }
      return { key: `${dispatcher}/${workers}`, target: `grpc://${address}`, stop: stopAll };
    } catch (err) {
      await stopAll();
      throw err;
    }
  }

  /** The deployment a cell needs: the running one, or (stopping that) a new one. */
  async function deployment(cell: Cell): Promise<Deployment> {
    const key = `${cell.dispatcher}/${cell.workers}`;
    if (current?.key !== key) {
      const previous = current;
      current = undefined;
      if (previous) await previous.deployment.then((d) => d.stop(), () => {});
      const d = deploy(cell.dispatcher, cell.workers);
      d.catch(() => {});
      current = { key, deployment: d };
    }
    return current.deployment;
  }

  async function read(cell: Cell, target: string, pipeline: string): Promise<Read> {
    if (cell.client === "tf") {
      const c = await tfClient();
      const r = await c.readDataset({
        dataset: { corpus: pipeline }, service: target, processingMode: cell.mode,
        compression: cell.compression, refreshMs: REFRESH_MS,
      }, READ_TIMEOUT_MS);
      return { elements: fromTfJson(r.elements), done: r.done, timedOut: r.timedOut, error: r.error };
    }
    return ours().readDataset({
      dataset: { corpus: pipeline }, service: target, processingMode: cell.mode,
      compression: cell.compression, refreshMs: REFRESH_MS,
    }, READ_TIMEOUT_MS);
  }

  matrix.before(() => {
    started = Date.now();
    // Start the python processes early (TF's import takes seconds); failures surface in the tests.
    tfCluster().catch(() => {});
    tfClient().catch(() => {});
  });

  matrix.after(async () => {
    const last = current;
    current = undefined;
    await last?.deployment.then((d) => d.stop(), () => {});
    const version = await cluster?.value.then((c) => c.version, () => "unknown") ?? "unknown";
    cluster?.release();
    tfClientP?.release();
    await ourClient?.stop();
    try {
      const dir = join(REPO_ROOT, ".tmp");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `interop-matrix-tf-${version}.json`), JSON.stringify({
        tfVersion: version, python, seconds: (Date.now() - started) / 1000, outcomes,
      }, null, 1) + "\n");
    } catch { /* the report file is only a convenience */ }
  });

  for (const cell of allCells()) {
    const name = cellName(cell);
    if (IMPOSSIBLE[name]) continue;
    matrix(name, async () => {
      const t0 = performance.now();
      const seconds = () => Math.round(performance.now() - t0) / 1000;
      try {
        const d = await deployment(cell);
        const failures: string[] = [];
        for (const p of PIPELINES) {
          const r = await read(cell, d.target, p.name);
          const why = checkRead(p, cell.mode, r);
          if (why) failures.push(`${p.name}: ${why}`);
          if (r.timedOut) break; // the rest would stall the same way
        }
        assert.ok(failures.length === 0, `${failures.length} of ${PIPELINES.length} pipelines failed:\n  ` +
          failures.join("\n  "));
        outcomes[name] = { result: "pass", seconds: seconds() };
      } catch (err) {
        outcomes[name] = { result: err instanceof Error ? err.message : String(err), seconds: seconds() };
        throw err;
      }
    });
  }
}

matrix.run();
