/**
 * Plain gRPC over HTTP/2 without Connect, for the few hot methods that move elements
 * (`GetElement`, the `tfdata.v1` element stream). Connect's per-call machinery (signals, header
 * objects, errors built per call) and its copies (serialize, then envelope) cost more than a small
 * element's whole round trip and several times a large element's transfer; here messages are
 * written as the 5-byte gRPC prefix followed by the caller's chunks, and read with one copy.
 *
 * Only plain gRPC (binary codec, no compression) takes this path; everything else (gRPC-web,
 * Connect, JSON, compressed requests, other methods) goes through Connect as before.
 */
import type * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { Code, ConnectError } from "@connectrpc/connect";
import type { RawClient, RawServerStreamHandler, RawUnaryHandler } from "../service/platform.js";
import { HTTP2_SESSION_WINDOW_BYTES, HTTP2_STREAM_WINDOW_BYTES, parseHostPort } from "./node-transport.js";

/** Largest request message a raw handler accepts (requests here are small). */
export const RAW_MAX_REQUEST_BYTES = 64 * 1024 * 1024;
/** Largest response message the raw client accepts. */
export const RAW_MAX_RESPONSE_BYTES = 2 ** 31 - 1;
/** grpc-status of success (connect's `Code` has no member for it). */
const OK = 0;
/** Complete messages a raw client stream buffers before it stops reading the socket. */
export const RAW_STREAM_BUFFERED_MESSAGES = 4;

/** gRPC with the binary codec and an uncompressed request: what the raw handlers serve. */
export function isPlainGrpc(headers: http.IncomingHttpHeaders): boolean {
  const type = headers["content-type"];
  const encoding = headers["grpc-encoding"];
  return (type === "application/grpc" || type === "application/grpc+proto") &&
    (encoding === undefined || encoding === "identity");
}

function grpcMessage(message: string): string {
  return encodeURIComponent(message);
}

function prefix(length: number): Buffer {
  const p = Buffer.allocUnsafe(5);
  p[0] = 0;
  p.writeUInt32BE(length, 1);
  return p;
}

/** Reads the single length-prefixed request message; answers a status itself when it is bad. */
function readRequest(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): Promise<Uint8Array | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= RAW_MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > RAW_MAX_REQUEST_BYTES) {
        sendStatus(res, Code.ResourceExhausted, `request message larger than ${RAW_MAX_REQUEST_BYTES} bytes`);
        return resolve(undefined);
      }
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      if (size < 5 || body[0] !== 0 || body.readUInt32BE(1) !== size - 5) {
        sendStatus(res, Code.InvalidArgument, "expected exactly one uncompressed gRPC request message");
        return resolve(undefined);
      }
      resolve(body.subarray(5));
    });
    req.on("error", () => resolve(undefined));
  });
}

/**
 * Ends a call with a status, always in trailers (after response headers when none were sent):
 * Node's compatibility API cannot send a gRPC "trailers-only" response (one HEADERS frame with
 * END_STREAM), and gRPC C++ (TensorFlow) does not read a status from headers followed by an empty
 * DATA frame: it would see "Stream removed" and retry forever.
 */
function sendStatus(res: http2.Http2ServerResponse, code: Code | typeof OK, message: string): void {
  if (res.writableEnded || res.destroyed) return;
  if (!res.headersSent) res.writeHead(200, { "content-type": "application/grpc" });
  res.addTrailers({ "grpc-status": String(code), ...(code === OK ? {} : { "grpc-message": grpcMessage(message) }) });
  res.end();
}

function write(res: http2.Http2ServerResponse, chunk: Uint8Array): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function writeMessage(res: http2.Http2ServerResponse, chunks: readonly Uint8Array[]): Promise<void> {
  let length = 0;
  for (const c of chunks) length += c.length;
  await write(res, prefix(length));
  for (const c of chunks) await write(res, c);
}

/** An abort signal for one call that fires only if the peer goes away before the call ends. */
function callSignal(res: http2.Http2ServerResponse): { signal: AbortSignal; end(): void } {
  const abort = new AbortController();
  let ended = false;
  // Aborting builds a DOMException (a stack trace): only do it when the peer really left early.
  res.once("close", () => {
    if (!ended) abort.abort();
  });
  return { signal: abort.signal, end: () => void (ended = true) };
}

/** Serves one unary call with `handler`. */
export function serveRawUnary(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse, handler: RawUnaryHandler): void {
  const call = callSignal(res);
  const abort = { signal: call.signal };
  void (async () => {
    const request = await readRequest(req, res);
    if (!request) return;
    let out: readonly Uint8Array[];
    try {
      out = await handler(request, abort.signal);
    } catch (err) {
      call.end();
      const ce = ConnectError.from(err);
      return sendStatus(res, ce.code, ce.rawMessage);
    }
    if (abort.signal.aborted) return;
    res.writeHead(200, { "content-type": "application/grpc" });
    await writeMessage(res, out);
    call.end();
    sendStatus(res, OK, "");
  })();
}

/** Serves one server-streaming call with `handler`, respecting the peer's flow control. */
export function serveRawServerStream(
  req: http2.Http2ServerRequest,
  res: http2.Http2ServerResponse,
  handler: RawServerStreamHandler,
): void {
  const call = callSignal(res);
  const abort = { signal: call.signal };
  void (async () => {
    const request = await readRequest(req, res);
    if (!request) return;
    const messages = handler(request, abort.signal)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await messages.next();
        if (next.done || abort.signal.aborted) break;
        if (!res.headersSent) res.writeHead(200, { "content-type": "application/grpc" });
        await writeMessage(res, next.value);
      }
    } catch (err) {
      call.end();
      const ce = ConnectError.from(err);
      return sendStatus(res, ce.code, ce.rawMessage);
    } finally {
      if (abort.signal.aborted) void messages.return?.();
    }
    call.end();
    sendStatus(res, OK, "");
  })();
}

/** The status of a finished call, from its headers (trailers-only) or trailers. */
interface CallStatus {
  code: number | undefined;
  message: string;
}

function readStatus(headers: http2.IncomingHttpHeaders, into: CallStatus): void {
  if (headers["grpc-status"] === undefined) return;
  into.code = Number(headers["grpc-status"]);
  try {
    into.message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
  } catch {
    into.message = String(headers["grpc-message"] ?? "");
  }
}

function statusError(status: CallStatus): ConnectError {
  const code = status.code !== undefined && status.code >= 1 && status.code <= 16 ? status.code : Code.Unknown;
  return new ConnectError(status.message, code as Code);
}

/** Splits a byte stream into gRPC messages (one copy per message). */
class MessageReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private need = -1;

  /** Adds bytes; returns the messages they complete. Throws on a compressed or oversized message. */
  push(chunk: Buffer): Uint8Array[] {
    this.chunks.push(chunk);
    this.have += chunk.length;
    const out: Uint8Array[] = [];
    for (;;) {
      if (this.need < 0) {
        if (this.have < 5) break;
        const head = this.chunks[0].length >= 5 ? this.chunks[0] : Buffer.concat(this.chunks, this.have);
        if (head[0] !== 0) throw new ConnectError("compressed gRPC messages are not supported here", Code.Internal);
        const length = head.readUInt32BE(1);
        if (length > RAW_MAX_RESPONSE_BYTES) {
          throw new ConnectError(`message larger than ${RAW_MAX_RESPONSE_BYTES} bytes`, Code.ResourceExhausted);
        }
        this.need = 5 + length;
      }
      if (this.have < this.need) break;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.have);
      // A plain Uint8Array view (a Buffer's slice() would be a view too, surprising callers).
      out.push(new Uint8Array(all.buffer, all.byteOffset + 5, this.need - 5));
      const rest = all.subarray(this.need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.have = rest.length;
      this.need = -1;
    }
    return out;
  }

  get pending(): number {
    return this.have;
  }
}

/**
 * A raw gRPC client over one HTTP/2 session per address (wide flow-control windows). The session
 * is referenced only while a unary call is in flight: an idle client, or an open stream nobody
 * waits on (an abandoned iterator), never keeps a process alive; whoever waits on a stream keeps
 * the process alive on its own (the reading client does).
 */
export function createRawClient(address: string): RawClient {
  const { host, port } = parseHostPort(address);
  const authority = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let session: http2.ClientHttp2Session | undefined;
  let open = 0;

  const acquire = (hold: boolean): http2.ClientHttp2Session => {
    let s = session;
    if (!s || s.closed || s.destroyed) {
      const created = http2.connect(authority, {
        settings: { initialWindowSize: HTTP2_STREAM_WINDOW_BYTES },
        createConnection: () => net.connect({ host, port, noDelay: true }),
      });
      created.on("error", () => {});
      created.once("connect", () => {
        try {
          created.setLocalWindowSize(HTTP2_SESSION_WINDOW_BYTES);
        } catch {
          // closing already
        }
      });
      created.once("close", () => {
        if (session === created) session = undefined;
      });
      created.unref();
      session = s = created;
    }
    if (hold && open++ === 0) s.ref();
    return s;
  };
  const release = (s: http2.ClientHttp2Session) => {
    if (--open === 0 && !s.destroyed) s.unref();
  };
  const request = (s: http2.ClientHttp2Session, path: string, message: Uint8Array): http2.ClientHttp2Stream => {
    const stream = s.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
    stream.write(prefix(message.length));
    stream.end(message);
    return stream;
  };

  return {
    call(path, message, signal) {
      return new Promise<Uint8Array>((resolve, reject) => {
        if (signal?.aborted) return reject(new ConnectError("the call was cancelled", Code.Canceled));
        const s = acquire(true);
        let stream: http2.ClientHttp2Stream;
        try {
          stream = request(s, path, message);
        } catch (err) {
          release(s);
          return reject(new ConnectError(`cannot start a call to ${address}: ${String(err)}`, Code.Unavailable));
        }
        const onAbort = () => stream.close(http2.constants.NGHTTP2_CANCEL);
        signal?.addEventListener("abort", onAbort, { once: true });
        const reader = new MessageReader();
        const messages: Uint8Array[] = [];
        const status: CallStatus = { code: undefined, message: "" };
        let failure: ConnectError | undefined;
        stream.on("response", (h) => {
          if (h[":status"] !== 200) failure = new ConnectError(`HTTP status ${h[":status"]}`, Code.Unavailable);
          readStatus(h, status);
        });
        stream.on("trailers", (h) => readStatus(h, status));
        stream.on("data", (chunk: Buffer) => {
          try {
            messages.push(...reader.push(chunk));
          } catch (err) {
            failure = ConnectError.from(err);
            stream.close(http2.constants.NGHTTP2_CANCEL);
          }
        });
        stream.on("error", () => {});
        stream.on("close", () => {
          signal?.removeEventListener("abort", onAbort);
          release(s);
          if (signal?.aborted) return reject(new ConnectError("the call was cancelled", Code.Canceled));
          if (failure) return reject(failure);
          if (status.code === undefined) return reject(new ConnectError("Stream removed", Code.Unavailable));
          if (status.code !== 0) return reject(statusError(status));
          if (messages.length !== 1 || reader.pending !== 0) {
            return reject(new ConnectError(`expected one response message, got ${messages.length}`, Code.Internal));
          }
          resolve(messages[0]);
        });
      });
    },

    async *stream(path, message, signal) {
      if (signal?.aborted) throw new ConnectError("the call was cancelled", Code.Canceled);
      const s = acquire(false);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = request(s, path, message);
      } catch (err) {
        throw new ConnectError(`cannot start a call to ${address}: ${String(err)}`, Code.Unavailable);
      }
      const reader = new MessageReader();
      const queue: Uint8Array[] = [];
      const status: CallStatus = { code: undefined, message: "" };
      let failure: ConnectError | undefined;
      let closed = false;
      let wake: (() => void) | undefined;
      const notify = () => {
        const w = wake;
        wake = undefined;
        w?.();
      };
      const onAbort = () => stream.close(http2.constants.NGHTTP2_CANCEL);
      signal?.addEventListener("abort", onAbort, { once: true });
      stream.on("response", (h) => {
        if (h[":status"] !== 200) failure = new ConnectError(`HTTP status ${h[":status"]}`, Code.Unavailable);
        readStatus(h, status);
      });
      stream.on("trailers", (h) => readStatus(h, status));
      stream.on("data", (chunk: Buffer) => {
        try {
          const got = reader.push(chunk);
          if (got.length > 0) {
            queue.push(...got);
            if (queue.length >= RAW_STREAM_BUFFERED_MESSAGES) stream.pause();
            notify();
          }
        } catch (err) {
          failure = ConnectError.from(err);
          stream.close(http2.constants.NGHTTP2_CANCEL);
        }
      });
      stream.on("error", () => {});
      stream.on("close", () => {
        closed = true;
        notify();
      });
      try {
        for (;;) {
          const next = queue.shift();
          if (next !== undefined) {
            if (queue.length < RAW_STREAM_BUFFERED_MESSAGES && stream.isPaused()) stream.resume();
            yield next;
            continue;
          }
          if (closed) break;
          await new Promise<void>((resolve) => (wake = resolve));
        }
        if (signal?.aborted) throw new ConnectError("the call was cancelled", Code.Canceled);
        if (failure) throw failure;
        if (status.code === undefined) throw new ConnectError("Stream removed", Code.Unavailable);
        if (status.code !== 0) throw statusError(status);
      } finally {
        signal?.removeEventListener("abort", onAbort);
        if (!closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      }
    },
  };
}
