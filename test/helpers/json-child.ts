// A child process that speaks line-oriented JSON on stdout, with a kill guarantee.
//
// Why the care: uvu runs every suite in one process, so a child a test forgets to stop would keep
// the run alive forever, and a child that survives the run would hold ports. Three layers stop that:
// 1. the child runs in its own process group and `stop()` kills the whole group;
// 2. the child's handles are unref'd except while someone awaits it, so a forgotten child never
//    keeps Node's event loop alive, and an `exit` hook (plus SIGINT/SIGTERM hooks) SIGKILLs every
//    live group when this process ends;
// 3. our python drivers also exit on stdin EOF and set PR_SET_PDEATHSIG, so even a SIGKILLed
//    parent leaves nothing behind.
import { spawn, type ChildProcess } from "node:child_process";

/** One JSON object the child printed on its own line of stdout. */
export type JsonEvent = { event?: string; id?: number; [key: string]: unknown };

/** Options for {@link spawnJsonChild}. */
export interface JsonChildOptions {
  /** Extra environment, merged over `process.env`. */
  env?: Record<string, string | undefined>;
  /** Working directory. */
  cwd?: string;
  /** Name used in error messages (default: the command). */
  name?: string;
}

/** Handle on a running JSON-lines child. Every wait rejects if the child exits first. */
export interface JsonChild {
  readonly pid: number;
  readonly name: string;
  /** Every JSON line received so far, in order (consumed or not). */
  readonly events: readonly JsonEvent[];
  /** Waits for the next not-yet-consumed event matching `match` (an event name or a predicate). */
  next(match?: string | ((e: JsonEvent) => boolean), timeoutMs?: number): Promise<JsonEvent>;
  /**
   * Sends `{id, ...command}` as one line on stdin and waits for the event carrying that id.
   * An `{"event":"error"}` answer rejects with its message.
   */
  request(command: Record<string, unknown>, timeoutMs?: number): Promise<JsonEvent>;
  /** The last `max` characters of stderr (for failure messages). */
  stderrTail(max?: number): string;
  /** Resolves once the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Stops the child: closes stdin (our drivers exit on EOF), then SIGTERM to the group after
   * `graceMs`, then SIGKILL. Idempotent; resolves once the child is gone.
   */
  stop(graceMs?: number): Promise<void>;
  /**
   * Sends `signal` (default SIGKILL) to the child's whole process group at once, with no grace:
   * a crash, as failure tests need. Resolves once the child is gone.
   */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Default wait for an event before the child is declared stuck. */
export const DEFAULT_EVENT_TIMEOUT_MS = 60_000;
/** Default time a child gets to exit on stdin EOF before it is signalled. */
export const DEFAULT_STOP_GRACE_MS = 3_000;
/** Most stderr kept per child. */
const STDERR_KEEP_CHARS = 64 * 1024;

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

/** SIGKILLs every child still alive; runs synchronously, so it works inside an `exit` hook. */
export function killAllJsonChildren(): void {
  for (const child of live) killGroup(child, "SIGKILL");
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on("exit", killAllJsonChildren);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      killAllJsonChildren();
      // Re-raise with the default disposition so the exit status still says "killed by sig".
      process.kill(process.pid, sig);
    });
  }
}

/**
 * Starts `command args` and returns a handle that parses its stdout as JSON lines.
 * Non-JSON stdout lines are kept as `{event: "stdout", line}`.
 */
export function spawnJsonChild(command: string, args: readonly string[], opts: JsonChildOptions = {}): JsonChild {
  installHooks();
  const name = opts.name ?? command;
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // own process group: stop() kills everything it started
  });
  // A failed spawn has no pid and surfaces as an 'error' event, which rejects every wait.
  if (child.pid !== undefined) live.add(child);

  const events: JsonEvent[] = [];
  const consumed = new Set<JsonEvent>();
  let stderr = "";
  let stdoutRest = "";
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  const waiters = new Set<() => void>();

  let refs = 0;
  const setRef = (on: boolean) => {
    for (const h of [child, child.stdout, child.stderr, child.stdin] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (!h) continue;
      if (on) h.ref?.(); else h.unref?.();
    }
  };
  setRef(false);
  const hold = () => { if (refs++ === 0) setRef(true); };
  const release = () => { if (--refs === 0) setRef(false); };
  const wake = () => { for (const w of [...waiters]) w(); };

  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    stdoutRest += chunk;
    let nl: number;
    while ((nl = stdoutRest.indexOf("\n")) >= 0) {
      const line = stdoutRest.slice(0, nl).trim();
      stdoutRest = stdoutRest.slice(nl + 1);
      if (!line) continue;
      let ev: JsonEvent;
      try {
        const parsed: unknown = JSON.parse(line);
        ev = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
          ? (parsed as JsonEvent) : { event: "stdout", line };
      } catch {
        ev = { event: "stdout", line };
      }
      events.push(ev);
    }
    wake();
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderr += chunk;
    if (stderr.length > STDERR_KEEP_CHARS * 2) stderr = stderr.slice(-STDERR_KEEP_CHARS);
  });
  child.stdin!.on("error", () => { /* EPIPE after the child died: reported through exit */ });

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("error", (err) => {
      spawnError = err;
      live.delete(child);
      exitInfo = { code: null, signal: null };
      wake();
      resolve(exitInfo);
    });
    child.on("close", (code, signal) => {
      live.delete(child);
      exitInfo = { code, signal };
      wake();
      resolve(exitInfo);
    });
  });

  const stderrTail = (max = 4000) => stderr.slice(-max);
  const describeExit = () => {
    if (spawnError) return `${name} could not start: ${spawnError.message}`;
    return `${name} exited (code ${exitInfo?.code}, signal ${exitInfo?.signal}) ` +
      `while a test waited for it; stderr tail:\n${stderrTail()}`;
  };

  const next: JsonChild["next"] = (match, timeoutMs = DEFAULT_EVENT_TIMEOUT_MS) => {
    const pred = typeof match === "function" ? match
      : typeof match === "string" ? (e: JsonEvent) => e.event === match : () => true;
    return new Promise<JsonEvent>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const check = () => {
        const hit = events.find((e) => !consumed.has(e) && pred(e));
        if (hit) {
          consumed.add(hit);
          done();
          resolve(hit);
        } else if (exitInfo) {
          done();
          reject(new Error(describeExit()));
        }
      };
      const done = () => {
        if (!waiters.delete(check)) return;
        clearTimeout(timer);
        release();
      };
      waiters.add(check);
      hold();
      timer = setTimeout(() => {
        done();
        reject(new Error(`${name}: no matching event within ${timeoutMs} ms; stderr tail:\n${stderrTail()}`));
      }, timeoutMs);
      check();
    });
  };

  let nextId = 1;
  const request: JsonChild["request"] = async (command, timeoutMs) => {
    if (exitInfo) throw new Error(describeExit());
    const id = nextId++;
    child.stdin!.write(JSON.stringify({ id, ...command }) + "\n");
    const ev = await next((e) => e.id === id, timeoutMs);
    if (ev.event === "error") throw new Error(`${name}: ${String(command.cmd)} failed: ${String(ev.message)}`);
    return ev;
  };

  let stopping: Promise<void> | null = null;
  const stop: JsonChild["stop"] = (graceMs = DEFAULT_STOP_GRACE_MS) => {
    stopping ??= (async () => {
      if (exitInfo) return;
      hold();
      try {
        child.stdin!.end();
        const gone = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
        if (!gone) {
          killGroup(child, "SIGTERM");
          const gone2 = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
          if (!gone2) {
            killGroup(child, "SIGKILL");
            await exited;
          }
        }
      } finally {
        // The group leader is gone; kill stragglers it may have left in its group.
        if (child.pid !== undefined) { try { process.kill(-child.pid, "SIGKILL"); } catch { /* none */ } }
        release();
      }
    })();
    return stopping;
  };

  const kill: JsonChild["kill"] = async (signal = "SIGKILL") => {
    if (exitInfo) return;
    hold();
    try {
      killGroup(child, signal);
      await exited;
    } finally {
      release();
    }
  };

  return {
    pid: child.pid ?? -1,
    name,
    events,
    next,
    request,
    stderrTail,
    exited,
    stop,
    kill,
  };
}

/** A timer that never keeps the process alive (the race it serves has a referenced side). */
function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
