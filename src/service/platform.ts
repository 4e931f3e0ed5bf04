/**
 * The seam between the runtime-neutral service code and the runtime it runs in. `src/runtime/*`
 * installs an implementation (Node and Deno: connect-node over h2c + HTTP/1.1; browsers: fetch),
 * so nothing in `src/service` imports `node:*`, Deno or DOM-only APIs.
 */
import type { ConnectRouter, Transport } from "@connectrpc/connect";
import { TfDataError } from "../core/errors.js";
import { setThreadFactory, type ThreadFactory } from "../core/parallel/threads.js";
import type { Storage } from "./storage.js";

/** Wire protocol a client transport speaks. TensorFlow peers speak only `grpc`. */
export type RpcProtocol = "grpc" | "connect" | "grpc-web";

/** A server that is bound and serving. */
export interface ListeningServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  /** Closes the listener and every open connection; resolves when all are closed. */
  close(): Promise<void>;
}

/**
 * A unary gRPC method on serialized messages: the request message in, the response message out
 * as chunks written in order. Thrown `ConnectError`s become the call's status.
 */
export type RawUnaryHandler = (request: Uint8Array, signal: AbortSignal) => Promise<readonly Uint8Array[]>;

/**
 * A server-streaming gRPC method on serialized messages: the request message in, the response
 * messages out, each as chunks written in order. A thrown `ConnectError` ends the call with its status.
 */
export type RawServerStreamHandler = (request: Uint8Array, signal: AbortSignal) => AsyncIterable<readonly Uint8Array[]>;

/** Plain gRPC calls on serialized messages (see {@link Platform.createRawClient}). */
export interface RawClient {
  /** Calls unary `path` (`/package.Service/Method`); resolves to the response message. Failures are `ConnectError`s. */
  call(path: string, request: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Calls server-streaming `path`; yields the response messages. Failures are thrown `ConnectError`s. */
  stream(path: string, request: Uint8Array, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** Options of {@link Platform.listen}. */
export interface ListenOptions {
  /** Interface to bind (default all). */
  host?: string;
  /** Port to bind (0 = any). */
  port?: number;
  /**
   * gRPC paths a runtime may serve without Connect (plain gRPC, binary, uncompressed requests
   * only); every other request, and runtimes without this ability, use `routes`.
   */
  rawUnary?: ReadonlyMap<string, RawUnaryHandler>;
  /** Server-streaming gRPC paths a runtime may serve without Connect (as `rawUnary`). */
  rawServerStream?: ReadonlyMap<string, RawServerStreamHandler>;
}

/** What the service needs from the runtime. */
export interface Platform {
  /** Human-readable runtime name, for error messages ("node", "deno", "browser"). */
  readonly name: string;
  /**
   * Plain gRPC calls on serialized messages to `address`, bypassing Connect (the hot element
   * paths); optional: without it, clients use {@link createTransport}.
   */
  createRawClient?(address: string): RawClient;
  /** Creates a client transport to `address` (`host:port`, no scheme). */
  createTransport(address: string, protocol?: RpcProtocol): Transport;
  /** Binds `host:port` (port 0 = any) and serves `routes` over gRPC, gRPC-web and Connect. */
  listen(routes: (router: ConnectRouter) => void, opts: ListenOptions): Promise<ListeningServer>;
  /**
   * Durable storage rooted at `workDir` (the dispatcher's journal and dataset files). Absent on
   * runtimes without a filesystem (browsers): a dispatcher with a `workDir` cannot start there.
   */
  storage?(workDir: string): Storage;
  /**
   * Threads for parallel maps and prefetch (src/core/parallel). Absent: pipelines run in the
   * calling thread. `setPlatform` installs it for the whole process.
   */
  readonly threads?: ThreadFactory;
}

let installed: Platform | undefined;

/** Installs the runtime's platform; called once by the runtime entry point (`src/entry/*`). */
export function setPlatform(p: Platform): void {
  installed = p;
  if (p.threads !== undefined) setThreadFactory(p.threads);
}

/** The installed platform; throws a clear error when no runtime entry point was loaded. */
export function platform(): Platform {
  if (!installed) {
    throw new TfDataError(
      "FailedPrecondition",
      "No runtime platform is installed. Import 'tfdata-service' through its package entry " +
        "(node, deno or browser condition), or call setPlatform() from src/runtime first.",
    );
  }
  return installed;
}
