// The `tfdata` CLI as a real child process: it prints one line once serving, stops on SIGTERM and
// SIGINT with exit code 0 within 2 s leaving no listener, and refuses bad command lines with exit 2.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import { createClient } from "@connectrpc/connect";
import { DispatcherService } from "../../src/gen/tensorflow/core/data/service/dispatcher_pb.js";
import { createNodeTransport } from "../../src/runtime/node-transport.js";
import { REPO_ROOT } from "../helpers/tf.js";
import { parseArgs, UsageError } from "../../src/cli/args.js";

/** How long a CLI child may take to print its listening line (node + tsx start-up included). */
const START_TIMEOUT_MS = 20_000;
/** The acceptance bound: exit after SIGTERM within this. */
const STOP_BOUND_MS = 2000;

interface Cli {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  /** Resolves with the first stdout line. */
  readonly firstLine: Promise<string>;
  /** Resolves with [exit code, signal, ms since `markStop()`]. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const children = new Set<ChildProcess>();

function cli(args: string[]): Cli {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output within ${START_TIMEOUT_MS} ms; stderr: ${err}`)), START_TIMEOUT_MS);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`exited before printing; stderr: ${err}`));
    });
  });
  firstLine.catch(() => {});
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("exit", (code, signal) => {
      children.delete(child);
      resolve([code, signal]);
    }));
  return { child, stderr: () => err, firstLine, exited };
}

/** Sends `signal` and resolves with [exit code, ms until exit]. */
async function stopWith(c: Cli, signal: NodeJS.Signals): Promise<[number | null, number]> {
  const t0 = Date.now();
  c.child.kill(signal);
  const [code] = await c.exited;
  return [code, Date.now() - t0];
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function portOf(line: string): number {
  const m = /:(\d+)(,|$)/.exec(line);
  assert.ok(m, `no port in '${line}'`);
  return Number(m[1]);
}

const lifecycle = suite("tfdata processes");
lifecycle.after.each(() => {
  for (const c of children) c.kill("SIGKILL");
});

lifecycle("dispatcher: prints its target, SIGTERM -> exit 0 within 2 s, no listener left", async () => {
  const d = cli(["dispatcher", "--port", "0", "--host", "127.0.0.1"]);
  const line = await d.firstLine;
  assert.match(line, /^tfdata dispatcher listening on grpc:\/\/localhost:\d+$/);
  const port = portOf(line);
  assert.ok(await accepts(port));
  const client = createClient(DispatcherService, createNodeTransport(`127.0.0.1:${port}`));
  assert.is((await client.getVersion({})).version, 9n);
  const [code, ms] = await stopWith(d, "SIGTERM");
  assert.is(code, 0, d.stderr());
  assert.ok(ms < STOP_BOUND_MS, `took ${ms} ms`);
  assert.is(await accepts(port), false);
  assert.not.match(d.stderr(), "did not stop");
});

lifecycle("dispatcher: SIGINT also stops it with exit 0", async () => {
  const d = cli(["dispatcher", "--port=0", "--host=127.0.0.1"]);
  const port = portOf(await d.firstLine);
  const [code, ms] = await stopWith(d, "SIGINT");
  assert.is(code, 0, d.stderr());
  assert.ok(ms < STOP_BOUND_MS, `took ${ms} ms`);
  assert.is(await accepts(port), false);
});

lifecycle("worker: registers with a CLI dispatcher; SIGTERM on each -> exit 0 within 2 s, no listener left", async () => {
  const d = cli(["dispatcher", "--port", "0", "--host", "127.0.0.1"]);
  const dPort = portOf(await d.firstLine);
  const w = cli(["worker", "--port", "0", "--host", "127.0.0.1", "--dispatcher-address", `localhost:${dPort}`,
    "--heartbeat-interval-ms", "200"]);
  const line = await w.firstLine;
  assert.match(line, new RegExp(`^tfdata worker listening on grpc://localhost:\\d+, registered with dispatcher localhost:${dPort}$`));
  const wPort = portOf(line.split(",")[0]);
  const client = createClient(DispatcherService, createNodeTransport(`127.0.0.1:${dPort}`));
  assert.equal((await client.getWorkers({})).workers.map((x) => x.address), [`localhost:${wPort}`]);
  const [wCode, wMs] = await stopWith(w, "SIGTERM");
  assert.is(wCode, 0, w.stderr());
  assert.ok(wMs < STOP_BOUND_MS, `worker took ${wMs} ms`);
  assert.is(await accepts(wPort), false);
  const [dCode, dMs] = await stopWith(d, "SIGTERM");
  assert.is(dCode, 0, d.stderr());
  assert.ok(dMs < STOP_BOUND_MS, `dispatcher took ${dMs} ms`);
  assert.is(await accepts(dPort), false);
});

lifecycle("worker: SIGTERM while still waiting for an absent dispatcher exits 0 quickly", async () => {
  // Reserve a port nobody listens on.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const deadPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const w = cli(["worker", "--port", "0", "--host", "127.0.0.1", "--dispatcher-address", `127.0.0.1:${deadPort}`]);
  // Wait until the worker says it is retrying registration (its signal handlers are then in place).
  for (let t0 = Date.now(); !w.stderr().includes("registering with dispatcher"); ) {
    assert.ok(Date.now() - t0 < 20_000, `worker never started: ${w.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 300)); // a registration attempt or two have failed by now
  const [code, ms] = await stopWith(w, "SIGTERM");
  assert.is(code, 0, w.stderr());
  assert.ok(ms < STOP_BOUND_MS, `took ${ms} ms`);
});

lifecycle("bad command lines exit 2 with the usage; --help exits 0", async () => {
  const cases = [[], ["dispatcher", "--bogus"], ["frobnicate"], ["worker", "--port", "1"], ["dispatcher", "--port", "x"],
    ["dispatcher", "--port", "70000"], ["dispatcher", "--port"]];
  const runs = cases.map((a) => cli(a)); // in parallel: node + tsx start-up dominates
  for (let i = 0; i < runs.length; i++) {
    const [code] = await runs[i].exited;
    assert.is(code, 2, `${cases[i].join(" ")}: ${runs[i].stderr()}`);
    assert.match(runs[i].stderr(), /^tfdata: /);
  }
  const h = cli(["--help"]);
  assert.match(await h.firstLine, "Usage: tfdata <command> [flags]");
  assert.is((await h.exited)[0], 0);
});

lifecycle("a port in use exits 1 with the reason", async () => {
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const c = cli(["dispatcher", "--port", String(port), "--host", "127.0.0.1"]);
    const [code] = await c.exited;
    assert.is(code, 1);
    assert.match(c.stderr(), "EADDRINUSE");
  } finally {
    await new Promise<void>((r) => busy.close(() => r()));
  }
});

lifecycle.run();

const args = suite("tfdata argument parsing");

args("flags map onto config fields, both --flag value and --flag=value", () => {
  assert.equal(parseArgs(["dispatcher", "--port", "5050", "--job-gc-timeout-ms=-1", "--deployment-mode", "REMOTE"]), {
    kind: "dispatcher", config: { port: 5050, jobGcTimeoutMs: -1, deploymentMode: "REMOTE" },
  });
  assert.equal(parseArgs(["worker", "--dispatcher-address=localhost:5050", "--worker-tags", "A,B", "--port", "5051"]), {
    kind: "worker", config: { dispatcherAddress: "localhost:5050", workerTags: ["A", "B"], port: 5051 },
  });
  assert.equal(parseArgs(["dispatcher", "-h"]), { kind: "help" });
});

args("usage errors name the problem", () => {
  const cases: [string[], string][] = [
    [[], "missing command"],
    [["nope"], "unknown command 'nope'"],
    [["dispatcher", "--dispatcher-address", "x:1"], "unknown flag '--dispatcher-address' for 'tfdata dispatcher'"],
    [["dispatcher", "stray"], "unexpected argument 'stray'"],
    [["dispatcher", "--port", "1", "--port", "2"], "given twice"],
    [["dispatcher", "--port", "1.5"], "expects an integer"],
    [["worker"], "needs --dispatcher-address"],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseArgs(argv), (e: Error) => e instanceof UsageError && e.message.includes(message), argv.join(" "));
  }
});

args.run();
