/**
 * The body of a parallel runner thread (runtime-neutral; `src/runtime/*-threads.ts` call it from
 * the thread's entry). It loads its own core and plays one role:
 * - stage (map split): builds its stage once, then turns each input chunk into an output chunk:
 *   the chunk's elements go into the stage's channel, a fresh stage iterator drains them (a chunk
 *   is a self-contained stretch of the stream, see split.ts), and the outputs are posted back
 *   with the error that ended them, if any;
 * - producer (prefetch split): replays the pass of its upstream and sends chunks on request.
 */
import { BufferPool } from "./buffer-pool.js";
import { ChunkWriter, chunkTransfer, sharedBuffers, type Chunk } from "./chunk.js";
import type {
  ChunkMessage, ErrorInfo, MoreMessage, OutputFormat, OutputMessage, ProduceMessage, ProducedMessage, ReadyMessage, ToStage,
} from "./protocol.js";
import { END, OK, RawCore } from "./raw-core.js";
import { Stage, toErrorInfo } from "./stage.js";
import type { ThreadEndpoint } from "./threads.js";

/** A producer: one pass of an upstream plan in this thread, sent on request in chunks. */
class Producer {
  #ended = false;
  #error: ErrorInfo | undefined;
  #writerCapacity = 0;
  /**
   * Large components go out in pooled shared buffers, which the calling thread copies out and
   * gives back: it has no chunks of its own to run meanwhile, and a warm copy there costs less
   * than adopting fresh transferred memory (full GCs) plus faulting in new pages here.
   */
  readonly pool = new BufferPool();

  constructor(readonly core: RawCore, readonly dataset: number, readonly iterator: number, readonly output: OutputFormat) {}

  /** Builds pass `pass` of `plan` (replaying the passes before it, for reshuffling state). */
  static build(core: RawCore, m: ProduceMessage): Producer {
    const ds = core.createDataset(m.plan);
    for (let p = 0; p < m.pass; p++) core.release(core.iterator(ds));
    return new Producer(core, ds, core.iterator(ds), m.output);
  }

  /** Drops the first `n` elements (the caller made them already). */
  skip(n: number): void {
    for (let i = 0; i < n && !this.#ended; i++) {
      const st = this.core.advance(this.iterator);
      if (st === OK) continue;
      this.#ended = true;
      if (st !== END) this.#error = this.core.errorInfo(st);
    }
  }

  /** The next `count` elements (fewer at the end), and the error that ended them. */
  produce(seq: number, count: number): ProducedMessage {
    const core = this.core;
    const writer = new ChunkWriter(this.output, this.#writerCapacity, this.pool);
    let error: ErrorInfo | undefined;
    if (!this.#ended) {
      try {
        for (let i = 0; i < count; i++) {
          const st = this.output === "wire" ? core.nextWireInto(this.iterator, writer) : core.nextInto(this.iterator, writer);
          if (st === OK) continue;
          this.#ended = true;
          if (st !== END) this.#error = error = core.errorInfo(st);
          break;
        }
      } catch (e) {
        this.#ended = true;
        this.#error = error = toErrorInfo(e);
      }
    }
    this.#writerCapacity = writer.packedLength;
    return { t: "produced", seq, chunk: writer.finish(), end: this.#ended, error };
  }

  close(): void {
    this.core.release(this.iterator);
    this.core.release(this.dataset);
  }
}

/** Runs the stage or producer loop on `endpoint` until a `close` message. */
export function runStageThread(endpoint: ThreadEndpoint): void {
  let stage: Stage | null = null;
  let producer: Producer | null = null;
  let failed: ErrorInfo | null = null;
  // Messages are handled one at a time, in order; the init is asynchronous (instantiation).
  const queue: ToStage[] = [];
  let busy = false;

  const handleChunk = (m: ChunkMessage): void => {
    const t0 = performance.now();
    let result: { chunk: Chunk; error?: ErrorInfo };
    if (stage === null) {
      result = { chunk: new ChunkWriter(m.chunk.format, 0).finish(), error: failed ?? { code: "Internal", message: "stage thread is not initialised" } };
    } else {
      try {
        stage.core.channelReset(stage.channel);
        stage.core.channelPushChunk(stage.channel, m.chunk);
        if (m.error) stage.core.channelFail(stage.channel, m.error);
        result = stage.drain();
      } catch (e) {
        result = { chunk: new ChunkWriter(stage.output, 0).finish(), error: toErrorInfo(e) };
      }
    }
    const out: OutputMessage = {
      t: "out", seq: m.seq, chunk: result.chunk, error: result.error, ms: performance.now() - t0, recycled: sharedBuffers(m.chunk),
    };
    endpoint.postMessage(out, chunkTransfer(result.chunk));
  };

  const handleMore = (m: MoreMessage): void => {
    const out: ProducedMessage = producer !== null
      ? producer.produce(m.seq, m.count)
      : {
        t: "produced", seq: m.seq, chunk: new ChunkWriter("tensors", 0).finish(), end: true,
        error: failed ?? { code: "Internal", message: "producer thread is not initialised" },
      };
    endpoint.postMessage(out, chunkTransfer(out.chunk));
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      while (queue.length > 0) {
        const m = queue.shift()!;
        if (m.t === "init" || m.t === "produce") {
          try {
            const core = await RawCore.load(m.module);
            if (m.t === "init") stage = Stage.build(core, m.plan, m.output);
            else producer = Producer.build(core, m);
            endpoint.postMessage({ t: "ready" } satisfies ReadyMessage);
          } catch (e) {
            failed = toErrorInfo(e);
            endpoint.postMessage({ t: "ready", error: failed } satisfies ReadyMessage);
          }
        } else if (m.t === "chunk") {
          handleChunk(m);
        } else if (m.t === "start") {
          producer?.skip(m.skip);
        } else if (m.t === "more") {
          handleMore(m);
        } else if (m.t === "recycle") {
          producer?.pool.give(m.buffers);
        } else {
          stage?.close();
          producer?.close();
          stage = producer = null;
          endpoint.exit();
          return;
        }
      }
    } finally {
      busy = false;
    }
  };

  endpoint.onMessage((m) => {
    queue.push(m as ToStage);
    void pump();
  });
}
