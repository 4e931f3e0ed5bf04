// DispatcherConfig fields of issue 4: workDir, faultTolerantMode, workerAddresses,
// gcDynamicShardingJobs (validation and TF's rule that fault tolerance needs a work dir).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DispatcherConfig } from "../../../src/service/config.js";
import { Dispatcher } from "../../../src/service/dispatcher/dispatcher.js";
import { type Platform, setPlatform } from "../../../src/service/platform.js";
import { nodePlatform } from "../../../src/runtime/node.js";

function error(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error("expected an error");
}

test("workDir, faultTolerantMode, workerAddresses and gcDynamicShardingJobs are accepted", () => {
  const c = new DispatcherConfig({
    workDir: "/var/tfdata", faultTolerantMode: true, workerAddresses: ["a:1", "b:%port%", "c"], gcDynamicShardingJobs: true,
  });
  assert.equal([c.workDir, c.faultTolerantMode, c.workerAddresses, c.gcDynamicShardingJobs],
    ["/var/tfdata", true, ["a:1", "b:%port%", "c"], true]);
  assert.ok(Object.isFrozen(c.workerAddresses));
  // A work dir without fault tolerance is valid (graphs in files, nothing journaled), as in TF.
  assert.is(new DispatcherConfig({ workDir: "w" }).faultTolerantMode, false);
});

test("faultTolerantMode without workDir is refused with TF's message", () => {
  const e = error(() => new DispatcherConfig({ faultTolerantMode: true }));
  assert.is(e.code, "InvalidArgument");
  assert.match(e.message, '"fault_tolerant_mode is True, but no work_dir is configured."');
  assert.match(e.message, "Set workDir");
});

test("bad values are refused, naming the field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ workDir: 7 }, "DispatcherConfig.workDir must be a string"],
    [{ workDir: "a\nb" }, "without control characters"],
    [{ faultTolerantMode: "yes" }, "faultTolerantMode must be a boolean"],
    [{ gcDynamicShardingJobs: 1 }, "gcDynamicShardingJobs must be a boolean"],
    [{ workerAddresses: "a:1" }, "workerAddresses must be an array of strings"],
    [{ workerAddresses: [""] }, "workerAddresses entries are"],
    [{ workerAddresses: ["a b:1"] }, "workerAddresses entries are"],
    [{ workerAddresses: ["grpc://a:1"] }, "workerAddresses entries are"],
    [{ workerAddresses: ["a:1", "a:1"] }, "lists a:1 twice"],
    [{ workerAddresses: new Array(10_001).fill("h") }, "at most 10000"],
  ];
  for (const [init, message] of cases) {
    const e = error(() => new DispatcherConfig(init as never));
    assert.is(e.code, "InvalidArgument", message);
    assert.match(e.message, message);
  }
  // Open entries may repeat: each is claimed by one worker of that host.
  assert.is(new DispatcherConfig({ workerAddresses: ["h:%port%", "h:%port%", "h", "h"] }).workerAddresses.length, 4);
});

test("a dispatcher with a workDir on a platform without storage fails to start, naming the platform", async () => {
  const noFs: Platform = { ...nodePlatform, name: "browser", storage: undefined };
  setPlatform(noFs);
  try {
    const d = new Dispatcher(new DispatcherConfig({ workDir: "/x", jobGcTimeoutMs: -1 }));
    try {
      await d.start();
      assert.unreachable("start should fail");
    } catch (err) {
      assert.is((err as { code: string }).code, "Unimplemented");
      assert.match((err as Error).message, "DispatcherConfig.workDir needs a filesystem, which the browser platform does not have");
    }
    await d.stop();
  } finally {
    setPlatform(nodePlatform);
  }
});

test.run();
