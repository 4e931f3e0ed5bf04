// The package's browser entry must bundle for browsers with nothing Node-only in it: esbuild
// (platform=browser, node:* NOT external) must succeed. When it does not, the test names every
// Node built-in that leaks in and the import chain from the entry that pulls it.
import { builtinModules } from "node:module";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { build, type Metafile, type Plugin } from "esbuild";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { REPO_ROOT } from "../helpers/tf.js";

/** The browser entry (package.json `exports["."].browser`, as source). */
const WEB_ENTRY = join(REPO_ROOT, "src", "entry", "web.ts");

const BUILTIN = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (spec: string) => spec.startsWith("node:") || BUILTIN.has(spec) || BUILTIN.has(spec.split("/")[0]);

const options = {
  entryPoints: [WEB_ENTRY],
  bundle: true,
  platform: "browser" as const,
  format: "esm" as const,
  target: "es2022",
  write: false,
  logLevel: "silent" as const,
  absWorkingDir: REPO_ROOT,
};

/** Rebuilds with built-ins external, recording who imports them, and explains each leak. */
async function explainLeaks(): Promise<string[]> {
  const hits: { spec: string; importer: string; kind: string }[] = [];
  const record: Plugin = {
    name: "record-node-builtins",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!isBuiltin(args.path)) return undefined;
        hits.push({ spec: args.path, importer: relative(REPO_ROOT, args.importer), kind: args.kind });
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({ ...options, metafile: true, plugins: [record] });
  const meta = result.metafile as Metafile;
  const entry = relative(REPO_ROOT, WEB_ENTRY);
  // Breadth-first from the entry over the bundle's import graph: shortest chain to each file.
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    for (const imp of meta.inputs[file]?.imports ?? []) {
      if (imp.external || parent.has(imp.path)) continue;
      parent.set(imp.path, file);
      queue.push(imp.path);
    }
  }
  return hits.map(({ spec, importer, kind }) => {
    const chain = [importer];
    for (let p = parent.get(importer); p; p = parent.get(p)) chain.unshift(p);
    return `${spec} (${kind}) via ${chain.join(" -> ")}`;
  });
}

test("the browser entry exists", () => {
  assert.ok(existsSync(WEB_ENTRY), `${WEB_ENTRY} is missing; package.json exports["."].browser needs it`);
});

test("esbuild bundles the browser entry for platform=browser with no Node built-in", async () => {
  let error: unknown;
  try {
    await build(options);
  } catch (err) {
    error = err;
  }
  if (!error) return;
  const leaks = await explainLeaks().catch((e: Error) => [`(could not trace: ${e.message})`]);
  const messages = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors
    ?.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`) ?? [String(error)];
  assert.unreachable([
    `esbuild could not bundle ${relative(REPO_ROOT, WEB_ENTRY)} for browsers:`,
    ...messages.map((m) => `  ${m}`),
    ...(leaks.length ? ["Node built-ins reaching the browser bundle:", ...leaks.map((l) => `  ${l}`)] : []),
  ].join("\n"));
});

test.run();
