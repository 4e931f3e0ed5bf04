#!/usr/bin/env node
// Renders the interop matrix results (written by test/interop/matrix.test.ts to
// .tmp/interop-matrix-tf-<version>.json, one file per TF version run) as Markdown tables for
// test/interop/COMPATIBILITY.md and closing notes: one table per TF version, one row per cell,
// with the reasons of failing cells condensed.
//
// Usage: node scripts/tf/interop-table.mjs [--compact] [results.json ...]
//   (default: every .tmp/interop-matrix-tf-*.json). --compact: one row per client × dispatcher ×
//   workers, one column per mode × compression, reasons listed under the table.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Known failure causes, most specific first: [pattern, short reason]. */
const CAUSES = [
  [/Processing mode DYNAMIC \("distributed_epoch"\) is not implemented/, "our dispatcher: DYNAMIC not implemented yet"],
  [/sharding policy DYNAMIC \("distributed_epoch"\) is not implemented by this worker/, "our worker: DYNAMIC not implemented yet"],
  [/GetSplit.*(not implemented|UNIMPLEMENTED)/i, "our dispatcher: GetSplit not implemented yet"],
  [/D\.(\w+) is not a function/, (m) => `our Dataset API lacks ${m[1]}`],
  [/Property '(\w+)' does not exist|\.(\w+) is not a function/, (m) => `our Dataset API lacks ${m[1] ?? m[2]}`],
  [/Unsupported op '(\w+)'/, (m) => `our engine lacks op ${m[1]}`],
  [/no end of sequence within/, "stall: no end of sequence"],
  [/not an interleaving/, "order within a task not kept"],
  [/expected .* copies|exactly once/, "wrong elements"],
];

function causes(message) {
  const out = new Set();
  for (const line of message.split("\n").slice(1).length ? message.split("\n").slice(1) : [message]) {
    let found = false;
    for (const [re, what] of CAUSES) {
      const m = re.exec(line);
      if (m) {
        out.add(typeof what === "function" ? what(m) : what);
        found = true;
        break;
      }
    }
    if (!found && line.trim()) out.add(line.trim().slice(0, 120));
  }
  return [...out];
}

const args = process.argv.slice(2);
const compact = args.includes("--compact");
const files = args.filter((a) => a !== "--compact");
if (files.length === 0) {
  for (const f of readdirSync(".tmp").filter((f) => /^interop-matrix-tf-.*\.json$/.test(f)).sort()) files.push(join(".tmp", f));
}
for (const file of files) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  const entries = Object.entries(r.outcomes);
  const passed = entries.filter(([, o]) => o.result === "pass").length;
  console.log(`### TensorFlow ${r.tfVersion}: ${passed} of ${entries.length} cells pass (${r.seconds.toFixed(0)} s)\n`);
  if (compact) {
    printCompact(entries);
    continue;
  }
  console.log("| client | dispatcher | workers | mode | compression | result | why it fails |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, o] of entries) {
    const f = fields(name);
    const ok = o.result === "pass";
    console.log(`| ${f.client} | ${f.dispatcher} | ${f.workers} | ${f.mode} | ${f.compression} | ${ok ? "pass" : "FAIL"} | ` +
      `${ok ? "" : causes(o.result).join("; ")} |`);
  }
  console.log("");
}

function fields(name) {
  return Object.fromEntries(name.split(" ").map((kv) => kv.split("=")));
}

/** Rows client × dispatcher × workers, columns mode × compression; failures numbered by cause. */
function printCompact(entries) {
  const cols = [];
  const rows = new Map();
  const notes = [];
  for (const [name, o] of entries) {
    const f = fields(name);
    const col = `${f.mode}, ${f.compression}`;
    if (!cols.includes(col)) cols.push(col);
    const row = `| ${f.client} | ${f.dispatcher} | ${f.workers} |`;
    if (!rows.has(row)) rows.set(row, new Map());
    let cell = "pass";
    if (o.result !== "pass") {
      const refs = causes(o.result).map((c) => {
        if (!notes.includes(c)) notes.push(c);
        return `[${notes.indexOf(c) + 1}]`;
      });
      cell = `FAIL ${refs.join("")}`;
    }
    rows.get(row).set(col, cell);
  }
  console.log(`| client | dispatcher | workers | ${cols.join(" | ")} |`);
  console.log(`|---|---|---|${cols.map(() => "---").join("|")}|`);
  for (const [row, cells] of rows) console.log(`${row} ${cols.map((c) => cells.get(c) ?? "").join(" | ")} |`);
  console.log("");
  notes.forEach((n, i) => console.log(`[${i + 1}] ${n}`));
  if (notes.length) console.log("");
}
