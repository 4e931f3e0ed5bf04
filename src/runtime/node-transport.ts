/**
 * Client transports for Node: gRPC over cleartext HTTP/2 (what TensorFlow speaks), Connect and
 * gRPC-web over HTTP/1.1.
 *
 * HTTP/2 sessions are referenced only while a call is in flight, so an idle client connection
 * never keeps the process alive, and a process with a pending call never exits under it.
 */
import * as net from "node:net";
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import type { RpcProtocol } from "../service/platform.js";

/** HTTP/2 connection-level receive window: large elements stream without stalling on WINDOW_UPDATEs. */
export const HTTP2_SESSION_WINDOW_BYTES = 64 * 1024 * 1024;
/** HTTP/2 per-stream initial receive window (SETTINGS_INITIAL_WINDOW_SIZE). */
export const HTTP2_STREAM_WINDOW_BYTES = 16 * 1024 * 1024;
/** Largest message a client accepts; TF sets no limit, elements can be large. */
export const CLIENT_READ_MAX_BYTES = 2 ** 31 - 1;

/** Splits `host:port` (with `[v6]:port` support) and checks both parts. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new TypeError(`Address '${address}' is not of the form host:port (e.g. localhost:5050).`);
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) throw new TypeError(`Address '${address}' has port ${m[2]}; expected 1..65535.`);
  return { host: m[1], port };
}

/** Keeps sockets referenced exactly while calls are in flight. */
class InFlightRef {
  private readonly sockets = new Set<net.Socket>();
  private active = 0;

  track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    if (this.active === 0) socket.unref();
  }

  readonly interceptor: Interceptor = (next) => async (req) => {
    if (this.active++ === 0) for (const s of this.sockets) s.ref();
    try {
      return await next(req);
    } catch (err) {
      throw asUnavailableIfRefused(err);
    } finally {
      if (--this.active === 0) for (const s of this.sockets) s.unref();
    }
  };
}

/** Node's HTTP/2 errors of a call the server never processed (it went away): gRPC's UNAVAILABLE. */
const REFUSED = /NGHTTP2_REFUSED_STREAM|ERR_HTTP2_GOAWAY_SESSION/;

/**
 * A stream the server refused (e.g. a worker shutting down) or a session it closed with GOAWAY
 * means "try again later", as gRPC C++ reports it (UNAVAILABLE); connect-node reports INTERNAL.
 */
function asUnavailableIfRefused(err: unknown): unknown {
  if (!(err instanceof ConnectError) || err.code !== Code.Internal) return err;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (REFUSED.test(e.message) || (typeof code === "string" && REFUSED.test(code))) {
      return new ConnectError(err.rawMessage, Code.Unavailable, err.metadata, undefined, err);
    }
    if (e.cause === e) break;
  }
  return err;
}

/** Creates a Connect transport to `address` (`host:port`) speaking `protocol`. */
export function createNodeTransport(address: string, protocol: RpcProtocol = "grpc"): Transport {
  const { host, port } = parseHostPort(address);
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (protocol === "grpc") {
    const refs = new InFlightRef();
    return createGrpcTransport({
      baseUrl,
      readMaxBytes: CLIENT_READ_MAX_BYTES,
      interceptors: [refs.interceptor],
      nodeOptions: {
        settings: { initialWindowSize: HTTP2_STREAM_WINDOW_BYTES },
        createConnection: () => {
          const socket = net.connect({ host, port, noDelay: true });
          refs.track(socket);
          return socket;
        },
      },
    });
  }
  if (protocol === "connect") {
    return createConnectTransport({ baseUrl, httpVersion: "1.1", readMaxBytes: CLIENT_READ_MAX_BYTES });
  }
  return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", readMaxBytes: CLIENT_READ_MAX_BYTES });
}
