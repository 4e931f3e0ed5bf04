// Functions TF 2.21 refuses to trace must fail in our tracer too, at trace time, with TF's
// message. TF appends a description of the failing node (`for '{{node Reshape}} = Reshape[...]'
// with input shapes: ...`) that we write in a shorter form, so the comparison is on TF's message
// up to that description, whitespace collapsed (TF's multi-line messages are joined by the
// generator).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { isTfDataError } from "../../../src/core/errors.js";
import { DType } from "../../../src/core/dtype.js";
import {
  add, concat, constant, fill, float, range, reshape, stack, traceFunction, where, type SymbolicTensor,
} from "../../../src/graph/trace/index.js";
import { TF_TRACE_ERRORS } from "../../fixtures/trace/tf-trace.js";
import { ERROR_CASES } from "./cases.js";
import { toStructure } from "./helpers.js";

const norm = (s: string) => s.replace(/\s+/g, " ").trim();

function traceError(fn: (...a: never[]) => unknown, input = { tensor: { dtype: DType.int64 as DType, shape: [] as number[] } }): Error {
  try {
    traceFunction({ name: "f", input, fn });
  } catch (e) {
    return e as Error;
  }
  throw new Error("tracing succeeded but should have failed");
}

for (const fx of TF_TRACE_ERRORS) {
  test(`error ${fx.name}: ${fx.python}`, () => {
    const fn = ERROR_CASES[fx.name];
    assert.ok(fn, `no TS twin for ${fx.name}`);
    const e = traceError(fn, toStructure(fx.inputStructure) as never);
    assert.ok(isTfDataError(e, "InvalidArgument"), `expected InvalidArgument, got ${e}`);
    const tfPrefix = norm(fx.message.split(" for '{{node")[0]);
    assert.ok(norm(e.message).startsWith(tfPrefix), `message:\n  ours: ${e.message}\n  TF:   ${tfPrefix}`);
  });
}

test("every TF error case has a twin", () => {
  assert.is(Object.keys(ERROR_CASES).length, TF_TRACE_ERRORS.length);
});

test("shape errors name the node and the input shapes", () => {
  const e = traceError((x: SymbolicTensor) => reshape(x, [4, 2]),
    { tensor: { dtype: DType.float32, shape: [2, 3] } });
  assert.match(e.message, "Cannot reshape a tensor with 6 elements to shape [4,2] (8 elements)");
  assert.match(e.message, "{{node Reshape}} = Reshape' with input shapes: [2,3], [2].");
});

test("a float literal cannot become an int constant; an int literal can become a float", () => {
  const e = traceError((x: SymbolicTensor) => constant(2.5, "int32").add(x));
  assert.match(e.message, "Expected int32, but got 2.5 of type 'float'.");
  const ok = traceFunction({ name: "f", input: { tensor: { dtype: DType.float32, shape: [] } }, fn: (x: SymbolicTensor) => x.add(2) });
  assert.equal(ok.outputSpecs, [{ dtype: DType.float32, shape: [] }]);
});

test("bool, string and dtype checks of ops with restricted types", () => {
  assert.match(traceError((x: SymbolicTensor) => x.cast("bool").add(1)).message,
    "Value passed to parameter 'x' has DataType bool not in list of allowed values");
  assert.match(traceError((x: SymbolicTensor) => x.asString().sum()).message,
    "Value passed to parameter 'input' has DataType string not in list of allowed values");
  assert.match(traceError((x: SymbolicTensor) => x.div(x.cast("int32"))).message,
    "`x` and `y` must have the same dtype, got tf.int64 != tf.int32.");
  assert.match(traceError((x: SymbolicTensor) => x.cast("bool").div(true)).message, "Invalid dtype tf.bool in __truediv__");
  assert.match(traceError((x: SymbolicTensor) => x.cast("string")).message, "use stringToNumber / asString");
});

test("bad axes, shapes and indices fail at trace time", () => {
  const m = { tensor: { dtype: DType.float32, shape: [2, 3] } };
  assert.match(traceError((x: SymbolicTensor) => x.gather([0], 2), m).message, "Expected axis in the range [-2, 2), but got 2");
  assert.match(traceError((x: SymbolicTensor) => x.argMax(-3), m).message, "Expected dimension in the range [-2, 2), but got -3");
  assert.match(traceError((x: SymbolicTensor) => x.tile([1, 2, 3]), m).message, "Dimension must be 2 but is 3");
  assert.match(traceError((x: SymbolicTensor) => x.index(0, 0, 0), m).message, "Index out of range using input dim 2");
  assert.match(traceError((x: SymbolicTensor) => x.index(1.5), m).message, "are valid indices, got 1.5");
  assert.match(traceError((x: SymbolicTensor) => x.index("1:x"), m).message, "bad slice '1:x'");
  assert.match(traceError((x: SymbolicTensor) => concat([x, x.index(0)], 0), m).message, "Shape must be rank 2 but is rank 1");
  assert.match(traceError((x: SymbolicTensor) => stack([x, x], 3), m).message, "Argument `axis` = 3 not in range [-3, 3)");
  assert.match(traceError(() => range(5, 1)).message, "Requires start <= limit when delta > 0: 5/1");
  assert.match(traceError(() => range(1, 5, 0)).message, "Requires delta != 0");
  assert.match(traceError(() => fill([2, -1], 0)).message, "Fill dimensions must be >= 0");
  assert.match(traceError((x: SymbolicTensor) => x.oneHot(3, { onValue: constant(1), dtype: "float32", offValue: float(0) })).message,
    "dtype int32 of on_value does not match dtype parameter float32");
  assert.match(traceError((x: SymbolicTensor) => where(x.greater(0), [1, 2], [1, 2, 3])).message, "Dimensions must be equal, but are 2 and 3");
});

test("JS values that are not tensors are rejected with TF's kind of message", () => {
  assert.match(traceError((x: SymbolicTensor) => add(x, [[1], [2, 3]])).message, "Can't convert non-rectangular Python sequence to Tensor");
  assert.match(traceError((x: SymbolicTensor) => add(x, { a: 1 } as never)).message, "with an unsupported type to a Tensor");
  assert.match(traceError(() => constant(["a", 1])).message, "Failed to convert elements of ['a', 1] to Tensor");
});

test("what a traced function returns is checked", () => {
  assert.match(traceError(() => undefined).message, "returned undefined");
  assert.match(traceError(async (x: SymbolicTensor) => x).message, "returned a Promise");
  assert.match(traceError(() => new Map()).message, "Unsupported return value from function passed to Dataset.map");
  const e = (() => {
    try {
      traceFunction({ name: "f", input: { tensor: { dtype: DType.int64, shape: [] } }, fn: (x: SymbolicTensor) => x, predicate: true });
    } catch (err) {
      return err as Error;
    }
    return new Error("no error");
  })();
  assert.match(e.message, "`predicate` must return a `tf.bool` scalar tensor, but its return type is [int64 ()]");
});

test("tensors of one traced function cannot be used in another, nor outside tracing", () => {
  let leaked: SymbolicTensor | undefined;
  traceFunction({ name: "f", input: { tensor: { dtype: DType.int64, shape: [] } }, fn: (x: SymbolicTensor) => { leaked = x; return x; } });
  assert.match(traceError((x: SymbolicTensor) => x.add(leaked!)).message, "belongs to another traced function");
  assert.throws(() => constant(1), /no function is being traced/);
});

test.run();
