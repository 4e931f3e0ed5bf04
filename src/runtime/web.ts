/** The browser platform: fetch-based Connect and gRPC-web transports; no listening. */
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { TfDataError } from "../core/errors.js";
import type { Platform, RpcProtocol } from "../service/platform.js";

/**
 * Creates a fetch transport. Browsers cannot speak plain gRPC (no trailers in fetch), so
 * `grpc` maps to gRPC-web, which every tfdata-service server also serves on the same port.
 */
function createWebTransport(address: string, protocol: RpcProtocol = "grpc-web") {
  const baseUrl = /^https?:\/\//.test(address) ? address : `http://${address}`;
  return protocol === "connect"
    ? createConnectTransport({ baseUrl, useBinaryFormat: true })
    : createGrpcWebTransport({ baseUrl });
}

/** Platform implementation for browsers (pages and Web Workers). */
export const webPlatform: Platform = {
  name: "browser",
  createTransport: createWebTransport,
  listen() {
    return Promise.reject(
      new TfDataError(
        "Unimplemented",
        "A browser cannot listen on a port. Run DispatchServer/WorkerServer in Node or Deno.",
      ),
    );
  },
};
