/**
 * Shared pieces of the golden suites: which pipelines to run, the loud PENDING banner, reading a
 * bounded number of elements.
 */
import type { Tensor } from "../../src/core/tensor.js";
import { fromTensor, type Element } from "./compare.js";
import { CORPUS, PENDING } from "./corpus.js";
import { goldenIndex, type GoldenFixture } from "./fixtures.js";

/** Every pipeline name either side defines (Python's order first): each gets a test per suite. */
export function pipelineNames(): string[] {
  const names = [...goldenIndex().names];
  for (const n of Object.keys(CORPUS)) if (!names.includes(n)) names.push(n);
  return names;
}

let bannerShown = false;

/** Prints, once per process, which pipelines are pending and why. */
export function announcePending(): void {
  const entries = Object.entries(PENDING);
  if (bannerShown || entries.length === 0) return;
  bannerShown = true;
  const bar = "!".repeat(78);
  console.error(["", bar, `!! GOLDEN CORPUS: ${entries.length} pipeline(s) PENDING (their tests are skipped, not passed):`,
    ...entries.map(([n, why]) => `!!   ${n}: ${why}`), "!! The final state must have none pending (test/golden/corpus.ts).", bar, ""].join("\n"));
}

/** How many elements to read: the recorded prefix of an infinite pipeline, else one more than TF gave. */
export function readLimit(f: GoldenFixture): number {
  return f.prefix ?? f.elements.length + 1;
}

/** Reads at most `limit` elements from a component iterator (closing it early if needed). */
export async function collect(it: AsyncIterable<Tensor[]>, limit: number): Promise<Element[]> {
  const out: Element[] = [];
  if (limit <= 0) return out;
  for await (const comps of it) {
    out.push(comps.map(fromTensor));
    if (out.length >= limit) break;
  }
  return out;
}

/** Error text for messages. */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
