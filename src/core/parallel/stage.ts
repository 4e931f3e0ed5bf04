/**
 * A stage: the part of a split plan that runs over a channel (split.ts), built once in a core and
 * run once per chunk. Used by stage threads and, for the chunks it runs itself, the calling thread.
 */
import { isTfDataError } from "../errors.js";
import { ChunkWriter, type Chunk, type LargeBuffers } from "./chunk.js";
import type { ErrorInfo, InitMessage, OutputFormat } from "./protocol.js";
import { END, OK, type RawCore } from "./raw-core.js";
import { bindChannel } from "./split.js";

/** An unexpected failure as an ErrorInfo (TfDataErrors keep their code and message). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (isTfDataError(e)) return { code: e.code, message: e.message };
  return { code: "Internal", message: `parallel pipeline thread failed: ${e instanceof Error ? e.message : String(e)}` };
}

/** A built stage: one core, one channel, one kept dataset. */
export class Stage {
  #writerCapacity = 0;

  private constructor(
    readonly core: RawCore,
    readonly channel: number,
    readonly dataset: number,
    readonly output: OutputFormat,
    /** Where large output components go (plain buffers: transferred to the consumer as they are). */
    readonly large: LargeBuffers,
  ) {}

  /** Builds `plan` (a stage template) over a new channel of `core`. */
  static build(core: RawCore, plan: InitMessage["plan"], output: OutputFormat, large: LargeBuffers = "plain"): Stage {
    const channel = core.channelOpen();
    try {
      return new Stage(core, channel, core.createDataset(bindChannel(plan, channel)), output, large);
    } catch (e) {
      core.channelRelease(channel);
      throw e;
    }
  }

  /**
   * Runs the stage over what the channel holds now (the caller filled it), returning the packed
   * outputs and the error that ended them.
   */
  drain(): { chunk: Chunk; error?: ErrorInfo } {
    const core = this.core;
    const writer = new ChunkWriter(this.output, this.#writerCapacity, this.large);
    let error: ErrorInfo | undefined;
    let it = 0;
    try {
      it = core.iterator(this.dataset);
      for (;;) {
        const st = this.output === "wire" ? core.nextWireInto(it, writer) : core.nextInto(it, writer);
        if (st === END) break;
        if (st !== OK) {
          error = core.errorInfo(st);
          break;
        }
      }
    } catch (e) {
      error = toErrorInfo(e);
    } finally {
      core.release(it);
    }
    this.#writerCapacity = writer.packedLength;
    return { chunk: writer.finish(), error };
  }

  /** Releases the stage's dataset and channel. */
  close(): void {
    this.core.release(this.dataset);
    this.core.channelRelease(this.channel);
  }
}
