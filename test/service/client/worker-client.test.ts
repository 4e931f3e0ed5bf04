// The client's GetElement reader: typed first, raw (zero-copy) once the transport shows the binary
// codec, typed forever on JSON transports; the same answers either way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { fromBinary } from "@bufbuild/protobuf";
import { UncompressedElementSchema } from "../../../src/gen/tensorflow/core/framework/dataset_pb.js";
import { WorkerService } from "../../../src/gen/tensorflow/core/data/service/worker_pb.js";
import { WorkerElementClient, parseRawResponse } from "../../../src/service/client/worker-client.js";
import { WorkerServer } from "../../../src/service/worker/worker-server.js";
import { FakeDispatcher, fakeDeps, taskDef } from "../worker/fake-dispatcher.js";
import { WireType } from "@bufbuild/protobuf/wire";

function int64Of(bytes: Uint8Array): bigint {
  const c = fromBinary(UncompressedElementSchema, bytes).components[0].tensorContent;
  return new BigInt64Array(c.slice().buffer)[0];
}

test("binary transports switch to raw reads; JSON transports stay typed; answers are the same", async () => {
  const dispatcher = await new FakeDispatcher().start();
  const worker = new WorkerServer({
    dispatcherAddress: dispatcher.address, host: "127.0.0.1", workerAddress: "127.0.0.1:%port%", heartbeatIntervalMs: 50,
  }, true, { pipelineDeps: fakeDeps({ stripped: 0, closed: 0 }) });
  try {
    await worker.start();
    const baseUrl = `http://127.0.0.1:${worker.port}`;
    const transports = {
      grpc: createGrpcTransport({ baseUrl }),
      "grpc-web": createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }),
      "connect binary": createConnectTransport({ baseUrl, httpVersion: "1.1" }),
      "connect json": createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false }),
    };
    let taskId = 4100n;
    for (const [name, transport] of Object.entries(transports)) {
      taskId++;
      await createClient(WorkerService, transport).processTask({ task: taskDef({ taskId, workerAddress: worker.address, graph: "range:3" }) });
      const client = new WorkerElementClient(transport);
      const got: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await client.getElement({ taskId });
        assert.is(res.element?.kind, "uncompressed", name);
        got.push(int64Of(res.element!.bytes));
      }
      assert.equal(got, [0n, 1n, 2n], name);
      const end = await client.getElement({ taskId });
      assert.is(end.endOfSequence, true, name);
      assert.is(end.element, undefined, name);
      assert.is(client.readsRaw, name !== "connect json", `${name}: raw reads`);
    }
  } finally {
    await worker.stop();
    await dispatcher.stop();
  }
});

test("parseRawResponse reads flags, index and the element's bytes by field number", () => {
  const res = parseRawResponse([
    { no: 6, wireType: WireType.Varint, data: Uint8Array.of(0x96, 0x01) },
    { no: 3, wireType: WireType.LengthDelimited, data: Uint8Array.of(3, 7, 8, 9) },
    { no: 2, wireType: WireType.Varint, data: Uint8Array.of(0) },
    { no: 99, wireType: WireType.Varint, data: Uint8Array.of(1) },
  ]);
  assert.is(res.elementIndex, 150n);
  assert.equal(res.element && [res.element.kind, [...res.element.bytes]], ["compressed", [7, 8, 9]]);
  assert.is(res.endOfSequence, false);
  assert.is(res.skipTask, false);
  assert.is(parseRawResponse([{ no: 4, wireType: WireType.Varint, data: Uint8Array.of(1) }]).skipTask, true);
});

test.run();
