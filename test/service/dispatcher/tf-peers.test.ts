// Our dispatcher with TensorFlow 2.21 as every other party: TF's split providers as the oracle for
// ours, TF WorkerServers pulling splits and TF's client reading (DYNAMIC, coordinated reads, GC),
// TF reading our journal and dataset files and restarting from them, and our dispatcher
// restarting from TF's journal. Cases named "ports <file>.<test>" port TF's
// tensorflow/python/data/experimental/kernel_tests/service/<file>.py (same pipeline, same
// expected output), run against our dispatcher. One TF process (tf_peer.py) serves every suite.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TfDataError } from "../../../src/core/errors.js";
import { Dataset } from "../../../src/dataset/index.js";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import type { Update } from "../../../src/gen/tensorflow/core/data/service/journal_pb.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { NodeStorage } from "../../../src/runtime/node-storage.js";
import { DispatchServer } from "../../../src/service/dispatch-server.js";
import { replayJournal } from "../../../src/service/dispatcher/journal.js";
import { makeSplitProviders } from "../../../src/service/dispatcher/split-providers.js";
import { DispatcherState } from "../../../src/service/dispatcher/state.js";
import { setPlatform } from "../../../src/service/platform.js";
import { TF_GRAPH_FIXTURES } from "../../fixtures/graphs/tf-graphs.js";
import { REPO_ROOT, tfPython } from "../../helpers/tf.js";
import { removeTmpDirs, tmpWorkDir } from "./fixtures.js";
import { startTfPeer, type TfPeer, type TfReadSpec, type TfSplits } from "./tf-peer.js";

setPlatform(nodePlatform);

const python = tfPython();
const range = (n: number, from = 0) => Array.from({ length: n - from }, (_, i) => i + from);
/** Sorted copy, for "each element exactly once" (a multiset comparison). */
const sorted = (xs: readonly unknown[]) => [...xs].sort((a, b) =>
  typeof a === "number" && typeof b === "number" ? a - b : JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
const times = <T>(k: number, xs: readonly T[]) => Array.from({ length: k }, () => xs).flat();

let peerPromise: Promise<TfPeer> | undefined;
/** The TF process shared by every suite of this file (started on first use). */
function tf(): Promise<TfPeer> {
  peerPromise ??= startTfPeer();
  return peerPromise;
}
async function stopTf(): Promise<void> {
  const p = peerPromise;
  peerPromise = undefined;
  await (await p?.catch(() => undefined))?.stop();
}

/** A dispatcher of ours on loopback for one suite. */
async function ourDispatcher(config: ConstructorParameters<typeof DispatchServer>[0] = {}): Promise<DispatchServer> {
  const d = new DispatchServer({ host: "127.0.0.1", port: 0, ...config });
  await d.start();
  return d;
}

// ---- split providers: ours vs TF's ---------------------------------------------------------------

/** Splits asked per provider: enough for every corpus pipeline; infinite sources are cut here. */
const MAX_SPLITS = 300;

/** Our providers as TF's answer format: split values then "EOS", cut at MAX_SPLITS. */
function ours(graphB64: string): TfSplits {
  let providers;
  try {
    providers = makeSplitProviders(fromBinary(GraphDefSchema, Buffer.from(graphB64, "base64")));
  } catch (err) {
    if (err instanceof TfDataError) return { error: [err.code, err.message] };
    throw err;
  }
  return {
    providers: providers.map((p) => {
      const out: (number | "EOS")[] = [];
      for (let i = 0n; out.length < MAX_SPLITS; i++) {
        const v = p.at(i);
        if (v === undefined) {
          out.push("EOS");
          break;
        }
        out.push(Number(v));
      }
      return out;
    }),
  };
}

/** Every TF-built graph we have: the golden corpus and the graph fixtures. */
function tfGraphs(): { name: string; graph: string }[] {
  const dir = join(REPO_ROOT, "test", "fixtures", "golden");
  const golden = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "index.json").map((f) => {
    const j = JSON.parse(readFileSync(join(dir, f), "utf8")) as { name: string; graph?: string };
    return { name: `golden/${j.name}`, graph: j.graph ?? "" };
  }).filter((g) => g.graph !== "");
  return [...golden, ...TF_GRAPH_FIXTURES.map((f) => ({ name: `graphs/${f.name}`, graph: f.graph }))];
}

/** Graphs our own Dataset builder emits. */
function tsGraphs(): { name: string; graph: string }[] {
  const b64 = (d: Dataset) => Buffer.from(toBinary(GraphDefSchema, d.toGraphDef())).toString("base64");
  return [
    { name: "ts/range(7)", graph: b64(Dataset.range(7)) },
    { name: "ts/range(3, 20, 4)", graph: b64(Dataset.range(3, 20, 4)) },
    { name: "ts/fromTensorSlices", graph: b64(Dataset.fromTensorSlices([4, 5, 6, 7])) },
    { name: "ts/zip", graph: b64(Dataset.zip([Dataset.range(3), Dataset.fromTensorSlices([1, 2])])) },
    { name: "ts/concatenate", graph: b64(Dataset.range(2).concatenate(Dataset.range(5, 8))) },
    { name: "ts/range.repeat.batch", graph: b64(Dataset.range(5).repeat(2).batch(2)) },
  ];
}


const oracle = suite("split providers: ours vs TensorFlow 2.21's");
if (!python) {
  oracle.skip("TF unavailable", () => {});
} else {
  oracle("every TF-built corpus graph and every TS-built graph: same providers, same splits as TF", async () => {
    const graphs = [...tfGraphs(), ...tsGraphs()];
    assert.ok(graphs.length > 100, `only ${graphs.length} graphs found`);
    const theirs = await (await tf()).tfSplits(graphs.map((g) => g.graph), MAX_SPLITS);
    let multi = 0;
    for (let i = 0; i < graphs.length; i++) {
      const t = theirs[i];
      const o = ours(graphs[i].graph);
      if ("error" in t) {
        // TF's code names are upper snake case (UNIMPLEMENTED), ours camel case.
        assert.ok("error" in o, `${graphs[i].name}: TF fails (${t.error[1]}), we do not`);
        assert.is(o.error[0].toLowerCase(), t.error[0].replace(/_/g, "").toLowerCase(), graphs[i].name);
        assert.is(o.error[1], t.error[1], graphs[i].name);
        continue;
      }
      if ("error" in o) assert.unreachable(`${graphs[i].name}: we fail (${o.error[1]}), TF does not`);
      else assert.equal(o.providers, t.providers, graphs[i].name);
      if (t.providers.length > 1) multi++;
    }
    assert.ok(multi >= 3, `expected zip/concatenate/enumerate graphs with several providers, found ${multi}`);
  });
}
oracle.run();

// ---- DYNAMIC with TF workers and TF's client -----------------------------------------------------

const dyn = suite("DYNAMIC: our dispatcher + TF workers + TF client");
if (!python) {
  dyn.skip("TF peers unavailable", () => {});
} else {
  let dispatcher: DispatchServer;
  let peer: TfPeer;
  let workers: string[] = [];
  let jobs = 0;

  const read = (spec: Omit<TfReadSpec, "service">, timeoutMs?: number) =>
    peer.read({ service: dispatcher.target, processingMode: "distributed_epoch", ...spec }, timeoutMs);
  /** TF's `_make_dynamic_sharding_dataset`: DYNAMIC with a job name (fresh per case here). */
  const readNamed = (expr: string, extra: Partial<TfReadSpec> = {}) => read({ expr, jobName: `job_${jobs++}`, ...extra });

  /** Runs TF workers so exactly `n` are registered and alive. */
  async function ensureWorkers(n: number): Promise<void> {
    while (workers.length < n) workers.push(await peer.worker(dispatcher._address));
    while (workers.length > n) await peer.stopWorker(workers.pop()!);
  }

  dyn.before(async () => {
    dispatcher = await ourDispatcher({ workerTimeoutMs: 1000, jobGcCheckIntervalMs: 100 });
    peer = await tf();
    await ensureWorkers(2);
  });

  dyn.after(async () => {
    await ensureWorkers(0); // TF workers first: they would keep retrying a vanished dispatcher
    await dispatcher?.stop();
  });

  dyn("two TF workers registered with our dispatcher", () => {
    assert.is(dispatcher.numWorkers(), 2);
  });

  dyn("ports dynamic_sharding_test.testBasic: range(100), 2 workers, each element exactly once", async () => {
    assert.equal(sorted(await readNamed("tf.data.Dataset.range(100)")), range(100));
  });

  dyn("ports dynamic_sharding_test.testNoJobName: an anonymous DYNAMIC job, range(100) exactly once", async () => {
    assert.equal(sorted(await read({ expr: "tf.data.Dataset.range(100)" })), range(100));
  });

  dyn("ports dynamic_sharding_test.testTensorSlices: [5, 1, 2, 4] exactly once", async () => {
    assert.equal(sorted(await readNamed("tf.data.Dataset.from_tensor_slices([5, 1, 2, 4])")), [1, 2, 4, 5]);
  });

  dyn("ports dynamic_sharding_test.testInterleave: slices split at the outer source", async () => {
    const expr = "tf.data.Dataset.from_tensor_slices([1, 5, 0]).interleave(lambda x: tf.data.Dataset.from_tensor_slices([x]))";
    assert.equal(sorted(await readNamed(expr)), [0, 1, 5]);
  });

  dyn("ports dynamic_sharding_test.testParallelInterleave", async () => {
    const expr = "tf.data.Dataset.from_tensor_slices([1, 5, 0]).interleave(" +
      "lambda x: tf.data.Dataset.from_tensor_slices([x]), num_parallel_calls=tf.data.AUTOTUNE)";
    assert.equal(sorted(await readNamed(expr)), [0, 1, 5]);
  });

  dyn("ports dynamic_sharding_test.testFlatMap", async () => {
    const expr = "tf.data.Dataset.from_tensor_slices([1, 5, 0]).flat_map(lambda x: tf.data.Dataset.from_tensor_slices([x]))";
    assert.equal(sorted(await readNamed(expr)), [0, 1, 5]);
  });

  dyn("ports dynamic_sharding_test.testRepeatBeforeDistribution: range(20).repeat(5), 5 copies in total", async () => {
    assert.equal(sorted(await readNamed("tf.data.Dataset.range(20).repeat(5)")), sorted(times(5, range(20))));
  });

  dyn("ports dynamic_sharding_test.testRepeatAfterDistribution: 5 repetitions = 5 iterations of one job", async () => {
    const jobName = `job_${jobs++}`;
    const got = await read({ expr: "tf.data.Dataset.range(20)", jobName, repeat: 5 });
    assert.equal(sorted(got), sorted(times(5, range(20))));
    // TF's client numbers the repetitions (its per-dataset iteration counter); each one is a new
    // iteration of the same job on our dispatcher, with fresh split providers.
    const job = dispatcher.dispatcher.debugState.jobByName(jobName)!;
    const reps = dispatcher.dispatcher.debugState.listIterations().filter((it) => it.job === job).map((it) => it.repetition);
    assert.ok(reps.length >= 5, `iterations: ${reps.join(",")}`);
    assert.equal(reps, reps.map((_, i) => reps[0] + BigInt(i)));
  });

  dyn("ports dynamic_sharding_test.testShuffleAndRepeat", async () => {
    assert.equal(sorted(await readNamed("tf.data.Dataset.range(20).shuffle(20).repeat(5)")), sorted(times(5, range(20))));
  });

  dyn("ports dynamic_sharding_test.testZip (1 worker): two split providers, elements paired in order", async () => {
    await ensureWorkers(1);
    const got = await readNamed("tf.data.Dataset.zip((tf.data.Dataset.range(10), tf.data.Dataset.range(10)))");
    assert.equal(got, range(10).map((i) => [i, i]));
  });

  dyn("ports dynamic_sharding_test.testNestedZip (1 worker)", async () => {
    await ensureWorkers(1);
    const expr = "(lambda a: tf.data.Dataset.zip((a, a, tf.data.Dataset.zip((a, a)), a)))(tf.data.Dataset.range(10))";
    assert.equal(await readNamed(expr), range(10).map((i) => [i, i, [i, i], i]));
  });

  dyn("ports dynamic_sharding_test.testImbalancedZip (1 worker): the longer source is cut at the shorter", async () => {
    await ensureWorkers(1);
    const got = await readNamed("tf.data.Dataset.zip((tf.data.Dataset.range(200), tf.data.Dataset.range(1000)))");
    assert.equal(got, range(200).map((i) => [i, i]));
  });

  dyn("ports dynamic_sharding_test.testImbalancedZipAndRepeat (1 worker): a newer repetition restarts the longer provider", async () => {
    await ensureWorkers(1);
    const got = await readNamed("tf.data.Dataset.zip((tf.data.Dataset.range(200), tf.data.Dataset.range(1000))).repeat(3)");
    assert.equal(got, times(3, range(200).map((i) => [i, i])));
  });

  dyn("ports dynamic_sharding_test.testImbalancedZipMultiWorker (3 workers): 200 pairs", async () => {
    await ensureWorkers(3);
    const got = await readNamed("tf.data.Dataset.zip((tf.data.Dataset.range(200), tf.data.Dataset.range(1000)))");
    assert.is(got.length, 200);
  });

  dyn("ports dynamic_sharding_test.testZipDifferentRates (3 workers): 10 pairs", async () => {
    await ensureWorkers(3);
    const expr = "tf.data.Dataset.zip((tf.data.Dataset.range(100), " +
      "tf.data.Dataset.range(100).filter(lambda x: tf.math.equal(x % 10, 0))))";
    assert.is((await readNamed(expr)).length, 10);
  });

  dyn("ports dynamic_sharding_test.testZipDifferentRepeats (3 workers): 50 pairs", async () => {
    await ensureWorkers(3);
    const expr = "tf.data.Dataset.zip((tf.data.Dataset.range(50), tf.data.Dataset.range(10).repeat(10)))";
    assert.is((await readNamed(expr)).length, 50);
  });

  dyn("ports dynamic_sharding_test.testChooseFromDatasets (1 worker): three providers, choices in order", async () => {
    await ensureWorkers(1);
    const choices = [2, 0, 1, 1, 0, 2, 2, 0, 1, 0, 0, 2, 1, 1, 0];
    const expr = "tf.data.Dataset.choose_from_datasets([tf.data.Dataset.from_tensors(w).repeat() for w in " +
      `[b"foo", b"bar", b"baz"]], tf.data.Dataset.from_tensor_slices(np.array(${JSON.stringify(choices)}, dtype=np.int64)))`;
    const words = ["foo", "bar", "baz"];
    assert.equal(await readNamed(expr), choices.map((c) => words[c]));
  });

  dyn("ports dynamic_sharding_test.testGroupByWindow: nested datasets in functions are not split", async () => {
    await ensureWorkers(2);
    const expr = "tf.data.Dataset.from_tensor_slices([1, 5, 0]).group_by_window(lambda x: tf.constant(0, tf.int64), " +
      "lambda _, w: tf.data.Dataset.zip((w, tf.data.Dataset.range(100))), window_size=3)";
    assert.equal(sorted((await readNamed(expr)).map((e) => (e as number[])[0])), [0, 1, 5]);
  });

  dyn("ports distributed_epoch_test.testDistributedEpoch with 1, 2 and 5 workers: range(100) exactly once", async () => {
    for (const n of [1, 2, 5]) {
      await ensureWorkers(n);
      assert.equal(sorted(await read({ expr: "tf.data.Dataset.range(100)" })), range(100), `${n} workers`);
    }
  });

  dyn("ports dynamic_sharding_test.testForeverRepeatFewElements: fewer splits than workers, then workers stopped, no hang", async () => {
    await ensureWorkers(5);
    const session = "few";
    await peer.open(session, { service: dispatcher.target, processingMode: "distributed_epoch", jobName: `job_${jobs++}`,
      expr: "tf.data.Dataset.range(1).repeat()" });
    assert.equal(await peer.take(session, 20), new Array(20).fill(0));
    await ensureWorkers(1);
    assert.equal(await peer.take(session, 20), new Array(20).fill(0));
  });

  dyn("ports dynamic_sharding_test.testDistributedDataset: an unsplittable pipeline fails with TF's UNIMPLEMENTED", async () => {
    await ensureWorkers(1);
    // The inner distribute makes a DataServiceDatasetV4 node: it has no dataset input and no splits.
    const expr = `tf.data.Dataset.range(3).apply(tf.data.experimental.service.distribute("parallel_epochs", ` +
      `"${dispatcher.target}")).map(lambda x: x + 1)`;
    try {
      await readNamed(expr);
      assert.unreachable("expected an error");
    } catch (err) {
      assert.match(String((err as Error).message), "UnimplementedError");
      assert.match(String((err as Error).message),
        "Cannot create split providers for dataset of type DataServiceDatasetV4, because the dataset is not unary " +
        "(instead having arity 0), and no custom implementation of `MakeSplitProvider` is defined.");
    }
  });
}
dyn.run();

// ---- coordinated reads with TF workers and TF's client -------------------------------------------

/** TF's `checkCoordinatedReadGroups`: every run of `n` results is n consecutive numbers (one worker's round). */
function checkGroups(results: readonly unknown[], n: number): void {
  const bad: number[][] = [];
  for (let i = 0; i < results.length; i += n) {
    const g = results.slice(i, i + n) as number[];
    if (g.some((v, k) => v !== g[0] + k)) bad.push(g);
  }
  assert.equal(bad, [], `groups of ${n} that are not consecutive`);
}

const rr = suite("coordinated reads: our dispatcher + TF workers + TF client");
if (!python) {
  rr.skip("TF peers unavailable", () => {});
} else {
  let dispatcher: DispatchServer;
  let peer: TfPeer;
  let workers: string[] = [];
  let sessions = 0;

  async function ensureWorkers(n: number): Promise<void> {
    while (workers.length < n) workers.push(await peer.worker(dispatcher._address));
    while (workers.length > n) await peer.stopWorker(workers.pop()!);
  }
  /** Opens TF's coordinated-read dataset as a new session and job. */
  async function open(numConsumers: number, jobName = `rr_${sessions}`): Promise<string> {
    const session = `s${sessions++}`;
    await peer.openCoordinated(session, { service: dispatcher.target, numConsumers, jobName });
    return session;
  }

  rr.before(async () => {
    // Short GC: the infinite round-robin iterations of earlier cases are collected once closed.
    dispatcher = await ourDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 100, workerTimeoutMs: 2000 });
    peer = await tf();
  });
  rr.after(async () => {
    await ensureWorkers(0);
    await dispatcher?.stop();
  });

  for (const [numWorkers, numConsumers] of [[1, 1], [1, 5], [3, 2], [3, 5]] as const) {
    rr(`ports coordinated_read_test.testBasic (num_workers=${numWorkers}, num_consumers=${numConsumers}): 100 results in whole rounds`, async () => {
      await ensureWorkers(numWorkers);
      const s = await open(numConsumers);
      const results = await peer.take(s, 100);
      await peer.close(s);
      assert.is(results.length, 100);
      checkGroups(results, numConsumers);
    });
  }

  rr("ports coordinated_read_test.testConsumerRestart: re-reading the same job name joins its iteration; the worker refuses the old round", async () => {
    await ensureWorkers(1);
    const first = await open(3, "restart");
    assert.is((await peer.take(first, 20)).length, 20);
    // The first consumers stay open here: with this suite's 100 ms GC the iteration would be
    // collected as soon as they close (TF's test runs with the default 5 min).
    const second = await open(3, "restart");
    try {
      await peer.take(second, 20);
      assert.unreachable("expected the worker's FAILED_PRECONDITION");
    } catch (err) {
      assert.match(String((err as Error).message), "FailedPreconditionError");
      assert.match(String((err as Error).message), "current round has already reached");
    } finally {
      await peer.close(second);
      await peer.close(first);
    }
  });

  rr("ports coordinated_read_test.testFiniteV2: a round-robin read of a finite dataset is refused", async () => {
    await ensureWorkers(1);
    const expr = "tf.data.Dataset.range(100).apply(tf.data.experimental.service.distribute(" +
      "'parallel_epochs', SERVICE, job_name='finite', consumer_index=0, num_consumers=1))";
    try {
      await peer.read({ expr, service: dispatcher.target, raw: true });
      assert.unreachable("expected an error");
    } catch (err) {
      assert.match(String((err as Error).message), "Round robin reads require that the input dataset has infinite " +
        "cardinality, but the dataset has cardinality 100");
    }
  });

  rr("ports coordinated_read_ft_test.testAddWorkers (workers_to_add=1): a worker joins a running round-robin iteration through a pending task", async () => {
    await ensureWorkers(3);
    const numConsumers = 7;
    const s = await open(numConsumers, "add_workers");
    const results: number[] = (await peer.take(s, 25)) as number[];
    let zeros = results.filter((v) => v === 0).length;
    await ensureWorkers(4);
    // Read until the new worker's first group (it starts at 0) shows up.
    const deadline = Date.now() + 60_000;
    while (zeros < 4 && Date.now() < deadline) {
      const more = (await peer.take(s, numConsumers)) as number[];
      zeros += more.filter((v) => v === 0).length;
      results.push(...more);
    }
    assert.ok(zeros >= 4, `the added worker was never read (zeros seen: ${zeros})`);
    results.push(...(await peer.take(s, 25)) as number[]);
    await peer.close(s);
    // The pending task was promoted with a starting round agreed by all 7 consumers.
    const it = dispatcher.dispatcher.debugState.listIterations().find((x) => x.job.name === "add_workers")!;
    const tasks = dispatcher.dispatcher.debugState.tasksForIteration(it.id);
    assert.is(tasks.length, 4);
    assert.ok(tasks[3].startingRound > 0n, `starting round ${tasks[3].startingRound}`);
    checkGroups(results.slice(0, Math.floor(results.length / numConsumers) * numConsumers), numConsumers);
  });
}
rr.run();

// ---- GC with TF workers and TF's client ------------------------------------------------------------

const gc = suite("job GC: our dispatcher + TF worker + TF client");
if (!python) {
  gc.skip("TF peers unavailable", () => {});
} else {
  let dispatcher: DispatchServer;
  let peer: TfPeer;
  let workers: string[] = [];
  let sessions = 0;
  const open = async (jobName?: string) => {
    const session = `gc${sessions++}`;
    await peer.open(session, { service: dispatcher.target, expr: "tf.data.Dataset.range(1000)", jobName });
    return session;
  };
  /** Waits until the TF workers hold `n` tasks in total. */
  async function tasksBecome(n: number): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const counts = await Promise.all(workers.map((w) => peer.numTasks(w)));
      const total = counts.reduce((a, b) => a + b, 0);
      if (total === n) return;
      if (Date.now() > deadline) assert.unreachable(`workers hold ${total} tasks, expected ${n}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  gc.before(async () => {
    dispatcher = await ourDispatcher({ jobGcCheckIntervalMs: 50, jobGcTimeoutMs: 20, workerTimeoutMs: 5000 });
    peer = await tf();
    workers = [await peer.worker(dispatcher._address)];
  });
  gc.after(async () => {
    for (const w of workers) await peer.stopWorker(w);
    await dispatcher?.stop();
  });

  for (const jobName of [undefined, "test"]) {
    gc(`ports data_service_ops_test.testGcUnusedJob (job_name=${jobName ?? "None"}): the dropped iterator's task leaves the TF worker`, async () => {
      const s = await open(jobName);
      assert.equal(await peer.take(s, 1), [0]);
      await tasksBecome(1);
      await peer.close(s); // `del it`
      await tasksBecome(0);
    });
  }

  gc("ports data_service_ops_test.testDontGcUsedJob: only the job without a live iterator is collected", async () => {
    const a = await open("test1");
    const b = await open("test2");
    const c = await open("test2"); // keeps test2's task alive
    await peer.take(a, 1);
    await peer.take(b, 1);
    await tasksBecome(2);
    await peer.close(a);
    await peer.close(b);
    await tasksBecome(1);
    await new Promise((r) => setTimeout(r, 300)); // several GC passes later, still there
    await tasksBecome(1);
    await peer.close(c);
    await tasksBecome(0);
  });

  gc("ports data_service_ops_test.testGcAndRecreate: the same job created and collected three times on 3 TF workers", async () => {
    workers.push(await peer.worker(dispatcher._address), await peer.worker(dispatcher._address));
    for (let i = 0; i < 3; i++) {
      const s = await open("recreate");
      assert.is((await peer.take(s, 50)).length, 50);
      await peer.close(s);
      await tasksBecome(0);
    }
    const d = dispatcher.dispatcher.debugState;
    const collected = d.listIterations().filter((it) => it.job.name === "recreate").map((it) => it.garbageCollected);
    assert.equal(collected, [true, true, true]);
  });
}
gc.run();

// ---- journal and dataset files: TF reads ours, we read TF's -----------------------------------------

const JOURNAL_DIR = "tf_data_dispatcher_journal";

/** The update types our own reader replays from a work dir, file by file. */
async function ourJournalTypes(workDir: string): Promise<string[]> {
  const types: string[] = [];
  await replayJournal(new NodeStorage(workDir), (u: Update) => types.push(u.updateType.case ?? "none"));
  return types;
}

const journal = suite("journal compatibility with TensorFlow 2.21");
if (!python) {
  journal.skip("TF unavailable", () => {});
} else {
  let peer: TfPeer;
  journal.before(async () => {
    peer = await tf();
  });
  journal.after(() => removeTmpDirs());

  journal("TF reads our journal (TFRecordDataset + tensorflow.data.Update) and our dataset files; a TF dispatcher restarts from them; we restart from TF's additions", async () => {
    const workDir = tmpWorkDir();
    // 1. Our fault-tolerant dispatcher serves two TF workers and TF's client (distributed_epoch).
    const ours = await ourDispatcher({ workDir, faultTolerantMode: true });
    const w1 = await peer.worker(ours._address);
    const w2 = await peer.worker(ours._address);
    const got = await peer.read({ expr: "tf.data.Dataset.range(20)", service: ours.target, processingMode: "distributed_epoch",
      jobName: "ft" });
    assert.equal(sorted(got), range(20));
    await peer.stopWorker(w1);
    await peer.stopWorker(w2);
    await ours.stop();

    // 2. TF parses every record of our journal as tensorflow.data.Update, the same ones we replay.
    const theirs = await peer.journal(join(workDir, JOURNAL_DIR, "journal_0"));
    const typeName = (t: string) => t.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    assert.equal(theirs.map((u) => typeName(u.type)), await ourJournalTypes(workDir));
    const counts = (ts: string[]) => ts.reduce<Record<string, number>>((m, t) => ({ ...m, [t]: (m[t] ?? 0) + 1 }), {});
    const c = counts(theirs.map((u) => u.type));
    assert.is(c.register_worker, 2);
    assert.is(c.register_dataset, 1);
    assert.is(c.create_job, 1);
    assert.is(c.create_iteration, 1);
    assert.is(c.produce_split, 21, "20 splits + end of splits");
    assert.is(c.finish_task, 2);
    const job = theirs.find((u) => u.type === "create_job")!.value;
    assert.equal([job.jobName, job.processingModeDef], ["ft", { shardingPolicy: "DYNAMIC" }]);
    // TF reads our dataset file: one record, the graph TF's client registered.
    const file = await peer.datasetFile(join(workDir, "datasets", "1000"));
    assert.is(file.records, 1);
    assert.ok(file.ops.includes("RangeDataset"), file.ops.join(","));

    // 3. A TF dispatcher restarts from our work dir: it replays our journal (split providers
    // rebuilt from our dataset file) and knows our workers.
    const tfd = await peer.tfDispatcher(workDir, true);
    assert.is(tfd.numWorkers, 2);
    // It keeps journaling into the same dir: a TF worker registers, TF's client reads through it.
    // (TF keeps a task for each of the two stopped workers, so this iteration would never end:
    // TF's known gap; read five elements instead of draining.)
    const w3 = await peer.worker(tfd.address);
    await peer.open("tf-restarted", { expr: "tf.data.Dataset.range(5)", service: `grpc://${tfd.address}`, jobName: "after" });
    assert.equal(sorted(await peer.take("tf-restarted", 5)), range(5));
    await peer.close("tf-restarted");
    await peer.stopWorker(w3);
    await peer.stopDispatcher(tfd.address);
    assert.equal(readdirSync(join(workDir, JOURNAL_DIR)), ["journal_0", "journal_1"]);

    // 4. We restart from both files, TF's updates included.
    const again = await ourDispatcher({ workDir, faultTolerantMode: true });
    try {
      const s = again.dispatcher.debugState;
      assert.is(again.numWorkers(), 3);
      assert.equal([s.hasDataset("1000"), s.hasDataset("1001")], [true, true]);
      assert.is(s.iterationFromId(2000n).finished, true);
      assert.equal(s.iterationFromId(2000n).distributedEpochState, { repetitions: [1n], indices: [0n] });
      assert.equal(s.tasksForIteration(2001n).map((t) => t.workerAddress).sort(), [...s.listWorkers().map((w) => w.address)].sort());
      assert.is(again.dispatcher.journalFile, `${JOURNAL_DIR}/journal_2`);
    } finally {
      await again.stop();
    }
  });
}
journal.run();

// ---- static sharding with TF workers (one local to the reader, four remote) ------------------------

const stat = suite("static sharding: our dispatcher's worker indices + TF workers' auto-shard rewrite");
if (!python) {
  stat.skip("TF unavailable", () => {});
} else {
  let dispatcher: DispatchServer;
  let local: TfPeer;
  let remote: TfPeer;
  let jobs = 0;
  /** Reads a complete (raw) expression with TF's client in the process of worker 1. */
  const read = (expr: string) => local.read({ expr, service: dispatcher.target, raw: true }, 30_000);

  stat.before(async () => {
    // TF's `_make_service_cluster(num_workers=5, local_shard_index=1)`: five "localhost" entries,
    // claimed in registration order; the reader's own process hosts the worker with index 1.
    dispatcher = await ourDispatcher({ workerAddresses: new Array(5).fill("localhost") });
    local = await tf();
    remote = await startTfPeer();
    await remote.worker(dispatcher._address);
    await local.worker(dispatcher._address);
    for (let i = 0; i < 3; i++) await remote.worker(dispatcher._address);
  });
  stat.after(async () => {
    await remote?.stop();
    await stopTf();
    await dispatcher?.stop();
  });

  const distributed = (ds: string, policy: string) =>
    `${ds}.apply(tf.data.experimental.service.distribute(tf.data.experimental.service.ShardingPolicy.${policy}, ` +
    `SERVICE, job_name="static_${jobs++}", target_workers="LOCAL"))`;

  for (const policy of ["DATA", "FILE_OR_DATA"] as const) {
    stat(`ports auto_shard_test.testRangeDataset_AutoShard (${policy}): worker 1 of 5 reads [1, 6, 11, 16]`, async () => {
      assert.equal(await read(distributed("tf.data.Dataset.range(20)", policy)), [1, 6, 11, 16]);
    });
  }

  stat("ports auto_shard_test.testRangeDataset_ShardHint: shard(SHARD_HINT, SHARD_HINT) becomes shard(5, 1)", async () => {
    const ds = "tf.data.Dataset.range(20).shard(tf.data.experimental.SHARD_HINT, tf.data.experimental.SHARD_HINT)";
    assert.equal(await read(distributed(ds, "HINT")), [1, 6, 11, 16]);
  });

  stat("ports auto_shard_test.testRangeDataset_NoShard: OFF reads everything", async () => {
    assert.equal(await read(distributed("tf.data.Dataset.range(20)", "OFF")), range(20));
  });

  for (const policy of ["DATA", "FILE_OR_DATA"] as const) {
    stat(`ports auto_shard_test.testBatchDataset (${policy}): batches 1 and 6 of range(20).batch(3)`, async () => {
      assert.equal(await read(distributed("tf.data.Dataset.range(20).batch(3)", policy)), [[3, 4, 5], [18, 19]]);
    });
  }

  stat("the five TF workers got indices 0..4 in registration order, num_workers 5", () => {
    const s = dispatcher.dispatcher.debugState;
    const workers = s.listWorkers().map((w) => w.address);
    assert.is(workers.length, 5);
    assert.equal(workers.map((w) => s.workerIndex(w)), [0, 1, 2, 3, 4]);
  });
}
stat.run();
