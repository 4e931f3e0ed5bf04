#!/usr/bin/env node
// `tfdata` launcher: runs the built CLI (dist/cli/main.js, produced by `npm run build` / `prepare`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("tfdata: dist/cli/main.js is missing; build the package first (npm run build).\n");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exit(await main(process.argv.slice(2)));
