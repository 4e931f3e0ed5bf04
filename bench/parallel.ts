// Parallel runner benchmark: the same plan run by the core in one thread and by the parallel
// runner (src/core/parallel), which starts worker threads only when the measured per-element cost
// of the stage pays for moving elements between threads. Not a test: prints a table and ratios.
//
// Usage: node --import tsx bench/parallel.ts [--cases normalize,cheap,prefetch] [--repeat 3]
//   normalize  224x224x3 uint8 images -> float32 (x/255 - mean)/std, batch 32 (map with
//              numParallelCalls = AUTOTUNE), 4096 images
//   cheap      range(1e6).map(x*2+1) with numParallelCalls = AUTOTUNE: must not get slower
//   prefetch   the normalize pipeline with a sequential map and a trailing prefetch; the consumer
//              sums every batch in JS (work a prefetch overlaps with the pipeline)
//   compute    range(16384).map(exp/log/sqrt over a 4096-vector, then sum): costly per element,
//              tiny elements (no transport to speak of): shows the machine's own scaling
// Each case runs: `core` (Core iterator, one thread), `auto` (runner, measured decision),
// `threads` (runner, threads from the start). Best of --repeat runs; the machine's cores bound the
// speedup (nodeThreads.maxThreads threads). `cpu-s` is the CPU time of all threads: on a busy
// machine it shows the work the runner adds, which wall time cannot.
import { getCore } from "../src/core/core.js";
import { DType } from "../src/core/dtype.js";
import { Tensor } from "../src/core/tensor.js";
import { createPipelineIterator, type PipelineOptions } from "../src/core/parallel/pipeline.js";
import type { DatasetPlan } from "../src/core/plan.js";
import { Dataset } from "../src/dataset/dataset.js";
import { lower } from "../src/graph/lower.js";
import type { SymbolicTensor as T } from "../src/graph/trace/index.js";
import { nodeThreads } from "../src/runtime/node-threads.js";

const IMAGES = 4096;
const IMAGE_SHAPE = [224, 224, 3];
const CHEAP_N = 1_000_000;
const COMPUTE_N = 16384;
const RAMP = new Float32Array(4096).map((_, i) => i / 4096);
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function arg(flag: string, dflt: string): string {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

/** `plan` with its maps marked as `ParallelMapDatasetV2(num_parallel_calls=AUTOTUNE)` lowers them. */
function parallelMaps(plan: DatasetPlan): DatasetPlan {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plan)) {
    out[k] = typeof v === "object" && v !== null && typeof (v as { op?: unknown }).op === "string" ? parallelMaps(v as DatasetPlan) : v;
  }
  if (plan.op === "map") Object.assign(out, { numParallelCalls: -1n, deterministic: true });
  return out as unknown as DatasetPlan;
}

function imagesDataset(): Dataset {
  // 32 distinct images, repeated: the upstream slices a fresh copy per element, as a real source would.
  const n = 32;
  const size = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
  const pixels = new Uint8Array(n * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return Dataset.fromTensorSlices(new Tensor(DType.uint8, [n, ...IMAGE_SHAPE], pixels)).repeat(IMAGES / n);
}

const normalize = (x: T) => x.cast("float32").div(255).sub(MEAN).div(STD);

interface Case {
  readonly name: string;
  readonly plan: DatasetPlan;
  readonly elements: number;
  /** The consumer's own work per element (the training step, in a real program). */
  readonly consume?: (e: Tensor[]) => void;
}

let sink = 0;
/** A consumer that reads every value of the first component once. */
function sumFirst(e: Tensor[]): void {
  const d = e[0].data as Float32Array;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  sink += s;
}

function cases(): Case[] {
  return [
    { name: "normalize", plan: parallelMaps(lower(imagesDataset().map(normalize).batch(32).toGraphDef()).plan), elements: IMAGES / 32 },
    { name: "cheap", plan: parallelMaps(lower(Dataset.range(CHEAP_N).map((x: T) => x.mul(2).add(1)).toGraphDef()).plan), elements: CHEAP_N },
    {
      name: "compute",
      plan: parallelMaps(lower(Dataset.range(COMPUTE_N).map((x: T) => x.cast("float32").add(RAMP).exp().log().sqrt().exp().log().sqrt().sum())
        .toGraphDef()).plan),
      elements: COMPUTE_N,
    },
    {
      name: "prefetch",
      plan: { op: "prefetch", input: lower(imagesDataset().map(normalize).batch(32).toGraphDef()).plan, bufferSize: -1n },
      elements: IMAGES / 32,
      consume: sumFirst,
    },
  ];
}

/** CPU seconds of the whole process (every thread), for the efficiency column. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function timeCore(plan: DatasetPlan, consume?: (e: Tensor[]) => void): Promise<{ s: number; n: number; cpu: number }> {
  const core = await getCore();
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const it = core.createIterator(plan);
  let n = 0;
  for (let e = it.next(); e !== null; e = it.next()) {
    consume?.(e);
    n++;
  }
  return { s: (performance.now() - t0) / 1000, n, cpu: cpuSeconds() - c0 };
}

async function timeRunner(plan: DatasetPlan, options: PipelineOptions, consume?: (e: Tensor[]) => void): Promise<{ s: number; n: number; threads: number; cpu: number }> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const it = await createPipelineIterator(plan, { threads: nodeThreads, ...options });
  let n = 0;
  let threads = 0;
  for (;;) {
    // As Dataset iteration does: no await when the element is ready.
    let e = it.tryNext();
    if (e === undefined) e = await it.next();
    if (e === null) break;
    consume?.(e);
    n++;
    if (it.threadCount > threads) threads = it.threadCount;
  }
  it.close();
  return { s: (performance.now() - t0) / 1000, n, threads, cpu: cpuSeconds() - c0 };
}

async function main(): Promise<void> {
  const wanted = arg("--cases", "normalize,cheap,compute,prefetch").split(",");
  const repeat = Number(arg("--repeat", "3"));
  console.log(`cores: ${nodeThreads.maxThreads}; best of ${repeat}`);
  console.log("case       impl      elements  seconds   elem/s      vs core  threads  cpu-s");
  for (const c of cases()) {
    if (!wanted.includes(c.name)) continue;
    const runs: Record<string, { s: number; n: number; threads: number; cpu: number }> = {};
    for (let r = 0; r < repeat; r++) {
      const core = await timeCore(c.plan, c.consume);
      if (!runs.core || core.s < runs.core.s) runs.core = { ...core, threads: 0 };
      for (const [impl, mode] of [["auto", "auto"], ["threads", "always"]] as const) {
        const m = await timeRunner(c.plan, { parallel: mode }, c.consume);
        if (!runs[impl] || m.s < runs[impl].s) runs[impl] = m;
      }
    }
    for (const impl of ["core", "auto", "threads"]) {
      const m = runs[impl];
      if (m.n !== c.elements) throw new Error(`${c.name}/${impl}: ${m.n} elements, expected ${c.elements}`);
      const ratio = runs.core.s / m.s;
      console.log(`${c.name.padEnd(10)} ${impl.padEnd(9)} ${String(m.n).padStart(8)}  ${m.s.toFixed(3).padStart(7)}  ` +
        `${Math.round(m.n / m.s).toString().padStart(9)}  ${ratio.toFixed(2).padStart(7)}x  ${String(m.threads).padStart(7)}  ${m.cpu.toFixed(2)}`);
    }
  }
}

await main();
if (sink === 42) console.log(""); // keeps the consumer's work observable
