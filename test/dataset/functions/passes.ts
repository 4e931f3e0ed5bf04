/**
 * Running a plan for several passes as TF does: every pass is a new iterator over the same
 * dataset, so state the dataset keeps (a reshuffling shuffle's seed generator) carries over.
 * That needs the core to keep a dataset between iterators (`Core.createDataset`, ABI
 * `datasetCreate` / `datasetIterator`); without it each pass rebuilds the dataset and a
 * reshuffling shuffle repeats its first order, which the suites report as a failure.
 */
import type { Core, CoreIterator } from "../../../src/core/core.js";
import type { DatasetPlan } from "../../../src/core/plan.js";
import type { Tensor } from "../../../src/core/tensor.js";

/** The core's kept-dataset API, typed structurally (so this compiles with and without it). */
interface WithDatasets {
  createDataset?(plan: DatasetPlan): { createIterator(): CoreIterator; close(): void };
}

function drain(it: CoreIterator): Tensor[][] {
  const out: Tensor[][] = [];
  try {
    for (let e = it.next(); e !== null; e = it.next()) out.push(e);
  } finally {
    it.close();
  }
  return out;
}

/** Whether this core keeps datasets between passes. */
export function keepsDatasets(core: Core): boolean {
  return typeof (core as unknown as WithDatasets).createDataset === "function";
}

/** The elements of `passes` passes over `plan`'s dataset. */
export function runPasses(core: Core, plan: DatasetPlan, passes: number): Tensor[][][] {
  const c = core as unknown as WithDatasets;
  if (c.createDataset) {
    const ds = c.createDataset(plan);
    try {
      return Array.from({ length: passes }, () => drain(ds.createIterator()));
    } finally {
      ds.close();
    }
  }
  return Array.from({ length: passes }, () => drain(core.createIterator(plan)));
}
