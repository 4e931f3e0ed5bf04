/**
 * Messages between the parallel runner (pipeline-run.ts, the calling thread) and a stage thread
 * (stage-thread.ts). Everything is structured-clone data: plans (bigints, Uint8Arrays), chunks
 * (their buffers are transferred, not copied) and error codes with their messages.
 */
import type { TfDataErrorCode } from "../errors.js";
import type { DatasetPlan } from "../plan.js";
import type { Chunk } from "./chunk.js";

/** An error crossing threads: the same code and message are rethrown on the other side. */
export interface ErrorInfo {
  readonly code: TfDataErrorCode;
  readonly message: string;
}

/** What a stage thread's outputs look like: host tensors, or TF wire elements for the service. */
export type OutputFormat = "tensors" | "wire";

/** Calling thread -> stage thread: load the core and build the stage. */
export interface InitMessage {
  readonly t: "init";
  /** The compiled core (or its bytes, where modules cannot be posted). */
  readonly module: WebAssembly.Module | Uint8Array;
  /** The stage: a plan whose `channel` node (any id) is fed with the chunks this thread receives. */
  readonly plan: DatasetPlan;
  readonly output: OutputFormat;
}

/** Calling thread -> stage thread: run the stage over these input elements. */
export interface ChunkMessage {
  readonly t: "chunk";
  readonly seq: number;
  readonly chunk: Chunk;
  /** The producer failed after these elements: the stage sees this error where it would have. */
  readonly error?: ErrorInfo;
}

/** Calling thread -> producer thread: load the core and replay pass `pass` of `plan`. */
export interface ProduceMessage {
  readonly t: "produce";
  readonly module: WebAssembly.Module | Uint8Array;
  /** The upstream plan (no channel). */
  readonly plan: DatasetPlan;
  /** Iterators of the dataset made before this one (reshuffling state), 0 for the first pass. */
  readonly pass: number;
  readonly output: OutputFormat;
}

/** Calling thread -> producer thread: drop the first `skip` elements (made by the caller already). */
export interface StartMessage {
  readonly t: "start";
  readonly skip: number;
}

/** Calling thread -> producer thread: send the next `count` elements as chunk `seq`. */
export interface MoreMessage {
  readonly t: "more";
  readonly seq: number;
  readonly count: number;
}

/** Producer thread -> calling thread: chunk `seq` of the upstream's elements. */
export interface ProducedMessage {
  readonly t: "produced";
  readonly seq: number;
  readonly chunk: Chunk;
  /** The upstream ended after these elements. */
  readonly end: boolean;
  readonly error?: ErrorInfo;
}

/** Calling thread -> producer thread: shared buffers of a produced chunk, read, for reuse. */
export interface RecycleMessage {
  readonly t: "recycle";
  readonly buffers: SharedArrayBuffer[];
}

/** Calling thread -> stage thread: finish and exit. */
export interface CloseMessage {
  readonly t: "close";
}

/** Stage thread -> calling thread: the stage is built (or could not be). */
export interface ReadyMessage {
  readonly t: "ready";
  readonly error?: ErrorInfo;
}

/** Stage thread -> calling thread: the outputs of chunk `seq`, then maybe the error that ended them. */
export interface OutputMessage {
  readonly t: "out";
  readonly seq: number;
  readonly chunk: Chunk;
  readonly error?: ErrorInfo;
  /** Milliseconds the stage spent on the chunk (for chunk sizing). */
  readonly ms: number;
  /** The input chunk's shared buffers, read and given back to the calling thread's pool. */
  readonly recycled?: SharedArrayBuffer[];
}


/** Any message to a stage thread. */
export type ToStage = InitMessage | ChunkMessage | ProduceMessage | StartMessage | MoreMessage | RecycleMessage | CloseMessage;
/** Any message from a stage thread. */
export type FromStage = ReadyMessage | OutputMessage | ProducedMessage;
