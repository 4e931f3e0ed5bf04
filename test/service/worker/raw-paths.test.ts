// The worker's plain-gRPC handlers (served without Connect by runtimes that can, see
// get-element-wire.ts): they hand `listen` GetElement, StreamElements and GrantCredits on
// serialized messages, their bytes parse to what the Connect handlers answer (the stream's are
// byte-identical to protobuf-es's), and the client reads through them the same way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { UncompressedElementSchema } from "../../../src/gen/tensorflow/core/framework/dataset_pb.js";
import {
  GetElementRequestSchema,
  GetElementResponseSchema,
  WorkerService,
} from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import {
  GrantCreditsRequestSchema,
  StreamElementsResponseSchema,
  type StreamElementsResponse,
} from "../../../src/gen/tfdata/v1/transfer_pb.js";
import { nodePlatform } from "../../../src/runtime/node.js";
import { setPlatform, type Platform } from "../../../src/service/platform.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import {
  encodeBatch,
  GRANT_CREDITS_PATH,
  STREAM_ELEMENTS_PATH,
  STREAM_WIRE_OWN_CHUNK_BYTES,
} from "../../../src/service/worker/element-stream.js";
import {
  GET_ELEMENT_PATH,
  type RawServerStreamHandler,
  type RawUnaryHandler,
} from "../../../src/service/worker/get-element-wire.js";
import { WorkerElementClient, type RawClient } from "../../../src/service/client/worker-client.js";
import { FakeDispatcher, fakeDeps, taskDef } from "./fake-dispatcher.js";

interface RawRoutes {
  rawUnary?: ReadonlyMap<string, RawUnaryHandler>;
  rawServerStream?: ReadonlyMap<string, RawServerStreamHandler>;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function valueOf(bytes: Uint8Array): bigint {
  const c = fromBinary(UncompressedElementSchema, bytes).components[0].tensorContent;
  return new BigInt64Array(c.slice().buffer)[0];
}

/** A worker whose `listen` options are captured (the Node server ignores what it does not know). */
async function setup() {
  const dispatcher = await new FakeDispatcher().start();
  let routes: RawRoutes = {};
  const capturing: Platform = {
    ...nodePlatform,
    listen(r, opts) {
      routes = opts as RawRoutes;
      return nodePlatform.listen(r, opts);
    },
  };
  setPlatform(capturing);
  const worker = new WorkerServer({
    dispatcherAddress: dispatcher.address, workerAddress: "127.0.0.1:%port%", host: "127.0.0.1", heartbeatIntervalMs: 50,
  }, false, { pipelineDeps: fakeDeps({ stripped: 0, closed: 0 }), warn: () => {} });
  try {
    await worker.start();
  } finally {
    setPlatform(nodePlatform);
  }
  const rpc = createClient(WorkerService, nodePlatform.createTransport(worker.address, "grpc"));
  const addTask = (taskId: bigint, graph: string) =>
    rpc.processTask({ task: taskDef({ taskId, workerAddress: worker.address, graph }) });
  /** A RawClient served in-process by the captured handlers. */
  const raw: RawClient = {
    async call(path, request) {
      const handler = routes.rawUnary?.get(path);
      if (!handler) throw new ConnectError(`no raw handler for ${path}`, Code.Unimplemented);
      return concat(await handler(request, new AbortController().signal));
    },
    async *stream(path, request, signal) {
      const handler = routes.rawServerStream?.get(path);
      if (!handler) throw new ConnectError(`no raw handler for ${path}`, Code.Unimplemented);
      for await (const chunks of handler(request, signal ?? new AbortController().signal)) yield concat(chunks);
    },
  };
  return {
    routes: () => routes, worker, rpc, addTask, raw,
    async stop() {
      await worker.stop();
      await dispatcher.stop();
    },
  };
}

test("the worker offers GetElement, StreamElements and GrantCredits to the runtime on serialized messages", async () => {
  const f = await setup();
  try {
    assert.equal([...(f.routes().rawUnary?.keys() ?? [])].sort(), [GET_ELEMENT_PATH, GRANT_CREDITS_PATH].sort());
    assert.equal([...(f.routes().rawServerStream?.keys() ?? [])], [STREAM_ELEMENTS_PATH]);
  } finally {
    await f.stop();
  }
});

test("raw GetElement answers what the Connect handler answers: elements, end of sequence, errors", async () => {
  const f = await setup();
  try {
    await f.addTask(1n, "range:3");
    await f.addTask(2n, "range:3");
    const getElement = f.routes().rawUnary!.get(GET_ELEMENT_PATH)!;
    const req = (taskId: bigint) => toBinary(GetElementRequestSchema, create(GetElementRequestSchema, { taskId }));
    for (let i = 0; i < 3; i++) {
      const raw = fromBinary(GetElementResponseSchema, concat(await getElement(req(1n), new AbortController().signal)));
      const typed = await f.rpc.getElement({ taskId: 2n });
      assert.equal(toBinary(GetElementResponseSchema, raw), toBinary(GetElementResponseSchema, typed), `element ${i}`);
      assert.is(raw.element.case, "uncompressed");
    }
    const end = fromBinary(GetElementResponseSchema, concat(await getElement(req(1n), new AbortController().signal)));
    assert.is(end.endOfSequence, true);
    try {
      await getElement(req(999n), new AbortController().signal);
      assert.unreachable("unknown task");
    } catch (err) {
      assert.instance(err, ConnectError);
      assert.is((err as ConnectError).code, Code.Unavailable);
      assert.match((err as ConnectError).rawMessage, /Task 999 not found/);
    }
    try {
      await getElement(Uint8Array.of(0xff, 0xff), new AbortController().signal);
      assert.unreachable("malformed");
    } catch (err) {
      assert.is((err as ConnectError).code, Code.InvalidArgument);
    }
  } finally {
    await f.stop();
  }
});

test("encodeBatch writes exactly protobuf-es's bytes, large elements as their own chunks", () => {
  const small = new Uint8Array(100).map((_, i) => i);
  const large = new Uint8Array(STREAM_WIRE_OWN_CHUNK_BYTES + 5).fill(7);
  const cases = [
    { streamId: 0n, elements: [], endOfSequence: true },
    { streamId: 12345678901234n, elements: [], endOfSequence: false },
    {
      streamId: 1n,
      elements: [
        { element: { kind: "uncompressed" as const, bytes: small }, elementIndex: 0n },
        { element: { kind: "compressed" as const, bytes: large }, elementIndex: 1n },
        { element: { kind: "uncompressed" as const, bytes: new Uint8Array(0) }, elementIndex: 2n ** 40n },
        { element: { kind: "uncompressed" as const, bytes: small }, elementIndex: 2n ** 63n - 1n },
      ],
      endOfSequence: true,
    },
  ];
  for (const batch of cases) {
    const chunks = encodeBatch(batch);
    const typed = create(StreamElementsResponseSchema, {
      streamId: batch.streamId,
      elements: batch.elements.map((e) => ({ element: { case: e.element.kind, value: e.element.bytes }, elementIndex: e.elementIndex })),
      endOfSequence: batch.endOfSequence,
    });
    assert.equal(concat(chunks), toBinary(StreamElementsResponseSchema, typed));
    for (const e of batch.elements) {
      if (e.element.bytes.length >= STREAM_WIRE_OWN_CHUNK_BYTES) {
        assert.ok(chunks.includes(e.element.bytes), "a large element is written as it is, not copied");
      }
    }
  }
});

test("raw StreamElements and GrantCredits: the same stream, and our client reads it through a RawClient", async () => {
  const f = await setup();
  try {
    await f.addTask(3n, "range:200");
    const client = new WorkerElementClient(nodePlatform.createTransport(f.worker.address, "grpc"), f.raw);
    const got: StreamElementsResponse[] = [];
    const iter = client.streamElements({ taskId: 3n, creditElements: 50n, creditBytes: 1n << 20n })[Symbol.asyncIterator]();
    const count = () => got.flatMap((m) => m.elements).length;
    while (count() < 50) got.push((await iter.next()).value as StreamElementsResponse);
    assert.is(count(), 50, "exactly the credits");
    await client.grantCredits({ streamId: got[0].streamId, creditElements: 1000n, creditBytes: 1n << 20n });
    for (;;) {
      const r = await iter.next();
      if (r.done) break;
      got.push(r.value);
    }
    assert.equal(got.flatMap((m) => m.elements.map((e) => valueOf(e.element.value as Uint8Array))),
      Array.from({ length: 200 }, (_, i) => BigInt(i)));
    assert.is(got[got.length - 1].endOfSequence, true);
    // GetElement through the same RawClient.
    await f.addTask(4n, "range:2");
    const first = await client.getElement({ taskId: 4n });
    assert.is(valueOf(first.element!.bytes), 0n);
    // A malformed request is INVALID_ARGUMENT on both raw paths.
    const stream = f.routes().rawServerStream!.get(STREAM_ELEMENTS_PATH)!;
    try {
      for await (const _ of stream(Uint8Array.of(0x08), new AbortController().signal)) { /* none */ }
      assert.unreachable("malformed");
    } catch (err) {
      assert.is((err as ConnectError).code, Code.InvalidArgument);
    }
    const grant = f.routes().rawUnary!.get(GRANT_CREDITS_PATH)!;
    try {
      await grant(toBinary(GrantCreditsRequestSchema, create(GrantCreditsRequestSchema, { streamId: 77777n })), new AbortController().signal);
      assert.unreachable("no such stream");
    } catch (err) {
      assert.is((err as ConnectError).code, Code.NotFound);
    }
  } finally {
    await f.stop();
  }
});

test.run();
