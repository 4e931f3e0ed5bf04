/**
 * `GetElement` on serialized messages, for runtimes that can serve a gRPC method without Connect
 * (the `rawUnary` / `rawServerStream` options of the platform's `listen`; Node). Connect's per-call machinery
 * costs more than the call itself for small elements; this path parses the small request and
 * writes the response around the core's serialized element without copying it.
 */
import type { RunnerResult } from "./task-runner.js";

/** The gRPC path of `WorkerService.GetElement`. */
export const GET_ELEMENT_PATH = "/tensorflow.data.WorkerService/GetElement";

/**
 * A unary gRPC method on serialized messages: the request message in, the response message out as
 * chunks to write in order (their concatenation is the message). Errors are thrown as
 * `ConnectError`s (or `TfDataError`s) and become the call's status.
 */
export type RawUnaryHandler = (request: Uint8Array, signal: AbortSignal) => Promise<readonly Uint8Array[]>;

/**
 * A server-streaming gRPC method on serialized messages: each response message as chunks written
 * in order. A thrown `ConnectError` ends the call with its status.
 */
export type RawServerStreamHandler = (request: Uint8Array, signal: AbortSignal) => AsyncIterable<readonly Uint8Array[]>;

/** `GetElementResponse` field tags (field number << 3 | wire type). */
const TAG_END_OF_SEQUENCE = (2 << 3) | 0;
const TAG_COMPRESSED = (3 << 3) | 2;
const TAG_SKIP_TASK = (4 << 3) | 0;
const TAG_UNCOMPRESSED = (5 << 3) | 2;

/** Bytes of `value` as a protobuf varint (int64 values two's complement, as protobuf does). */
function varint(value: bigint, out: number[]): void {
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/** The serialized `GetElementResponse` for a runner's answer, as chunks (the element is not copied). */
export function encodeGetElementResponse(result: RunnerResult): Uint8Array[] {
  switch (result.kind) {
    case "skip":
      return [Uint8Array.of(TAG_SKIP_TASK, 1)];
    case "end":
      return [Uint8Array.of(TAG_END_OF_SEQUENCE, 1)];
    case "element": {
      const { kind, bytes } = result.element;
      const head: number[] = [kind === "compressed" ? TAG_COMPRESSED : TAG_UNCOMPRESSED];
      varint(BigInt(bytes.length), head);
      // No element_index: TF's gRPC handler never writes it, and the bytes must equal TF's.
      return [Uint8Array.from(head), bytes];
    }
  }
}
