// `npm run bench`: throughput of the tf.data service, ours next to TensorFlow 2.21, measured in the
// same run on the same machine. One dispatcher + one worker each, on loopback, compression off;
// each side reads with its own client. Not a test: no thresholds, just a table and ratios.
//
// Usage: npm run bench [-- --cases range,images] [--no-tf] [--compression AUTO]
//   range   Dataset.range(50000), consumed as scalars
//   images  100 batches of 32x224x224x3 uint8
// Ours runs in this Node process (dispatcher, worker and client on one event loop); TF runs in one
// python process (bench/tf_bench.py: dispatcher, worker and client, C++ threads). Only the read
// loop is timed, from creating the iterator to the end of sequence.
import { performance } from "node:perf_hooks";
import { spawnJsonChild } from "../test/helpers/json-child.js";
import { Dataset, distribute, type CompressionOption } from "../src/entry/node.js";
import { startLocalService } from "../test/helpers/servers.js";
import { REPO_ROOT, tfPython } from "../test/helpers/tf.js";

/** Elements in the scalar case. */
const RANGE_N = 50_000;
/** The image case: batches and the shape of one batch. */
const IMAGE_BATCHES = 100;
const IMAGE_SHAPE = [32, 224, 224, 3] as const;
const IMAGE_BATCH_BYTES = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
/** int64 values per element in the stand-in for the image case (same bytes per element). */
const STANDIN_BATCH = IMAGE_BATCH_BYTES / 8;
/** Longest one TF measurement may take. */
const TF_CASE_TIMEOUT_MS = 10 * 60_000;

type CaseName = "range" | "images";
interface Measurement {
  impl: string;
  pipeline: string;
  elements: number;
  bytes: number;
  seconds: number;
  firstElementSeconds: number | null;
}

function parseArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const cases = (get("--cases") ?? "range,images").split(",").filter(Boolean) as CaseName[];
  for (const c of cases) if (c !== "range" && c !== "images") throw new Error(`unknown case ${c}; expected range or images`);
  const compression = get("--compression") ?? "none";
  return { cases, compression, tf: !argv.includes("--no-tf") };
}

/** Payload bytes of one element, whatever JS shape the client yields. */
function payloadBytes(el: unknown): number {
  if (el === null || el === undefined) return 0;
  if (typeof el === "bigint" || typeof el === "number") return 8;
  if (ArrayBuffer.isView(el)) return el.byteLength;
  if (Array.isArray(el)) return el.reduce((n: number, x) => n + payloadBytes(x), 0);
  if (typeof el === "object" && "data" in el) {
    const data = (el as { data: unknown }).data;
    if (ArrayBuffer.isView(data)) return data.byteLength;
    if (Array.isArray(data)) return data.reduce((n: number, s: Uint8Array) => n + s.byteLength, 0);
  }
  return 0;
}

async function measureOurs(c: CaseName, compression: string): Promise<Measurement> {
  const service = await startLocalService();
  try {
    let ds: Dataset;
    let pipeline: string;
    if (c === "range") {
      ds = Dataset.range(RANGE_N);
      pipeline = `range(${RANGE_N})`;
    } else {
      // TODO(bench): build real uint8 batches once Dataset.fromTensors/repeat (or map+cast) exist.
      ds = Dataset.range(IMAGE_BATCHES * STANDIN_BATCH).batch(STANDIN_BATCH);
      pipeline = `range(${IMAGE_BATCHES * STANDIN_BATCH}).batch(${STANDIN_BATCH}) [stand-in]`;
    }
    ds = ds.apply(distribute({
      processingMode: "parallel_epochs",
      service: service.target,
      compression: compression === "none" ? null : (compression as CompressionOption),
    }));
    let elements = 0;
    let bytes = 0;
    let first: number | null = null;
    const started = performance.now();
    for await (const el of ds) {
      if (first === null) first = (performance.now() - started) / 1000;
      elements++;
      bytes += payloadBytes(el);
    }
    return { impl: "ours", pipeline, elements, bytes, seconds: (performance.now() - started) / 1000, firstElementSeconds: first };
  } finally {
    await service.stop();
  }
}

async function measureTf(tfCase: "range" | "images" | "range-batch", compression: string, python: string): Promise<Measurement> {
  const child = spawnJsonChild(python, [`${REPO_ROOT}/bench/tf_bench.py`, tfCase, "--compression", compression], {
    env: { TF_CPP_MIN_LOG_LEVEL: "2", PYTHONUNBUFFERED: "1" },
    cwd: REPO_ROOT,
    name: "tf_bench.py",
  });
  try {
    const r = await child.next((e) => e.case === tfCase, TF_CASE_TIMEOUT_MS);
    const pipeline = tfCase === "range" ? `range(${RANGE_N})`
      : tfCase === "images" ? `from_tensors(zeros([${IMAGE_SHAPE.join(",")}], uint8)).repeat(${IMAGE_BATCHES})`
        : `range(${IMAGE_BATCHES * STANDIN_BATCH}).batch(${STANDIN_BATCH}) [stand-in]`;
    return {
      impl: "TF 2.21", pipeline, elements: r.elements as number, bytes: r.bytes as number,
      seconds: r.seconds as number, firstElementSeconds: r.first_element_seconds as number,
    };
  } finally {
    await child.stop();
  }
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A rate with about three significant digits (small rates keep their decimals). */
const rate = (n: number) => fmt(n, n >= 100 ? 0 : n >= 10 ? 1 : n >= 1 ? 2 : 3);

function printTable(rows: (Measurement & { case: string; ratio?: string })[]): void {
  const head = ["case", "impl", "pipeline", "elements", "MB", "read s", "1st elem s", "elements/s", "MB/s", "ours/TF"];
  const body = rows.map((r) => [
    r.case, r.impl, r.pipeline, String(r.elements), fmt(r.bytes / 1e6), fmt(r.seconds, 2),
    r.firstElementSeconds === null ? "-" : fmt(r.firstElementSeconds, 3),
    rate(r.elements / r.seconds), rate(r.bytes / 1e6 / r.seconds), r.ratio ?? "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  const { cases, compression, tf } = parseArgs(process.argv.slice(2));
  const python = tf ? tfPython() : null;
  if (tf && !python) console.error("bench: no TensorFlow python; printing ours only.");
  const rows: (Measurement & { case: string; ratio?: string })[] = [];
  const notes: string[] = [];
  for (const c of cases) {
    console.error(`bench: ${c}: ours ...`);
    let ours: Measurement | null = null;
    try {
      ours = await measureOurs(c, compression);
      rows.push({ case: c, ...ours });
    } catch (err) {
      notes.push(`${c}: ours failed: ${(err as Error).message}`);
    }
    if (!python) continue;
    // Same pipeline on both sides for the ratio; the real image pipeline of TF as a reference row.
    const tfCases: ("range" | "images" | "range-batch")[] = c === "range" ? ["range"]
      : ours?.pipeline.includes("stand-in") ? ["range-batch", "images"] : ["images"];
    for (const tc of tfCases) {
      console.error(`bench: ${c}: TF (${tc}) ...`);
      try {
        const m = await measureTf(tc, compression, python);
        const comparable = ours && (tc === "range" || (tc === "range-batch") === ours.pipeline.includes("stand-in"));
        const ratio = comparable && ours ? `${fmt(m.seconds / ours.seconds, 2)}x` : "";
        rows.push({ case: c, ...m });
        const oursRow = rows.find((r) => r.case === c && r.impl === "ours");
        if (ratio && oursRow) oursRow.ratio = ratio;
      } catch (err) {
        notes.push(`${c}: TF (${tc}) failed: ${(err as Error).message.split("\n")[0]}`);
      }
    }
  }
  console.log(`\ntf.data service throughput, loopback, 1 dispatcher + 1 worker, compression=${compression}`);
  console.log(`(MB = 1e6 bytes of tensor payload; ours/TF = TF's read time / ours, >1 means ours is faster)\n`);
  printTable(rows);
  if (rows.some((r) => r.pipeline.includes("stand-in"))) {
    notes.push(`images stand-in: our Dataset API cannot build uint8 image batches yet, so both sides run ` +
      `range(${IMAGE_BATCHES * STANDIN_BATCH}).batch(${STANDIN_BATCH}): ${IMAGE_BATCHES} elements of ` +
      `${STANDIN_BATCH} int64 = ${IMAGE_BATCH_BYTES} bytes each, the bytes of one 32x224x224x3 uint8 batch. ` +
      "TF's real image pipeline is listed for reference.");
  }
  if (notes.length) console.log("\n" + notes.map((n) => `note: ${n}`).join("\n"));
}

await main();
