/**
 * Releasing an iteration client when its reader closes: shared by the first-come-first-served and
 * the round-robin readers.
 */
import type { DispatcherClient } from "./dispatcher-client.js";

/** How long `ReleaseIterationClient` may take before the iterator stops waiting for it. */
export const RELEASE_TIMEOUT_MS = 5_000;

/**
 * Tells the dispatcher `iterationClientId` is done. Best effort: a failure is ignored because the
 * dispatcher also releases clients that stop heartbeating.
 */
export function releaseIterationClient(dispatcher: DispatcherClient, iterationClientId: bigint): Promise<void> {
  return dispatcher.rpc
    .releaseIterationClient({ iterationClientId }, { timeoutMs: RELEASE_TIMEOUT_MS })
    .then(() => {}, () => {});
}
