// `runFunction`: runs one FunctionPlan on one element, for tests and for hosts that evaluate a
// traced function outside a dataset (e.g. constant folding checks). Exported from index.ts.
// Input: a plan DatasetNode (any op name) carrying the function as `fn`, and the arguments as a
// serialized UncompressedElement. Output: the results as a serialized UncompressedElement, in the
// wire descriptor [kind 0, ptr, len].
import { describeWire, clearDescriptor } from "../abi/describe";
import { decodeUncompressed, encodeUncompressed } from "../codec/uncompressed";
import { clearError, errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { decodeDatasetNode } from "../plan/decode";
import { Reader } from "../proto/reader";
import { compileFunction } from "./function";

/** Runs the plan's function `fn` on the element at `argsPtr`; 0 with the result described, or an error code. */
export function runFunction(planPtr: usize, planLen: usize, argsPtr: usize, argsLen: usize): i32 {
  clearError();
  clearDescriptor();
  const node = decodeDatasetNode(new Reader(planPtr, planLen));
  if (node == null) return errorCode();
  const fn = node.fn("fn");
  if (fn == null) return fail(INVALID_ARGUMENT, "runFunction: the plan has no function \"fn\"");
  const cf = compileFunction(fn);
  if (cf == null) return errorCode();
  const args = new Array<Tensor>();
  if (!decodeUncompressed(argsPtr, argsLen, args)) return errorCode();
  const result = new Array<Tensor>();
  const st = cf.run(args, result);
  if (st != OK) return st;
  const buf = encodeUncompressed(result);
  if (buf == null) return errorCode();
  return describeWire(0, buf);
}
