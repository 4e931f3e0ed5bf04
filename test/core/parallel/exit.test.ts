import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

/** Generous: the child loads TypeScript through tsx, in its threads too, on a busy machine. */
const EXIT_TIMEOUT_MS = 60_000;
const CHILD = fileURLToPath(new URL("./fixtures/exit-child.ts", import.meta.url));

function runChild(how: "close" | "drop"): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, how], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: null, out, timedOut: true });
    }, EXIT_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut: false });
    });
  });
}

test("a process exits after closing a threaded iterator early", async () => {
  const r = await runChild("close");
  assert.is(r.timedOut, false, `the child did not exit: ${r.out}`);
  assert.is(r.code, 0, r.out);
  const line = JSON.parse(r.out.trim().split("\n").pop()!);
  assert.ok(line.running >= 1, "threads were running before close");
  assert.is(line.after, 0);
});

test("a dropped (never closed) threaded iterator does not keep the process alive", async () => {
  const r = await runChild("drop");
  assert.is(r.timedOut, false, `the child did not exit: ${r.out}`);
  assert.is(r.code, 0, r.out);
  assert.ok(JSON.parse(r.out.trim().split("\n").pop()!).running >= 1);
});

test.run();
