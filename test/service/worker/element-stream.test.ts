// The worker side of the tfdata.v1 element stream: advertising, packing, credits (elements and
// bytes), backpressure, end of sequence, errors with GetElement's codes, task deletion, shutdown,
// and sharing a task with GetElement readers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { fromBinary } from "@bufbuild/protobuf";
import { UncompressedElementSchema } from "../../../src/gen/tensorflow/core/framework/dataset_pb.js";
import { WorkerService } from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import {
  ElementStreamService,
  type StreamElementsResponse,
} from "../../../src/gen/tfdata/v1/transfer_pb.js";
import { TfDataError } from "../../../src/core/errors.js";
import { platform } from "../../../src/service/platform.js";
import { WorkerServer, type WorkerServerInternals } from "../../../src/service/worker/worker-server.js";
import { STREAM_MAX_MESSAGE_ELEMENTS } from "../../../src/service/worker/element-stream.js";
import type { PipelineDeps } from "../../../src/service/worker/task-pipeline.js";
import { FakeDispatcher, fakeDeps, int64Element, taskDef, waitFor } from "./fake-dispatcher.js";

interface Fixture {
  dispatcher: FakeDispatcher;
  worker: WorkerServer;
  streams: Client<typeof ElementStreamService>;
  rpc: Client<typeof WorkerService>;
  /** Elements the fake sources produced so far (all tasks). */
  produced: () => number;
  /**
   * Holds the event loop open: a client transport references its socket only while a call is
   * starting, so a test waiting on stream data alone would let the process exit.
   */
  keepAlive: ReturnType<typeof setInterval>;
}

async function setup(internals: WorkerServerInternals = {}): Promise<Fixture> {
  const dispatcher = await new FakeDispatcher().start();
  const log = { stripped: 0, closed: 0 };
  let produced = 0;
  const counting = async (): Promise<PipelineDeps> => {
    const deps = await fakeDeps(log)();
    return {
      ...deps,
      async createSource(plan) {
        const src = await deps.createSource(plan);
        return {
          next() {
            const e = src.next();
            if (e) produced++;
            return e;
          },
          close: () => src.close(),
        };
      },
    };
  };
  const worker = new WorkerServer({
    dispatcherAddress: dispatcher.address, workerAddress: "127.0.0.1:%port%", host: "127.0.0.1", heartbeatIntervalMs: 50,
  }, false, { pipelineDeps: counting, warn: () => {}, ...internals });
  await worker.start();
  const transport = platform().createTransport(worker.address, "grpc");
  return {
    dispatcher,
    worker,
    streams: createClient(ElementStreamService, transport),
    rpc: createClient(WorkerService, transport),
    produced: () => produced,
    keepAlive: setInterval(() => {}, 1_000),
  };
}

async function teardown(f: Fixture): Promise<void> {
  clearInterval(f.keepAlive);
  await f.worker.stop();
  await f.dispatcher.stop();
}

async function addTask(f: Fixture, taskId: bigint, graph: string): Promise<void> {
  await f.rpc.processTask({ task: taskDef({ taskId, workerAddress: f.worker.address, graph }) });
}

function valueOf(bytes: Uint8Array): bigint {
  const c = fromBinary(UncompressedElementSchema, bytes).components[0].tensorContent;
  return new BigInt64Array(c.slice().buffer)[0];
}

function values(messages: StreamElementsResponse[]): bigint[] {
  return messages.flatMap((m) => m.elements.map((e) => valueOf(e.element.value as Uint8Array)));
}

/** Reads a stream in the background, so a test can look at it while it is open. */
function reader(messages: AsyncIterable<StreamElementsResponse>) {
  const got: StreamElementsResponse[] = [];
  let error: ConnectError | undefined;
  const done = (async () => {
    try {
      for await (const m of messages) got.push(m);
    } catch (err) {
      error = ConnectError.from(err);
    }
  })();
  return { got, done, error: () => error, count: () => values(got).length };
}

const settle = (ms = 100) => new Promise((r) => setTimeout(r, ms));

test("the worker advertises the stream after the gRPC entry; elementStream: false serves only GetElement", async () => {
  const f = await setup({ elementStream: false });
  try {
    assert.equal(f.dispatcher.heartbeats[0].transferServers.map((s) => s.protocol), ["grpc"]);
    await addTask(f, 1n, "range:3");
    try {
      for await (const _ of f.streams.streamElements({ taskId: 1n, creditElements: 10n, creditBytes: 1000n })) { /* none */ }
      assert.unreachable("the stream is not served");
    } catch (err) {
      assert.is(ConnectError.from(err).code, Code.Unimplemented);
    }
  } finally {
    await teardown(f);
  }
});

test("a stream packs many elements per message, in order, ends with end_of_sequence and reports completion", async () => {
  const f = await setup();
  try {
    await addTask(f, 7n, "range:1000");
    const messages: StreamElementsResponse[] = [];
    for await (const m of f.streams.streamElements({ taskId: 7n, creditElements: 100_000n, creditBytes: 1n << 30n })) {
      messages.push(m);
    }
    assert.equal(values(messages), Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    assert.ok(messages.length < 20, `1000 small elements come in few messages, got ${messages.length}`);
    assert.ok(messages[0].streamId > 0n, "the first message names the stream");
    assert.ok(messages.slice(1).every((m) => m.streamId === 0n), "later messages do not");
    assert.is(messages[messages.length - 1].endOfSequence, true);
    assert.ok(messages.slice(0, -1).every((m) => !m.endOfSequence));
    assert.equal(messages.flatMap((m) => m.elements.map((e) => e.elementIndex)), Array.from({ length: 1000 }, (_, i) => BigInt(i)));
    assert.ok(messages.every((m) => m.elements.length <= STREAM_MAX_MESSAGE_ELEMENTS));
    await waitFor(() => f.dispatcher.updates.some((u) => u.updates.some((x) => x.taskId === 7n && x.completed)), 5_000,
      "the completion WorkerUpdate");
    assert.is(f.worker["state"].streams.size, 0, "the finished stream is forgotten");
  } finally {
    await teardown(f);
  }
});

test("element credits: the worker sends exactly what was granted, then waits; grants resume it", async () => {
  const f = await setup();
  try {
    await addTask(f, 8n, "range:100");
    const r = reader(f.streams.streamElements({ taskId: 8n, creditElements: 3n, creditBytes: 1n << 30n }));
    await waitFor(() => r.count() === 3, 5_000, "3 elements");
    await settle();
    assert.is(r.count(), 3, "no element beyond the credits");
    // Backpressure: the task produced what was sent plus at most its one prefetched element.
    assert.ok(f.produced() <= 4, `produced ${f.produced()}`);
    const id = r.got[0].streamId;
    await f.streams.grantCredits({ streamId: id, creditElements: 5n, creditBytes: 0n });
    await waitFor(() => r.count() === 8, 5_000, "8 elements");
    await settle();
    assert.is(r.count(), 8);
    assert.ok(f.produced() <= 9, `produced ${f.produced()}`);
    await f.streams.grantCredits({ streamId: id, creditElements: 1000n, creditBytes: 0n });
    await r.done;
    assert.equal(values(r.got), Array.from({ length: 100 }, (_, i) => BigInt(i)));
    assert.is(r.got[r.got.length - 1].endOfSequence, true);
    assert.is(r.error(), undefined);
  } finally {
    await teardown(f);
  }
});

test("byte credits: an element needs a positive byte credit and costs its size (one may overshoot)", async () => {
  const f = await setup();
  try {
    await addTask(f, 9n, "range:50");
    const size = BigInt(int64Element(0n).length);
    const r = reader(f.streams.streamElements({ taskId: 9n, creditElements: 1000n, creditBytes: 1n }));
    await waitFor(() => r.count() === 1, 5_000, "the first element");
    await settle();
    assert.is(r.count(), 1, "1 byte of credit lets one whole element through, then the stream waits");
    const id = r.got[0].streamId;
    // The credit is now 1 - size; granting size - 1 brings it to 0: still nothing.
    await f.streams.grantCredits({ streamId: id, creditElements: 0n, creditBytes: size - 1n });
    await settle();
    assert.is(r.count(), 1, "a zero byte credit sends nothing");
    await f.streams.grantCredits({ streamId: id, creditElements: 0n, creditBytes: 2n * size });
    await waitFor(() => r.count() === 3, 5_000, "two more elements");
    await settle();
    assert.is(r.count(), 3);
    await f.streams.grantCredits({ streamId: id, creditElements: 0n, creditBytes: 1n << 20n });
    await r.done;
    assert.is(r.count(), 50);
  } finally {
    await teardown(f);
  }
});

test("errors: GetElement's codes for unknown tasks, pipeline failures, bad credits and closed streams", async () => {
  const f = await setup();
  const drain = async (req: Parameters<typeof f.streams.streamElements>[0]) => {
    const got: StreamElementsResponse[] = [];
    try {
      for await (const m of f.streams.streamElements(req)) got.push(m);
    } catch (err) {
      return { got, error: ConnectError.from(err) };
    }
    return { got, error: undefined };
  };
  try {
    const unknown = await drain({ taskId: 404n, creditElements: 1n, creditBytes: 100n });
    assert.is(unknown.error?.code, Code.Unavailable);
    assert.match(unknown.error!.rawMessage, /Task 404 not found/);

    await addTask(f, 10n, "fail-at:4");
    const failing = await drain({ taskId: 10n, creditElements: 100n, creditBytes: 1n << 20n });
    assert.equal(values(failing.got), [0n, 1n, 2n, 3n], "elements before the failure arrive");
    assert.is(failing.error?.code, Code.InvalidArgument);
    assert.match(failing.error!.rawMessage, /element 4 is bad/);
    const again = await drain({ taskId: 10n, creditElements: 100n, creditBytes: 1n << 20n });
    assert.equal(values(again.got), [], "the error is sticky");
    assert.is(again.error?.code, Code.InvalidArgument);

    const negative = await drain({ taskId: 10n, creditElements: -1n, creditBytes: 1n });
    assert.is(negative.error?.code, Code.InvalidArgument);
    assert.match(negative.error!.rawMessage, /credit_elements must be >= 0/);

    try {
      await f.streams.grantCredits({ streamId: 123456n, creditElements: 1n, creditBytes: 1n });
      assert.unreachable("no such stream");
    } catch (err) {
      assert.is(ConnectError.from(err).code, Code.NotFound);
    }
  } finally {
    await teardown(f);
  }
});

test("a task the dispatcher deletes ends its waiting stream with end_of_sequence; later streams too", async () => {
  const f = await setup();
  try {
    await addTask(f, 11n, "range:100");
    const r = reader(f.streams.streamElements({ taskId: 11n, creditElements: 2n, creditBytes: 1n << 20n }));
    await waitFor(() => r.count() === 2, 5_000, "2 elements");
    f.dispatcher.tasksToDelete = [11n];
    await r.done;
    assert.is(r.error(), undefined);
    assert.is(r.got[r.got.length - 1].endOfSequence, true);
    assert.is(r.count(), 2);
    const later = reader(f.streams.streamElements({ taskId: 11n, creditElements: 2n, creditBytes: 1n << 20n }));
    await later.done;
    assert.equal(later.got.map((m) => m.endOfSequence), [true]);
  } finally {
    await teardown(f);
  }
});

test("stopping the worker ends open streams with CANCELLED", async () => {
  const f = await setup();
  try {
    await addTask(f, 12n, "range:100");
    const r = reader(f.streams.streamElements({ taskId: 12n, creditElements: 1n, creditBytes: 1n << 20n }));
    await waitFor(() => r.count() === 1, 5_000, "1 element");
    await f.worker.stop();
    await r.done;
    const code = r.error()?.code;
    assert.ok(code === Code.Canceled || code === Code.Unavailable, `stream ended with ${code === undefined ? "no error" : Code[code]}`);
  } finally {
    await teardown(f);
  }
});

test("a client that goes away releases its stream", async () => {
  const f = await setup();
  try {
    await addTask(f, 13n, "range:100");
    const abort = new AbortController();
    const r = reader(f.streams.streamElements({ taskId: 13n, creditElements: 1n, creditBytes: 1n << 20n }, { signal: abort.signal }));
    await waitFor(() => r.count() === 1, 5_000, "1 element");
    assert.is(f.worker["state"].streams.size, 1);
    abort.abort();
    await r.done;
    await waitFor(() => f.worker["state"].streams.size === 0, 5_000, "the stream to be released");
  } finally {
    await teardown(f);
  }
});

test("streams and GetElement share a task first-come-first-served: nothing lost, nothing twice", async () => {
  const f = await setup();
  try {
    await addTask(f, 14n, "range:300");
    const r = reader(f.streams.streamElements({ taskId: 14n, creditElements: 2n, creditBytes: 1n << 20n }));
    const unary: bigint[] = [];
    let id = 0n;
    for (;;) {
      const res = await f.rpc.getElement({ taskId: 14n });
      if (res.endOfSequence) break;
      if (res.element.case === "uncompressed") {
        const c = res.element.value.components[0].tensorContent;
        unary.push(new BigInt64Array(c.slice().buffer)[0]);
      }
      if (r.got.length > 0 && id === 0n) id = r.got[0].streamId;
      if (id !== 0n && unary.length % 10 === 0) await f.streams.grantCredits({ streamId: id, creditElements: 2n, creditBytes: 0n });
    }
    if (id === 0n) id = r.got[0].streamId;
    // The stream ends at end of sequence once it holds a credit (it may have already).
    await f.streams.grantCredits({ streamId: id, creditElements: 1000n, creditBytes: 0n }).catch((err: unknown) => {
      assert.is(ConnectError.from(err).code, Code.NotFound, "only an ended stream refuses credits");
    });
    await r.done;
    assert.is(r.error(), undefined);
    assert.is(r.got[r.got.length - 1].endOfSequence, true);
    const all = [...unary, ...values(r.got)].sort((a, b) => Number(a - b));
    assert.equal(all, Array.from({ length: 300 }, (_, i) => BigInt(i)));
    assert.ok(values(r.got).length >= 2 && unary.length > 100, `split ${values(r.got).length} / ${unary.length}`);
  } finally {
    await teardown(f);
  }
});

test("Connect JSON clients get the same stream (bytes as base64)", async () => {
  const f = await setup();
  try {
    await addTask(f, 15n, "range:5");
    const json = createClient(ElementStreamService, createConnectTransport({
      baseUrl: `http://${f.worker.address}`, httpVersion: "1.1", useBinaryFormat: false,
    }));
    const got: StreamElementsResponse[] = [];
    for await (const m of json.streamElements({ taskId: 15n, creditElements: 10n, creditBytes: 1n << 20n })) got.push(m);
    assert.equal(values(got), [0n, 1n, 2n, 3n, 4n]);
  } finally {
    await teardown(f);
  }
});

test("a task that fails to initialise answers the stream with the initialisation error", async () => {
  const f = await setup();
  try {
    await addTask(f, 16n, "unsupported:PyFunc");
    try {
      for await (const _ of f.streams.streamElements({ taskId: 16n, creditElements: 1n, creditBytes: 100n })) { /* none */ }
      assert.unreachable("should fail");
    } catch (err) {
      const ce = ConnectError.from(err);
      assert.is(ce.code, Code.Unimplemented);
      assert.match(ce.rawMessage, /PyFunc/);
      assert.ok(!(err instanceof TfDataError));
    }
  } finally {
    await teardown(f);
  }
});

test.run();
