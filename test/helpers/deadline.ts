// A time limit for a test that must not hang: it fails naming the step it was at, instead of
// holding the whole suite until the runner's stall watchdog kills it.

/**
 * Runs `body` with a `step(name)` marker; rejects if it takes longer than `ms`, naming the last
 * step reached.
 *
 * @example
 * await withDeadline(60_000, async (step) => { step("read"); ...; step("stop worker"); ... });
 */
export async function withDeadline<T>(ms: number, body: (step: (name: string) => void) => Promise<T>): Promise<T> {
  let at = "start";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no progress for ${ms} ms; stuck at step: ${at}`)), ms);
  });
  try {
    return await Promise.race([body((name) => (at = name)), expired]);
  } finally {
    clearTimeout(timer);
  }
}
