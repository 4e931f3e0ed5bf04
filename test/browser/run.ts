// Browser phase (run by scripts/run-tests.mjs under Node): bundles the isomorphic suites
// (`test/**/*.iso.test.ts`), the fetch-runtime suites (`*.web.test.ts`) and the browser-only suites
// (`*.browser.test.ts`) with esbuild for `platform=browser`, serves them from 127.0.0.1, and runs
// them in headless Debian Chromium through playwright-core. A Node DispatchServer + WorkerServer
// started in this process lets the page read through our client over gRPC-web/Connect (CORS).
// Echoes uvu's output from the page console and exits non-zero on any failure.
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { LocalService } from "../helpers/servers.js";
import { findSuites, ISO_SUITE, parseUvuSummary, runnerModuleSource, WEB_SUITE, type RunnerContext } from "../helpers/suites.js";
import { REPO_ROOT } from "../helpers/tf.js";

/** Longest the page may take to finish every suite. */
const PAGE_TIMEOUT_MS = 5 * 60_000;
/** Chromium flags from toolchain.md §8 (the user-data-dir comes from launchPersistentContext). */
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
/** Prefix that marks a console message as raw uvu output (written without an added newline). */
const UVU_WRITE = "\u0001uvu:";
const OUT_DIR = join(REPO_ROOT, ".tmp", "browser-run");
const ENTRY = join(REPO_ROOT, "src", "entry", "web.ts");
const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".map": "application/json",
  ".json": "application/json", ".wasm": "application/wasm",
};

function chromiumPath(): string | null {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(p)) return p;
  return null;
}

/** Serves `dir` on 127.0.0.1 (any port); only files under it. */
async function serveStatic(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(dir, path === sep || path === "/" ? "index.html" : path);
    if (!file.startsWith(dir + sep) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("static server has no port");
  return { server, origin: `http://127.0.0.1:${addr.port}` };
}

async function bundle(suites: string[], context: RunnerContext): Promise<void> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const entry = join(OUT_DIR, "entry.ts");
  // uvu binds console.log as its writer when it loads; hand it one that tags its writes, so the
  // runner can print them byte for byte as uvu's Node output.
  const source = runnerModuleSource({
    suites,
    specifier: (p) => join(REPO_ROOT, p),
    setup: existsSync(ENTRY) ? [ENTRY] : [],
    context,
  }).replace('const uvu = await import("uvu");', [
    "const log = console.log;",
    `console.log = (x: unknown) => log(${JSON.stringify(UVU_WRITE)} + String(x));`,
    'const uvu = await import("uvu");',
    "console.log = log;",
  ].join("\n"));
  writeFileSync(entry, source);
  await build({
    entryPoints: [entry],
    outfile: join(OUT_DIR, "bundle.js"),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    sourcemap: "inline",
    // The wasm loader's `file:` branch imports node:fs lazily; it never runs in a page.
    // (test/runtime/bundle.test.ts checks that the package's browser entry needs no node:*.)
    external: ["node:*"],
    loader: { ".wasm": "file" },
    logLevel: "warning",
  });
  writeFileSync(join(OUT_DIR, "index.html"),
    '<!doctype html><meta charset="utf-8"><title>tfdata-service tests</title><link rel="icon" href="data:,"><script type="module" src="./bundle.js"></script>\n');
}

async function main(): Promise<number> {
  const executablePath = chromiumPath();
  if (!executablePath) {
    console.error("Debian chromium is not installed (apt-get install -y chromium).");
    return 1;
  }
  const suites = [...findSuites(ISO_SUITE), ...findSuites(WEB_SUITE), ...findSuites(/\.browser\.test\.ts$/)];
  console.log(`browser runner: ${suites.length} suite file(s): ${suites.join(", ")}`);
  const context: RunnerContext = { runtime: "browser" };
  let service: LocalService | undefined;
  try {
    // Imported here so a broken service fails only the suites that need it.
    const { startLocalService } = await import("../helpers/servers.js");
    service = await startLocalService();
    context.dispatcher = service.dispatcher;
  } catch (err) {
    context.serviceMissing = `Node DispatchServer/WorkerServer unavailable: ${(err as Error).message}`;
    console.error(`browser runner: ${context.serviceMissing}`);
  }

  const profile = mkdtempSync(join(tmpdir(), "tfdata-chromium-"));
  let web: { server: Server; origin: string } | undefined;
  let browser: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined;
  let out = "";
  const print = (s: string) => {
    const plain = s.replace(/\x1b\[[0-9;]*m/g, "");
    out += plain;
    process.stdout.write(plain);
  };
  let failure: string | null = null;
  try {
    const started = Date.now();
    await bundle(suites, context);
    console.log(`browser runner: bundled in ${Date.now() - started} ms`);
    web = await serveStatic(OUT_DIR);
    browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
    const page = browser.pages()[0] ?? (await browser.newPage());
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => { resolveDone = r; });
    page.on("console", (msg) => {
      const text = msg.text();
      if (text.startsWith(UVU_WRITE)) print(text.slice(UVU_WRITE.length));
      else if (text === "__UVU_DONE__") resolveDone();
      else print(`[page ${msg.type()}] ${text}\n`);
    });
    page.on("pageerror", (err) => {
      failure ??= `uncaught error in the page: ${err.stack ?? err.message}`;
      print(`[page error] ${err.stack ?? err.message}\n`);
      resolveDone();
    });
    page.on("crash", () => { failure ??= "the page crashed"; resolveDone(); });
    await page.goto(`${web.origin}/`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      done,
      new Promise<void>((r) => { timer = setTimeout(() => { failure ??= `the page did not finish within ${PAGE_TIMEOUT_MS / 1000} s`; r(); }, PAGE_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
  } catch (err) {
    failure ??= (err as Error).stack ?? String(err);
  } finally {
    await browser?.close().catch(() => {});
    await new Promise<void>((r) => (web ? web.server.close(() => r()) : r()));
    web?.server.closeAllConnections();
    await service?.stop();
    rmSync(profile, { recursive: true, force: true });
  }
  if (failure) {
    console.error(`browser runner: ${failure}`);
    return 1;
  }
  const summary = parseUvuSummary(out);
  if (!summary) {
    console.error("browser runner: the page printed no uvu summary.");
    return 1;
  }
  return summary.total === summary.passed ? 0 : 1;
}

process.exitCode = await main();
