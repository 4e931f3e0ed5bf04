// Our client, running in a fetch runtime (Chromium page or Deno), reads Dataset.range(10) from a
// Node DispatchServer + WorkerServer that the runner (test/browser/run.ts, test/deno/run.ts)
// started on 127.0.0.1 (issue 2 §9). Addresses come in through globalThis.__TFDATA_TEST__.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Dataset, distribute } from "../../src/index.js";

interface RunnerContext { dispatcher?: string; serviceMissing?: string; runtime: string }
const ctx = (globalThis as unknown as { __TFDATA_TEST__?: RunnerContext }).__TFDATA_TEST__;
const RANGE_10 = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n];

const remote = suite(`remote client (${ctx?.runtime ?? "unknown runtime"})`);

function dispatcher(): string {
  if (!ctx?.dispatcher) assert.unreachable(`the runner started no Node service: ${ctx?.serviceMissing ?? "no runner context"}`);
  return ctx!.dispatcher!;
}

// Only a runner (test/deno/run.ts, test/browser/run.ts) provides the service; elsewhere (e.g. a
// stray Node uvu run) the tests are listed as skipped rather than failed.
const it = (name: string, fn: () => Promise<void>) => (ctx ? remote(name, fn) : remote.skip(name, fn));

for (const scheme of ["grpc-web", "connect"] as const) {
  it(`distribute(parallel_epochs) over ${scheme} reads range(10) from a Node dispatcher + worker`, async () => {
    const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: `${scheme}://${dispatcher()}` }));
    assert.equal(await ds.toArray(), RANGE_10);
  });
}

it("compression AUTO: the client decompresses snappy elements in the core", async () => {
  const ds = Dataset.range(10).apply(distribute({
    processingMode: "parallel_epochs", service: `grpc-web://${dispatcher()}`, compression: "AUTO",
  }));
  assert.equal(await ds.toArray(), RANGE_10);
});

remote.run();
