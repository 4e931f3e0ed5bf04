// DispatcherConfig / WorkerConfig: TF's defaults, validation, and a clear error for every field
// that is not implemented yet.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DispatcherConfig, WorkerConfig } from "../../src/service/config.js";

function error(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error("expected an error");
}

test("DispatcherConfig has TF's defaults", () => {
  const c = new DispatcherConfig();
  assert.equal({ ...c }, {
    port: 0,
    host: undefined,
    protocol: "grpc",
    workDir: "",
    faultTolerantMode: false,
    workerAddresses: [],
    deploymentMode: "UNSPECIFIED",
    jobGcCheckIntervalMs: 600_000,
    jobGcTimeoutMs: 300_000,
    gcDynamicShardingJobs: false,
    clientTimeoutMs: 300_000,
    workerTimeoutMs: 600_000,
    workerMaxConcurrentSnapshots: 3,
  });
  assert.ok(Object.isFrozen(c));
});

test("DispatcherConfig accepts implemented fields", () => {
  const c = new DispatcherConfig({
    port: 5050, host: "127.0.0.1", protocol: "grpc", deploymentMode: "colocated", jobGcCheckIntervalMs: 10,
    jobGcTimeoutMs: -1, clientTimeoutMs: 20, workerTimeoutMs: 30, workDir: "", faultTolerantMode: false,
    workerAddresses: [], gcDynamicShardingJobs: false, workerMaxConcurrentSnapshots: 3,
  });
  assert.is(c.port, 5050);
  assert.is(c.host, "127.0.0.1");
  assert.is(c.deploymentMode, "COLOCATED");
  assert.is(c.jobGcTimeoutMs, -1);
  assert.is(new DispatcherConfig({ deploymentMode: 3 }).deploymentMode, "HYBRID");
  assert.is(new DispatcherConfig({ deploymentMode: "DEPLOYMENT_MODE_REMOTE" as "REMOTE" }).deploymentMode, "REMOTE");
  assert.is(new DispatcherConfig({ port: null, workDir: null }).port, 0);
});

test("DispatcherConfig refuses fields that are not implemented yet, naming them", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ workerMaxConcurrentSnapshots: 5 }, "DispatcherConfig.workerMaxConcurrentSnapshots is not implemented yet"],
  ];
  for (const [init, message] of cases) {
    const e = error(() => new DispatcherConfig(init));
    assert.is(e.code, "Unimplemented");
    assert.match(e.message, message);
    assert.match(e.message, "leave it unset");
  }
  const p = error(() => new DispatcherConfig({ protocol: "grpc+loas" }));
  assert.is(p.code, "Unimplemented");
  assert.match(p.message, 'only "grpc"');
});

test("DispatcherConfig validates types and ranges", () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ port: -1 }, "port must be an integer in 0..65535"],
    [{ port: 70000 }, "port must be an integer"],
    [{ port: 1.5 }, "port must be an integer"],
    [{ port: "5050" }, "port must be an integer"],
    [{ jobGcCheckIntervalMs: 0 }, "jobGcCheckIntervalMs must be a positive integer"],
    [{ jobGcTimeoutMs: -2 }, "jobGcTimeoutMs must be a positive integer or -1 (never)"],
    [{ clientTimeoutMs: Number.NaN }, "clientTimeoutMs must be a positive integer"],
    [{ deploymentMode: "LOCAL" }, "Supported modes are COLOCATED, REMOTE, and HYBRID"],
    [{ faultTolerantMode: "yes" }, "faultTolerantMode must be a boolean"],
    [{ host: "" }, "host must be a host name"],
    [{ job_gc_timeout_ms: 5 }, "no option 'job_gc_timeout_ms'; did you mean 'jobGcTimeoutMs'?"],
  ];
  for (const [init, message] of bad) {
    const e = error(() => new DispatcherConfig(init as never));
    assert.is(e.code, "InvalidArgument", JSON.stringify(init));
    assert.match(e.message, message);
  }
});

test("WorkerConfig has TF's defaults and requires a dispatcher address", () => {
  const c = new WorkerConfig({ dispatcherAddress: "localhost:5050" });
  assert.equal({ ...c }, {
    dispatcherAddress: "localhost:5050",
    workerAddress: "localhost:%port%",
    port: 0,
    host: undefined,
    protocol: "grpc",
    heartbeatIntervalMs: 30_000,
    dispatcherTimeoutMs: 3_600_000,
    workerTags: [],
    dataTransferProtocol: "",
    dataTransferPort: 0,
    dataTransferAddress: "",
    crossTrainerCacheSizeBytes: 10 * 1024 ** 3,
    snapshotMaxChunkSizeBytes: 0,
    shutdownQuietPeriodMs: 0,
  });
  assert.match(error(() => new WorkerConfig({} as never)).message, "dispatcherAddress is required");
  assert.match(error(() => new WorkerConfig(undefined as never)).message, "needs an options object");
  assert.match(error(() => new WorkerConfig({ dispatcherAddress: "grpc://localhost:5050" })).message,
    "without a scheme, got 'grpc://localhost:5050'; use 'localhost:5050'");
  assert.match(error(() => new WorkerConfig({ dispatcherAddress: "localhost" })).message, "must be host:port");
});

test("WorkerConfig validates and refuses unimplemented fields", () => {
  const c = new WorkerConfig({
    dispatcherAddress: "[::1]:5050", workerAddress: "10.0.0.1:%port%", port: 5051, heartbeatIntervalMs: 100,
    dispatcherTimeoutMs: 1000, workerTags: ["COLOCATED"], dataTransferProtocol: "grpc", host: "127.0.0.1",
  });
  assert.is(c.workerAddress, "10.0.0.1:%port%");
  assert.equal(c.workerTags, ["COLOCATED"]);
  assert.is(new WorkerConfig({ dispatcherAddress: "d:1", crossTrainerCacheSizeBytes: 500 }).crossTrainerCacheSizeBytes, 500);
  assert.is(new WorkerConfig({ dispatcherAddress: "d:1", workerAddress: "" }).workerAddress, "localhost:%port%");
  const bad: [Record<string, unknown>, string, string][] = [
    [{ workerTags: [""] }, "InvalidArgument", "workerTags must contain non-empty strings"],
    [{ workerTags: "A" }, "InvalidArgument", "workerTags must be an array"],
    [{ heartbeatIntervalMs: 0 }, "InvalidArgument", "heartbeatIntervalMs must be a positive integer"],
    [{ workerAddress: "nohost" }, "InvalidArgument", "workerAddress must be host:port"],
    [{ port: 65536 }, "InvalidArgument", "port must be an integer"],
    [{ dataTransferProtocol: "local" }, "Unimplemented", "WorkerConfig.dataTransferProtocol is not implemented yet"],
    [{ dataTransferAddress: "x:1" }, "Unimplemented", "dataTransferAddress is not implemented yet"],
    [{ dataTransferPort: 7 }, "Unimplemented", "dataTransferPort is not implemented yet"],
    [{ crossTrainerCacheSizeBytes: 0 }, "InvalidArgument", "crossTrainerCacheSizeBytes must be a positive integer"],
    [{ workerTags: ["", "COLOCATED"] }, "InvalidArgument", "Worker tags cannot be empty. Got tags {, COLOCATED}"],
    [{ snapshotMaxChunkSizeBytes: 1024 }, "Unimplemented", "snapshotMaxChunkSizeBytes is not implemented yet"],
    [{ shutdownQuietPeriodMs: 10 }, "Unimplemented", "shutdownQuietPeriodMs is not implemented yet"],
    [{ protocol: "grpc+local" }, "Unimplemented", 'only "grpc"'],
    [{ dispatcher_address: "x:1" }, "InvalidArgument", "did you mean 'dispatcherAddress'?"],
  ];
  for (const [extra, code, message] of bad) {
    const e = error(() => new WorkerConfig({ dispatcherAddress: "localhost:5050", ...extra } as never));
    assert.is(e.code, code, JSON.stringify(extra));
    assert.match(e.message, message);
  }
});

test.run();
