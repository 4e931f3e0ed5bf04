// Isomorphic suite: host Tensor construction and conversion to and from plain JS values.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError } from "../../src/core/errors.js";
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from "../../src/core/js-values.js";
import { Tensor } from "../../src/core/tensor.js";

const ts = suite("Tensor and JS values");

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(isTfDataError(e), String(e));
    assert.is((e as { code: string }).code, code);
    if (message) assert.match((e as Error).message, message);
    return;
  }
  assert.unreachable("did not throw");
}

ts("scalars: default dtypes and toJS types", () => {
  assert.is(Tensor.scalar(5n).dtype, DType.int64);
  assert.is(Tensor.scalar(5n).toJS(), 5n);
  assert.is(Tensor.scalar(true).toJS(), true);
  assert.is(Tensor.scalar("héllo").toJS(), "héllo");
  assert.is(Tensor.scalar(1.5).dtype, DType.float32);
  assert.is(Tensor.scalar(7, DType.int32).toJS(), 7);
  assert.equal(Tensor.scalar({ re: 1, im: -2 }, DType.complex64).toJS(), { re: 1, im: -2 });
  assert.equal(Tensor.scalar(3, DType.int32).shape, []);
  assert.is(Tensor.scalar(3, DType.int32).size, 1);
});

ts("fromValues infers shapes from nested arrays and gives them back from toJS", () => {
  const t = Tensor.fromValues([[1, 2, 3], [4, 5, 6]], DType.int32);
  assert.equal(t.shape, [2, 3]);
  assert.instance(t.data, Int32Array);
  assert.equal(t.toJS(), [[1, 2, 3], [4, 5, 6]]);
  const flat = Tensor.fromValues([1, 2, 3, 4], DType.float64, [2, 2]);
  assert.equal(flat.toJS(), [[1, 2], [3, 4]]);
  const s = Tensor.fromValues([["a", ""], ["é", "xyz"]], DType.string);
  assert.equal(s.toJS(), [["a", ""], ["é", "xyz"]]);
  assert.equal(Array.from((s.data as readonly Uint8Array[])[2]), [0xc3, 0xa9]);
  const big = Tensor.fromValues([-(1n << 63n), (1n << 63n) - 1n], DType.int64);
  assert.equal(big.toJS(), [-(1n << 63n), (1n << 63n) - 1n]);
  assert.equal(Tensor.fromValues([0n, (1n << 64n) - 1n], DType.uint64).toJS(), [0n, (1n << 64n) - 1n]);
  assert.equal(Tensor.fromValues([true, false], DType.bool).toJS(), [true, false]);
  assert.equal(Tensor.fromValues([], DType.float32).shape, [0]);
  assert.equal(Tensor.fromValues([[], []], DType.int8).shape, [2, 0]);
  assert.equal(Tensor.fromValues([[], []], DType.int8).toJS(), [[], []]);
  assert.equal(Tensor.fromValues([{ re: 1, im: 2 }, 3], DType.complex128).toJS(), [{ re: 1, im: 2 }, { re: 3, im: 0 }]);
});

ts("float16 and bfloat16 are stored as raw bits and read back as numbers", () => {
  const h = Tensor.fromValues([1.5, -2, 65504, 1e-7, Infinity], DType.float16);
  assert.instance(h.data, Uint16Array);
  assert.equal(Array.from(h.data as Uint16Array), [0x3e00, 0xc000, 0x7bff, 0x0002, 0x7c00]);
  assert.equal(h.toJS(), [1.5, -2, 65504, 2 ** -23, Infinity]);
  const b = Tensor.fromValues([1, -3.5, 1e30], DType.bfloat16);
  assert.equal(Array.from(b.data as Uint16Array), [0x3f80, 0xc060, 0x714a]); // 1e30 rounds up, as in TF
  assert.equal(b.toJS(), [1, -3.5, bf16BitsToNumber(0x714a)]);
  // Round to nearest even at the halfway point.
  assert.is(numberToF16Bits(1 + 2 ** -11), 0x3c00);
  assert.is(numberToF16Bits(1 + 3 * 2 ** -11), 0x3c02);
  assert.is(numberToBf16Bits(1 + 2 ** -8), 0x3f80);
  assert.is(numberToBf16Bits(1 + 3 * 2 ** -8), 0x3f82);
  assert.ok(Number.isNaN(f16BitsToNumber(numberToF16Bits(NaN))));
  assert.ok(Number.isNaN(bf16BitsToNumber(numberToBf16Bits(NaN))));
  assert.is(f16BitsToNumber(0x8000), -0);
});

ts("bad values and shapes are InvalidArgument errors", () => {
  throwsCode(() => Tensor.fromValues([1.5], DType.int32), "InvalidArgument", /1.5 is not an integer/);
  throwsCode(() => Tensor.fromValues([300], DType.uint8), "InvalidArgument", /300 is out of range for uint8/);
  throwsCode(() => Tensor.fromValues([1n << 63n], DType.int64), "InvalidArgument", /out of range for int64/);
  throwsCode(() => Tensor.fromValues([-1n], DType.uint64), "InvalidArgument", /out of range for uint64/);
  throwsCode(() => Tensor.fromValues([[1, 2], [3]], DType.int32), "InvalidArgument", /ragged/);
  throwsCode(() => Tensor.fromValues(["a", 1], DType.string), "InvalidArgument", /cannot convert 1 to string/);
  throwsCode(() => Tensor.fromValues([1, 2, 3], DType.float32, [2, 2]), "InvalidArgument");
  throwsCode(() => new Tensor(DType.int32, [3], new Int32Array(2)), "InvalidArgument", /needs 12 bytes of data, got 8/);
  throwsCode(() => new Tensor(DType.string, [2], [new Uint8Array(1)]), "InvalidArgument", /needs 2 elements, got 1/);
  throwsCode(() => new Tensor(DType.int32, [-1], new Int32Array(0)), "InvalidArgument", /non-negative integer dims/);
  throwsCode(() => new Tensor(99 as DType, [], new Int32Array(1)), "Unimplemented");
});

ts.run();
