/**
 * Where a plan can be cut into threads without changing its elements or their order.
 *
 * A *map split* cuts at a parallel map M (`numParallelCalls` set). Below M, the *upstream* runs
 * once, in the calling thread. M and the ops between M and the root form the *stage*, run over
 * a channel in as many threads as wanted: the upstream's elements are dealt out in chunks of
 * consecutive elements, each chunk goes through the whole stage in one thread, and the outputs
 * are put back in chunk order. That is exact when every stage op treats chunks independently:
 * maps, filters, unbatch, prefetch, and batches whose input count per chunk is exact (a multiple
 * of the batch size, i.e. no filter or unbatch below them in the stage). Chunk sizes are then
 * multiples of `unit`, the product of those batch sizes. The last chunk may be shorter: it is the
 * end of the data, where a batch's remainder belongs anyway.
 *
 * A *producer split* cuts at the outermost prefetch when there is no usable parallel map: the
 * prefetch's input runs in one thread of its own, ahead of the consumer, and the stage (the
 * stateless ops above the prefetch, often none) runs in the calling thread. A map split over a
 * prefetch carries that producer split as its `fallback` (the service worker's compression map
 * sits right over a user's final prefetch).
 */
import type { DatasetPlan, MapPlan } from "../plan.js";

/** Largest chunk unit (product of batch sizes) the runner accepts; past it, no split. */
export const MAX_CHUNK_UNIT = 1 << 16;

/** Cut at a parallel map: `upstream` here, `stage` (over a channel) in threads. */
export interface MapSplit {
  readonly kind: "map";
  readonly upstream: DatasetPlan;
  /** The stage with a `{ op: "channel", id: 0 }` leaf; bind it with `bindChannel`. */
  readonly stage: DatasetPlan;
  /** Chunks (but the last) hold a multiple of this many upstream elements. */
  readonly unit: number;
  /** The map's `numParallelCalls` (-1 AUTOTUNE). */
  readonly parallelism: number;
  /** False when the map allows outputs in completion order. */
  readonly deterministic: boolean;
  /**
   * The producer split at a prefetch right below the map, when there is one: same stage, the
   * prefetch's input as upstream. The run takes it when the map is too cheap for threads but
   * the work below the prefetch is not.
   */
  readonly fallback?: ProducerSplit;
}

/** Cut at a prefetch: `upstream` in a thread of its own, `stage` (over a channel) here. */
export interface ProducerSplit {
  readonly kind: "producer";
  readonly upstream: DatasetPlan;
  readonly stage: DatasetPlan;
  readonly unit: number;
  /** The prefetch's buffer size in elements (-1 AUTOTUNE). */
  readonly bufferSize: number;
  /**
   * Whether a fresh copy of the upstream in another thread replays its passes exactly. Not when
   * it holds a `cache`: a later pass reads what this thread's copy recorded.
   */
  readonly replayable: boolean;
}

/** A place to cut a plan. */
export type PlanSplit = MapSplit | ProducerSplit;

/** The channel leaf a stage template carries until a thread binds it to its own channel. */
const CHANNEL_LEAF: DatasetPlan = { op: "channel", id: 0 };

type ChainOp = DatasetPlan & { op: "map" | "filter" | "unbatch" | "batch" | "prefetch" };

function isChainOp(p: DatasetPlan): p is ChainOp {
  return p.op === "map" || p.op === "filter" || p.op === "unbatch" || p.op === "batch" || p.op === "prefetch";
}

/** The stage ops from the root down to (not including) `chain[end]`, rebuilt over `leaf`. */
function rebuild(chain: readonly ChainOp[], end: number, leaf: DatasetPlan): DatasetPlan {
  let node = leaf;
  for (let i = end - 1; i >= 0; i--) {
    const op = chain[i];
    if (op.op === "prefetch") continue; // buffering only: the threads already compute ahead
    if (op.op === "map") {
      node = { op: "map", input: node, fn: op.fn };
    } else {
      node = { ...op, input: node } as DatasetPlan;
    }
  }
  return node;
}

/**
 * The exactness check, bottom-up from chain index `end - 1` to the root: returns the chunk unit,
 * or null when a batch sits above a filter/unbatch (its batches would straddle chunks).
 */
function unitOf(chain: readonly ChainOp[], end: number): number | null {
  let exact = true;
  let unit = 1;
  for (let i = end - 1; i >= 0; i--) {
    const op = chain[i];
    if (op.op === "filter" || op.op === "unbatch") exact = false;
    else if (op.op === "batch") {
      if (!exact) return null;
      unit *= Number(op.batchSize);
      if (!(unit <= MAX_CHUNK_UNIT)) return null;
    }
  }
  return unit;
}

/** Where `plan` can be cut (see the module comment), or null when it runs in one thread. */
export function splitPlan(plan: DatasetPlan): PlanSplit | null {
  const chain: ChainOp[] = [];
  let node: DatasetPlan = plan;
  while (isChainOp(node)) {
    chain.push(node);
    node = node.input;
  }
  // The deepest parallel map whose stage is exact wins: more of the work runs in threads.
  for (let i = chain.length - 1; i >= 0; i--) {
    const op = chain[i];
    if (op.op !== "map" || (op as MapPlan).numParallelCalls === undefined) continue;
    const m = op as MapPlan;
    const unit = unitOf(chain, i);
    if (unit === null) continue;
    const stage = rebuild(chain, i, { op: "map", input: CHANNEL_LEAF, fn: m.fn });
    const below = chain[i + 1];
    const deterministic = m.deterministic !== false;
    // Only where the map keeps order: a producer's stage hands out elements in order.
    const fallback: ProducerSplit | undefined = below?.op === "prefetch" && deterministic
      ? { kind: "producer", upstream: below.input, stage, unit, bufferSize: Number(below.bufferSize), replayable: !containsOp(below.input, "cache") }
      : undefined;
    return { kind: "map", upstream: m.input, stage, unit, parallelism: Number(m.numParallelCalls), deterministic, ...(fallback && { fallback }) };
  }
  // Else the outermost prefetch whose stage is exact.
  for (let i = 0; i < chain.length; i++) {
    const op = chain[i];
    if (op.op !== "prefetch") continue;
    const unit = unitOf(chain, i);
    if (unit === null) return null;
    return {
      kind: "producer", upstream: op.input, stage: rebuild(chain, i, CHANNEL_LEAF), unit, bufferSize: Number(op.bufferSize),
      replayable: !containsOp(op.input, "cache"),
    };
  }
  return null;
}

/** Whether `plan` (inputs and dataset templates included) has a node of kind `op`. */
export function containsOp(plan: DatasetPlan, op: string): boolean {
  if (plan.op === op) return true;
  for (const v of Object.values(plan)) {
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) {
      if (v.some((x) => typeof x === "object" && x !== null && typeof (x as { op?: unknown }).op === "string" && containsOp(x as DatasetPlan, op))) return true;
    } else if (typeof (v as { op?: unknown }).op === "string" && containsOp(v as DatasetPlan, op)) {
      return true;
    }
  }
  return false;
}

/** `plan` with every channel leaf bound to channel `id` (of the instance that will run it). */
export function bindChannel(plan: DatasetPlan, id: number): DatasetPlan {
  if (plan.op === "channel") return { op: "channel", id };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plan)) {
    out[k] = typeof v === "object" && v !== null && typeof (v as { op?: unknown }).op === "string"
      ? bindChannel(v as DatasetPlan, id) : v;
  }
  return out as unknown as DatasetPlan;
}
