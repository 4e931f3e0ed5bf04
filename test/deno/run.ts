// Deno phase (run by scripts/run-tests.mjs under Node): runs the isomorphic suites
// (`test/**/*.iso.test.ts`), the fetch-runtime suites (`*.web.test.ts`) and the Deno-only suites
// (`*.deno.test.ts`) under the npm `deno` binary, from our TypeScript sources (`--sloppy-imports`
// maps our `.js` specifiers onto `.ts`). Before that it starts a Node DispatchServer + WorkerServer
// in this process, so Deno suites can read through our client over fetch.
// Prints uvu's summary (from the Deno child) and exits non-zero on any failure.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { LocalService } from "../helpers/servers.js";
import { findSuites, ISO_SUITE, parseUvuSummary, runnerModuleSource, WEB_SUITE, type RunnerContext } from "../helpers/suites.js";
import { REPO_ROOT } from "../helpers/tf.js";

/** Longest the Deno child may run. */
const DENO_TIMEOUT_MS = 10 * 60_000;
const DENO = join(REPO_ROOT, "node_modules", ".bin", "deno");
const OUT_DIR = join(REPO_ROOT, ".tmp", "deno-run");
const ENTRY = join(REPO_ROOT, "src", "entry", "deno.ts");

async function main(): Promise<number> {
  if (!existsSync(DENO)) {
    console.error(`${DENO} is missing: run npm ci (the devDependency deno@2.9.6 provides it).`);
    return 1;
  }
  const suites = [...findSuites(ISO_SUITE), ...findSuites(WEB_SUITE), ...findSuites(/\.deno\.test\.ts$/)];
  const context: RunnerContext = { runtime: "deno" };
  let service: LocalService | undefined;
  try {
    // Imported here so a broken service fails only the suites that need it.
    const { startLocalService } = await import("../helpers/servers.js");
    service = await startLocalService();
    context.dispatcher = service.dispatcher;
  } catch (err) {
    context.serviceMissing = `Node DispatchServer/WorkerServer unavailable: ${(err as Error).message}`;
    console.error(`deno runner: ${context.serviceMissing}`);
  }

  mkdirSync(OUT_DIR, { recursive: true });
  const runner = join(OUT_DIR, "run.ts");
  const rel = (p: string) => {
    const r = relative(OUT_DIR, join(REPO_ROOT, p));
    return r.startsWith(".") ? r : `./${r}`;
  };
  writeFileSync(runner, runnerModuleSource({
    suites,
    specifier: rel,
    setup: existsSync(ENTRY) ? [rel("src/entry/deno.ts")] : [],
    context,
  }));
  console.log(`deno runner: ${suites.length} suite file(s): ${suites.join(", ")}`);

  const child = spawn(DENO, ["run", "--allow-all", "--sloppy-imports", "--no-prompt", "--no-check", runner], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", RUST_BACKTRACE: "0" },
    stdio: ["ignore", "pipe", "pipe"],
    // Same process group as this runner: scripts/run-tests.mjs kills a stuck phase by group.
  });
  let out = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d: string) => { out += d; process.stdout.write(d); });
  child.stderr.pipe(process.stderr);
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); };
  process.on("exit", kill);
  const timer = setTimeout(() => {
    console.error(`deno runner: the Deno child ran over ${DENO_TIMEOUT_MS / 1000} s; killing it`);
    kill();
  }, DENO_TIMEOUT_MS);
  // Async wait (never spawnSync): the service above runs on this process's event loop.
  const code = await new Promise<number>((resolve) => {
    child.on("error", (err) => { console.error(`deno runner: ${err.message}`); resolve(1); });
    child.on("close", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  clearTimeout(timer);
  await service?.stop();

  const summary = parseUvuSummary(out);
  if (!summary) {
    console.error(`deno runner: the Deno child printed no uvu summary (exit ${code}).`);
    return 1;
  }
  if (!out.includes("__UVU_DONE__")) {
    console.error("deno runner: the Deno child did not finish its run.");
    return 1;
  }
  if (summary.total !== summary.passed) return 1;
  return code === 0 ? 0 : 1;
}

process.exitCode = await main();
