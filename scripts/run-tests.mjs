#!/usr/bin/env node
// Runs every test phase (Node uvu suites, Deno, Chromium), sums their uvu summaries and ends with
// the one line CI reads: `tests: N passed, N failed`. uvu's own summary has no "failed" line and
// exits 0 on zero tests, so this wrapper is the judge: a phase that crashes, prints no summary or
// runs no test counts as failed.
//
// Usage: node scripts/run-tests.mjs [phase ...]   (phases: node, deno, browser; default: all)
// Env:   TFDATA_TEST_FILTER=<regex>   only node suites whose path matches
//        CI=true                      a phase whose tool is missing is a failure, not a skip
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

/** Longest a phase may run before it is killed and counted as failed. */
const PHASE_TIMEOUT_MS = 40 * 60 * 1000;
/** Longest a phase may go without printing anything (a hung test) before it is killed. */
const STALL_MS = 4 * 60 * 1000;

const onCI = process.env.CI === "true" || process.env.CI === "1";
const nodeFilter = process.env.TFDATA_TEST_FILTER ?? "\\.test\\.ts$";

/** @type {{name: string, cmd: string[], needs?: () => string | null}[]} */
const phases = [
  {
    name: "node",
    cmd: [process.execPath, "--import", "tsx", "node_modules/uvu/bin.js", "test", nodeFilter,
      "--no-color", "-i", "\\.(web|deno|browser)\\.test\\.ts$", "-i", "fixtures", "-i", "helpers"],
  },
  {
    name: "deno",
    cmd: [process.execPath, "--import", "tsx", "test/deno/run.ts"],
    needs: () => (existsSync("node_modules/.bin/deno") ? null : "the npm package deno is not installed"),
  },
  {
    name: "browser",
    cmd: [process.execPath, "--import", "tsx", "test/browser/run.ts"],
    needs: () => (chromiumPath() ? null : "Debian chromium is not installed (apt-get install -y chromium)"),
  },
];

function chromiumPath() {
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(p)) return p;
  return null;
}

/** Parses the last uvu summary block in `out`. */
function parseSummary(out) {
  // uvu may colour its output even with --no-color when FORCE_COLOR is set upstream.
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  const totals = [...plain.matchAll(/Total:\s+(\d+)\s*\n\s*Passed:\s+(\d+)\s*\n\s*Skipped:\s+(\d+)/g)];
  if (totals.length === 0) return null;
  const m = totals[totals.length - 1];
  return { total: Number(m[1]), passed: Number(m[2]), skipped: Number(m[3]) };
}

function runPhase(phase) {
  return new Promise((resolve) => {
    const child = spawn(phase.cmd[0], phase.cmd.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
      detached: true,
    });
    let out = "";
    let lastOutput = Date.now();
    child.stdout.on("data", (d) => { out += d; lastOutput = Date.now(); process.stdout.write(d); });
    child.stderr.on("data", (d) => { lastOutput = Date.now(); process.stderr.write(d); });
    let stalled = false;
    const kill = () => { try { process.kill(-child.pid, "SIGKILL"); } catch {} };
    const timer = setTimeout(() => {
      console.error(`\n!! phase ${phase.name} exceeded ${PHASE_TIMEOUT_MS / 60000} min; killing it`);
      kill();
    }, PHASE_TIMEOUT_MS);
    // A hung test would otherwise hold CI until the phase timeout: name where it stopped instead.
    const watchdog = setInterval(() => {
      if (Date.now() - lastOutput < STALL_MS) return;
      stalled = true;
      const tail = out.trimEnd().split("\n").slice(-3).join(" | ");
      console.error(`\n!! phase ${phase.name} printed nothing for ${STALL_MS / 60000} min (a hung test after: ${tail}); killing it`);
      clearInterval(watchdog);
      kill();
    }, 5_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      resolve({ code: code ?? (signal ? 1 : 0), out, stalled });
    });
  });
}

const wanted = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const report = [];
for (const phase of phases) {
  if (wanted.length && !wanted.includes(phase.name)) continue;
  const missing = phase.needs?.();
  if (missing) {
    if (onCI) {
      console.error(`\n!! phase ${phase.name} cannot run on CI: ${missing}`);
      failed += 1;
      report.push(`${phase.name}: MISSING TOOL (${missing}), counted as 1 failure`);
    } else {
      const bar = "!".repeat(78);
      console.error(`\n${bar}\n!! SKIPPING the ${phase.name} phase: ${missing}\n!! CI would count this as a failure.\n${bar}\n`);
      report.push(`${phase.name}: SKIPPED (${missing})`);
    }
    continue;
  }
  console.log(`\n=== phase ${phase.name}: ${phase.cmd.join(" ")}`);
  const started = Date.now();
  const { code, out, stalled } = await runPhase(phase);
  const s = parseSummary(out);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (stalled) {
    // The tests that passed before the hang count; the hung one is the failure.
    const dots = (out.match(/•/g) ?? []).length;
    const crosses = (out.match(/✘/g) ?? []).length;
    passed += dots;
    failed += crosses + 1;
    report.push(`${phase.name}: HUNG after ${dots} passed and ${crosses} failed tests (killed after ${STALL_MS / 60000} min ` +
      `without output), counted as ${crosses + 1} failure(s) [${secs}s]`);
    continue;
  }
  if (!s) {
    failed += 1;
    report.push(`${phase.name}: no test summary (exit ${code}), counted as 1 failure [${secs}s]`);
    continue;
  }
  const phaseFailed = s.total - s.passed;
  passed += s.passed;
  failed += phaseFailed;
  skipped += s.skipped;
  if (s.total === 0) {
    failed += 1;
    report.push(`${phase.name}: ran no test, counted as 1 failure [${secs}s]`);
  } else if (code !== 0 && phaseFailed === 0) {
    failed += 1;
    report.push(`${phase.name}: ${s.passed} passed but exit ${code} (crash or open handle), counted as 1 failure [${secs}s]`);
  } else {
    report.push(`${phase.name}: ${s.passed} passed, ${phaseFailed} failed, ${s.skipped} skipped [${secs}s]`);
  }
}
console.log("\n" + report.join("\n"));
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exitCode = failed > 0 ? 1 : 0;
