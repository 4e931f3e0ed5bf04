// A TF graph that uses an op we lack fails at lowering (before any element), and the error names
// the op and the node it is in (TF graphs from scripts/tf/gen_golden_corpus.py's UNSUPPORTED).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TfDataError } from "../../src/core/errors.js";
import { lower } from "../../src/graph/lower.js";
import { fixtureGraphDef, goldenIndex } from "./fixtures.js";

test("there are unsupported-op cases", () => {
  assert.ok(goldenIndex().unsupported.length >= 1);
});

for (const u of goldenIndex().unsupported) {
  test(`lowering a TF graph with ${u.op} (${u.name}) names the op and its node`, () => {
    let err: unknown;
    try {
      lower(fixtureGraphDef(u));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TfDataError, `expected a TfDataError from lower(), got ${String(err)}`);
    assert.is(err.code, "Unimplemented", err.message);
    assert.ok(err.message.includes(`'${u.op}'`), `message does not name op '${u.op}': ${err.message}`);
    assert.ok(u.nodes.some((n) => err.message.includes(`'${n}'`)),
      `message names none of the nodes ${u.nodes.join(", ")}: ${err.message}`);
  });
}

test.run();
