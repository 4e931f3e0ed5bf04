// Kernels given arguments that would need absurd amounts of memory fail with a status (no wasm
// trap), and the core instance stays usable afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../../src/core/dtype.js";
import { TfDataError } from "../../../src/core/errors.js";
import type { FunctionPlan } from "../../../src/core/plan.js";
import { Tensor } from "../../../src/core/tensor.js";
import { kernelRunner } from "./harness.js";

const I32 = DType.int32, I64 = DType.int64, F32 = DType.float32;

function one(kernel: string, numArgs: number, attrs: Record<string, number | boolean>): FunctionPlan {
  return {
    numArgs,
    instructions: [{ kernel, inputs: Array.from({ length: numArgs }, (_, i) => i), numOutputs: 1, attrs }],
    outputs: [numArgs],
  };
}

const cases: Array<[string, FunctionPlan, Tensor[]]> = [
  ["Tile to 10^12 elements", one("Tile", 2, {}),
    [Tensor.fromValues([[1, 2], [3, 4]], F32), Tensor.fromValues([1000000, 1000000], I32)]],
  ["Fill of [2^20, 2^20]", one("Fill", 2, { T: F32 }), [Tensor.fromValues([1 << 20, 1 << 20], I64), Tensor.scalar(1)]],
  ["Range of 2^40 values", one("Range", 3, { Tidx: I64 }),
    [Tensor.scalar(0n, I64), Tensor.scalar(1n << 40n, I64), Tensor.scalar(1n, I64)]],
  ["OneHot with depth 2^30", one("OneHot", 4, { T: F32, axis: -1 }),
    [Tensor.fromValues([0, 1, 2, 3], I64), Tensor.scalar(1 << 30, I32), Tensor.scalar(1), Tensor.scalar(0)]],
  ["Reshape to 2^60 elements", one("Reshape", 2, {}),
    [Tensor.fromValues([1, 2, 3, 4], F32), Tensor.fromValues([1 << 30, 1 << 30], I64)]],
];

test("huge outputs fail with ResourceExhausted or InvalidArgument, never a trap", async () => {
  const r = await kernelRunner();
  for (const [name, fn, args] of cases) {
    try {
      r.run(fn, args);
      assert.unreachable(`${name} should fail`);
    } catch (e) {
      assert.instance(e, TfDataError, `${name}: ${String(e)}`);
      assert.ok(["ResourceExhausted", "InvalidArgument"].includes((e as TfDataError).code), `${name}: ${(e as TfDataError).code}`);
    }
  }
  // Still alive: a normal call works.
  const [y] = r.run(one("AddV2", 2, { T: F32 }), [Tensor.fromValues([1, 2], F32), Tensor.scalar(1)]);
  assert.equal(y.toJS(), [2, 3]);
});

test("kernel errors name the kernel and keep TF's message", async () => {
  const r = await kernelRunner();
  assert.throws(() => r.run(one("ConcatV2", 3, { T: F32 }), [Tensor.fromValues([1], F32), Tensor.fromValues([[1]], F32),
    Tensor.scalar(0, I32)]), (e: unknown) => e instanceof TfDataError && e.code === "InvalidArgument" &&
    e.message.includes("ConcatV2") && e.message.includes("ConcatOp : Ranks of all input tensors should match"));
});

test.run();
