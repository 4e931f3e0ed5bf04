/**
 * One listening port that serves gRPC over cleartext HTTP/2 (what TensorFlow speaks) and
 * Connect / gRPC-web over HTTP/1.1 or HTTP/2 (what browsers and Deno's fetch speak).
 *
 * Cleartext HTTP/2 has no ALPN, so each new connection is sniffed: a client that opens with the
 * HTTP/2 connection preface goes to the h2c server, anything else to the HTTP/1.1 server.
 */
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { cors, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { ListeningServer, ListenOptions } from "../service/platform.js";
import { isPlainGrpc, serveRawServerStream, serveRawUnary } from "./node-raw-grpc.js";
import { HTTP2_SESSION_WINDOW_BYTES, HTTP2_STREAM_WINDOW_BYTES } from "./node-transport.js";

/** First bytes of the HTTP/2 client connection preface (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
/** How long close() lets open sessions finish before destroying them. */
export const SERVER_CLOSE_GRACE_MS = 500;
/** Largest request a server accepts; TF sets no limit, but graphs are validated further in. */
export const SERVER_READ_MAX_BYTES = 2 ** 31 - 1;

/** Binds `host:port` and serves `routes`; see the module comment. */
export async function listen(
  routes: (router: ConnectRouter) => void,
  opts: ListenOptions = {},
): Promise<ListeningServer> {
  const handler = connectNodeAdapter({ routes, readMaxBytes: SERVER_READ_MAX_BYTES });
  const withCors = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    const origin = req.headers.origin;
    if (origin) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Expose-Headers", cors.exposedHeaders.join(", "));
      if (req.method === "OPTIONS") {
        res.setHeader("Access-Control-Allow-Methods", cors.allowedMethods.join(", "));
        res.setHeader("Access-Control-Allow-Headers", cors.allowedHeaders.join(", "));
        res.setHeader("Access-Control-Max-Age", "7200");
        res.writeHead(204);
        res.end();
        return;
      }
    }
    if (req.httpVersion === "2.0" && isPlainGrpc(req.headers)) {
      const unary = opts.rawUnary?.get(req.url ?? "");
      if (unary) return serveRawUnary(req as http2.Http2ServerRequest, res as http2.Http2ServerResponse, unary);
      const stream = opts.rawServerStream?.get(req.url ?? "");
      if (stream) return serveRawServerStream(req as http2.Http2ServerRequest, res as http2.Http2ServerResponse, stream);
    }
    handler(req as http.IncomingMessage, res as http.ServerResponse);
  };

  const h2 = http2.createServer({ settings: { initialWindowSize: HTTP2_STREAM_WINDOW_BYTES } }, withCors);
  const h1 = http.createServer(withCors);
  // HTTP/1.1 sockets that are serving a request right now, so close() spares them; sockets
  // handed to http2 are closed through their sessions.
  const busy = new Set<net.Socket>();
  const h2Sockets = new WeakSet<net.Socket>();
  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    busy.add(req.socket);
    res.once("close", () => busy.delete(req.socket));
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<net.Socket>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.once("connect", () => {
      try {
        session.setLocalWindowSize(HTTP2_SESSION_WINDOW_BYTES);
      } catch {
        // The session may already be closing; nothing to tune then.
      }
    });
  });

  const front = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && head.length < H2_PREFACE.length) return; // need more bytes to decide
      socket.off("data", onData);
      socket.pause();
      socket.unshift(head);
      // http2 drains the unshifted bytes into nghttp2, then reads the native handle directly;
      // http1 reads through the stream, which must flow again.
      if (isH2) {
        h2Sockets.add(socket);
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    };
    socket.on("data", onData);
  });

  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(opts.port ?? 0, opts.host ?? "0.0.0.0", () => {
      front.off("error", reject);
      resolve();
    });
  });
  const address = front.address() as net.AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        front.close(() => resolve());
        for (const s of sessions) s.close();
        h1.closeIdleConnections();
        // Sockets with no request in flight are closed now; busy ones get the grace period.
        for (const s of sockets) if (!busy.has(s) && !h2Sockets.has(s)) s.destroy();
        const grace = setTimeout(() => {
          for (const s of sessions) s.destroy();
          for (const s of sockets) s.destroy();
        }, SERVER_CLOSE_GRACE_MS);
        grace.unref();
        // When nothing is left open before the grace period, finish early.
        const poll = setInterval(() => {
          if (sessions.size === 0 && sockets.size === 0) {
            clearInterval(poll);
            clearTimeout(grace);
            for (const s of sockets) s.destroy();
          }
        }, 10);
        poll.unref();
      });
      return closing;
    },
  };
}
