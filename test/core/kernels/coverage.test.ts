// Coverage of the golden kernel cases: every op of issue 3 §2 is exercised for every dtype TF 2.21
// has a CPU kernel for (within the core's dtypes). With KERNEL_REPORT=1, prints per-op counts of
// cases, bit-exact results and the largest ulp difference (transcendental ops).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dtypeName } from "../../../src/core/dtype.js";
import { familyNames, FIXTURE_DIR, loadFamily, type FixtureCase } from "./fixtures.js";
import { runFamily } from "./golden.js";

/** The ops the tracer emits (issue 3 §2) plus the variants TF's Python graphs use. */
const ISSUE_OPS = [
  "AddV2", "Sub", "Mul", "RealDiv", "FloorDiv", "FloorMod", "Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Pow",
  "Maximum", "Minimum", "Round", "Floor", "Ceil", "Sign", "ClipByValue", "Equal", "NotEqual", "Less", "LessEqual", "Greater",
  "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "SelectV2", "Cast", "Reshape", "ExpandDims", "Squeeze", "Pack",
  "ConcatV2", "StridedSlice", "Slice", "GatherV2", "Transpose", "Tile", "Fill", "ZerosLike", "OnesLike", "Range", "Shape",
  "Size", "Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin", "OneHot", "StringToNumber", "AsString",
  "Add", "Div", "Select", "Rank",
];

/** The type attr that carries an op's data dtype. */
const MAIN_ATTR: Record<string, string> = {
  Cast: "SrcT", GatherV2: "Tparams", Range: "Tidx", StringToNumber: "out_type", All: "Tidx", Any: "Tidx",
};

const { cpu_kernels: kernels, op_defs: opDefs } = JSON.parse(readFileSync(join(FIXTURE_DIR, "registered.json"), "utf8")) as {
  cpu_kernels: Record<string, Record<string, number[]>>;
  op_defs: Record<string, Record<string, number[]>>;
};

function mainType(c: FixtureCase): number | undefined {
  const name = MAIN_ATTR[c.op] ?? "T";
  const a = c.attrs.find((x) => x[0] === name && x[1] === "type");
  return a ? (a[2] as number) : c.inputs[0]?.dtype;
}

test("every op is covered for every dtype TF has a CPU kernel for", () => {
  const byOp = new Map<string, Set<number>>();
  for (const fam of familyNames()) {
    for (const c of loadFamily(fam).cases) {
      const d = mainType(c);
      if (d === undefined) continue;
      if (!byOp.has(c.op)) byOp.set(c.op, new Set());
      byOp.get(c.op)!.add(d);
    }
  }
  const missing: string[] = [];
  for (const op of ISSUE_OPS) {
    const seen = byOp.get(op);
    if (!seen) {
      missing.push(`${op}: no cases`);
      continue;
    }
    const attr = MAIN_ATTR[op] ?? "T";
    const want = (kernels[op]?.[attr] ?? opDefs[op]?.[attr] ?? []).filter((d) => (opDefs[op]?.[attr] ?? [d]).includes(d));
    const lacking = want.filter((d) => !seen.has(d));
    if (lacking.length > 0) missing.push(`${op}: no case for ${attr} in [${lacking.map(dtypeName).join(", ")}]`);
  }
  assert.equal(missing, []);
});

test("per-op report (KERNEL_REPORT=1 prints it)", async () => {
  const rows = new Map<string, { cases: number; exact: number; maxUlps: number }>();
  for (const fam of familyNames()) {
    const { perOp, failures } = await runFamily(loadFamily(fam).cases);
    assert.equal(failures.length, 0, `${fam}: ${failures.slice(0, 3).join("; ")}`);
    for (const [op, s] of perOp) {
      const r = rows.get(op) ?? { cases: 0, exact: 0, maxUlps: 0 };
      r.cases += s.cases;
      r.exact += s.exact;
      r.maxUlps = Math.max(r.maxUlps, s.maxUlps);
      rows.set(op, r);
    }
  }
  assert.ok(rows.size >= ISSUE_OPS.length);
  if (process.env.KERNEL_REPORT) {
    for (const [op, r] of [...rows].sort()) {
      console.log(`${op.padEnd(16)} ${String(r.cases).padStart(5)} cases  ${String(r.exact).padStart(5)} bit-exact  max ${r.maxUlps} ulp`);
    }
  }
});

test.run();
