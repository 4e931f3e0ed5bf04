// Deno only: our client over Deno's fetch (connect-web transports, the browser platform), reading
// Dataset.range(10) from the Node DispatchServer + WorkerServer that test/deno/run.ts started.
// (The package's Deno entry may pick other transports; this pins the fetch path.)
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Dataset, distribute } from "../../src/index.js";
import { webPlatform } from "../../src/runtime/web.js";
import { platform, setPlatform } from "../../src/service/platform.js";

interface RunnerContext { dispatcher?: string; serviceMissing?: string; runtime: string }
const ctx = (globalThis as unknown as { __TFDATA_TEST__?: RunnerContext }).__TFDATA_TEST__;
const RANGE_10 = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n];

const fetchClient = suite("deno fetch client");

// Only test/deno/run.ts provides the service; a stray Node uvu run lists these as skipped.
const it = (name: string, fn: () => Promise<void>) => (ctx ? fetchClient(name, fn) : fetchClient.skip(name, fn));

for (const scheme of ["grpc-web", "connect"] as const) {
  it(`over fetch (${scheme}): distribute(parallel_epochs) reads range(10) from a Node dispatcher + worker`, async () => {
    if (!ctx?.dispatcher) assert.unreachable(`the runner started no Node service: ${ctx?.serviceMissing ?? "no runner context"}`);
    const previous = platform();
    setPlatform(webPlatform);
    try {
      const ds = Dataset.range(10).apply(distribute({ processingMode: "parallel_epochs", service: `${scheme}://${ctx!.dispatcher}` }));
      assert.equal(await ds.toArray(), RANGE_10);
    } finally {
      setPlatform(previous);
    }
  });
}

fetchClient.run();
