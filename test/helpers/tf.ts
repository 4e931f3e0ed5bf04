// Finds the TensorFlow 2.21 python (our oracle) and runs python drivers as leak-proof children.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnJsonChild, type JsonChild } from "./json-child.js";

/** Repository root (this file lives in `<repo>/test/helpers/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Longest the one-time `import tensorflow` check may take (a cold import is ~4 s). */
const IMPORT_CHECK_TIMEOUT_MS = 120_000;

/** Where the answer of the `import tensorflow` check is cached across processes. */
const CHECK_CACHE_FILE = join(REPO_ROOT, ".tmp", "tf-python-check.json");

/** Quiet TF's C++ logging in every python child; warnings still reach stderr. */
const PYTHON_ENV = { TF_CPP_MIN_LOG_LEVEL: "2", PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" };

/** True when running under CI, where a missing TF is a failure rather than a skip. */
export function onCI(): boolean {
  const v = process.env.CI;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

let cached: { python: string | null; reason: string } | undefined;
let bannerShown = false;

/** The python the tests should use: `TFDATA_TF_PYTHON`, else `<repo>/.venv-tf/bin/python`. */
export function tfPythonCandidate(): string {
  const env = process.env.TFDATA_TF_PYTHON;
  if (env) return isAbsolute(env) ? env : resolve(REPO_ROOT, env);
  return join(REPO_ROOT, ".venv-tf", "bin", "python");
}

function check(python: string): { python: string | null; reason: string } {
  if (!existsSync(python)) return { python: null, reason: `${python} does not exist` };
  // Cheap probe: where is the tensorflow package? (~50 ms, no TF import.)
  const where = spawnSync(python, ["-c",
    "import importlib.util as u; s = u.find_spec('tensorflow'); print(s.origin if s and s.origin else '')"],
  { encoding: "utf8", timeout: 30_000 });
  const origin = where.stdout?.trim();
  if (where.status !== 0 || !origin) {
    return { python: null, reason: `${python} has no tensorflow package (${where.stderr?.trim() || "find_spec found nothing"})` };
  }
  // The full `import tensorflow` costs seconds; cache its success keyed on what would change it.
  const key = JSON.stringify({ python, origin, mtime: statSync(origin).mtimeMs, pyMtime: statSync(python).mtimeMs });
  try {
    if (readFileSync(CHECK_CACHE_FILE, "utf8") === key) return { python, reason: "cached" };
  } catch { /* no cache yet */ }
  const imp = spawnSync(python, ["-c", "import tensorflow as tf; print(tf.__version__)"], {
    encoding: "utf8", timeout: IMPORT_CHECK_TIMEOUT_MS, env: { ...process.env, ...PYTHON_ENV },
  });
  if (imp.status !== 0) {
    const err = (imp.stderr ?? "").trim().split("\n").slice(-5).join("\n");
    return { python: null, reason: `\`import tensorflow\` fails with ${python}:\n${err || imp.error?.message}` };
  }
  try {
    mkdirSync(dirname(CHECK_CACHE_FILE), { recursive: true });
    writeFileSync(CHECK_CACHE_FILE, key);
  } catch { /* the cache is only an optimisation */ }
  return { python, reason: `tensorflow ${imp.stdout.trim()}` };
}

/**
 * Path of a python that can `import tensorflow`, or null. Checked once per process (and cached on
 * disk). Under CI a missing TF throws: interop checks must never be skipped there. Locally a loud
 * banner says the TF checks are being skipped.
 */
export function tfPython(): string | null {
  cached ??= check(tfPythonCandidate());
  if (cached.python) return cached.python;
  if (onCI()) {
    throw new Error(`TensorFlow python is required on CI but unavailable: ${cached.reason}. ` +
      "Set TFDATA_TF_PYTHON or create .venv-tf (python3 -m venv .venv-tf && .venv-tf/bin/pip install tensorflow-cpu==2.21.0).");
  }
  if (!bannerShown) {
    bannerShown = true;
    const bar = "!".repeat(78);
    console.error([
      "", bar,
      "!! SKIPPING every check that needs real TensorFlow 2.21:",
      ...cached.reason.split("\n").map((l) => `!!   ${l}`),
      "!! Fix: python3 -m venv .venv-tf && .venv-tf/bin/pip install tensorflow-cpu==2.21.0",
      "!!      (or set TFDATA_TF_PYTHON). CI fails instead of skipping.",
      bar, "",
    ].join("\n"));
  }
  return null;
}

/** Options for {@link spawnPython}. */
export interface SpawnPythonOptions {
  env?: Record<string, string | undefined>;
  /** Python to use; default {@link tfPython}() (throws if unavailable). */
  python?: string;
}

/**
 * Runs a python driver (path relative to the repo root, or absolute) under the TF python and
 * returns a {@link JsonChild}: its stdout lines parsed as JSON, `request()` for command/answer
 * drivers, `stop()` that kills its process group. Children are also killed when this process
 * exits, and never keep the event loop alive on their own.
 *
 * @example
 * const cluster = spawnPython("test/interop/tf_cluster.py", ["--workers", "1"]);
 * const { dispatcher } = await cluster.next("ready");
 * ...
 * await cluster.stop();
 */
export function spawnPython(script: string, args: readonly string[] = [], opts: SpawnPythonOptions = {}): JsonChild {
  const python = opts.python ?? tfPython();
  if (!python) throw new Error(`spawnPython(${script}): no TensorFlow python available`);
  const path = isAbsolute(script) ? script : join(REPO_ROOT, script);
  return spawnJsonChild(python, [path, ...args], {
    env: { ...PYTHON_ENV, ...opts.env },
    cwd: REPO_ROOT,
    name: script.split("/").pop(),
  });
}
