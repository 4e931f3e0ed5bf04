// TensorFlow.js side of `bench/datasets.ts`: the same pipelines with `@tensorflow/tfjs`'s `tf.data`
// on the CPU backend (pure JS; tfjs-node's native binding is not used). Runs as its own process so
// its heap and backend state do not touch ours:
//   node --import tsx bench/tfjs-datasets.ts [CONFIG_JSON]
// Prints one JSON line per measurement (the keys of `Measurement`), then {"event":"done"}.
//
// tfjs has no int64, no `range` source and no `fromTensorSlices`; the closest idioms are used:
// - range: `tf.data.generator` of JS numbers (map/filter on numbers, batch makes a float32
//   tensor), its fastest form; plus a tensor-per-element variant (scalar int32 tensors, the
//   predicate reads the value back with dataSync) on fewer elements, as tfjs users with tensor
//   transforms would write it.
// - images and slices: `tf.data.array(tf.unstack(t))`, one tensor per row, like fromTensorSlices.
import * as tf from "@tensorflow/tfjs";
import {
  configFromArgv, imageBytes, measure, pipelineText, probeIndex, rowsArray, sourceElements,
  type BenchConfig, type CaseName, type EpochResult, type Measurement,
} from "./datasets-shared.js";

/** tfjs's label in the table. */
const IMPL = `tfjs ${tf.version.tfjs}`;

/** Reads one batch and frees it (tfjs tensors live until disposed). */
function consumeBatch(b: tf.Tensor, read: (values: Float32Array | Int32Array) => number): [number, number, number] {
  const values = b.dataSync() as Float32Array | Int32Array;
  const out: [number, number, number] = [b.shape[0], values.byteLength, read(values)];
  b.dispose();
  return out;
}

async function runEpoch(ds: tf.data.Dataset<tf.Tensor>, read: (v: Float32Array | Int32Array) => number): Promise<EpochResult> {
  const r: EpochResult = { outputs: 0, batches: 0, bytes: 0, checksum: 0 };
  const it = await ds.iterator();
  for (;;) {
    const { value, done } = await it.next();
    if (done) break;
    const [o, n, s] = consumeBatch(value, read);
    r.outputs += o;
    r.bytes += n;
    r.checksum += s;
    r.batches++;
  }
  return r;
}

/** range(n) as numbers: generator -> map -> filter -> batch (float32 batches). */
function rangeNumbers(n: number, batch: number): tf.data.Dataset<tf.Tensor> {
  return tf.data.generator(function* () {
    for (let i = 0; i < n; i++) yield i;
  }).map((x) => (x as number) * 2 + 1).filter((x) => (x as number) % 3 === 0).batch(batch) as tf.data.Dataset<tf.Tensor>;
}

/** range(n) as scalar int32 tensors, transformed with tensor ops. */
function rangeTensors(n: number, batch: number): tf.data.Dataset<tf.Tensor> {
  return tf.data.generator(function* () {
    for (let i = 0; i < n; i++) yield tf.scalar(i, "int32");
  }).map((x) => tf.add(tf.mul(x as tf.Tensor, 2), 1))
    .filter((x) => tf.equal(tf.mod(x as tf.Tensor, 3), 0).dataSync()[0] === 1)
    .batch(batch) as tf.data.Dataset<tf.Tensor>;
}

async function runCase(c: CaseName, cfg: BenchConfig, out: (m: Measurement) => void): Promise<void> {
  const base = { case: c, impl: IMPL, pipeline: pipelineText(c, cfg) };
  const go = async (variant: string, pipeline: string, sourceN: number, ds: tf.data.Dataset<tf.Tensor>,
    read: (v: Float32Array | Int32Array) => number) => {
    try {
      const r = await measure(() => runEpoch(ds, read), sourceN, cfg.minSeconds, cfg.trials);
      out({ ...base, variant, pipeline, ...r });
    } catch (e) {
      out({ ...base, variant, pipeline, error: (e as Error).message });
    }
  };
  if (c === "range") {
    const { n, batch } = cfg.range;
    await go("numbers", base.pipeline, n, rangeNumbers(n, batch), (v) => v[0]);
    const m = cfg.tfjsRangeTensorN;
    await go("tensors", pipelineText("range", { ...cfg, range: { n: m, batch } }), m, rangeTensors(m, batch), (v) => v[0]);
    return;
  }
  if (c === "images") {
    const p = cfg.images;
    const imgs = tf.tensor(imageBytes(p.distinct, ...p.shape), [p.distinct, ...p.shape], "int32");
    // tfjs has no uint8 dtype: the pixels are int32 tensors holding 0..255 (tfjs's image idiom).
    const slices = tf.unstack(imgs);
    imgs.dispose();
    const mean = tf.tensor1d(p.mean, "float32");
    const std = tf.tensor1d(p.std, "float32");
    const ds = tf.data.array(slices).repeat(p.repeat)
      .map((x) => tf.div(tf.sub(tf.div(tf.cast(x, "float32"), 255), mean), std))
      .batch(p.batch) as tf.data.Dataset<tf.Tensor>;
    const probe = probeIndex(p);
    await go("default", base.pipeline, sourceElements(c, cfg), ds, (v) => v[probe]);
    tf.dispose([...slices, mean, std]);
    return;
  }
  const p = cfg.slices;
  const rows = tf.tensor2d(rowsArray(p.n, p.cols), [p.n, p.cols], "float32");
  const slices = tf.unstack(rows);
  rows.dispose();
  const ds = tf.data.array(slices).shuffle(p.buffer, String(p.seed)).batch(p.batch) as tf.data.Dataset<tf.Tensor>;
  await go("default", base.pipeline, p.n, ds, (v) => {
    let s = 0;
    for (let i = 0; i < v.length; i += p.cols) s += v[i];
    return s;
  });
  tf.dispose(slices);
}

async function main(): Promise<void> {
  const cfg = configFromArgv(process.argv.slice(2));
  await tf.setBackend("cpu");
  await tf.ready();
  const out = (m: Measurement) => process.stdout.write(JSON.stringify({ event: "result", ...m }) + "\n");
  for (const c of cfg.cases) await runCase(c, cfg, out);
  process.stdout.write(JSON.stringify({ event: "done", numTensors: tf.memory().numTensors }) + "\n");
}

await main();
