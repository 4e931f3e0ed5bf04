/**
 * What the interop matrix expects a distributed read to yield, and how it compares: elements as
 * exact keys (dtype, shape, bytes), multisets of them, and the ordering the service guarantees.
 *
 * Guarantees checked (spec §3.3, §3.10):
 * - `parallel_epochs` with W workers: W copies of the dataset. Each task's elements arrive in the
 *   pipeline's order (one request per task in flight, results appended in arrival order), so the
 *   output is an interleaving of W copies of the exact sequence.
 * - `distributed_epoch`: every element exactly once; which worker gets which split is not fixed,
 *   so only the multiset is. A batching pipeline batches per worker, so the rows (the batches cut
 *   along their first dimension) are what is exactly once.
 */
import { fromJson, showValues, type Component, type Element } from "../golden/compare.js";
import type { TfComponentJson } from "../helpers/tf-drivers.js";

/** An exact, comparable text form of one element. */
export function elementKey(e: Element): string {
  return e.map((c) => {
    const head = `${c.dtype}[${c.shape.join(",")}]`;
    if (c.strings) return `${head}s:${c.strings.map(hex).join(",")}`;
    return `${head}:${hex(c.bytes!)}`;
  }).join("|");
}

function hex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, "0");
  return s;
}

/** TF's JSON components as comparable elements. */
export function fromTfJson(elements: readonly (readonly TfComponentJson[])[]): Element[] {
  return elements.map((e) => e.map((c) => fromJson(c)));
}

/** The rows of a batched element: each component cut along its first dimension. */
export function rows(e: Element): Element[] {
  if (e.length === 0) return [e];
  const n = e[0].shape[0];
  if (e.some((c) => c.shape.length === 0 || c.shape[0] !== n)) {
    throw new Error(`cannot unbatch an element whose components disagree on the batch size: ${describe(e)}`);
  }
  const out: Element[] = [];
  for (let i = 0; i < n; i++) {
    out.push(e.map((c): Component => {
      const shape = c.shape.slice(1);
      if (c.strings) {
        const per = c.strings.length / n;
        return { dtype: c.dtype, shape, strings: c.strings.slice(i * per, (i + 1) * per) };
      }
      const per = c.bytes!.length / n;
      return { dtype: c.dtype, shape, bytes: c.bytes!.subarray(i * per, (i + 1) * per) };
    }));
  }
  return out;
}

/** Readable form of an element, for failure messages. */
export function describe(e: Element): string {
  return `(${e.map((c) => showValues(c, 6)).join(", ")})`;
}

/** Counts per key. */
function counts(keys: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

/**
 * null when `got` is exactly `expected` as multisets, else a short account of what is missing
 * and what is extra (with counts).
 */
export function multisetDiff(got: readonly Element[], expected: readonly Element[]): string | null {
  const byKey = new Map<string, Element>();
  for (const e of [...got, ...expected]) byKey.set(elementKey(e), e);
  const g = counts(got.map(elementKey));
  const x = counts(expected.map(elementKey));
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [k, n] of x) {
    const have = g.get(k) ?? 0;
    if (have < n) missing.push(`${n - have}× ${describe(byKey.get(k)!)}`);
  }
  for (const [k, n] of g) {
    const want = x.get(k) ?? 0;
    if (n > want) extra.push(`${n - want}× ${describe(byKey.get(k)!)}`);
  }
  if (missing.length === 0 && extra.length === 0) return null;
  const cut = (l: string[]) => l.slice(0, 5).join("; ") + (l.length > 5 ? `; … (${l.length} in all)` : "");
  return `got ${got.length} elements, expected ${expected.length}` +
    (missing.length ? `; missing ${cut(missing)}` : "") + (extra.length ? `; unexpected ${cut(extra)}` : "");
}

/**
 * True when `got` can be split into `copies` subsequences that each equal `sequence` exactly
 * (an interleaving of that many copies). Breadth-first over the positions reached in each copy.
 */
export function isInterleaving(got: readonly string[], sequence: readonly string[], copies: number): boolean {
  if (got.length !== sequence.length * copies) return false;
  let states = new Set<string>([Array(copies).fill(0).join(",")]);
  for (const k of got) {
    const next = new Set<string>();
    for (const s of states) {
      const pos = s.split(",").map(Number);
      for (let c = 0; c < copies; c++) {
        // Copies are interchangeable: advancing the first of equal positions is enough.
        if (c > 0 && pos[c] === pos[c - 1]) continue;
        if (pos[c] < sequence.length && sequence[pos[c]] === k) {
          const p = [...pos];
          p[c]++;
          p.sort((a, b) => a - b);
          next.add(p.join(","));
        }
      }
    }
    if (next.size === 0) return false;
    states = next;
  }
  return true;
}

/**
 * True when `got` is an interleaving of the whole `sequence` and one prefix of it (what a reader
 * sees when one of two workers dies mid-copy and its task is finished for it).
 */
export function isFullPlusPrefix(got: readonly string[], sequence: readonly string[]): boolean {
  const m = got.length - sequence.length;
  if (m < 0 || m > sequence.length) return false;
  // Positions (i in the full copy, j in the prefix), j <= m.
  let states = new Set<string>(["0,0"]);
  for (const k of got) {
    const next = new Set<string>();
    for (const s of states) {
      const [i, j] = s.split(",").map(Number);
      if (i < sequence.length && sequence[i] === k) next.add(`${i + 1},${j}`);
      if (j < m && sequence[j] === k) next.add(`${i},${j + 1}`);
    }
    if (next.size === 0) return false;
    states = next;
  }
  return states.has(`${sequence.length},${m}`);
}
