// In-process dataset throughput (issue 3 §7): our engine next to TensorFlow 2.21's in-process
// tf.data and TensorFlow.js's tf.data (CPU backend), measured in the same run, with ratios.
//
//   node --import tsx bench/datasets.ts [--cases range,images,slices] [--no-tf] [--no-tfjs]
//        [--quick] [--min-seconds S] [--trials N] [--ours api|tf-graph|auto|both]
//
// Pipelines (bench/datasets-shared.ts holds the parameters, shared with the other sides):
//   range   range(1e6).map(x*2+1).filter(x%3==0).batch(256)
//   images  fromTensorSlices(uint8[64,224,224,3]).repeat(8).map((f32(x)/255-mean)/std).batch(32)
//   slices  fromTensorSlices(float32[100000,8]).shuffle(10000, seed=42).batch(128)
// Every side: one warm-up epoch, then the best of 3 trials, each of whole epochs until >= 1 s.
// Only the read loop is timed (iterator creation included: a fresh iterator per epoch). Each batch
// is consumed (a value read from it, summed into a checksum every side must agree on).
// Ours runs in this process (sequential, one wasm instance); tfjs and TF each run in a child
// process, one after the other, so the sides never compete for the 2 cores.
//
// `--ours`: `api` builds ours with our Dataset API (map/filter traced, fromTensorSlices, ...);
// `tf-graph` runs TF's own serialized GraphDef of the pipeline on our engine (lower + core);
// `auto` (default) uses the API where it has every method, else TF's GraphDef; `both` measures
// both (the ratios use the first ours row of a case).
import { loadavg } from "node:os";
import { fromBinary } from "@bufbuild/protobuf";
import { getCore } from "../src/core/core.js";
import { DType } from "../src/core/dtype.js";
import { Tensor } from "../src/core/tensor.js";
import { Dataset } from "../src/dataset/index.js";
import { GraphDefSchema } from "../src/gen/tensorflow/core/framework/graph_pb.js";
import { lower } from "../src/graph/lower.js";
import { spawnJsonChild, type JsonEvent } from "../test/helpers/json-child.js";
import { REPO_ROOT, tfPython } from "../test/helpers/tf.js";
import {
  ALL_CASES, DEFAULT_CONFIG, imageBytes, measure, pipelineText, probeIndex, rowsArray, sourceElements,
  type BenchConfig, type CaseName, type EpochResult, type Measurement,
} from "./datasets-shared.js";

/** Longest one child (all its cases) may run. */
const CHILD_TIMEOUT_MS = 20 * 60_000;
/** Checksums of two sides agree within this relative error (float32 arithmetic on the image case). */
const CHECKSUM_REL_TOL = 1e-5;

type OursMode = "api" | "tf-graph" | "auto" | "both";

function parseArgs(argv: string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const cases = (get("--cases") ?? ALL_CASES.join(",")).split(",").filter(Boolean) as CaseName[];
  for (const c of cases) {
    if (!ALL_CASES.includes(c)) throw new Error(`unknown case ${c}; expected one of ${ALL_CASES.join(", ")}`);
  }
  const quick = argv.includes("--quick");
  const cfg: BenchConfig = {
    ...DEFAULT_CONFIG,
    cases,
    minSeconds: Number(get("--min-seconds") ?? (quick ? 0.3 : DEFAULT_CONFIG.minSeconds)),
    trials: Number(get("--trials") ?? (quick ? 1 : DEFAULT_CONFIG.trials)),
  };
  const ours = (get("--ours") ?? "auto") as OursMode;
  if (!["api", "tf-graph", "auto", "both"].includes(ours)) throw new Error(`--ours must be api, tf-graph, auto or both, got ${ours}`);
  return { cfg, ours, tf: !argv.includes("--no-tf"), tfjs: !argv.includes("--no-tfjs") };
}

// ---------------------------------------------------------------------------------------------
// Ours

/** What our Dataset API is still missing for a case (empty when it can build it). */
function missingApi(c: CaseName): string[] {
  const has = (obj: object, name: string) => typeof (obj as Record<string, unknown>)[name] === "function";
  const need: [object, string][] = c === "range"
    ? [[Dataset.prototype, "map"], [Dataset.prototype, "filter"]]
    : c === "images"
      ? [[Dataset, "fromTensorSlices"], [Dataset.prototype, "repeat"], [Dataset.prototype, "map"]]
      : [[Dataset, "fromTensorSlices"], [Dataset.prototype, "shuffle"]];
  return need.filter(([o, n]) => !has(o, n)).map(([o, n]) => (o === Dataset ? `Dataset.${n}` : n));
}

/** The symbolic tensor methods the pipelines use (the trace API's `SymbolicTensor`). */
interface Sym {
  mul(y: unknown): Sym; add(y: unknown): Sym; sub(y: unknown): Sym; div(y: unknown): Sym;
  floorMod(y: unknown): Sym; equal(y: unknown): Sym; cast(dtype: string): Sym;
}
/** The Dataset methods added by issue 3, typed loosely so this file compiles before they land. */
interface DatasetV3 {
  map(fn: (x: Sym) => Sym): DatasetV3;
  filter(fn: (x: Sym) => Sym): DatasetV3;
  repeat(count?: number): DatasetV3;
  shuffle(bufferSize: number, seed?: number): DatasetV3;
  batch(size: number): DatasetV3;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}
type DatasetStaticV3 = { fromTensorSlices(value: unknown): DatasetV3; range(n: number): DatasetV3 };

/** Builds a case with our Dataset API. */
function buildWithApi(c: CaseName, cfg: BenchConfig): DatasetV3 {
  const D = Dataset as unknown as DatasetStaticV3;
  if (c === "range") {
    return D.range(cfg.range.n).map((x) => x.mul(2).add(1)).filter((x) => x.floorMod(3).equal(0)).batch(cfg.range.batch);
  }
  if (c === "images") {
    const p = cfg.images;
    const imgs = new Tensor(DType.uint8, [p.distinct, ...p.shape], imageBytes(p.distinct, ...p.shape));
    const mean = new Float32Array(p.mean);
    const std = new Float32Array(p.std);
    return D.fromTensorSlices(imgs).repeat(p.repeat)
      .map((x) => x.cast("float32").div(255).sub(mean).div(std)).batch(p.batch);
  }
  const p = cfg.slices;
  const rows = new Tensor(DType.float32, [p.n, p.cols], rowsArray(p.n, p.cols));
  return D.fromTensorSlices(rows).shuffle(p.buffer, p.seed).batch(p.batch);
}

/** The checksum value a batch contributes (same rule on every side). */
function reader(c: CaseName, cfg: BenchConfig): (t: Tensor) => number {
  if (c === "range") return (t) => Number((t.data as BigInt64Array)[0]);
  if (c === "images") {
    const probe = probeIndex(cfg.images);
    return (t) => (t.data as Float32Array)[probe];
  }
  const cols = cfg.slices.cols;
  return (t) => {
    const v = t.data as Float32Array;
    let s = 0;
    for (let i = 0; i < v.length; i += cols) s += v[i];
    return s;
  };
}

function account(r: EpochResult, t: Tensor, read: (t: Tensor) => number): void {
  r.outputs += t.shape[0];
  r.bytes += (t.data as ArrayBufferView).byteLength;
  r.checksum += read(t);
  r.batches++;
}

/** One epoch through the public API: `for await (const batch of ds)`. */
async function apiEpoch(ds: DatasetV3, read: (t: Tensor) => number): Promise<EpochResult> {
  const r: EpochResult = { outputs: 0, batches: 0, bytes: 0, checksum: 0 };
  for await (const b of ds as unknown as AsyncIterable<Tensor>) account(r, b, read);
  return r;
}

/** TF's serialized GraphDef of each case (from tf_datasets.py), for `--ours tf-graph`. */
async function tfGraphs(python: string, cfg: BenchConfig, cases: CaseName[]): Promise<Map<CaseName, Uint8Array>> {
  const child = spawnJsonChild(python, [`${REPO_ROOT}/bench/tf_datasets.py`, JSON.stringify({ ...cfg, cases, dumpGraphs: true })], {
    env: { TF_CPP_MIN_LOG_LEVEL: "2", PYTHONUNBUFFERED: "1" }, cwd: REPO_ROOT, name: "tf_datasets.py (graphs)",
  });
  try {
    await child.next("done", CHILD_TIMEOUT_MS);
    const out = new Map<CaseName, Uint8Array>();
    for (const e of child.events) {
      if (e.event === "graph") out.set(e.case as CaseName, Uint8Array.from(Buffer.from(e.graph as string, "base64")));
    }
    return out;
  } finally {
    await child.stop();
  }
}

async function measureOurs(c: CaseName, cfg: BenchConfig, mode: OursMode, graph: Uint8Array | undefined): Promise<Measurement> {
  const read = reader(c, cfg);
  const missing = missingApi(c);
  const useApi = mode === "api" || (mode === "auto" && missing.length === 0);
  const base = { case: c, impl: "ours", pipeline: pipelineText(c, cfg) };
  try {
    if (useApi) {
      const ds = buildWithApi(c, cfg);
      const r = await measure(() => apiEpoch(ds, read), sourceElements(c, cfg), cfg.minSeconds, cfg.trials);
      return { ...base, variant: "Dataset API", ...r };
    }
    if (!graph) {
      throw new Error(`our Dataset API lacks ${missing.join(", ")} and TF's GraphDef is not available (run with TF)`);
    }
    const plan = lower(fromBinary(GraphDefSchema, graph)).plan;
    const core = await getCore();
    const epoch = async (): Promise<EpochResult> => {
      const r: EpochResult = { outputs: 0, batches: 0, bytes: 0, checksum: 0 };
      const it = core.createIterator(plan);
      try {
        for (let e = it.next(); e !== null; e = it.next()) account(r, e[0], read);
      } finally {
        it.close();
      }
      return r;
    };
    const r = await measure(epoch, sourceElements(c, cfg), cfg.minSeconds, cfg.trials);
    return { ...base, variant: "TF's GraphDef", ...r };
  } catch (e) {
    return { ...base, variant: useApi ? "Dataset API" : "TF's GraphDef", error: (e as Error).message.split("\n")[0] };
  }
}

// ---------------------------------------------------------------------------------------------
// The other sides (child processes)

async function runChild(command: string, args: string[], name: string): Promise<Measurement[]> {
  const child = spawnJsonChild(command, args, {
    env: { TF_CPP_MIN_LOG_LEVEL: "2", PYTHONUNBUFFERED: "1" }, cwd: REPO_ROOT, name,
  });
  try {
    await child.next("done", CHILD_TIMEOUT_MS);
    return child.events.filter((e: JsonEvent) => e.event === "result").map((e) => {
      const { event: _event, ...m } = e;
      void _event;
      return m as unknown as Measurement;
    });
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message.split("\n")[0]}\n${child.stderrTail(2000)}`);
  } finally {
    await child.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 1) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** A rate with about three significant digits. */
const rate = (n: number) => fmt(n, n >= 100 ? 0 : n >= 10 ? 1 : n >= 1 ? 2 : 3);

function printTable(rows: Measurement[], cfg: BenchConfig): string[] {
  const notes: string[] = [];
  const head = ["case", "impl", "variant", "src elements", "s", "elements/s", "MB/s out", "trials (elements/s)", "checksum", "ours/this"];
  const body: string[][] = [];
  for (const c of cfg.cases) {
    const ofCase = rows.filter((r) => r.case === c);
    const ours = ofCase.find((r) => r.impl === "ours" && !r.error);
    const oursRate = ours ? ours.elements! / ours.seconds! : null;
    for (const r of ofCase) {
      if (r.error) {
        body.push([c, r.impl, r.variant, "-", "-", "failed", "-", "-", "-", "-"]);
        notes.push(`${c}: ${r.impl} (${r.variant}) failed: ${r.error}`);
        continue;
      }
      const el = r.elements! / r.seconds!;
      const mbs = c === "range" ? "-" : rate(r.bytes! / 1e6 / r.seconds!);
      const ratio = r.impl === "ours" || oursRate === null ? "" : `${fmt(oursRate / el, 2)}x`;
      // A side may run a scaled-down pipeline (tfjs's tensor variant); its checksum is not comparable.
      const sameInput = r.elements! / r.epochs! === sourceElements(c, cfg);
      let check = "-";
      if (r === ours) check = "ref";
      else if (ours && sameInput) {
        const a = ours.checksum!;
        const b = r.checksum!;
        check = Math.abs(a - b) <= CHECKSUM_REL_TOL * Math.max(1, Math.abs(a)) ? "same" : "DIFFERS";
        if (check === "DIFFERS") notes.push(`${c}: checksum of ${r.impl} (${r.variant}) is ${b}, ours ${a}: the sides do not compute the same thing`);
      }
      if (!sameInput) notes.push(`${c}: ${r.impl} (${r.variant}) ran ${r.elements! / r.epochs!} source elements per epoch`);
      body.push([c, r.impl, r.variant, String(r.elements), fmt(r.seconds!, 2), rate(el), mbs,
        (r.trials ?? []).map((t) => rate(t)).join(" / "), check, ratio]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => (i >= 3 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
  return notes;
}

async function main(): Promise<void> {
  const { cfg, ours, tf, tfjs } = parseArgs(process.argv.slice(2));
  const python = tf || ours !== "api" ? tfPython() : null;
  const notes: string[] = [];
  if (tf && !python) notes.push("no TensorFlow python found: TF columns skipped");
  const rows: Measurement[] = [];

  const needGraph = cfg.cases.filter((c) => ours === "tf-graph" || ours === "both" || (ours === "auto" && missingApi(c).length > 0));
  let graphs = new Map<CaseName, Uint8Array>();
  if (needGraph.length > 0 && python) {
    console.error(`bench: TF's GraphDefs for ${needGraph.join(", ")} ...`);
    graphs = await tfGraphs(python, cfg, needGraph);
  }
  for (const c of cfg.cases) {
    console.error(`bench: ${c}: ours ...`);
    for (const mode of ours === "both" ? (["api", "tf-graph"] as const) : [ours]) {
      const m = await measureOurs(c, cfg, mode, graphs.get(c));
      rows.push(m);
      if (m.variant === "TF's GraphDef" && !m.error && mode === "auto") {
        notes.push(`${c}: ours ran TF's serialized GraphDef (lowered to our plan); our Dataset API lacks ${missingApi(c).join(", ")}`);
      }
    }
  }
  if (tfjs) {
    console.error("bench: tfjs ...");
    try {
      rows.push(...await runChild(process.execPath, ["--import", "tsx", `${REPO_ROOT}/bench/tfjs-datasets.ts`, JSON.stringify(cfg)], "tfjs-datasets.ts"));
    } catch (e) {
      notes.push(`tfjs failed: ${(e as Error).message}`);
    }
  }
  if (tf && python) {
    console.error("bench: TF ...");
    try {
      rows.push(...await runChild(python, [`${REPO_ROOT}/bench/tf_datasets.py`, JSON.stringify(cfg)], "tf_datasets.py"));
    } catch (e) {
      notes.push(`TF failed: ${(e as Error).message}`);
    }
  }
  rows.sort((a, b) => cfg.cases.indexOf(a.case) - cfg.cases.indexOf(b.case));

  console.log(`\nIn-process tf.data pipelines: ours vs TF 2.21 (in-process tf.data) vs TensorFlow.js tf.data (CPU backend)`);
  console.log(`(src elements = source elements read (range values, images, rows) in the best trial; best of ` +
    `${cfg.trials} trials of >= ${cfg.minSeconds} s; MB/s out = output tensor bytes; ` +
    `ours/this = ours elements/s over that row's, >1 means ours is faster; load average at start ` +
    `${loadavg().map((l) => l.toFixed(1)).join(" ")})\n`);
  for (const c of cfg.cases) console.log(`  ${c}: ${pipelineText(c, cfg)}`);
  console.log("");
  notes.push(...printTable(rows, cfg));
  const ran = (prefix: string) => rows.some((r) => r.impl.startsWith(prefix) && !r.error);
  if (ran("TF")) notes.push("TF variants: defaults = tf.data as shipped (static optimizations, autotune, TF's thread pool: " +
    "may use both cores); sequential = those off, private thread pool of 1");
  if (ran("tfjs") && cfg.cases.includes("range")) {
    notes.push("tfjs range: numbers = JS numbers through generator/map/filter, batched to float32 (tfjs has no int64); " +
      `tensors = one int32 scalar tensor per element, ${cfg.tfjsRangeTensorN} elements`);
  }
  if (ran("tfjs") && cfg.cases.includes("images")) notes.push("tfjs images: pixels are int32 tensors (tfjs has no uint8 dtype)");
  console.log("\n" + notes.map((n) => `note: ${n}`).join("\n"));
}

await main();
