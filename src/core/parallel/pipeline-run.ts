/**
 * One pass over a split pipeline (split.ts), in the calling thread plus stage threads.
 *
 * Map split: the upstream iterator lives in this thread's core. Its elements are taken in chunks
 * of consecutive elements; each chunk runs through the stage, either here (the stage over a
 * local channel, fed inside the core without a copy) or in a stage thread (packed into a chunk,
 * posted, copied into that thread's core; chunk.ts). Results are kept by chunk number and handed
 * out in chunk order (or in completion order when the map is not deterministic). The run starts
 * here and measures: only when the stage costs enough per element (`PARALLEL_MIN_STAGE_US`, and
 * more than feeding it) are threads started, so cheap functions never pay the transport. Where
 * this thread computes too, the threads then run on trial: if the consumer gets no more from them
 * than this thread managed alone (a memory-bound stage), they are retired. Until
 * they are ready, and whenever this thread would otherwise wait (`callerComputes`), chunks run
 * here. This thread takes the threads' messages synchronously between chunks where the runtime
 * allows (`ThreadHandle.receive`), else it returns to the event loop every few milliseconds.
 *
 * Producer split: the upstream runs in one thread of its own (ahead of the consumer by a few
 * chunks); the stage (often empty) runs here over the chunks it sends. It also starts here and
 * moves to the thread only when the upstream is costly; the thread then replays the pass up to
 * where this thread was (pipelines are deterministic for a given plan: seeds are in the plan).
 * A map split with a producer `fallback` (a prefetch right below the map) turns into that
 * producer split when the map is too cheap for threads but the work below the prefetch is not.
 *
 * Errors (from the core, in any thread) end the outputs exactly where a one-thread run ends them,
 * with the same TfDataError code and message. Closing the run (or reaching the end) terminates
 * its threads; threads never keep the process alive while nobody waits on them.
 */
import type { WireElement } from "../core.js";
import { TfDataError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { BufferPool } from "./buffer-pool.js";
import { ChunkWriter, chunkTransfer, sharedBuffers, unpackTensors, unpackWire, type Chunk } from "./chunk.js";
import type { ErrorInfo, FromStage, OutputFormat } from "./protocol.js";
import { END, OK, type RawCore } from "./raw-core.js";
import type { PlanSplit } from "./split.js";
import { Stage, toErrorInfo } from "./stage.js";
import type { ThreadFactory, ThreadHandle } from "./threads.js";

/** Stage time (ms) measured here before deciding whether threads pay off. */
export const CALIBRATION_MS = 4;
/** Chunks measured here (after a warm-up chunk) before deciding. */
export const CALIBRATION_CHUNKS = 3;
/** Per upstream element, the stage cost (µs) from which stage threads are worth their transport. */
export const PARALLEL_MIN_STAGE_US = 15;
/** Per element, the upstream cost (µs) from which a producer thread is worth its transport. */
export const PRODUCER_MIN_US = 15;
/**
 * A producer starts only when the consumer's own work between elements is at least this share
 * of the upstream's time: with nothing to overlap, a thread only adds transport.
 */
export const PRODUCER_MIN_OVERLAP = 0.25;
/** Target work per chunk (ms): long enough to amortise a message, short enough to keep latency. */
export const TARGET_CHUNK_MS = 4;
/** Most elements in one chunk. */
export const MAX_CHUNK_ELEMENTS = 8192;
/** Most data bytes a chunk aims at (a chunk still holds at least one unit). */
export const MAX_CHUNK_BYTES = 8 << 20;
/** Period of the timer that keeps the process alive while a caller waits on threads. */
const KEEP_ALIVE_MS = 1 << 30;
/** Chunks in flight per stage thread. */
export const CHUNKS_PER_THREAD = 2;
/**
 * How long stage threads run on trial (ms, and at least two results per thread) before their
 * throughput is compared with this thread's alone; slower threads are retired.
 */
export const THREAD_TRIAL_MS = 60;
/** Output chunks at least this big get one chunk in flight per thread (memory over overlap). */
export const BIG_CHUNK_BYTES = 32 << 20;

/** How a run decides on threads: measured (`auto`), from the start (`always`), or not at all. */
export type ParallelMode = "auto" | "always" | "never";

/** What a run needs from its pipeline (pipeline.ts). */
export interface RunContext {
  readonly core: RawCore;
  readonly split: PlanSplit;
  /** The upstream iterator for this pass (a handle in `core`); the run releases it. */
  readonly upstream: number;
  /** Which pass of the kept upstream dataset this is (0-based), for a producer's replay. */
  readonly pass: number;
  readonly output: OutputFormat;
  readonly threads: ThreadFactory | null;
  readonly maxThreads: number;
  readonly mode: ParallelMode;
  /** Compiled core to post to threads. */
  readonly module: WebAssembly.Module;
  /**
   * Map split: this thread runs chunks too while it would otherwise wait (counted as one of the
   * parallel calls). Off for callers whose thread must stay responsive (an RPC server).
   */
  readonly callerComputes: boolean;
}

type Item = Tensor[] | WireElement;

/** `#poll`'s answer when a thread has to answer first. */
const WAIT = Symbol("wait");
/** `#poll`'s answer when the event loop should run before going on. */
const YIELD = Symbol("yield");
/** Longest stretch without returning to the event loop, for threads only reachable there (ms). */
const YIELD_MS = 10;

/** Resolves after the event loop ran (messages delivered), not just the microtasks. */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

interface Result {
  readonly items: Item[];
  readonly error?: ErrorInfo;
  /** Upstream elements it was made of (map split; for the threads' trial). */
  readonly inputs?: number;
  /** Made by a stage thread. */
  readonly remote?: boolean;
}

interface Remote {
  readonly handle: ThreadHandle;
  ready: boolean;
  dead: boolean;
  load: number;
}

const roundUp = (n: number, unit: number): number => Math.max(unit, Math.ceil(n / unit) * unit);

/** One pass (see the module comment). Use `next()`/`nextWire()` per the output format. */
export class PipelineRun {
  readonly #c: RunContext;
  readonly #core: RawCore;
  /** Where the plan is cut; a map split may give way to its producer fallback (`#decide`). */
  #split: PlanSplit;
  #upstream: number;
  #stage: Stage | null = null;
  /** Upstream elements per chunk (a multiple of the split's unit). */
  #chunkSize: number;
  #seqProduced = 0;
  #seqYield = 0;
  /** No more chunks: the upstream ended or failed (here or in the producer). */
  #upstreamDone = false;
  /** Upstream elements taken so far (the producer's replay point). */
  #upstreamTaken = 0;
  readonly #results = new Map<number, Result>();
  /** Producer chunks received but not run through the stage yet. */
  readonly #raw = new Map<number, { chunk: Chunk; error?: ErrorInfo; end: boolean }>();
  #current: Result | null = null;
  #pos = 0;
  #ended = false;
  #closed = false;
  #fatal: ErrorInfo | null = null;
  // Measurements of the chunks run here.
  #upMs = 0;
  #stageMs = 0;
  /** Chunks measured in this round (the first chunk of a pass is warm-up and not counted). */
  #chunksMeasured = 0;
  #localChunks = 0;
  /** The cheapest chunk of the round, per element (µs): pauses and warm-up only make chunks slower. */
  #best: { upUs: number; stageUs: number } | null = null;
  #inBytesPerElement = 0;
  // Threads.
  #remotes: Remote[] = [];
  #decided = false;
  #producerStarted = false;
  /** The next producer chunk to run through the stage. */
  #nextRaw = 0;
  /** Threads were asked for and have not all answered yet. */
  #threadsStarting = false;
  readonly #pending = new Map<number, Remote>();
  /** Upstream elements in each chunk dealt to a thread (for chunk sizing). */
  readonly #dealt = new Map<number, number>();
  #wake: (() => void) | null = null;
  #writerCapacity = 0;
  /** Data bytes of the last output chunk a thread sent. */
  #lastOutBytes = 0;
  /** When the last element was handed out (0: the consumer is back). */
  #handedOutAt = 0;
  /** The consumer's own time between elements, this calibration round (ms). */
  #consumerMs = 0;
  /** Start of this calibration round: time and upstream elements taken (map split). */
  #roundStart: { t: number; taken: number } | null = null;
  /** Upstream elements per ms with this thread alone, measured before threads started (0: no trial). */
  #localRate = 0;
  /** Upstream elements of the results handed to the consumer, and how many came from threads. */
  #consumed = 0;
  #remoteTaken = 0;
  /** The threads' trial: since when, at which `#consumed` and `#remoteTaken`. */
  #trial: { t: number; consumed: number; remoteTaken: number } | null = null;
  /** The stage threads did not pay off: no more chunks for them; this thread runs the stage. */
  #retired = false;
  /** When this run last returned to the event loop on its own (see `#yieldDue`). */
  #lastYield = performance.now();
  /** Shared buffers for the large components of chunks dealt to threads (they come back). */
  readonly #inputPool = new BufferPool();

  constructor(context: RunContext) {
    this.#c = context;
    this.#core = context.core;
    this.#split = context.split;
    this.#upstream = context.upstream;
    this.#chunkSize = context.split.unit;
    try {
      this.#stage = Stage.build(this.#core, context.split.stage, context.output);
    } catch (e) {
      this.#core.release(this.#upstream);
      throw e;
    }
    if (context.mode === "never" || context.threads === null || this.#threadCount() === 0) this.#decided = true;
    else if (context.mode === "always") this.#startThreads();
  }

  #threadCount(): number {
    const c = this.#c;
    if (c.threads === null) return 0;
    const limit = Math.max(0, Math.min(c.maxThreads, c.threads.maxThreads));
    // A producer replays the pass from the start in its own core: only where that is exact.
    if (this.#split.kind === "producer") return this.#split.replayable ? Math.min(1, limit) : 0;
    const want = this.#split.parallelism < 0 ? limit : this.#split.parallelism;
    // When this thread computes chunks too, it is one of the parallel calls.
    const others = c.callerComputes ? Math.max(1, Math.min(want, limit) - 1) : Math.min(want, limit);
    return Math.min(want, limit) <= 0 ? 0 : others;
  }

  /** Number of stage/producer threads running now (for tests and stats). */
  get threadCount(): number {
    return this.#remotes.filter((r) => !r.dead).length;
  }

  /** The next element as host tensors, or null at the end. Output format `tensors` only. */
  async next(): Promise<Tensor[] | null> {
    if (this.#c.output !== "tensors") throw new TfDataError("FailedPrecondition", "this pipeline iterator produces wire elements: call nextWire()");
    return (await this.#nextItem()) as Tensor[] | null;
  }

  /** The next element in wire form, or null at the end. Output format `wire` only. */
  async nextWire(): Promise<WireElement | null> {
    if (this.#c.output !== "wire") throw new TfDataError("FailedPrecondition", "this pipeline iterator produces tensors: call next()");
    return (await this.#nextItem()) as WireElement | null;
  }

  async #nextItem(): Promise<Item | null> {
    this.#consumerReturned();
    for (;;) {
      const r = this.#poll();
      if (r === YIELD) await macrotask();
      else if (r === WAIT) await this.#wait();
      else return r;
    }
  }

  /** Counts the time the consumer spent since the last element was handed out (its own work). */
  #consumerReturned(): void {
    if (this.#handedOutAt > 0) this.#consumerMs += performance.now() - this.#handedOutAt;
    this.#handedOutAt = 0;
  }

  /** Takes the threads' messages that arrived, where the runtime can do that synchronously. */
  #receive(): void {
    for (const r of this.#remotes) if (!r.dead) r.handle.receive?.();
  }

  /**
   * Whether to return to the event loop before going on: a thread without synchronous receive
   * has messages only there, and this thread may be computing chunks for long stretches.
   */
  #yieldDue(): boolean {
    const now = performance.now();
    if (now - this.#lastYield < YIELD_MS) return false;
    if (!this.#remotes.some((r) => !r.dead && r.handle.receive === undefined)) return false;
    this.#lastYield = now;
    return true;
  }

  /**
   * The next element if it can be had without waiting for a thread (it may run a chunk here),
   * null at the end, `undefined` when a thread has to answer first (then await `next()`).
   */
  tryNext(): Tensor[] | null | undefined {
    if (this.#c.output !== "tensors") throw new TfDataError("FailedPrecondition", "this pipeline iterator produces wire elements: call tryNextWire()");
    this.#consumerReturned();
    const r = this.#poll();
    return r === WAIT || r === YIELD ? undefined : (r as Tensor[] | null);
  }

  /** As `tryNext()`, in wire form (output format `wire`). */
  tryNextWire(): WireElement | null | undefined {
    if (this.#c.output !== "wire") throw new TfDataError("FailedPrecondition", "this pipeline iterator produces tensors: call tryNext()");
    this.#consumerReturned();
    const r = this.#poll();
    return r === WAIT || r === YIELD ? undefined : (r as WireElement | null);
  }

  /**
   * Advances without waiting: an item, null at the end, WAIT for a thread's message, or YIELD to
   * let the event loop deliver messages first.
   */
  #poll(): Item | null | typeof WAIT | typeof YIELD {
    for (;;) {
      if (this.#remotes.length > 0) {
        this.#receive();
        if (this.#yieldDue()) return YIELD;
      }
      const cur = this.#current;
      if (cur !== null) {
        if (this.#pos < cur.items.length) {
          this.#handedOutAt = performance.now();
          return cur.items[this.#pos++];
        }
        this.#current = null;
        if (cur.error) throw this.#failWith(cur.error);
        continue;
      }
      if (this.#ended) return null;
      if (this.#closed) throw new TfDataError("FailedPrecondition", "the iterator is closed");
      if (this.#fatal !== null) throw this.#failWith(this.#fatal);
      const r = this.#take();
      if (r !== null) {
        this.#current = r;
        this.#pos = 0;
        continue;
      }
      if (this.#upstreamDone && this.#pending.size === 0 && this.#raw.size === 0) {
        this.#ended = true;
        this.#finish();
        return null;
      }
      if (this.#split.kind === "producer" && this.#producerStarted) {
        if (this.#runProducerChunk()) continue;
        this.#fill();
        return WAIT;
      }
      if (this.#split.kind === "map" && this.#remotes.some((w) => w.ready && !w.dead)) {
        this.#fill();
        // Retired threads finish what they hold first: their results come before new local chunks.
        if (this.#retired && this.#pending.size > 0) return WAIT;
        // Rather than wait, run the next chunk here (a result or two ahead at most).
        const share = this.#c.callerComputes && !this.#upstreamDone && this.#results.size < CHUNKS_PER_THREAD;
        if (this.#pending.size > 0 && !share) return WAIT;
      }
      if (this.#c.mode === "always" && this.#threadsStarting) return WAIT;
      if (this.#upstream === 0) throw this.#failWith({ code: "Internal", message: "parallel pipeline lost its producer thread" });
      this.#runLocalChunk();
      this.#decide();
    }
  }

  /** Ends the pass with `error` (as a one-thread iterator: released, later calls see it closed). */
  #failWith(error: ErrorInfo): TfDataError {
    this.close();
    return new TfDataError(error.code, error.message);
  }

  /** The next result in order (or any, when the map is not deterministic). */
  #take(): Result | null {
    const r = this.#takeResult();
    if (r !== null && this.#localRate > 0) {
      this.#consumed += r.inputs ?? 0;
      if (r.remote) this.#remoteTaken++;
      this.#judgeThreads();
    }
    return r;
  }

  #takeResult(): Result | null {
    const split = this.#split;
    if (split.kind === "map" && !split.deterministic) {
      for (const [seq, r] of this.#results) {
        this.#results.delete(seq);
        return r;
      }
      return null;
    }
    const r = this.#results.get(this.#seqYield);
    if (r === undefined) return null;
    this.#results.delete(this.#seqYield++);
    return r;
  }

  /**
   * The threads' trial (auto mode, this thread computing too): once every thread has delivered
   * (warm-up), measure what the consumer gets for THREAD_TRIAL_MS; if that is no more than this
   * thread managed alone, retire the threads (memory-bound stages can lose to one thread).
   */
  #judgeThreads(): void {
    const live = this.#remotes.filter((r) => !r.dead).length;
    if (live === 0) {
      this.#localRate = 0;
      return;
    }
    const now = performance.now();
    if (this.#trial === null) {
      if (this.#remoteTaken >= live) this.#trial = { t: now, consumed: this.#consumed, remoteTaken: this.#remoteTaken };
      return;
    }
    const elapsed = now - this.#trial.t;
    if (elapsed < THREAD_TRIAL_MS || this.#remoteTaken - this.#trial.remoteTaken < 2 * live) return;
    const rate = (this.#consumed - this.#trial.consumed) / elapsed;
    if (rate <= this.#localRate) this.#retired = true;
    this.#localRate = 0; // judged once
  }

  #unpack(chunk: Chunk): Item[] {
    return chunk.format === "wire" ? unpackWire(chunk) : unpackTensors(chunk);
  }

  /** Runs one chunk here: upstream -> local channel (inside the core) -> stage. */
  #runLocalChunk(): void {
    if (this.#upstreamDone) return;
    const core = this.#core;
    const stage = this.#stage!;
    const seq = this.#seqProduced++;
    core.channelReset(stage.channel);
    const t0 = performance.now();
    if (this.#roundStart === null && this.#localChunks > 0 && !this.#decided) this.#roundStart = { t: t0, taken: this.#upstreamTaken };
    const st = core.channelPump(stage.channel, this.#upstream, this.#chunkSize);
    const t1 = performance.now();
    const n = core.channelLength(stage.channel);
    if (st !== OK) this.#upstreamDone = true;
    this.#upstreamTaken += n;
    const { chunk, error } = stage.drain();
    const t2 = performance.now();
    this.#results.set(seq, { items: this.#unpack(chunk), error, inputs: n });
    if (error) this.#upstreamDone = true;
    if (this.#localChunks++ > 0 && n > 0) {
      this.#upMs += t1 - t0;
      this.#stageMs += t2 - t1;
      this.#chunksMeasured++;
      const upUs = ((t1 - t0) * 1000) / n;
      const stageUs = ((t2 - t1) * 1000) / n;
      const cost = this.#split.kind === "map" ? stageUs : upUs;
      if (this.#best === null || cost < (this.#split.kind === "map" ? this.#best.stageUs : this.#best.upUs)) {
        this.#best = { upUs, stageUs };
      }
    }
    this.#resize(n > 0 ? (t2 - t0) / n : 0, n > 0 ? chunk.byteLength / n : 0);
  }

  /** Picks the next chunk size from the measured cost (ms) and size (bytes) per element. */
  #resize(msPerElement: number, bytesPerElement: number): void {
    const unit = this.#split.unit;
    let n = msPerElement > 0 ? TARGET_CHUNK_MS / msPerElement : this.#chunkSize * 2;
    n = Math.min(n, this.#chunkSize * 4, MAX_CHUNK_ELEMENTS);
    if (bytesPerElement > 0) n = Math.min(n, MAX_CHUNK_BYTES / bytesPerElement);
    this.#chunkSize = roundUp(Math.floor(n), unit);
  }

  /**
   * After a measured local chunk: start threads when the measurements say they pay off. The
   * decision uses the cheapest chunk of the round, so a GC pause or a busy machine does not make
   * a cheap function look costly.
   */
  #decide(): void {
    if (this.#decided || this.#upstreamDone) return;
    const split = this.#split;
    // What is measured: the stage for a map split (plus the upstream when it may fall back to a
    // producer), the upstream for a producer split.
    const spent = split.kind === "map" ? this.#stageMs + (split.fallback !== undefined ? this.#upMs : 0) : this.#upMs;
    if (spent < CALIBRATION_MS || this.#chunksMeasured < CALIBRATION_CHUNKS || this.#best === null) return;
    const { upUs, stageUs } = this.#best;
    // A producer only helps when there is work here to overlap with: the consumer's own, and
    // the stage it runs here. A caller that must stay responsive (callerComputes off: a server's
    // event loop) hands costly upstream work to a producer regardless.
    const overlap = this.#consumerMs + this.#stageMs >= PRODUCER_MIN_OVERLAP * this.#upMs;
    const producerPays = upUs >= PRODUCER_MIN_US && (overlap || !this.#c.callerComputes);
    if (split.kind === "map") {
      if (stageUs >= PARALLEL_MIN_STAGE_US && stageUs >= 2 * upUs) {
        // Where this thread computes too, the threads go on trial against this rate.
        const start = this.#roundStart;
        if (this.#c.callerComputes && start !== null) this.#localRate = (this.#upstreamTaken - start.taken) / (performance.now() - start.t);
        this.#startThreads();
      }
      else if (split.fallback !== undefined && producerPays) {
        // A cheap parallel map over a prefetch over costly work (the service's compression map
        // over a user's `prefetch`): the prefetch's input moves to a producer thread instead.
        // The local stage is the fallback's stage already, so the switch is exact.
        this.#split = split.fallback;
        this.#startThreads();
      }
    } else if (producerPays) {
      this.#startThreads();
    }
    // Re-measured from scratch, so a pipeline that gets costly later is still caught.
    if (!this.#decided) {
      this.#roundStart = null;
      this.#upMs = 0;
      this.#stageMs = 0;
      this.#consumerMs = 0;
      this.#chunksMeasured = 0;
      this.#best = null;
    }
  }

  #startThreads(): void {
    this.#decided = true;
    const c = this.#c;
    const n = this.#threadCount();
    if (c.threads === null || n === 0) return;
    const producer = this.#split.kind === "producer";
    const plan = producer ? this.#split.upstream : this.#split.stage;
    // Synchronously: a consumer looping over ready elements may not let promises run for long.
    const module = c.module;
    this.#threadsStarting = true;
    for (let i = 0; i < n; i++) {
      let handle: ThreadHandle;
      try {
        handle = c.threads!.spawn();
      } catch {
        break; // no (more) threads here after all: the run goes on with what it has
      }
      const r: Remote = { handle, ready: false, dead: false, load: 0 };
      this.#remotes.push(r);
      handle.onMessage((m) => this.#onMessage(r, m as FromStage));
      handle.onExit((e) => this.#onExit(r, e));
      // After the listeners: attaching a message listener may ref the thread again.
      handle.unref?.();
      if (producer) {
        handle.postMessage({ t: "produce", module, plan, pass: c.pass, output: this.#producerFormat() });
      } else {
        handle.postMessage({ t: "init", module, plan, output: c.output });
      }
    }
    this.#settleStarting();
  }

  /** Ends the starting phase once every thread answered (or none could be started). */
  #settleStarting(): void {
    if (this.#remotes.every((r) => r.ready || r.dead)) {
      this.#threadsStarting = false;
      this.#notify();
    }
  }

  /** What the producer sends: final outputs when the stage is empty, else upstream elements. */
  #producerFormat(): OutputFormat {
    return this.#split.stage.op === "channel" ? this.#c.output : "tensors";
  }

  #onMessage(r: Remote, m: FromStage): void {
    if (this.#closed) return;
    if (m.t === "ready") {
      this.#threadsStarting = this.#remotes.some((x) => x !== r && !x.ready && !x.dead);
      if (m.error) {
        // The thread could not build what this thread built: keep going here without it.
        r.dead = true;
        r.handle.terminate();
      } else {
        r.ready = true;
        if (this.#split.kind === "producer") this.#startProducer(r);
        else this.#fill();
      }
    } else if (m.t === "out" || m.t === "produced") {
      this.#pending.delete(m.seq);
      r.load--;
      if (m.t === "produced") {
        this.#raw.set(m.seq, { chunk: m.chunk, error: m.error, end: m.end });
        if (m.end || m.error) this.#upstreamDone = true;
      } else {
        const inputs = this.#dealt.get(m.seq) ?? 0;
        this.#results.set(m.seq, { items: this.#unpack(m.chunk), error: m.error, inputs, remote: true });
        if (m.recycled) this.#inputPool.give(m.recycled);
        this.#lastOutBytes = m.chunk.byteLength;
        // The stream ends at this error: every chunk before it is dealt already, none after is needed.
        if (m.error) this.#upstreamDone = true;
        this.#dealt.delete(m.seq);
        if (inputs > 0 && m.ms > 0) this.#resize(m.ms / inputs, m.chunk.byteLength / inputs);
      }
      this.#fill();
    }
    this.#notify();
  }

  #onExit(r: Remote, e: Error): void {
    r.dead = true;
    this.#threadsStarting = this.#remotes.some((x) => !x.ready && !x.dead);
    if (this.#closed || this.#ended) return;
    const lost = [...this.#pending.values()].includes(r) || (this.#split.kind === "producer" && this.#producerStarted);
    if (lost) this.#fatal = { code: "Internal", message: `a parallel pipeline thread exited unexpectedly: ${e.message}` };
    this.#notify();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /**
   * Waits for a thread's message. Threads are unref'd (they never keep the process alive on
   * their own), so a timer does while someone waits on them.
   */
  async #wait(): Promise<void> {
    const keepAlive = setInterval(() => undefined, KEEP_ALIVE_MS);
    try {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Keeps the threads busy: map split, deals chunks; producer split, asks for chunks. */
  #fill(): void {
    if (this.#closed || this.#ended || this.#fatal !== null) return;
    if (this.#split.kind === "producer") {
      const r = this.#remotes.find((x) => x.ready && !x.dead);
      if (!r || !this.#producerStarted) return;
      const window = Math.max(2, Math.ceil(Math.max(1, this.#split.bufferSize) / this.#chunkSize));
      while (!this.#upstreamDone && this.#pending.size + this.#raw.size + this.#results.size < window) {
        const seq = this.#seqProduced++;
        this.#pending.set(seq, r);
        r.load++;
        r.handle.postMessage({ t: "more", seq, count: this.#chunkSize });
      }
      return;
    }
    if (this.#retired) {
      if (this.#pending.size === 0) this.#stopThreads();
      return;
    }
    const ready = this.#remotes.filter((x) => x.ready && !x.dead);
    if (ready.length === 0) return;
    // Results nobody has taken yet count too: the consumer's pace bounds the work ahead.
    const window = (this.#lastOutBytes >= BIG_CHUNK_BYTES ? 1 : CHUNKS_PER_THREAD) * ready.length;
    while (!this.#upstreamDone && this.#pending.size + this.#results.size < window) {
      let r = ready[0];
      for (const x of ready) if (x.load < r.load) r = x;
      const { chunk, error } = this.#packUpstream();
      if (chunk.count > 0 || error) {
        const seq = this.#seqProduced++;
        this.#pending.set(seq, r);
        this.#dealt.set(seq, chunk.count);
        r.load++;
        r.handle.postMessage({ t: "chunk", seq, chunk, error }, chunkTransfer(chunk));
      }
    }
  }

  /** Takes the next chunk of upstream elements here, packed for a thread. */
  #packUpstream(): { chunk: Chunk; error?: ErrorInfo } {
    const core = this.#core;
    const writer = new ChunkWriter("tensors", this.#writerCapacity, this.#inputPool);
    let error: ErrorInfo | undefined;
    try {
      for (let i = 0; i < this.#chunkSize; i++) {
        const st = core.nextInto(this.#upstream, writer);
        if (st === OK) continue;
        this.#upstreamDone = true;
        if (st !== END) error = core.errorInfo(st);
        break;
      }
    } catch (e) {
      this.#upstreamDone = true;
      error = toErrorInfo(e);
    }
    this.#upstreamTaken += writer.count;
    this.#writerCapacity = writer.packedLength;
    if (writer.count > 0) this.#inBytesPerElement = writer.byteLength / writer.count;
    const chunk = writer.finish();
    if (this.#inBytesPerElement > 0) {
      const maxByBytes = Math.max(1, Math.floor(MAX_CHUNK_BYTES / this.#inBytesPerElement));
      if (this.#chunkSize > maxByBytes) this.#chunkSize = roundUp(maxByBytes, this.#split.unit);
    }
    return { chunk, error };
  }

  /** Hands the pass over to the producer thread at the point this thread reached. */
  #startProducer(r: Remote): void {
    this.#producerStarted = true;
    this.#nextRaw = this.#seqProduced;
    r.handle.postMessage({ t: "start", skip: this.#upstreamTaken });
    // The producer owns the upstream from here on; results made here stay in order before it.
    this.#core.release(this.#upstream);
    this.#upstream = 0;
    this.#fill();
  }

  /** Runs the oldest producer chunk through the local stage; false when none has arrived. */
  #runProducerChunk(): boolean {
    const seq = this.#nextRaw;
    const raw = this.#raw.get(seq);
    if (raw === undefined) return false;
    this.#raw.delete(seq);
    this.#nextRaw++;
    if (this.#split.stage.op === "channel") {
      this.#results.set(seq, { items: this.#unpack(raw.chunk), error: raw.error });
      this.#recycleProduced(raw.chunk);
    } else {
      const stage = this.#stage!;
      try {
        this.#core.channelReset(stage.channel);
        this.#core.channelPushChunk(stage.channel, raw.chunk);
        this.#recycleProduced(raw.chunk);
        if (raw.error) this.#core.channelFail(stage.channel, raw.error);
        const { chunk, error } = stage.drain();
        this.#results.set(seq, { items: this.#unpack(chunk), error });
      } catch (e) {
        this.#results.set(seq, { items: [], error: toErrorInfo(e) });
      }
    }
    this.#fill();
    return true;
  }

  /** Gives a producer chunk's shared buffers back once they are copied out (see Producer.pool). */
  #recycleProduced(chunk: Chunk): void {
    const buffers = sharedBuffers(chunk);
    const r = this.#remotes.find((x) => !x.dead);
    if (buffers.length > 0 && r !== undefined) r.handle.postMessage({ t: "recycle", buffers });
  }

  /** Releases everything once the pass is over (end, error). */
  #finish(): void {
    this.#stopThreads();
    this.#releaseCore();
  }

  #stopThreads(): void {
    for (const r of this.#remotes) {
      if (r.dead) continue;
      r.dead = true;
      r.handle.terminate();
    }
    this.#pending.clear();
    this.#dealt.clear();
  }

  #releaseCore(): void {
    if (this.#upstream !== 0) this.#core.release(this.#upstream);
    this.#upstream = 0;
    this.#stage?.close();
    this.#stage = null;
  }

  /** Stops the pass: terminates its threads and releases its core objects (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#results.clear();
    this.#raw.clear();
    this.#current = null;
    this.#finish();
    this.#notify();
  }
}
