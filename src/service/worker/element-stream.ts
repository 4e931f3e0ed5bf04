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
 *
 * Messages are produced as neutral batches and encoded twice over: as typed messages for Connect
 * (every protocol), and as serialized chunks for runtimes that serve plain gRPC without Connect
 * (large elements are then written as they came out of the core, never copied again).
 */
import { Code, ConnectError } from "@connectrpc/connect";
import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import {
  GrantCreditsRequestSchema,
  GrantCreditsResponseSchema,
  StreamElementsRequestSchema,
  StreamElementsResponseSchema,
  type GrantCreditsRequest,
  type GrantCreditsResponse,
  type StreamElementsRequest,
  type StreamElementsResponse,
} from "../../gen/tfdata/v1/transfer_pb.js";
import { toConnectError } from "../errors.js";
import type { TaskRunner, WireElement } from "./task-runner.js";

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
/** Elements at least this large are written as their own chunk (not copied) by the wire encoder. */
export const STREAM_WIRE_OWN_CHUNK_BYTES = 16 * 1024;
/** The gRPC path of `StreamElements`. */
export const STREAM_ELEMENTS_PATH = "/tfdata.v1.ElementStreamService/StreamElements";
/** The gRPC path of `GrantCredits`. */
export const GRANT_CREDITS_PATH = "/tfdata.v1.ElementStreamService/GrantCredits";

/** One stream message before it is encoded. */
interface StreamBatch {
  /** Non-zero in the first message only. */
  readonly streamId: bigint;
  readonly elements: readonly { readonly element: WireElement; readonly elementIndex: bigint }[];
  readonly endOfSequence: boolean;
}

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

  /** `GrantCredits` on serialized messages (plain gRPC without Connect). */
  grantCreditsWire(request: Uint8Array): readonly Uint8Array[] {
    this.grantCredits(parse(GrantCreditsRequestSchema, request));
    return [toBinary(GrantCreditsResponseSchema, create(GrantCreditsResponseSchema, {}))];
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
    for await (const batch of this.batches(req, signal)) {
      yield create(StreamElementsResponseSchema, {
        streamId: batch.streamId,
        elements: batch.elements.map(({ element, elementIndex }) => ({
          element: { case: element.kind, value: element.bytes },
          elementIndex,
        })),
        endOfSequence: batch.endOfSequence,
      });
    }
  }

  /** `StreamElements` on serialized messages (plain gRPC without Connect): the same messages, as chunks. */
  async *streamElementsWire(request: Uint8Array, signal: AbortSignal): AsyncGenerator<readonly Uint8Array[]> {
    for await (const batch of this.batches(parse(StreamElementsRequestSchema, request), signal)) {
      yield encodeBatch(batch);
    }
  }

  private async *batches(req: StreamElementsRequest, signal: AbortSignal): AsyncGenerator<StreamBatch> {
    const taskId = req.taskId;
    const elements = credit(req.creditElements, "StreamElementsRequest.credit_elements");
    const bytes = credit(req.creditBytes, "StreamElementsRequest.credit_bytes");
    const opened = await this.host.openTask(taskId);
    if (opened === "finished") {
      yield { streamId: 0n, elements: [], endOfSequence: true };
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
    AsyncGenerator<StreamBatch> {
    let first = true;
    for (;;) {
      if (signal.aborted) return;
      this.host.checkServing();
      if (!current()) {
        // The dispatcher deleted the task: answer as GetElement then would.
        const again = await this.host.openTask(stream.taskId);
        if (again === "finished") {
          yield { streamId: first ? stream.id : 0n, elements: [], endOfSequence: true };
          return;
        }
        ({ runner, current } = again);
        continue;
      }
      if (!stream.available) {
        if (first) {
          first = false;
          yield { streamId: stream.id, elements: [], endOfSequence: false };
          continue;
        }
        await stream.waitForChange();
        continue;
      }
      const batch: { element: WireElement; elementIndex: bigint }[] = [];
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
        const { element, elementIndex } = result;
        batch.push({ element, elementIndex });
        batchBytes += element.bytes.length;
        stream.take(element.bytes.length);
        if (performance.now() - started >= STREAM_MESSAGE_LINGER_MS) break;
      }
      if (failure !== undefined && batch.length === 0) {
        if (!current()) continue; // deleted while producing: the top of the loop answers
        throw failure;
      }
      if (end) this.host.markCompleted(stream.taskId);
      yield { streamId: first ? stream.id : 0n, elements: batch, endOfSequence: end };
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

/** Parses a request message, or fails with INVALID_ARGUMENT. */
function parse<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new ConnectError(`Malformed ${schema.typeName}: ${err instanceof Error ? err.message : String(err)}`,
      Code.InvalidArgument);
  }
}

/** Builds serialized bytes as chunks: small parts are copied together, large ones are kept as they are. */
class ChunkWriter {
  private readonly chunks: Uint8Array[] = [];
  private buf: Uint8Array;
  private pos = 0;

  constructor(sizeHint: number) {
    this.buf = new Uint8Array(Math.max(64, sizeHint));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** A non-negative integer below 2^53 as a varint. */
  varint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** An int64 / uint64 as a varint (two's complement, as protobuf writes negative int64s). */
  varint64(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    if (u <= BigInt(Number.MAX_SAFE_INTEGER)) return this.varint(Number(u));
    this.room(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  bytes(b: Uint8Array): void {
    if (b.length < STREAM_WIRE_OWN_CHUNK_BYTES) {
      this.room(b.length);
      this.buf.set(b, this.pos);
      this.pos += b.length;
      return;
    }
    this.flush();
    this.chunks.push(b);
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    if (this.buf.length < 64) this.buf = new Uint8Array(256);
  }

  finish(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }
}

/** Bytes of a varint. */
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

function varint64Size(v: bigint): number {
  let u = BigInt.asUintN(64, v);
  let size = 1;
  while (u >= 0x80n) {
    u >>= 7n;
    size++;
  }
  return size;
}

/** A batch as a serialized `StreamElementsResponse` (see proto/tfdata/v1/transfer.proto), in chunks. */
export function encodeBatch(batch: StreamBatch): Uint8Array[] {
  let small = 16;
  for (const { element } of batch.elements) if (element.bytes.length < STREAM_WIRE_OWN_CHUNK_BYTES) small += element.bytes.length + 24;
  const w = new ChunkWriter(small);
  if (batch.streamId !== 0n) {
    w.byte((1 << 3) | 0); // stream_id
    w.varint64(batch.streamId);
  }
  for (const { element, elementIndex } of batch.elements) {
    const n = element.bytes.length;
    const payload = 1 + varintSize(n) + n + (elementIndex === 0n ? 0 : 1 + varint64Size(elementIndex));
    w.byte((2 << 3) | 2); // elements
    w.varint(payload);
    w.byte(((element.kind === "compressed" ? 1 : 2) << 3) | 2); // compressed = 1, uncompressed = 2
    w.varint(n);
    w.bytes(element.bytes);
    if (elementIndex !== 0n) {
      w.byte((3 << 3) | 0); // element_index
      w.varint64(elementIndex);
    }
  }
  if (batch.endOfSequence) {
    w.byte((3 << 3) | 0); // end_of_sequence
    w.byte(1);
  }
  return w.finish();
}
