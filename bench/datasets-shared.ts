// What the three sides of `bench/datasets.ts` share: the pipelines' parameters (one config, passed
// to the TF and tfjs children as JSON so every side runs the same pipeline on the same input), the
// deterministic input data, and the timing loop (warm-up epoch, then best of N trials, each of
// whole epochs until a minimum time has passed).
import { performance } from "node:perf_hooks";

/** The three pipelines of issue 3 §7. */
export type CaseName = "range" | "images" | "slices";
/** Every case, in the order they run. */
export const ALL_CASES: readonly CaseName[] = ["range", "images", "slices"];

/** The parameters of every pipeline; the TF and tfjs children get this object as JSON. */
export interface BenchConfig {
  cases: CaseName[];
  /** Shortest a trial may be: whole epochs are run until this many seconds have passed. */
  minSeconds: number;
  /** Trials per measurement; the best (highest rate) is reported. */
  trials: number;
  /** TF variants to run ("defaults", "sequential"; see tf_datasets.py). */
  variants: string[];
  /** range(n).map(x*2+1).filter(x%3==0).batch(batch). */
  range: { n: number; batch: number };
  /** fromTensorSlices(uint8[distinct, ...shape]).repeat(repeat).map(normalize).batch(batch). */
  images: {
    shape: [number, number, number];
    distinct: number;
    repeat: number;
    batch: number;
    mean: [number, number, number];
    std: [number, number, number];
    /** [y, x, c] of the value each batch's first image contributes to the checksum. */
    probe: [number, number, number];
  };
  /** fromTensorSlices(float32[n, cols]).shuffle(buffer, seed).batch(batch). */
  slices: { n: number; cols: number; buffer: number; seed: number; batch: number };
  /** Source elements of tfjs's tensor-per-scalar variant of the range case (it is slow). */
  tfjsRangeTensorN: number;
}

/** The default parameters (the pipelines; ImageNet's per-channel mean and std). */
export const DEFAULT_CONFIG: BenchConfig = {
  cases: [...ALL_CASES],
  minSeconds: 1,
  trials: 3,
  variants: ["defaults", "sequential"],
  range: { n: 1_000_000, batch: 256 },
  images: {
    shape: [224, 224, 3], distinct: 64, repeat: 8, batch: 32,
    mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], probe: [100, 100, 1],
  },
  slices: { n: 100_000, cols: 8, buffer: 10_000, seed: 42, batch: 128 },
  tfjsRangeTensorN: 50_000,
};

/**
 * The deterministic images every side builds (uint8, row-major [n, h, w, c]):
 * pixel = ((k*131 + y*17 + x*7 + c*59) ^ (x*y)) & 255, the same formula as tf_datasets.py.
 */
export function imageBytes(n: number, h: number, w: number, c: number): Uint8Array {
  const out = new Uint8Array(n * h * w * c);
  let i = 0;
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) out[i++] = ((k * 131 + y * 17 + x * 7 + ch * 59) ^ (x * y)) & 255;
      }
    }
  }
  return out;
}

/** The rows of the slices case: row i, column j holds i + j/8 (exact in float32 for i < 2^20). */
export function rowsArray(n: number, cols: number): Float32Array {
  const out = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = i + j / 8;
  return out;
}

/** Flat index of the probe value in a batch's first image. */
export function probeIndex(cfg: BenchConfig["images"]): number {
  const [h, w, c] = cfg.shape;
  void h;
  const [y, x, ch] = cfg.probe;
  return (y * w + x) * c + ch;
}

/** The pipeline as text, for the table (one wording for all sides). */
export function pipelineText(c: CaseName, cfg: BenchConfig): string {
  if (c === "range") return `range(${cfg.range.n}).map(x*2+1).filter(x%3==0).batch(${cfg.range.batch})`;
  if (c === "images") {
    const p = cfg.images;
    return `fromTensorSlices(u8[${p.distinct},${p.shape.join(",")}]).repeat(${p.repeat})` +
      `.map((f32(x)/255-mean)/std).batch(${p.batch})`;
  }
  const p = cfg.slices;
  return `fromTensorSlices(f32[${p.n},${p.cols}]).shuffle(${p.buffer},seed=${p.seed}).batch(${p.batch})`;
}

/** Source elements one epoch of a case reads (range elements, images, rows). */
export function sourceElements(c: CaseName, cfg: BenchConfig): number {
  if (c === "range") return cfg.range.n;
  if (c === "images") return cfg.images.distinct * cfg.images.repeat;
  return cfg.slices.n;
}

/** What one epoch produced: output rows, batches, payload bytes and a checksum of sampled values. */
export interface EpochResult {
  outputs: number;
  batches: number;
  bytes: number;
  checksum: number;
}

/** One side's measurement of one case, as every side reports it (tf_datasets.py prints the same keys). */
export interface Measurement {
  case: CaseName;
  impl: string;
  variant: string;
  pipeline: string;
  /** Source elements read in the best trial. */
  elements?: number;
  /** Output rows (after filter) in the best trial. */
  outputs?: number;
  batches?: number;
  bytes?: number;
  seconds?: number;
  /** Source elements per second, one per trial. */
  trials?: number[];
  checksum?: number;
  epochs?: number;
  error?: string;
}

/**
 * Times `epoch` like tf_datasets.py does: one warm-up epoch (its result is the reference every
 * later epoch must match), then `trials` trials of whole epochs until `minSeconds` passed; the best
 * trial is reported.
 */
export async function measure(
  epoch: () => Promise<EpochResult>,
  sourceN: number,
  minSeconds: number,
  trials: number,
): Promise<Omit<Measurement, "case" | "impl" | "variant" | "pipeline">> {
  const ref = await epoch();
  let best: { rate: number; epochs: number; seconds: number } | null = null;
  const rates: number[] = [];
  for (let t = 0; t < trials; t++) {
    let epochs = 0;
    let seconds = 0;
    const started = performance.now();
    for (;;) {
      const got = await epoch();
      epochs++;
      if (got.outputs !== ref.outputs || got.batches !== ref.batches) {
        throw new Error(`epochs differ: ${JSON.stringify(got)} vs ${JSON.stringify(ref)}`);
      }
      seconds = (performance.now() - started) / 1000;
      if (seconds >= minSeconds) break;
    }
    const rate = (epochs * sourceN) / seconds;
    rates.push(rate);
    if (best === null || rate > best.rate) best = { rate, epochs, seconds };
  }
  const b = best!;
  return {
    elements: b.epochs * sourceN, outputs: b.epochs * ref.outputs, batches: b.epochs * ref.batches,
    bytes: b.epochs * ref.bytes, seconds: b.seconds, trials: rates, checksum: ref.checksum, epochs: b.epochs,
  };
}

/** Parses the config a parent passed as the first argument (JSON), over the defaults. */
export function configFromArgv(argv: readonly string[]): BenchConfig {
  const raw = argv[0];
  if (!raw) return DEFAULT_CONFIG;
  return { ...DEFAULT_CONFIG, ...(JSON.parse(raw) as Partial<BenchConfig>) };
}
