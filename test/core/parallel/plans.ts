/**
 * Helpers of the parallel runner tests: plans built with the Dataset API, annotated the way the
 * lowering annotates `ParallelMapDatasetV2` / `PrefetchDataset`, and one-thread references.
 */
import { getCore, type WireElement } from "../../../src/core/core.js";
import type { DatasetPlan } from "../../../src/core/plan.js";
import type { PipelineIterator } from "../../../src/core/parallel/pipeline.js";
import type { Dataset } from "../../../src/dataset/dataset.js";
import { lower } from "../../../src/graph/lower.js";

/**
 * The plan of `ds` with its maps as written: only maps given `numParallelCalls` are parallel (TF's
 * default map_parallelization rewrite off), so each test chooses where the runner cuts.
 */
export function planOf(ds: Dataset): DatasetPlan {
  return lower(ds.toGraphDef(), { mapParallelization: false }).plan;
}

/** `plan` with every map made parallel (`numParallelCalls`, `deterministic`) as the lowering marks it. */
export function parallelMaps(plan: DatasetPlan, numParallelCalls = -1n, deterministic = true): DatasetPlan {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plan)) {
    out[k] = typeof v === "object" && v !== null && typeof (v as { op?: unknown }).op === "string"
      ? parallelMaps(v as DatasetPlan, numParallelCalls, deterministic) : v;
  }
  if (plan.op === "map") Object.assign(out, { numParallelCalls, deterministic });
  return out as unknown as DatasetPlan;
}

/** `plan` under a prefetch node. */
export function prefetched(plan: DatasetPlan, bufferSize = -1n): DatasetPlan {
  return { op: "prefetch", input: plan, bufferSize };
}

/** JSON-able form of a component (bigints as strings, bytes as text). */
export function js(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x instanceof Uint8Array ? new TextDecoder().decode(x) : x)));
}

/** What a one-thread run of `plan` gives: elements (as JS) and the error that ended them. */
export async function reference(plan: DatasetPlan): Promise<{ elements: unknown[]; error?: { code: string; message: string } }> {
  const it = (await getCore()).createIterator(plan);
  const elements: unknown[] = [];
  try {
    for (let e = it.next(); e !== null; e = it.next()) elements.push(js(e.map((t) => t.toJS())));
  } catch (e) {
    return { elements, error: { code: (e as { code: string }).code, message: (e as Error).message } };
  }
  return { elements };
}

/** The same for a parallel iterator (closed at the end). */
export async function drain(it: PipelineIterator): Promise<{ elements: unknown[]; error?: { code: string; message: string }; threads: number }> {
  const elements: unknown[] = [];
  let threads = 0;
  try {
    for (let e = await it.next(); e !== null; e = await it.next()) {
      threads = Math.max(threads, it.threadCount);
      elements.push(js(e.map((t) => t.toJS())));
    }
  } catch (e) {
    return { elements, error: { code: (e as { code: string }).code, message: (e as Error).message }, threads };
  } finally {
    it.close();
  }
  return { elements, threads };
}

/** Wire elements of a one-thread run. */
export async function referenceWire(plan: DatasetPlan): Promise<WireElement[]> {
  const it = (await getCore()).createIterator(plan);
  const out: WireElement[] = [];
  for (let e = it.nextWire(); e !== null; e = it.nextWire()) out.push(e);
  return out;
}
