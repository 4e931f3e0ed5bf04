// Golden cases of the "array" kernel family against TF 2.21 (test/fixtures/kernels/array.json).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadFamily } from "./fixtures.js";
import { runFamily } from "./golden.js";

test("array kernels match TF 2.21", async () => {
  const { cases } = loadFamily("array");
  assert.ok(cases.length > 0, "the fixture has cases");
  const { failures } = await runFamily(cases);
  if (failures.length > 0) {
    assert.unreachable(`${failures.length} of ${cases.length} cases differ from TF:\n${failures.slice(0, 40).join("\n")}`);
  }
});

test.run();
