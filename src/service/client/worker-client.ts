/**
 * The client's side of `WorkerService.GetElement`, reading the element without copying it.
 *
 * A `GetElementResponse` carries the element as a nested message (`CompressedElement` or
 * `UncompressedElement`) that the core decodes from its serialized bytes. Parsing it into a JS
 * message only to serialize it again for the core would copy every byte twice, so the response is
 * read with a field-less schema: protobuf-es then keeps every field as a raw unknown field, a
 * view into the received buffer, and this module picks the fields out by number.
 *
 * That only works with the binary codec. A transport may speak JSON (connect-web's Connect
 * transport does by default), so each worker client starts with the typed method and switches to
 * the raw one once a response's content type shows the binary codec; JSON transports stay typed.
 *
 * Where the runtime offers plain gRPC calls on serialized messages ({@link RawClient}, Node),
 * `GetElement` and the element stream skip Connect altogether: its per-call cost is most of a
 * small element's round trip, and its copies cost more than a large element's transfer.
 */
import { create, fromBinary, toBinary, type DescMethodUnary, type DescMessage } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import {
  ElementStreamService,
  GrantCreditsRequestSchema as GrantCreditsRequestMessage,
  StreamElementsRequestSchema as StreamElementsRequestMessage,
  StreamElementsResponseSchema as StreamElementsResponseMessage,
  type GrantCreditsRequestSchema,
  type StreamElementsRequestSchema,
  type StreamElementsResponse,
} from "../../gen/tfdata/v1/transfer_pb.js";
import type { ElementKind } from "../../core/core.js";
import {
  GetElementRequestSchema as GetElementRequestMessage,
  GetWorkerTasksRequestSchema,
  WorkerService,
  type GetElementRequestSchema,
  type GetElementResponse,
} from "../../gen/tensorflow/core/data/service/worker_pb.js";
import { CompressedElementSchema, UncompressedElementSchema } from "../../gen/tensorflow/core/framework/dataset_pb.js";
import type { MessageInitShape } from "@bufbuild/protobuf";

/** A `GetElementResponse` with the element still in wire form. */
export interface RawElementResponse {
  /** The serialized element message and its kind, when the response carries one. */
  readonly element: { readonly kind: ElementKind; readonly bytes: Uint8Array } | undefined;
  /** Position of the element in its task's stream (0 from TF workers, which do not fill it). */
  readonly elementIndex: bigint;
  /** The task has no more elements. */
  readonly endOfSequence: boolean;
  /** Nothing was ready (`allow_skip`): ask again, maybe another task. */
  readonly skipTask: boolean;
}

/** `GetElement` with a field-less output schema (every field lands in `$unknown`). */
const rawGetElement = {
  ...WorkerService.method.getElement,
  output: GetWorkerTasksRequestSchema as DescMessage,
} as unknown as DescMethodUnary<typeof GetElementRequestSchema, typeof GetWorkerTasksRequestSchema>;

/** The gRPC path of `WorkerService.GetElement`. */
export const GET_ELEMENT_PATH = "/tensorflow.data.WorkerService/GetElement";

/** gRPC paths of the element stream's methods. */
const STREAM_ELEMENTS_PATH = "/tfdata.v1.ElementStreamService/StreamElements";
const GRANT_CREDITS_PATH = "/tfdata.v1.ElementStreamService/GrantCredits";

/**
 * Plain gRPC calls on serialized messages, bypassing Connect; a runtime may offer it as
 * `createRawClient(address)` on its platform (Node does).
 */
export interface RawClient {
  /** Calls unary `path`; resolves to the serialized response. Failures are `ConnectError`s. */
  call(path: string, request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Calls server-streaming `path`; yields the serialized responses. Failures are thrown `ConnectError`s. */
  stream(path: string, request: Uint8Array, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** Field numbers of `GetElementResponse`. */
const FIELD_END_OF_SEQUENCE = 2;
const FIELD_COMPRESSED = 3;
const FIELD_SKIP_TASK = 4;
const FIELD_UNCOMPRESSED = 5;
const FIELD_ELEMENT_INDEX = 6;

/** `GetElement` on one worker (one transport), returning the element in wire form. */
export class WorkerElementClient {
  /** Whether the transport was seen to use the binary codec (then the raw method is safe). */
  private binary = false;
  private streams: Client<typeof ElementStreamService> | undefined;

  /**
   * @param transport Connect transport to the worker (every RPC but a raw `GetElement`).
   * @param raw plain gRPC caller to the same worker, when the runtime has one.
   */
  constructor(readonly transport: Transport, readonly raw?: RawClient) {}

  /** Opens a `tfdata.v1` element stream (only tfdata-service workers that advertise it serve it). */
  streamElements(
    request: MessageInitShape<typeof StreamElementsRequestSchema>,
    signal?: AbortSignal,
  ): AsyncIterable<StreamElementsResponse> {
    if (this.raw) return rawStream(this.raw, request, signal);
    this.streams ??= createClient(ElementStreamService, this.transport);
    return this.streams.streamElements(request, { signal });
  }

  /** Grants credits to an open element stream. */
  async grantCredits(request: MessageInitShape<typeof GrantCreditsRequestSchema>, signal?: AbortSignal): Promise<void> {
    if (this.raw) {
      await this.raw.call(GRANT_CREDITS_PATH, toBinary(GrantCreditsRequestMessage, create(GrantCreditsRequestMessage, request)), signal);
      return;
    }
    this.streams ??= createClient(ElementStreamService, this.transport);
    await this.streams.grantCredits(request, { signal });
  }

  /** True once responses are read raw (the transport showed the binary codec). */
  get readsRaw(): boolean {
    return this.binary;
  }

  /** Calls `GetElement`; see the module comment for the two ways it reads the answer. */
  async getElement(
    request: MessageInitShape<typeof GetElementRequestSchema>,
    signal?: AbortSignal,
  ): Promise<RawElementResponse> {
    if (this.raw) {
      const bytes = toBinary(GetElementRequestMessage, create(GetElementRequestMessage, request));
      return parseRawResponse(wireFields(await this.raw.call(GET_ELEMENT_PATH, bytes, signal)));
    }
    if (this.binary) {
      const res = await this.transport.unary(rawGetElement, signal, undefined, undefined, request);
      return parseRawResponse(res.message.$unknown ?? []);
    }
    const res = await this.transport.unary(WorkerService.method.getElement, signal, undefined, undefined, request);
    const contentType = res.header.get("content-type") ?? "";
    if (contentType !== "" && !contentType.includes("json")) this.binary = true;
    return fromTyped(res.message);
  }
}

/** The element stream over a raw client: each message parsed (element bytes stay views, no copy). */
async function* rawStream(
  raw: RawClient,
  request: MessageInitShape<typeof StreamElementsRequestSchema>,
  signal?: AbortSignal,
): AsyncGenerator<StreamElementsResponse> {
  const bytes = toBinary(StreamElementsRequestMessage, create(StreamElementsRequestMessage, request));
  for await (const message of raw.stream(STREAM_ELEMENTS_PATH, bytes, signal)) {
    yield fromBinary(StreamElementsResponseMessage, message);
  }
}

/** A typed response in wire form (the element message serialized again for the core). */
export function fromTyped(res: GetElementResponse): RawElementResponse {
  let element: RawElementResponse["element"];
  if (res.element.case === "compressed") {
    element = { kind: "compressed", bytes: toBinary(CompressedElementSchema, res.element.value) };
  } else if (res.element.case === "uncompressed") {
    element = { kind: "uncompressed", bytes: toBinary(UncompressedElementSchema, res.element.value) };
  }
  return { element, elementIndex: res.elementIndex, endOfSequence: res.endOfSequence, skipTask: res.skipTask };
}

/** Reads the fields of a `GetElementResponse` from raw unknown fields (last occurrence wins). */
export function parseRawResponse(
  fields: ReadonlyArray<{ no: number; wireType: WireType; data: Uint8Array }>,
): RawElementResponse {
  let element: RawElementResponse["element"];
  let elementIndex = 0n;
  let endOfSequence = false;
  let skipTask = false;
  for (const { no, wireType, data } of fields) {
    if (wireType === WireType.Varint) {
      if (no === FIELD_END_OF_SEQUENCE) endOfSequence = varintIsNonZero(data);
      else if (no === FIELD_SKIP_TASK) skipTask = varintIsNonZero(data);
      else if (no === FIELD_ELEMENT_INDEX) elementIndex = BigInt.asIntN(64, readVarint(data, 0).value);
    } else if (wireType === WireType.LengthDelimited && (no === FIELD_COMPRESSED || no === FIELD_UNCOMPRESSED)) {
      const { length, next } = readLength(data);
      element = {
        kind: no === FIELD_COMPRESSED ? "compressed" : "uncompressed",
        bytes: data.subarray(next, next + length),
      };
    }
  }
  return { element, elementIndex, endOfSequence, skipTask };
}

/**
 * The top-level fields of a serialized message, as protobuf-es keeps unknown fields (a
 * length-delimited field's data starts with its length). Stops at malformed input; the fields
 * read so far are returned and the reader then misses what follows (a truncated element's
 * bytes are caught by the element decoder).
 */
export function wireFields(bytes: Uint8Array): { no: number; wireType: WireType; data: Uint8Array }[] {
  const out: { no: number; wireType: WireType; data: Uint8Array }[] = [];
  let pos = 0;
  const varintEnd = (from: number): number => {
    for (let i = from; i < bytes.length && i - from < 10; i++) if ((bytes[i] & 0x80) === 0) return i + 1;
    return -1;
  };
  while (pos < bytes.length) {
    const tagEnd = varintEnd(pos);
    if (tagEnd < 0) break;
    const tag = Number(readVarint(bytes, pos).value);
    const no = Math.floor(tag / 8);
    const wireType = (tag & 7) as WireType;
    let end: number;
    if (wireType === WireType.Varint) end = varintEnd(tagEnd);
    else if (wireType === WireType.Bit64) end = tagEnd + 8;
    else if (wireType === WireType.Bit32) end = tagEnd + 4;
    else if (wireType === WireType.LengthDelimited) {
      const { length, next } = readLength(bytes.subarray(tagEnd));
      end = tagEnd + next + length;
    } else break;
    if (end < 0 || end > bytes.length) break;
    out.push({ no, wireType, data: bytes.subarray(tagEnd, end) });
    pos = end;
  }
  return out;
}

/** A varint's value is non-zero iff any of its 7-bit groups is. */
function varintIsNonZero(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if ((data[i] & 0x7f) !== 0) return true;
  return false;
}

/** The length prefix of a length-delimited field (at most 2^32, so plain numbers suffice). */
function readLength(data: Uint8Array): { length: number; next: number } {
  let length = 0;
  let scale = 1;
  for (let i = 0; i < data.length && i < 10; i++) {
    const b = data[i];
    length += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return { length, next: i + 1 };
  }
  return { length: 0, next: data.length };
}

function readVarint(data: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let i = start;
  for (; i < data.length && i - start < 10; i++) {
    const b = data[i];
    value |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) return { value: BigInt.asUintN(64, value), next: i + 1 };
  }
  return { value: BigInt.asUintN(64, value), next: i };
}
