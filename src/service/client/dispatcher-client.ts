/**
 * A client of `tensorflow.data.DispatcherService` that checks protocol compatibility first, as
 * every TF component does when it opens a dispatcher channel: `GetVersion` must answer the same
 * `kDataServiceVersion`. Used by the reading client and by the worker.
 */
import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { DispatcherService } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { platform, type RpcProtocol } from "../platform.js";
import { retry } from "./retry.js";

/** TF's `kDataServiceVersion`: peers must report the same number (TF 2.21 reports 9). */
export const DATA_SERVICE_VERSION = 9n;

/** A typed `DispatcherService` client. */
export type DispatcherRpc = Client<typeof DispatcherService>;

/** The dispatcher as seen by a client or a worker: typed RPCs plus the one-time version check. */
export class DispatcherClient {
  /** Typed RPC stubs; call {@link ensureCompatible} before relying on them. */
  readonly rpc: DispatcherRpc;
  private versionCheck: Promise<void> | undefined;

  /**
   * @param address `host:port` of the dispatcher.
   * @param protocol RPC protocol (TF speaks `"grpc"`).
   * @param transport defaults to the installed platform's transport to `address`.
   */
  constructor(
    readonly address: string,
    readonly protocol: RpcProtocol = "grpc",
    transport: Transport = platform().createTransport(address, protocol),
  ) {
    this.rpc = createClient(DispatcherService, transport);
  }

  /**
   * Calls `GetVersion` once (retried on retryable errors while `signal` allows, like TF's channel
   * initialisation) and fails with `FAILED_PRECONDITION` naming both versions when they differ.
   * A failed check is forgotten, so a later call tries again. `onRetry` sees each retried failure.
   */
  ensureCompatible(signal?: AbortSignal, onRetry?: (err: unknown) => void): Promise<void> {
    this.versionCheck ??= this.checkVersion(signal, onRetry).catch((err: unknown) => {
      this.versionCheck = undefined;
      throw err;
    });
    return this.versionCheck;
  }

  private async checkVersion(signal?: AbortSignal, onRetry?: (err: unknown) => void): Promise<void> {
    const res = await retry(() => this.rpc.getVersion({}, { signal }), {
      description: `get the tf.data service version from the dispatcher at ${this.address}`,
      signal,
      onRetry,
    });
    if (res.version !== DATA_SERVICE_VERSION) {
      throw new ConnectError(
        `Version mismatch with tf.data service server. The server is running version ${res.version}, ` +
          `while the client is running version ${DATA_SERVICE_VERSION}. Please ensure that the client and ` +
          `server side are running the same version of TensorFlow (tfdata-service speaks version ` +
          `${DATA_SERVICE_VERSION}, as TensorFlow 2.21 does).`,
        Code.FailedPrecondition,
      );
    }
  }
}
