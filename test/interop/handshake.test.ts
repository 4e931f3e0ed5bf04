// Version and handshake across the TF boundary (issue 5 §2):
// - a peer whose GetVersion differs is refused, by our client and our worker as by TF's, and the
//   message names both versions (a fake dispatcher answers 8);
// - the gRPC codes our servers return are the ones TF's servers return in the same condition,
//   probed side by side with raw calls (UNAVAILABLE / CANCELLED are what TF's client retries on;
//   NOT_FOUND etc. are fatal, so a wrong code changes what a TF client does);
// - TF's client retries through a transient condition on our side (our worker restarting and
//   not yet registered: UNAVAILABLE) and finishes with exactly what it would get from TF.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { Dataset, DispatchServer, DispatcherConfig, WorkerConfig, WorkerServer, distribute } from "../../src/entry/node.js";
import { DispatcherService } from "../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { WorkerService } from "../../src/gen/tensorflow/core/data/service/worker_pb.js";
import { DataServiceMetadata_Compression } from "../../src/gen/tensorflow/core/protobuf/data_service_pb.js";
import { listen } from "../../src/runtime/node-server.js";
import { createNodeTransport } from "../../src/runtime/node-transport.js";
import { startH2Capture, type H2Capture } from "../helpers/h2-capture.js";
import { LOOPBACK } from "../helpers/servers.js";
import { tfPython } from "../helpers/tf.js";
import {
  sharedTfClient, sharedTfCluster, startTfCluster, type SharedLease, type TfClient, type TfCluster,
} from "../helpers/tf-drivers.js";
import { elementKey, fromTfJson } from "./matrix-elements.js";

/** The version the fake peer claims (TF 2.21 and we speak 9). */
const WRONG_VERSION = 8n;
/** An id no server has handed out. */
const UNKNOWN_ID = 987_654_321n;
const READ_TIMEOUT_MS = 20_000;
const REFRESH_MS = 50;
const WORKER_HEARTBEAT_MS = 200;
/** How long the restarted worker stays unregistered while TF's client retries. */
const UNREGISTERED_WINDOW_MS = 1_000;

/** A dispatcher stand-in: GetVersion answers `version`; heartbeats fail UNAVAILABLE while `refuse`. */
async function fakeDispatcher(version: bigint): Promise<{ address: string; refuse: boolean; close(): Promise<void> }> {
  const state = { refuse: true };
  const server = await listen((router) => {
    router.service(DispatcherService, {
      getVersion: () => ({ version }),
      workerHeartbeat: () => {
        if (state.refuse) throw new ConnectError("not accepting workers yet", Code.Unavailable);
        return {};
      },
    });
  }, { host: LOOPBACK, port: 0 });
  return {
    address: `${LOOPBACK}:${server.port}`,
    get refuse() { return state.refuse; },
    set refuse(v: boolean) { state.refuse = v; },
    close: () => server.close(),
  };
}

/** A free port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, LOOPBACK, () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The gRPC code a call fails with ("OK" when it succeeds). */
async function codeOf(call: () => Promise<unknown>): Promise<string> {
  return (await statusOf(call)).code;
}

/** The gRPC code and message a call fails with. */
async function statusOf(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
    return { code: "OK", message: "" };
  } catch (err) {
    const ce = ConnectError.from(err);
    return { code: Code[ce.code], message: ce.rawMessage };
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const handshake = suite("interop version and handshake");
const python = tfPython();

const names = {
  ourClient: "our client refuses a dispatcher answering GetVersion 8, naming both versions (as TF's client does)",
  ourWorker: "our worker refuses a dispatcher answering GetVersion 8, naming both versions (as TF's worker does)",
  probes: [
    "code parity: GetElement of an unknown task -> UNAVAILABLE (TF's worker and ours)",
    "code parity: GetElement on a bound worker not yet registered -> UNAVAILABLE (TF's worker and ours)",
    "code parity: dispatcher calls with unknown ids -> NOT_FOUND (TF's dispatcher and ours)",
  ],
  cancelled: "code: GetElement on our worker while it shuts down -> CANCELLED (TF's worker's code; TF's client retries it)",
  retry: "TF's client retries through our worker restarting (UNAVAILABLE until registered) and gets prefix + full copy, in order",
};

if (!python) {
  for (const n of [names.ourClient, names.ourWorker, ...names.probes, names.cancelled, names.retry]) handshake.skip(n, () => {});
} else {
  let cluster: SharedLease<TfCluster> | undefined;
  let client: SharedLease<TfClient> | undefined;
  const tfCluster = () => (cluster ??= sharedTfCluster()).value;
  const tfClient = () => (client ??= sharedTfClient()).value;
  let spareP: Promise<TfCluster> | undefined;
  /** A second TF process (started early), for the one TF worker that must block its process. */
  const spare = () => (spareP ??= startTfCluster({ dispatcher: false, heartbeatMs: WORKER_HEARTBEAT_MS }));
  const cleanups: (() => Promise<unknown>)[] = [];
  const later = (fn: () => Promise<unknown>) => cleanups.push(fn);

  handshake.before(() => {
    tfCluster().catch(() => {});
    tfClient().catch(() => {});
    spare().catch(() => {});
  });
  handshake.after.each(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => {});
  });
  handshake.after(async () => {
    cluster?.release();
    client?.release();
    await spareP?.then((c) => c.stop(), () => {});
  });

  handshake(names.ourClient, async () => {
    const fake = await fakeDispatcher(WRONG_VERSION);
    later(() => fake.close());
    let ours: unknown;
    try {
      await Dataset.range(3).apply(distribute({ processingMode: "parallel_epochs", service: `grpc://${fake.address}` })).toArray();
    } catch (err) {
      ours = err;
    }
    assert.ok(ours instanceof Error, "our client must refuse the dispatcher");
    const msg = (ours as Error).message;
    assert.match(msg, /version 8\b/, `names the server's version: ${msg}`);
    assert.match(msg, /version 9\b/, `names our version: ${msg}`);
    assert.is((ours as { code?: unknown }).code, "FailedPrecondition", "FAILED_PRECONDITION, as TF");
    // TF's client against the same peer: the same refusal.
    const tf = await tfClient();
    const r = await tf.readDataset({ dataset: { range: 3 }, service: `grpc://${fake.address}` }, READ_TIMEOUT_MS);
    assert.ok(r.error, "TF's client refuses it too");
    assert.match(r.error!, /FailedPrecondition/);
    assert.match(r.error!, /version 8\b/);
    assert.match(r.error!, /version 9\b/);
    // Same first sentence as TF's, so users searching the message find the same advice.
    const tfSentence = /Version mismatch with tf\.data service server\. The server is running version 8, while the client is running version 9\./;
    assert.match(r.error!, tfSentence, `TF's wording changed: ${r.error}`);
    assert.match(msg, tfSentence, `our message keeps TF's wording: ${msg}`);
  });

  handshake(names.ourWorker, async () => {
    const fake = await fakeDispatcher(WRONG_VERSION);
    later(() => fake.close());
    const w = new WorkerServer(new WorkerConfig({ dispatcherAddress: fake.address, port: 0, host: LOOPBACK }), false, {
      warn: () => {},
    });
    later(() => w.stop());
    let ours: unknown;
    try {
      await w.start();
    } catch (err) {
      ours = err;
    }
    assert.ok(ours instanceof Error, "our worker must refuse the dispatcher");
    const msg = (ours as Error).message;
    assert.match(msg, /version 8\b/, msg);
    assert.match(msg, /version 9\b/, msg);
    // TF's worker against the same peer.
    const c = await tfCluster();
    let theirs = "";
    try {
      const addr = await c.newWorker(fake.address, { heartbeatMs: WORKER_HEARTBEAT_MS });
      later(() => c.stopServer(addr));
    } catch (err) {
      theirs = (err as Error).message;
    }
    assert.match(theirs, /version 8\b/, `TF's worker refuses with the versions: ${theirs || "(it started)"}`);
    assert.match(theirs, /version 9\b/, theirs);
  });

  handshake(names.probes[0], async () => {
    const c = await tfCluster();
    const tfDispatcher = await c.newDispatcher();
    later(() => c.stopServer(tfDispatcher));
    const tfWorker = await c.newWorker(tfDispatcher);
    later(() => c.stopServer(tfWorker));
    const d = new DispatchServer(new DispatcherConfig({ port: 0, host: LOOPBACK }), false);
    await d.start();
    later(() => d.stop());
    const w = new WorkerServer(new WorkerConfig({ dispatcherAddress: d.target.split("://")[1], port: 0, host: LOOPBACK }), false);
    later(() => w.stop());
    await w.start();
    const probe = (address: string) => codeOf(() =>
      createClient(WorkerService, createNodeTransport(address)).getElement({ taskId: UNKNOWN_ID }));
    const theirs = await probe(tfWorker.replace("localhost", LOOPBACK));
    const ours = await probe(`${LOOPBACK}:${w.port}`);
    assert.is(theirs, "Unavailable", "TF's worker answers UNAVAILABLE (its client retries: the task may be on its way)");
    assert.is(ours, theirs);
  });

  handshake(names.probes[1], async () => {
    const fake = await fakeDispatcher(9n); // refuses heartbeats until told otherwise
    later(() => fake.close());
    // TF's worker in a spare process of its own: TF's start() blocks, holding python's GIL, until
    // the dispatcher accepts it, so that process answers nothing meanwhile.
    const tfPort = await freePort();
    const c = await spare();
    later(() => c.stop());
    const tfStarted = c.newWorker(fake.address, { port: tfPort, heartbeatMs: WORKER_HEARTBEAT_MS });
    tfStarted.catch(() => {});
    later(async () => {
      fake.refuse = false; // let TF's start() return before the process stops
      await tfStarted.catch(() => {});
    });
    const w = new WorkerServer(new WorkerConfig({ dispatcherAddress: fake.address, port: 0, host: LOOPBACK }), false, {
      warn: () => {},
    });
    later(() => w.stop());
    const starting = w.start();
    starting.catch(() => {});
    await waitFor(() => w.port !== 0, 10_000, "our worker to bind");
    const probe = (address: string) => statusOf(() =>
      createClient(WorkerService, createNodeTransport(address)).getElement({ taskId: UNKNOWN_ID }));
    // TF's worker binds in its start thread, then blocks in registration. A refused connection is
    // UNAVAILABLE too, so wait for an answer from the worker itself (its message says why).
    let theirs = await probe(`${LOOPBACK}:${tfPort}`);
    const deadline = Date.now() + 60_000; // includes TF's import
    while (!/regist/i.test(theirs.message) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      theirs = await probe(`${LOOPBACK}:${tfPort}`);
    }
    const ours = await probe(`${LOOPBACK}:${w.port}`);
    assert.is(theirs.code, "Unavailable", `TF's worker: not yet registered -> UNAVAILABLE (${theirs.message})`);
    assert.match(theirs.message, /not yet registered/, theirs.message);
    assert.is(ours.code, theirs.code, `ours: ${ours.message}`);
    assert.match(ours.message, /not yet registered/, ours.message);
    fake.refuse = false;
    await starting;
    assert.is((await probe(`${LOOPBACK}:${w.port}`)).code, "Unavailable",
      "registered now: the unknown task is UNAVAILABLE (retryable) still");
  });

  handshake(names.probes[2], async () => {
    const c = await tfCluster();
    const tfDispatcher = await c.newDispatcher();
    later(() => c.stopServer(tfDispatcher));
    const d = new DispatchServer(new DispatcherConfig({ port: 0, host: LOOPBACK }), false);
    await d.start();
    later(() => d.stop());
    const calls: [string, (rpc: ReturnType<typeof createClient<typeof DispatcherService>>) => Promise<unknown>][] = [
      ["ClientHeartbeat(unknown iteration client)", (rpc) => rpc.clientHeartbeat({ iterationClientId: UNKNOWN_ID })],
      ["ReleaseIterationClient(unknown)", (rpc) => rpc.releaseIterationClient({ iterationClientId: UNKNOWN_ID })],
      ["GetOrCreateIteration(unknown job)", (rpc) => rpc.getOrCreateIteration({ jobId: UNKNOWN_ID, repetition: 0n })],
      ["GetDataServiceMetadata(unknown dataset)", (rpc) => rpc.getDataServiceMetadata({ datasetId: "no-such-dataset" })],
      ["GetDatasetDef(unknown dataset)", (rpc) => rpc.getDatasetDef({ datasetId: "no-such-dataset" })],
      ["GetSplit(unknown iteration)", (rpc) => rpc.getSplit({ iterationId: UNKNOWN_ID, repetition: 0n, splitProviderIndex: 0n })],
    ];
    const tfRpc = createClient(DispatcherService, createNodeTransport(tfDispatcher.replace("localhost", LOOPBACK)));
    const ourRpc = createClient(DispatcherService, createNodeTransport(d.target.split("://")[1]));
    const rows: string[] = [];
    for (const [what, call] of calls) {
      const theirs = await codeOf(() => call(tfRpc));
      const ours = await codeOf(() => call(ourRpc));
      if (theirs !== "NotFound" || ours !== theirs) rows.push(`${what}: TF ${theirs}, ours ${ours}`);
    }
    assert.ok(rows.length === 0, `codes differ from TF's NOT_FOUND:\n    ${rows.join("\n    ")}`);
  });

  handshake(names.cancelled, async () => {
    const d = new DispatchServer(new DispatcherConfig({ port: 0, host: LOOPBACK }), false);
    await d.start();
    later(() => d.stop());
    const w = new WorkerServer(new WorkerConfig({ dispatcherAddress: d.target.split("://")[1], port: 0, host: LOOPBACK }), false, {
      warn: () => {},
    });
    later(() => w.stop());
    await w.start();
    // A task on the worker, made with raw dispatcher calls (no client reads it yet).
    const drpc = createClient(DispatcherService, createNodeTransport(d.target.split("://")[1]));
    const { datasetId } = await drpc.getOrRegisterDataset({
      dataset: { graph: Dataset.range(3).toGraphDef() },
      metadata: { compression: DataServiceMetadata_Compression.OFF },
    });
    const { jobId } = await drpc.getOrCreateJob({ datasetId, processingModeDef: {} });
    await drpc.getOrCreateIteration({ jobId, repetition: 0n });
    const wrpc = createClient(WorkerService, createNodeTransport(`${LOOPBACK}:${w.port}`));
    await waitFor(() => w.numTasks() > 0, 10_000, "the task to reach the worker");
    const tasks = (await wrpc.getWorkerTasks({})).tasks.map((t) => t.taskId);
    // With the dispatcher gone, the task's first GetElement waits inside the worker (its
    // initialisation retries DisableCompressionAtRuntime): a request in flight when we stop.
    await d.stop();
    const inFlight = statusOf(() => wrpc.getElement({ taskId: tasks[0] }));
    await new Promise((r) => setTimeout(r, 200));
    await w.stop();
    const status = await inFlight;
    assert.is(status.code, "Canceled",
      `a worker shutting down answers CANCELLED (TF's worker: cancelled_ -> CANCELLED): ${status.message}`);
  });

  handshake(names.retry, async () => {
    const tf = await tfClient();
    const d = new DispatchServer(new DispatcherConfig({ port: 0, host: LOOPBACK }), false);
    await d.start();
    later(() => d.stop());
    // The workers reach the dispatcher through a proxy that can hold new connections: the
    // restarted worker then listens but cannot register.
    const link: H2Capture = await startH2Capture({ target: d.target.split("://")[1].replace("localhost", LOOPBACK), record: false });
    later(() => link.close());
    const port = await freePort();
    const config = new WorkerConfig({
      dispatcherAddress: `${LOOPBACK}:${link.port}`, port, host: LOOPBACK, heartbeatIntervalMs: WORKER_HEARTBEAT_MS,
    });
    const first = new WorkerServer(config, false);
    later(() => first.stop());
    await first.start();
    const N = 200;
    const session = "restart";
    await tf.open(session, {
      dataset: { range: N }, service: d.target, refreshMs: REFRESH_MS, maxOutstandingRequests: 2,
    });
    later(() => tf.close(session));
    const head = await tf.take(session, 10, READ_TIMEOUT_MS);
    assert.is(head.elements.length, 10, `read 10 elements before the restart (${head.error ?? "timed out"})`);

    await first.stop(); // in-flight requests get CANCELLED, then the port closes (UNAVAILABLE)
    link.hold();
    const second = new WorkerServer(config, false, { warn: () => {} });
    later(() => second.stop());
    const starting = second.start();
    starting.catch(() => {});
    await waitFor(() => second.port !== 0, 10_000, "the restarted worker to bind");
    const rpc = createClient(WorkerService, createNodeTransport(`${LOOPBACK}:${port}`));
    assert.is(await codeOf(() => rpc.getElement({ taskId: UNKNOWN_ID })), "Unavailable",
      "bound but not registered: UNAVAILABLE, which TF's client retries");
    await new Promise((r) => setTimeout(r, UNREGISTERED_WINDOW_MS)); // TF's client retries meanwhile
    link.release();
    await starting;

    const rest = await tf.drain(session, READ_TIMEOUT_MS);
    assert.ok(rest.error === null, `TF's client failed instead of retrying: ${rest.error}`);
    assert.ok(rest.done, `TF's client did not reach the end within ${READ_TIMEOUT_MS} ms (${rest.total} elements)`);
    const got = fromTfJson([...head.elements, ...rest.elements]).map(elementKey);
    const seq = (n: number) => fromTfJson(Array.from({ length: n }, (_, i) => [{
      dtype: "int64", shape: [], data: Buffer.from(new BigInt64Array([BigInt(i)]).buffer).toString("base64"),
    }])).map(elementKey);
    // One worker: what the first instance delivered (a prefix), then the restarted one's full copy.
    const m = got.length - N;
    assert.ok(m >= 10 && m <= N, `expected a prefix plus ${N} elements, got ${got.length}`);
    assert.equal(got, [...seq(m), ...seq(N)], "prefix of the first instance, then the full copy of the restarted one");
  });
}

handshake.run();
