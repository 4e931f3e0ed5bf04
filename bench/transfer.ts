// Data-path benchmark: how fast elements move from a worker to a reading client, ours next to
// TensorFlow 2.21 in the same run. One dispatcher + one worker each, loopback, compression off.
//
// Usage: node --import tsx bench/transfer.ts [--cases range,images] [--configs a,b,...] [--repeat N]
// Cases (the same pipeline on both sides):
//   range   Dataset.range(50000), consumed as scalars
//   images  Dataset.fromTensors(<224x224x3 uint8 zeros>).repeat(3200).batch(32): 100 batches of
//           32x224x224x3 uint8 (TF runs the very same pipeline)
//   features  2048 224x224x3 uint8 images -> map((x/255 - mean)/std, then the mean over height
//           and width; numParallelCalls AUTOTUNE) -> batch(32) -> prefetch(AUTOTUNE): a costly
//           parallel map with small outputs, i.e. the worker's compute, not the transfer
// Configs (reader <- servers):
//   ours            our client <- our dispatcher + worker (a child process); streaming extension
//   ours-unary      the same, the worker not advertising the stream: unary GetElement
//   ours-1proc      our client, dispatcher and worker on one event loop (what `npm run bench` does)
//   tf              TF client <- TF dispatcher + worker (one python process, C++ threads)
//   tf-client/ours  TF client <- our dispatcher + worker (the unary path TF peers get)
//   ours/tf-servers our client <- TF dispatcher + worker (unary GetElement against TF's worker)
// Only the read loop is timed (iterator creation to end of sequence), as in bench/tf_transfer.py.
import { performance } from "node:perf_hooks";
import { DType } from "../src/core/dtype.js";
import { Tensor } from "../src/core/tensor.js";
import { AUTOTUNE, Dataset, distribute } from "../src/entry/node.js";
import type { SymbolicTensor as T } from "../src/graph/trace/index.js";
import { spawnJsonChild, type JsonChild } from "../test/helpers/json-child.js";
import { startLocalService } from "../test/helpers/servers.js";
import { REPO_ROOT, tfPython } from "../test/helpers/tf.js";

/** Elements of the scalar case. */
const RANGE_N = 50_000;
/** Images of the image case, and how many go in one batch (100 batches). */
const IMAGES = 3200;
const IMAGE_BATCH = 32;
const IMAGE_SHAPE = [224, 224, 3];
/** Images of the features case (64 batches of 32). */
const FEATURE_IMAGES = 2048;
/** ImageNet channel means and standard deviations (the features case). */
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** Longest one measurement (including process start) may take. */
const CASE_TIMEOUT_MS = 15 * 60_000;

const CASES = ["range", "images", "features"] as const;
type CaseName = (typeof CASES)[number];
const CONFIGS = ["ours", "ours-unary", "ours-1proc", "tf", "tf-client/ours", "ours/tf-servers"] as const;
type ConfigName = (typeof CONFIGS)[number];

interface Measurement {
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
  const cases = (get("--cases") ?? CASES.join(",")).split(",").filter(Boolean) as CaseName[];
  for (const c of cases) if (!CASES.includes(c)) throw new Error(`unknown case ${c}; expected one of ${CASES.join(", ")}`);
  const configs = (get("--configs") ?? CONFIGS.join(",")).split(",").filter(Boolean) as ConfigName[];
  for (const c of configs) if (!CONFIGS.includes(c)) throw new Error(`unknown config ${c}; expected one of ${CONFIGS.join(", ")}`);
  return { cases, configs, repeat: Number(get("--repeat") ?? 1) };
}

function pipeline(c: CaseName): Dataset {
  if (c === "range") return Dataset.range(RANGE_N);
  if (c === "features") {
    // Pixel (i * 7) % 251 in both implementations, so TF and we compute on the same data.
    const size = IMAGE_SHAPE.reduce((a, b) => a * b, 1);
    const image = new Tensor(DType.uint8, IMAGE_SHAPE, new Uint8Array(size).map((_, i) => (i * 7) % 251));
    return Dataset.fromTensors(image).repeat(FEATURE_IMAGES)
      .map((x: T) => x.cast("float32").div(255).sub(MEAN).div(STD).mean([0, 1]), { numParallelCalls: AUTOTUNE })
      .batch(IMAGE_BATCH).prefetch(AUTOTUNE);
  }
  const image = new Tensor(DType.uint8, IMAGE_SHAPE, new Uint8Array(IMAGE_SHAPE.reduce((a, b) => a * b, 1)));
  return Dataset.fromTensors(image).repeat(IMAGES).batch(IMAGE_BATCH);
}

/** Payload bytes of one element as our client yields it. */
function payloadBytes(el: unknown): number {
  if (typeof el === "bigint" || typeof el === "number") return 8;
  if (el instanceof Tensor) return Array.isArray(el.data) ? el.data.reduce((n, s) => n + s.byteLength, 0) : (el.data as ArrayBufferView).byteLength;
  if (ArrayBuffer.isView(el)) return el.byteLength;
  if (Array.isArray(el)) return el.reduce((n: number, x) => n + payloadBytes(x), 0);
  return 0;
}

async function readOurs(c: CaseName, target: string): Promise<Measurement> {
  const ds = pipeline(c).apply(distribute({ processingMode: "parallel_epochs", service: target, compression: null }));
  let elements = 0;
  let bytes = 0;
  let first: number | null = null;
  const started = performance.now();
  for await (const el of ds) {
    if (first === null) first = (performance.now() - started) / 1000;
    elements++;
    bytes += payloadBytes(el);
  }
  return { elements, bytes, seconds: (performance.now() - started) / 1000, firstElementSeconds: first };
}

function python(): string {
  const p = tfPython();
  if (!p) throw new Error("no TensorFlow python (.venv-tf)");
  return p;
}

function spawnTf(args: string[]): JsonChild {
  return spawnJsonChild(python(), [`${REPO_ROOT}/bench/tf_transfer.py`, ...args], {
    env: { TF_CPP_MIN_LOG_LEVEL: "2", PYTHONUNBUFFERED: "1" }, cwd: REPO_ROOT, name: "tf_transfer.py",
  });
}

function spawnOurServers(stream: boolean): JsonChild {
  return spawnJsonChild(process.execPath, ["--import", "tsx", `${REPO_ROOT}/bench/transfer-server.ts`, ...(stream ? [] : ["--no-stream"])], {
    cwd: REPO_ROOT, name: "transfer-server.ts",
  });
}

function fromResult(r: Record<string, unknown>): Measurement {
  return {
    elements: r.elements as number, bytes: r.bytes as number, seconds: r.seconds as number,
    firstElementSeconds: r.first_element_seconds as number,
  };
}

async function measure(config: ConfigName, c: CaseName): Promise<Measurement> {
  switch (config) {
    case "ours":
    case "ours-unary": {
      const servers = spawnOurServers(config === "ours");
      try {
        const { target } = await servers.next("ready", CASE_TIMEOUT_MS);
        return await readOurs(c, target as string);
      } finally {
        await servers.stop();
      }
    }
    case "ours-1proc": {
      const service = await startLocalService();
      try {
        return await readOurs(c, service.target);
      } finally {
        await service.stop();
      }
    }
    case "tf": {
      const child = spawnTf(["local", c]);
      try {
        return fromResult(await child.next("result", CASE_TIMEOUT_MS));
      } finally {
        await child.stop();
      }
    }
    case "tf-client/ours": {
      const servers = spawnOurServers(true);
      try {
        const { target } = await servers.next("ready", CASE_TIMEOUT_MS);
        const client = spawnTf(["client", c, "--service", target as string]);
        try {
          return fromResult(await client.next("result", CASE_TIMEOUT_MS));
        } finally {
          await client.stop();
        }
      } finally {
        await servers.stop();
      }
    }
    case "ours/tf-servers": {
      const cluster = spawnTf(["cluster"]);
      try {
        const { target } = await cluster.next("ready", CASE_TIMEOUT_MS);
        return await readOurs(c, target as string);
      } finally {
        await cluster.stop();
      }
    }
  }
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rate = (n: number) => fmt(n, n >= 100 ? 0 : n >= 10 ? 1 : n >= 1 ? 2 : 3);

async function main(): Promise<void> {
  const { cases, configs, repeat } = parseArgs(process.argv.slice(2));
  const head = ["case", "config", "elements", "MB", "read s", "1st elem s", "elements/s", "MB/s", "vs tf"];
  const rows: string[][] = [];
  for (const c of cases) {
    const results = new Map<ConfigName, Measurement>();
    for (const config of configs) {
      for (let r = 0; r < repeat; r++) {
        console.error(`transfer: ${c}: ${config} (${r + 1}/${repeat}) ...`);
        try {
          const m = await measure(config, c);
          const best = results.get(config);
          if (!best || m.seconds < best.seconds) results.set(config, m);
        } catch (err) {
          console.error(`transfer: ${c}: ${config} failed: ${(err as Error).message.split("\n")[0]}`);
        }
      }
    }
    const tf = results.get("tf");
    for (const [config, m] of results) {
      rows.push([c, config, String(m.elements), fmt(m.bytes / 1e6), fmt(m.seconds, 2),
        m.firstElementSeconds === null ? "-" : fmt(m.firstElementSeconds, 3),
        rate(m.elements / m.seconds), rate(m.bytes / 1e6 / m.seconds), tf ? `${fmt(tf.seconds / m.seconds, 2)}x` : ""]);
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => (i >= 2 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join("  ");
  console.log(`\ndata path, loopback, 1 dispatcher + 1 worker, compression off${repeat > 1 ? `, best of ${repeat}` : ""}`);
  console.log("(MB = 1e6 bytes of tensor payload; vs tf = TF's read time / this one's, >1 is faster than TF)\n");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

await main();
