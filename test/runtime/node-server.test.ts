import { test } from "uvu";
import * as assert from "uvu/assert";
import * as net from "node:net";
import { spawn } from "node:child_process";
import { create } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { DispatcherService, GetVersionResponseSchema } from "../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { listen } from "../../src/runtime/node-server.js";
import { createNodeTransport, parseHostPort } from "../../src/runtime/node-transport.js";

const routes = (r: import("@connectrpc/connect").ConnectRouter) =>
  r.service(DispatcherService, { getVersion: async () => create(GetVersionResponseSchema, { version: 9n }) });

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

test("one port serves gRPC (h2c), Connect and gRPC-web (HTTP/1.1)", async () => {
  const srv = await listen(routes, { host: "127.0.0.1", port: 0 });
  try {
    for (const protocol of ["grpc", "connect", "grpc-web"] as const) {
      const client = createClient(DispatcherService, createNodeTransport(`127.0.0.1:${srv.port}`, protocol));
      const res = await client.getVersion({});
      assert.is(res.version, 9n, protocol);
    }
  } finally {
    await srv.close();
  }
});

test("CORS preflight is answered with the Connect headers", async () => {
  const srv = await listen(routes, { host: "127.0.0.1", port: 0 });
  try {
    const res = await fetch(`http://127.0.0.1:${srv.port}/tensorflow.data.DispatcherService/GetVersion`, {
      method: "OPTIONS",
      headers: { Origin: "http://example.test", "Access-Control-Request-Method": "POST" },
    });
    assert.is(res.status, 204);
    assert.is(res.headers.get("access-control-allow-origin"), "http://example.test");
    assert.ok(res.headers.get("access-control-allow-headers")?.includes("Connect-Protocol-Version"));
  } finally {
    await srv.close();
  }
});

test("close() releases the port and every connection promptly", async () => {
  const srv = await listen(routes, { host: "127.0.0.1", port: 0 });
  const client = createClient(DispatcherService, createNodeTransport(`127.0.0.1:${srv.port}`, "grpc"));
  await client.getVersion({});
  const t0 = Date.now();
  await srv.close();
  assert.ok(Date.now() - t0 < 400, `close took ${Date.now() - t0} ms`);
  assert.is(await canConnect(srv.port), false);
});

test("an idle gRPC client connection does not keep a process alive", async () => {
  const srv = await listen(routes, { host: "127.0.0.1", port: 0 });
  try {
    const code = `
      import { createClient } from "@connectrpc/connect";
      import { DispatcherService } from "./src/gen/tensorflow/core/data/service/dispatcher_pb.js";
      import { createNodeTransport } from "./src/runtime/node-transport.js";
      const c = createClient(DispatcherService, createNodeTransport("127.0.0.1:${srv.port}", "grpc"));
      console.log(String((await c.getVersion({})).version));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const exitCode = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => { child.kill("SIGKILL"); resolve(null); }, 8000);
      child.on("exit", (c) => { clearTimeout(t); resolve(c); });
    });
    assert.is(exitCode, 0, "child should exit on its own after its call");
    assert.is(out.trim(), "9");
  } finally {
    await srv.close();
  }
});

test("parseHostPort rejects malformed addresses with a helpful message", () => {
  assert.equal(parseHostPort("localhost:5050"), { host: "localhost", port: 5050 });
  assert.equal(parseHostPort("[::1]:7"), { host: "::1", port: 7 });
  assert.throws(() => parseHostPort("localhost"), /host:port/);
  assert.throws(() => parseHostPort("h:0"), /1\.\.65535/);
});

test.run();
