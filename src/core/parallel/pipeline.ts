/**
 * The parallel runner's entry points. A `ParallelPipeline` is a plan instantiated once for
 * parallel runs: its upstream dataset is kept in this thread's runner core, so successive passes
 * continue its state (a reshuffling shuffle draws a new order per pass, as with `CoreDataset`).
 * `createPipelineIterator` is the one-pass form the tf.data service worker uses.
 *
 * Example (service worker):
 * ```ts
 * const it = await createPipelineIterator(plan, { output: "wire" });
 * for (let e = await it.nextWire(); e !== null; e = await it.nextWire()) send(e);
 * it.close();
 * ```
 */
import type { WireElement } from "../core.js";
import { TfDataError } from "../errors.js";
import type { DatasetPlan } from "../plan.js";
import type { Tensor } from "../tensor.js";
import { PipelineRun, type ParallelMode } from "./pipeline-run.js";
import type { OutputFormat } from "./protocol.js";
import { coreModule, sharedRawCore, type RawCore } from "./raw-core.js";
import { splitPlan, type PlanSplit } from "./split.js";
import { threadFactory, type ThreadFactory } from "./threads.js";

/** Options of a parallel pipeline. */
export interface PipelineOptions {
  /** `tensors` (default): read with `next()`; `wire`: read with `nextWire()` (TF wire elements). */
  readonly output?: OutputFormat;
  /** Threads to use; default the runtime's (`setThreadFactory`); null runs in this thread only. */
  readonly threads?: ThreadFactory | null;
  /** Upper bound on threads per pass (default: the factory's `maxThreads`). */
  readonly maxThreads?: number;
  /**
   * `auto` (default): threads only when measurements say they pay off; `always`: threads from
   * the start (tests, known-heavy pipelines); `never`: this thread only.
   */
  readonly parallel?: ParallelMode;
  /**
   * Whether the calling thread runs chunks of a parallel map too, instead of only waiting on the
   * threads (default true). Turn off where the calling thread must stay responsive (a server's
   * event loop): it then only moves elements and runs the stage of a producer split, and a costly
   * upstream below a prefetch goes to a producer thread even when little work here overlaps it.
   */
  readonly callerComputes?: boolean;
}

/** An iterator over one pass, shaped like `CoreIterator` but asynchronous. */
export interface PipelineIterator {
  /** The next element as host tensors, or null at the end (output `tensors`). */
  next(): Promise<Tensor[] | null>;
  /** The next element in TF wire form, or null at the end (output `wire`). */
  nextWire(): Promise<WireElement | null>;
  /** The next element if ready without waiting (null at the end, undefined: await `next()`). */
  tryNext(): Tensor[] | null | undefined;
  /** As `tryNext()`, in wire form: lets a synchronous caller (a task runner) answer "not yet". */
  tryNextWire(): WireElement | null | undefined;
  /** Stops the pass and its threads (idempotent). */
  close(): void;
  /** Threads working for this pass right now. */
  readonly threadCount: number;
}

/** A pass-through split: the whole plan upstream, an empty stage, never threads. */
function wholePlan(plan: DatasetPlan): PlanSplit {
  return { kind: "map", upstream: plan, stage: { op: "channel", id: 0 }, unit: 1, parallelism: 0, deterministic: true };
}

/** Releases the kept dataset of a pipeline nobody references any more. */
const released = new FinalizationRegistry<{ core: RawCore; handle: number }>(({ core, handle }) => core.release(handle));

/** A plan ready for parallel passes (see the module comment). */
export class ParallelPipeline {
  readonly #core: RawCore;
  readonly #module: WebAssembly.Module;
  readonly #split: PlanSplit;
  #dataset: number;
  #passes = 0;

  private constructor(core: RawCore, module: WebAssembly.Module, split: PlanSplit, dataset: number) {
    this.#core = core;
    this.#module = module;
    this.#split = split;
    this.#dataset = dataset;
    released.register(this, { core, handle: dataset }, this);
  }

  /**
   * The pipeline of `plan`, or null when nothing in it can run in parallel (no parallel map or
   * prefetch at a place where a cut keeps the elements exact): run it with `Core` then.
   */
  static async create(plan: DatasetPlan): Promise<ParallelPipeline | null> {
    const split = splitPlan(plan);
    if (split === null) return null;
    return ParallelPipeline.#make(split);
  }

  /** The pipeline of a split the caller already made with `splitPlan` (and decided to run). */
  static async ofSplit(split: PlanSplit): Promise<ParallelPipeline> {
    return ParallelPipeline.#make(split);
  }

  /** The pipeline of `plan` even when it has no parallel part (it then runs in this thread). */
  static async createAny(plan: DatasetPlan): Promise<ParallelPipeline> {
    return ParallelPipeline.#make(splitPlan(plan) ?? wholePlan(plan));
  }

  static async #make(split: PlanSplit): Promise<ParallelPipeline> {
    const core = await sharedRawCore();
    return new ParallelPipeline(core, await coreModule(), split, core.createDataset(split.upstream));
  }

  /** Whether the runner core this pipeline lives in was retired by a trap. */
  get broken(): boolean {
    return this.#core.broken !== null;
  }

  /** Where the plan is cut. */
  get split(): PlanSplit {
    return this.#split;
  }

  /** A fresh pass. Throws TfDataError naming what is wrong when the stage cannot be built. */
  createIterator(options: PipelineOptions = {}): PipelineIterator {
    if (this.#dataset === 0) throw new TfDataError("FailedPrecondition", "the pipeline is closed");
    if (this.#core.broken !== null) throw new TfDataError("Internal", `the runner core is unusable (${this.#core.broken}); build the pipeline again`);
    const threads = options.threads === undefined ? threadFactory() : options.threads;
    const pass = this.#passes++;
    return new PipelineRun({
      core: this.#core,
      split: this.#split,
      upstream: this.#core.iterator(this.#dataset),
      pass,
      output: options.output ?? "tensors",
      threads,
      maxThreads: options.maxThreads ?? threads?.maxThreads ?? 0,
      mode: options.parallel ?? "auto",
      module: this.#module,
      callerComputes: options.callerComputes ?? true,
    });
  }

  /** Releases the kept dataset (open iterators stay valid). */
  close(): void {
    if (this.#dataset !== 0) this.#core.release(this.#dataset);
    this.#dataset = 0;
    released.unregister(this);
  }
}

/**
 * One pass over `plan`, parallel where the plan allows it (a parallel map or a prefetch), else in
 * this thread. For the service worker: `{ output: "wire" }` and `nextWire()`.
 */
export async function createPipelineIterator(plan: DatasetPlan, options: PipelineOptions = {}): Promise<PipelineIterator> {
  const pipeline = await ParallelPipeline.createAny(plan);
  const it = pipeline.createIterator(options);
  pipeline.close();
  return it;
}

const kept = new WeakMap<DatasetPlan, Promise<ParallelPipeline | null>>();

/**
 * The pipeline of `plan`, made once per plan object and kept while the plan lives (the `Dataset`
 * API keeps one plan per dataset, so passes continue the pipeline's state). Null when `plan` has
 * no parallel part or no threads are installed: iterate it with `Core` then.
 */
export async function keptPipeline(plan: DatasetPlan): Promise<ParallelPipeline | null> {
  if (threadFactory() === null) return null;
  let p = kept.get(plan);
  // A trap retires the runner core; the next pass starts over on a fresh one (as getCore does).
  if (p !== undefined && (await p.catch(() => null))?.broken) p = undefined;
  if (p === undefined) {
    p = ParallelPipeline.create(plan);
    kept.set(plan, p);
  }
  return p;
}

/** Iterates a pass of `pipeline` as component lists, closing it when the consumer stops. */
export async function* pipelineComponents(pipeline: ParallelPipeline, options?: PipelineOptions): AsyncGenerator<Tensor[], void, undefined> {
  const it = pipeline.createIterator(options);
  try {
    for (;;) {
      // Without an await when the element is ready: cheap elements cost no extra promise.
      let c = it.tryNext();
      if (c === undefined) c = await it.next();
      if (c === null) return;
      yield c;
    }
  } finally {
    it.close();
  }
}
