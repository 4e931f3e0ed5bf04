// Wire captures (issue 5 §4): TF 2.21's client reads the same pipeline once from a TF worker and
// once from ours, through a recording proxy (test/helpers/h2-capture.ts) that the worker advertises
// as its address. The GetElementResponse messages the client received must be byte-identical,
// element for element, with compression off and on.
//
// One worker per run (so the elements come in the pipeline's order) behind a fresh TF dispatcher
// (a TF dispatcher keeps a stopped worker registered and would give it tasks).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:net";
import { fromBinary } from "@bufbuild/protobuf";
import { WorkerConfig, WorkerServer } from "../../src/entry/node.js";
import { GetElementResponseSchema } from "../../src/gen/tensorflow/core/data/service/worker_pb.js";
import { startH2Capture, type CapturedCall, type H2Capture } from "../helpers/h2-capture.js";
import { LOOPBACK } from "../helpers/servers.js";
import { tfPython } from "../helpers/tf.js";
import { sharedTfClient, sharedTfCluster, type SharedLease, type TfClient, type TfCluster } from "../helpers/tf-drivers.js";

/** Pipelines captured (golden corpus names; the TF client builds the Python twin). */
const PIPELINES = ["tr_batch", "src_slices_strings"] as const;
const COMPRESSIONS = [null, "AUTO"] as const;
const READ_TIMEOUT_MS = 20_000;
const REFRESH_MS = 50;
const WORKER_HEARTBEAT_MS = 200;

/** The first byte of a GetElementRequest: field 1 (task_id), varint. (ProcessTask's is 0x0a.) */
const GET_ELEMENT_REQUEST_TAG = 0x08;

/** One response as the client received it. */
interface CapturedResponse {
  readonly hex: string;
  /** What the message says, for failure messages. */
  readonly summary: string;
  readonly hasElement: boolean;
  readonly endOfSequence: boolean;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** The GetElement responses of a capture, in the order the worker sent them. */
function getElementResponses(calls: readonly CapturedCall[]): CapturedResponse[] {
  const out: CapturedResponse[] = [];
  const ordered = calls
    .filter((c) => c.requests[0]?.bytes[0] === GET_ELEMENT_REQUEST_TAG)
    .sort((a, b) => a.connection - b.connection || a.streamId - b.streamId);
  for (const c of ordered) {
    for (const m of c.responses) {
      assert.not.ok(m.compressed, "gRPC-level compression is never used by either side");
      const r = fromBinary(GetElementResponseSchema, m.bytes);
      out.push({
        hex: hex(m.bytes),
        hasElement: r.element.case !== undefined,
        endOfSequence: r.endOfSequence,
        summary: `${r.element.case ?? "no element"}${r.endOfSequence ? " end_of_sequence" : ""}` +
          `${r.skipTask ? " skip_task" : ""} element_index=${r.elementIndex}`,
      });
    }
  }
  return out;
}

/** A free port on loopback (bound then released; the worker binds it right after). */
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

const wire = suite("interop wire captures");
const python = tfPython();

const testName = (p: string, c: string | null) =>
  `GetElementResponse bytes from TF's worker and ours are identical: ${p}, compression=${c ?? "None"}`;

if (!python) {
  for (const p of PIPELINES) for (const c of COMPRESSIONS) wire.skip(testName(p, c), () => {});
} else {
  let cluster: SharedLease<TfCluster> | undefined;
  let client: SharedLease<TfClient> | undefined;
  const tfCluster = () => (cluster ??= sharedTfCluster()).value;
  const tfClient = () => (client ??= sharedTfClient()).value;

  wire.before(() => {
    tfCluster().catch(() => {});
    tfClient().catch(() => {});
  });
  wire.after(() => {
    cluster?.release();
    client?.release();
  });

  /**
   * Reads `pipeline` with TF's client from one worker (TF's or ours) behind a capture proxy and
   * returns the GetElement responses it received.
   */
  async function capture(worker: "tf" | "ours", pipeline: string, compression: "AUTO" | null): Promise<CapturedResponse[]> {
    const [c, tf] = await Promise.all([tfCluster(), tfClient()]);
    const dispatcher = await c.newDispatcher();
    let proxy: H2Capture | undefined;
    let ours: WorkerServer | undefined;
    let theirs: string | undefined;
    try {
      const port = await freePort();
      proxy = await startH2Capture({ target: `${LOOPBACK}:${port}` });
      const advertised = `localhost:${proxy.port}`;
      if (worker === "tf") {
        theirs = await c.newWorker(dispatcher, { port, workerAddress: advertised, heartbeatMs: WORKER_HEARTBEAT_MS });
      } else {
        ours = new WorkerServer(new WorkerConfig({
          dispatcherAddress: dispatcher, port, host: LOOPBACK, workerAddress: advertised,
          heartbeatIntervalMs: WORKER_HEARTBEAT_MS,
        }), false);
        await ours.start();
      }
      const r = await tf.readDataset({
        dataset: { corpus: pipeline }, service: `grpc://${dispatcher}`, compression, refreshMs: REFRESH_MS,
      }, READ_TIMEOUT_MS);
      assert.ok(r.error === null && r.done, `TF's client reading ${pipeline} from ${worker === "tf" ? "TF's" : "our"} ` +
        `worker: ${r.error ?? `no end of sequence within ${READ_TIMEOUT_MS} ms`}`);
      const responses = getElementResponses(proxy.calls());
      assert.is(responses.filter((x) => x.hasElement).length, r.elements.length,
        "every element the client got passed the proxy in one GetElementResponse");
      return responses;
    } finally {
      await ours?.stop().catch(() => {});
      if (theirs) await c.stopServer(theirs).catch(() => {});
      await c.stopServer(dispatcher).catch(() => {});
      await proxy?.close();
    }
  }

  for (const pipeline of PIPELINES) {
    for (const compression of COMPRESSIONS) {
      wire(testName(pipeline, compression), async () => {
        const fromTf = await capture("tf", pipeline, compression);
        const fromOurs = await capture("ours", pipeline, compression);
        const tfElements = fromTf.filter((x) => x.hasElement);
        const ourElements = fromOurs.filter((x) => x.hasElement);
        assert.ok(tfElements.length > 0, "TF's worker sent elements");
        assert.is(ourElements.length, tfElements.length, "as many elements from both workers");
        const diffs: string[] = [];
        tfElements.forEach((t, i) => {
          const o = ourElements[i];
          if (t.hex !== o.hex) {
            diffs.push(`element ${i}: TF ${t.summary}: ${t.hex.slice(0, 160)}\n      ours ${o.summary}: ${o.hex.slice(0, 160)}`);
          }
        });
        const tfEos = fromTf.find((x) => x.endOfSequence && !x.hasElement);
        const ourEos = fromOurs.find((x) => x.endOfSequence && !x.hasElement);
        if (tfEos?.hex !== ourEos?.hex) diffs.push(`end of sequence: TF ${tfEos?.hex}, ours ${ourEos?.hex}`);
        assert.ok(diffs.length === 0, `${diffs.length} GetElementResponse(s) differ:\n    ${diffs.join("\n    ")}`);
      });
    }
  }
}

wire.run();
