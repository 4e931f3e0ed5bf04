// PrefetchDataset: buffering only. In one instance it is its input; the parallel runner
// (src/core/parallel) reads it as a place where the pipeline may be split across threads.
import { fail, failed, INVALID_ARGUMENT } from "../core/status";
import { DatasetNode } from "../plan/nodes";
import { Dataset } from "./dataset";
import { buildInput } from "./registry";

/** Plan: one input; attr bufferSize (>= 0, or -1 for AUTOTUNE). */
export function makePrefetch(node: DatasetNode): Dataset | null {
  const n = node.attrs.intOr("bufferSize", -1);
  if (failed()) return null;
  if (n < -1) {
    fail(INVALID_ARGUMENT, "buffer_size must be >= 0 or -1 (AUTOTUNE), got " + n.toString());
    return null;
  }
  return buildInput(node, 0);
}
