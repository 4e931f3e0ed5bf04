/**
 * The RPC edge of the dispatcher: `tensorflow.data.DispatcherService` (all 18 methods) routed to a
 * `Dispatcher`. Errors leave as `ConnectError`s with TF's gRPC codes; the distributed-snapshot RPCs,
 * not implemented, answer `UNIMPLEMENTED` naming the RPC.
 */
import { UNCOMPRESSED_RESPONSES } from "../handler-options.js";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { TfDataError } from "../../core/errors.js";
import { DispatcherService } from "../../gen/tensorflow/core/data/service/dispatcher_pb.js";
import { guard } from "../errors.js";
import type { Dispatcher } from "./dispatcher.js";

/** Why each not-yet-implemented RPC is missing, for its `UNIMPLEMENTED` message. */
const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {
  Snapshot: "distributed snapshots are not implemented",
  GetSnapshotSplit: "distributed snapshots are not implemented",
  GetSnapshotStreams: "distributed snapshots are not implemented",
};

function unimplemented(rpc: string): () => never {
  return () => {
    throw new TfDataError("Unimplemented",
      `tensorflow.data.DispatcherService/${rpc} is not implemented yet: ${NOT_IMPLEMENTED[rpc]}.`);
  };
}

/** The service implementation for `router.service(DispatcherService, ...)`. */
export function dispatcherServiceImpl(d: Dispatcher): ServiceImpl<typeof DispatcherService> {
  return {
    workerHeartbeat: guard((req) => d.workerHeartbeat(req)),
    workerUpdate: guard((req) => d.workerUpdate(req)),
    getDatasetDef: guard((req) => d.getDatasetDef(req)),
    getSplit: guard((req) => d.getSplit(req)),
    getVersion: guard(() => d.getVersion()),
    getOrRegisterDataset: guard((req) => d.getOrRegisterDataset(req)),
    getOrCreateJob: guard((req) => d.getOrCreateJob(req)),
    getOrCreateIteration: guard((req) => d.getOrCreateIteration(req)),
    maybeRemoveTask: guard((req) => d.maybeRemoveTask(req)),
    releaseIterationClient: guard((req) => d.releaseIterationClient(req)),
    clientHeartbeat: guard((req) => d.clientHeartbeat(req)),
    getWorkers: guard(() => d.getWorkers()),
    getDataServiceMetadata: guard((req) => d.getDataServiceMetadata(req)),
    getDataServiceConfig: guard(() => d.getDataServiceConfig()),
    snapshot: guard(unimplemented("Snapshot")),
    getSnapshotSplit: guard(unimplemented("GetSnapshotSplit")),
    getSnapshotStreams: guard(unimplemented("GetSnapshotStreams")),
    disableCompressionAtRuntime: guard((req) => d.disableCompressionAtRuntime(req)),
  };
}

/** Registers the dispatcher's service on a Connect router. */
export function dispatcherRoutes(d: Dispatcher): (router: ConnectRouter) => void {
  return (router) => {
    router.service(DispatcherService, dispatcherServiceImpl(d), UNCOMPRESSED_RESPONSES);
  };
}
