/**
 * The source rewrite of DYNAMIC sharding (`distributed_epoch`): TF's worker gives the iterator of
 * each source dataset a remote split provider, so sources produce the elements named by the
 * splits the dispatcher hands out instead of their own. On a lowered plan that is: wrap each
 * source (`range`, `tensorSlice`, `tensor`) in a `splitSource` node over its provider.
 *
 * Source order is TF's (`MakeSplitProviders`, the dispatcher's order, and the order in which TF's
 * `zip` / `concatenate` iterators hand split providers to their inputs): a depth-first walk from
 * the output, through every input of `zip` and `concatenate` in input order, and through the one
 * input dataset of every other op. Datasets built inside functions (flat_map / interleave bodies)
 * get no splits, as in TF (their iterator contexts carry no split providers).
 */
import { TfDataError } from "../core/errors.js";
import type { DatasetPlan } from "../core/plan.js";

/** Plan ops that read splits under DYNAMIC sharding. */
const SPLITTABLE_SOURCES: ReadonlySet<string> = new Set(["range", "tensorSlice", "tensor"]);

function walk(plan: DatasetPlan, visit: (source: DatasetPlan) => DatasetPlan): DatasetPlan {
  if (SPLITTABLE_SOURCES.has(plan.op)) return visit(plan);
  switch (plan.op) {
    case "repeat":
      // Its passes read splits: an empty pass does not end an endless repeat (as TF's).
      return { ...plan, input: walk(plan.input, visit), splitFed: true };
    case "zip":
      return { ...plan, inputs: plan.inputs.map((p) => walk(p, visit)) };
    case "concatenate": {
      const input = walk(plan.input, visit);
      const other = walk(plan.other, visit);
      return { ...plan, input, other };
    }
    default:
      if ("input" in plan) return { ...plan, input: walk(plan.input, visit) } as DatasetPlan;
      throw new TfDataError("Unimplemented", `Cannot create a split provider for a "${plan.op}" dataset: it is not a ` +
        "source that can be split (range, from_tensor_slices, from_tensors). Use another processing mode.");
  }
}

/** Number of split providers a plan's DYNAMIC rewrite needs (its sources, counted as TF does). */
export function countSplitSources(plan: DatasetPlan): number {
  let n = 0;
  walk(plan, (p) => {
    n++;
    return p;
  });
  return n;
}

/**
 * `plan` with source `i` (TF's order) reading the splits of `providers[i]` (core split provider
 * ids). Throws TF's `FailedPrecondition` when the plan has another number of sources (the
 * dispatcher counted the graph's split providers differently), `Unimplemented` for an unsplittable plan.
 */
export function bindSplitSources(plan: DatasetPlan, providers: readonly number[]): DatasetPlan {
  let i = 0;
  const bound = walk(plan, (source) => {
    const provider = providers[i++];
    // A `replicate_on_split` source keeps its provider (TF counts it) but ignores it: every worker
    // reads it whole.
    const replicated = "replicateOnSplit" in source && source.replicateOnSplit === true;
    return provider === undefined || replicated ? source : { op: "splitSource", input: source, provider };
  });
  if (i !== providers.length) {
    // TF's message (CreateInputIteratorContexts / GetSingleSplitProvider).
    throw new TfDataError("FailedPrecondition",
      `Attempted to feed ${providers.length} split providers into a dataset with ${i} sources`);
  }
  return bound;
}
