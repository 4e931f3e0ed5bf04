// A recording TCP proxy on loopback that understands just enough HTTP/2 to pull the gRPC messages
// out of each stream, in both directions. Tests put it between a client and a server (e.g. as a
// worker's advertised address) to compare the exact bytes peers exchange (wire captures, issue 5).
//
// Why a TCP proxy and not an HTTP/2 one: the bytes must reach the client untouched, exactly as the
// server wrote them; the proxy forwards every chunk as it arrives and parses a copy. Header blocks
// (HPACK) are kept raw and not decoded; the bodies (DATA frames) are all a comparison needs.
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** Interface the proxy listens on (loopback only). */
export const CAPTURE_HOST = "127.0.0.1";
/** Most bytes recorded per connection and direction; beyond it recording stops (forwarding goes on). */
export const MAX_RECORDED_BYTES_PER_DIRECTION = 64 * 1024 * 1024;

/** The client connection preface every HTTP/2 client sends first (RFC 9113 §3.4). */
const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const FRAME_HEADER_BYTES = 9;
const FRAME_DATA = 0x0;
const FRAME_HEADERS = 0x1;
const FLAG_END_STREAM = 0x1;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
/** gRPC's length-prefixed message header: 1 byte compressed flag + 4 bytes big-endian length. */
const GRPC_PREFIX_BYTES = 5;

/** One gRPC message of a stream. */
export interface GrpcMessage {
  /** The compressed-flag byte was 1 (gRPC-level compression; TF never uses it). */
  readonly compressed: boolean;
  /** The serialized protobuf message. */
  readonly bytes: Uint8Array;
}

/** One HTTP/2 stream (one RPC) seen by the proxy. */
export interface CapturedCall {
  /** 1-based number of the TCP connection, in accept order. */
  readonly connection: number;
  readonly streamId: number;
  /** Messages the client sent. */
  readonly requests: GrpcMessage[];
  /** Messages the server sent. */
  readonly responses: GrpcMessage[];
  /** Raw HPACK header blocks the server sent (response headers, then trailers). */
  readonly responseHeaderBlocks: Uint8Array[];
  /** DATA frames the server sent for this stream (their payload sizes, padding removed). */
  readonly responseDataFrames: number[];
  /** The server ended the stream. */
  ended: boolean;
}

/** A running capture proxy. */
export interface H2Capture {
  /** The port it listens on (on {@link CAPTURE_HOST}). */
  readonly port: number;
  /** Every stream seen so far, by connection then stream id order of first sight. */
  calls(): CapturedCall[];
  /** Forgets what was recorded so far (connections stay up). */
  clear(): void;
  /**
   * While held, new connections are accepted but not forwarded (their bytes wait) until
   * {@link release}: the server behind looks unreachable-but-slow, e.g. a dispatcher that does
   * not answer a restarting worker yet. Connections already forwarded are not affected.
   */
  hold(): void;
  release(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** Options of {@link startH2Capture}. */
export interface H2CaptureOptions {
  /** `host:port` the proxy forwards to. */
  target: string;
  /** Port to listen on; default any free port. */
  port?: number;
  /** Parse and record HTTP/2 (default true); false makes it a plain forwarding TCP proxy. */
  record?: boolean;
}

/** Incremental HTTP/2 frame reader for one direction of one connection. */
class FrameReader {
  private buf: Uint8Array = new Uint8Array(0);
  private prefaceLeft: number;
  private recorded = 0;
  /** gRPC bytes received so far per stream, not yet cut into messages. */
  private readonly pending = new Map<number, Uint8Array>();

  constructor(
    expectPreface: boolean,
    private readonly onData: (streamId: number, payload: Uint8Array) => void,
    private readonly onFrame: (type: number, flags: number, streamId: number, payload: Uint8Array) => void,
  ) {
    this.prefaceLeft = expectPreface ? PREFACE.length : 0;
  }

  push(chunk: Uint8Array): void {
    if (this.recorded > MAX_RECORDED_BYTES_PER_DIRECTION) return;
    this.recorded += chunk.length;
    this.buf = concat(this.buf, chunk);
    if (this.prefaceLeft > 0) {
      const n = Math.min(this.prefaceLeft, this.buf.length);
      this.buf = this.buf.subarray(n);
      this.prefaceLeft -= n;
      if (this.prefaceLeft > 0) return;
    }
    while (this.buf.length >= FRAME_HEADER_BYTES) {
      const length = (this.buf[0] << 16) | (this.buf[1] << 8) | this.buf[2];
      if (this.buf.length < FRAME_HEADER_BYTES + length) return;
      const type = this.buf[3];
      const flags = this.buf[4];
      const streamId = ((this.buf[5] & 0x7f) << 24 | (this.buf[6] << 16) | (this.buf[7] << 8) | this.buf[8]) >>> 0;
      const payload = this.buf.slice(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      this.buf = this.buf.subarray(FRAME_HEADER_BYTES + length);
      this.onFrame(type, flags, streamId, payload);
      if (type === FRAME_DATA) this.onData(streamId, unpad(payload, flags));
    }
  }

  /** Appends a DATA payload to its stream and returns the complete gRPC messages it finished. */
  messages(streamId: number, payload: Uint8Array): GrpcMessage[] {
    let data = concat(this.pending.get(streamId) ?? new Uint8Array(0), payload);
    const out: GrpcMessage[] = [];
    while (data.length >= GRPC_PREFIX_BYTES) {
      const len = ((data[1] << 24) >>> 0) + (data[2] << 16) + (data[3] << 8) + data[4];
      if (data.length < GRPC_PREFIX_BYTES + len) break;
      out.push({ compressed: data[0] === 1, bytes: data.slice(GRPC_PREFIX_BYTES, GRPC_PREFIX_BYTES + len) });
      data = data.subarray(GRPC_PREFIX_BYTES + len);
    }
    this.pending.set(streamId, data.slice());
    return out;
  }
}

/** A DATA or HEADERS payload without its padding (and HEADERS without its priority block). */
function unpad(payload: Uint8Array, flags: number): Uint8Array {
  if ((flags & FLAG_PADDED) === 0) return payload;
  const pad = payload[0];
  return payload.subarray(1, payload.length - pad);
}

function headerBlock(payload: Uint8Array, flags: number): Uint8Array {
  let p = unpad(payload, flags);
  if (flags & FLAG_PRIORITY) p = p.subarray(5);
  return p;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Starts a capture proxy forwarding to `target`.
 *
 * @example
 * const cap = await startH2Capture({ target: "127.0.0.1:5051" });
 * // advertise `localhost:${cap.port}` as the worker address, run a read, then:
 * const calls = cap.calls().filter((c) => c.requests[0]?.bytes[0] === 0x08); // GetElement
 * await cap.close();
 */
export async function startH2Capture(opts: H2CaptureOptions): Promise<H2Capture> {
  const sep = opts.target.lastIndexOf(":");
  const targetHost = opts.target.slice(0, sep).replace(/^\[|\]$/g, "");
  const targetPort = Number(opts.target.slice(sep + 1));
  const record = opts.record ?? true;
  const sockets = new Set<Socket>();
  let calls: CapturedCall[] = [];
  let connections = 0;
  let held = false;
  const waiting: Array<() => void> = [];

  const server: Server = createServer((client) => {
    const connection = ++connections;
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    const early: Buffer[] = [];
    const onEarly = (d: Buffer) => early.push(d);
    client.on("data", onEarly);
    client.pause();

    const byStream = new Map<number, CapturedCall>();
    const call = (streamId: number): CapturedCall => {
      let c = byStream.get(streamId);
      if (!c) {
        c = { connection, streamId, requests: [], responses: [], responseHeaderBlocks: [], responseDataFrames: [], ended: false };
        byStream.set(streamId, c);
        calls.push(c);
      }
      return c;
    };
    const up: FrameReader = new FrameReader(true,
      (sid, payload) => { for (const m of up.messages(sid, payload)) call(sid).requests.push(m); },
      () => {});
    const down: FrameReader = new FrameReader(false,
      (sid, payload) => {
        call(sid).responseDataFrames.push(payload.length);
        for (const m of down.messages(sid, payload)) call(sid).responses.push(m);
      },
      (type, flags, sid, payload) => {
        if (sid === 0) return;
        if (type === FRAME_HEADERS) call(sid).responseHeaderBlocks.push(headerBlock(payload, flags));
        if ((type === FRAME_HEADERS || type === FRAME_DATA) && (flags & FLAG_END_STREAM)) call(sid).ended = true;
      });

    const connect = () => {
      const upstream = createConnection({ host: targetHost, port: targetPort });
      sockets.add(upstream);
      upstream.on("close", () => { sockets.delete(upstream); client.destroy(); });
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("data", (d: Buffer) => {
        if (record) down.push(d);
        client.write(d);
      });
      client.off("data", onEarly);
      client.on("data", (d: Buffer) => {
        if (record) up.push(d);
        upstream.write(d);
      });
      for (const d of early) {
        if (record) up.push(d);
        upstream.write(d);
      }
      client.resume();
    };
    client.resume();
    if (held) waiting.push(connect);
    else connect();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, CAPTURE_HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    port,
    calls: () => [...calls],
    clear: () => { calls = []; },
    hold: () => { held = true; },
    release: () => {
      held = false;
      for (const go of waiting.splice(0)) go();
    },
    close: () => (closing ??= new Promise<void>((resolve) => {
      waiting.length = 0;
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    })),
  };
}
