/**
 * Parsing of the `service` argument of `distribute` / `registerDataset` / `fromDatasetId`:
 * TF's `"[protocol://]address"` string or `[protocol, address]` tuple.
 *
 * TensorFlow only knows the protocol `"grpc"`. Browsers cannot speak plain gRPC, so this library
 * maps the scheme onto the RPC protocol the client transport speaks:
 *
 * | `service`                 | protocol  | notes                                               |
 * |---------------------------|-----------|-----------------------------------------------------|
 * | `"host:port"`             | default   | `"grpc"` (a browser platform speaks it as gRPC-web) |
 * | `"grpc://host:port"`      | gRPC      | what TensorFlow speaks; `DispatchServer.target`     |
 * | `"connect://host:port"`   | Connect   | for browsers / Deno (fetch), HTTP/1.1               |
 * | `"grpc-web://host:port"`  | gRPC-web  | for browsers / Deno (fetch), HTTP/1.1               |
 *
 * The same protocol is used for the dispatcher and for every worker the client reads from (every
 * tfdata-service server speaks all three on one port; TensorFlow servers speak only gRPC).
 */
import { TfDataError } from "../../core/errors.js";
import type { RpcProtocol } from "../platform.js";

/** The protocol used when `service` has no `protocol://` prefix (TF's default protocol). */
export const DEFAULT_SERVICE_PROTOCOL: RpcProtocol = "grpc";
/** Scheme names accepted in `service`, and the RPC protocol each selects. */
export const SERVICE_SCHEMES: Readonly<Record<string, RpcProtocol>> = Object.freeze({
  grpc: "grpc",
  connect: "connect",
  "grpc-web": "grpc-web",
});
/** Longest `service` string accepted (an address is a host name and a port). */
export const MAX_SERVICE_LENGTH = 2048;

/** `service` as TF accepts it: `"[protocol://]address"` or `[protocol, address]`. */
export type ServiceSpec = string | readonly [protocol: string, address: string];

/** A parsed `service`: the RPC protocol and the dispatcher's `host:port`. */
export interface ServiceAddress {
  /** Protocol spoken to the dispatcher and the workers. */
  readonly protocol: RpcProtocol;
  /** `host:port` of the dispatcher. */
  readonly address: string;
}

/**
 * Parses and validates `service`, with TF's messages for TF's cases.
 *
 * @example parseService("grpc://localhost:5050") // { protocol: "grpc", address: "localhost:5050" }
 */
export function parseService(service: ServiceSpec): ServiceAddress {
  let protocol: string;
  let address: string;
  if (Array.isArray(service)) {
    if (service.length !== 2) {
      throw invalid(`Service tuple must have 2 elements [protocol, address], but got ${service.length}.`);
    }
    [protocol, address] = service as readonly [unknown, unknown] as [string, string];
    if (typeof protocol !== "string" || typeof address !== "string") {
      throw invalid("Service tuple must hold two strings [protocol, address].");
    }
  } else {
    if (typeof service !== "string") {
      throw invalid(`\`service\` must be a string, but \`service\` was of type ${typeName(service)}. service=${String(service)}`);
    }
    if (!service) throw invalid("`service` must not be empty");
    const parts = service.split("://");
    if (parts.length === 2) {
      [protocol, address] = parts;
    } else if (parts.length === 1) {
      protocol = DEFAULT_SERVICE_PROTOCOL;
      address = parts[0];
    } else {
      throw invalid(`Malformed \`service\` string has multiple '://': ${service}.`);
    }
  }
  const rpc = SERVICE_SCHEMES[protocol];
  if (rpc === undefined || !Object.hasOwn(SERVICE_SCHEMES, protocol)) {
    throw invalid(`Unsupported tf.data service protocol '${protocol}'. Supported: ` +
      `${Object.keys(SERVICE_SCHEMES).map((s) => `'${s}'`).join(", ")} (e.g. "grpc://localhost:5050").`);
  }
  if (!address || address.length > MAX_SERVICE_LENGTH || /[\s/]/.test(address) || !/:\d+$/.test(address)) {
    throw invalid(`tf.data service address must be host:port (e.g. "localhost:5050"), got '${address}'.`);
  }
  return { protocol: rpc, address };
}

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
