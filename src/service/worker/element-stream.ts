/**
 * The worker side of `tfdata.v1.ElementStreamService` (proto/tfdata/v1/transfer.proto): one server
 * stream per (client, task) carrying many elements per message, paced by the client's credits.
 * It reads the same task runner as `GetElement`, so both can serve one task at once; a TF client
 * never sees it (it only talks `GetElement`).
 *
 * Credits: a stream may take an element off its task only while it holds an element credit and a
 * positive byte credit; each element costs one element credit and its serialized size in bytes
 * (so bytes may overshoot by one element). Elements are packed into a message until it holds
 * {@link STREAM_MAX_MESSAGE_ELEMENTS} elements or {@link STREAM_MAX_MESSAGE_BYTES} bytes, the
 * credits run out, or {@link STREAM_MESSAGE_LINGER_MS} of producing has passed.
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  GrantCreditsResponseSchema,
  StreamElementsResponseSchema,
  type GrantCreditsRequest,
  type GrantCreditsResponse,
  type StreamElementSchema,
  type StreamElementsRequest,
  type StreamElementsResponse,
} from "../../gen/tfdata/v1/transfer_pb.js";
import { toConnectError } from "../errors.js";
import type { TaskRunner } from "./task-runner.js";

/** `DataTransferServerInfo.protocol` under which a worker advertises the element stream. */
export const ELEMENT_STREAM_PROTOCOL = "tfdata-stream";
/** Most elements packed into one stream message. */
export const STREAM_MAX_MESSAGE_ELEMENTS = 4096;
/** A message is sent once its elements reach this many bytes (one larger element goes alone). */
export const STREAM_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Longest a message waits for more elements to be produced before it is sent. */
export const STREAM_MESSAGE_LINGER_MS = 2;
/** Most element streams one worker keeps open at once; more are refused (RESOURCE_EXHAUSTED). */
export const MAX_ELEMENT_STREAMS = 10_000;
/** Largest element credit a stream holds (grants beyond it are clamped). */
export const MAX_STREAM_CREDIT_ELEMENTS = 2 ** 31;
/** Largest byte credit a stream holds (grants beyond it are clamped). */
export const MAX_STREAM_CREDIT_BYTES = 2 ** 50;

/** How a stream finds its task: what `WorkerState` offers it. */
export interface StreamTaskHost {
  /**
   * The task's runner (initialising it on first use), or `"finished"` when the task is one the
   * dispatcher deleted (end of sequence); throws what `GetElement` would (unknown task, shutdown).
   */
  openTask(taskId: bigint): Promise<{ readonly runner: TaskRunner; readonly current: () => boolean } | "finished">;
  /** Throws the error `GetElement` answers while the worker is not serving (shutdown). */
  checkServing(): void;
  /** Records that the task reached end of sequence (reported to the dispatcher). */
  markCompleted(taskId: bigint): void;
}

/** One open stream's credits, and the wait for more. */
class StreamCredits {
  private wake: (() => void) | undefined;

  constructor(readonly id: bigint, readonly taskId: bigint, public elements: number, public bytes: number) {}

  /** True while an element may be sent. */
  get available(): boolean {
    return this.elements > 0 && this.bytes > 0;
  }

  grant(elements: number, bytes: number): void {
    this.elements = Math.min(this.elements + elements, MAX_STREAM_CREDIT_ELEMENTS);
    this.bytes = Math.min(this.bytes + bytes, MAX_STREAM_CREDIT_BYTES);
    this.notify();
  }

  take(bytes: number): void {
    this.elements--;
    this.bytes -= bytes;
  }

  /** Resolves on the next grant or {@link notify} (task deleted, worker stopping, client gone). */
  waitForChange(): Promise<void> {
    return new Promise<void>((resolve) => (this.wake = resolve));
  }

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Clamps a requested credit (an int64) to a non-negative number, or fails on a negative one. */
function credit(value: bigint, field: string): number {
  if (value < 0n) {
    throw new ConnectError(`${field} must be >= 0, got ${value}.`, Code.InvalidArgument);
  }
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

/** The open streams of one worker and their handlers. */
export class ElementStreams {
  private readonly open = new Map<bigint, StreamCredits>();
  private nextId = 1n;

  constructor(private readonly host: StreamTaskHost) {}

  /** Number of open streams (for tests and introspection). */
  get size(): number {
    return this.open.size;
  }

  /** `GrantCredits`. */
  grantCredits(req: GrantCreditsRequest): GrantCreditsResponse {
    const elements = credit(req.creditElements, "GrantCreditsRequest.credit_elements");
    const bytes = credit(req.creditBytes, "GrantCreditsRequest.credit_bytes");
    const stream = this.open.get(req.streamId);
    if (!stream) {
      throw new ConnectError(`Element stream ${req.streamId} is not open on this worker (it ended, or never existed).`,
        Code.NotFound);
    }
    stream.grant(elements, bytes);
    return create(GrantCreditsResponseSchema, {});
  }

  /** Wakes the streams of a task the dispatcher deleted, so they notice. */
  taskStopped(taskId: bigint): void {
    for (const s of this.open.values()) if (s.taskId === taskId) s.notify();
  }

  /** Wakes every stream (the worker is stopping; they end with its error). */
  stopAll(): void {
    for (const s of this.open.values()) s.notify();
  }

  /** `StreamElements`: see the module comment. */
  async *streamElements(req: StreamElementsRequest, signal: AbortSignal): AsyncGenerator<StreamElementsResponse> {
    const taskId = req.taskId;
    const elements = credit(req.creditElements, "StreamElementsRequest.credit_elements");
    const bytes = credit(req.creditBytes, "StreamElementsRequest.credit_bytes");
    const opened = await this.host.openTask(taskId);
    if (opened === "finished") {
      yield create(StreamElementsResponseSchema, { endOfSequence: true });
      return;
    }
    if (this.open.size >= MAX_ELEMENT_STREAMS) {
      throw new ConnectError(`This worker already serves ${MAX_ELEMENT_STREAMS} element streams; retry later.`,
        Code.ResourceExhausted);
    }
    const stream = new StreamCredits(this.nextId++, taskId, Math.min(elements, MAX_STREAM_CREDIT_ELEMENTS),
      Math.min(bytes, MAX_STREAM_CREDIT_BYTES));
    this.open.set(stream.id, stream);
    const onAbort = () => stream.notify();
    signal.addEventListener("abort", onAbort);
    try {
      yield* this.pump(stream, opened.runner, opened.current, signal);
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.open.delete(stream.id);
    }
  }

  private async *pump(stream: StreamCredits, runner: TaskRunner, current: () => boolean, signal: AbortSignal):
    AsyncGenerator<StreamElementsResponse> {
    let first = true;
    for (;;) {
      if (signal.aborted) return;
      this.host.checkServing();
      if (!current()) {
        // The dispatcher deleted the task: answer as GetElement then would.
        const again = await this.host.openTask(stream.taskId);
        if (again === "finished") {
          yield create(StreamElementsResponseSchema, { streamId: first ? stream.id : 0n, endOfSequence: true });
          return;
        }
        ({ runner, current } = again);
        continue;
      }
      if (!stream.available) {
        if (first) {
          first = false;
          yield create(StreamElementsResponseSchema, { streamId: stream.id });
          continue;
        }
        await stream.waitForChange();
        continue;
      }
      const batch: MessageInitShape<typeof StreamElementSchema>[] = [];
      let batchBytes = 0;
      let end = false;
      let failure: unknown;
      const started = performance.now();
      while (stream.available && batch.length < STREAM_MAX_MESSAGE_ELEMENTS && batchBytes < STREAM_MAX_MESSAGE_BYTES) {
        let result;
        try {
          result = await runner.getNext({ allowSkip: false });
        } catch (err) {
          failure = err;
          break;
        }
        if (result.kind === "end") {
          end = true;
          break;
        }
        if (result.kind === "skip") break;
        const { kind, bytes } = result.element;
        batch.push({ element: { case: kind, value: bytes }, elementIndex: result.elementIndex });
        batchBytes += bytes.length;
        stream.take(bytes.length);
        if (performance.now() - started >= STREAM_MESSAGE_LINGER_MS) break;
      }
      if (failure !== undefined && batch.length === 0) {
        if (!current()) continue; // deleted while producing: the top of the loop answers
        throw failure;
      }
      if (end) this.host.markCompleted(stream.taskId);
      yield create(StreamElementsResponseSchema, {
        streamId: first ? stream.id : 0n,
        elements: batch,
        endOfSequence: end,
      });
      first = false;
      if (end) return;
      // A failure after some elements: they went out first; the sticky error comes next round.
    }
  }
}

/** A server-streaming handler whose errors reach the peer as `ConnectError`s with the right code. */
export async function* guardStream<T>(messages: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* messages;
  } catch (err) {
    throw toConnectError(err);
  }
}
