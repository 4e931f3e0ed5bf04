/**
 * Captured inputs of function-taking dataset ops. When a TF function uses a tensor from outside
 * (`c = tf.constant(...); ds.map(lambda x: x + c)`), TF passes it as an extra input of the node
 * (`other_arguments`, dtypes in `Targuments`) and as trailing arguments of the function. In a
 * dataset graph those inputs are Consts, so we bind them into the function: the trailing
 * arguments become Const nodes of the body, and the function takes only the element again.
 */
import { clone, create } from "@bufbuild/protobuf";
import { FunctionDefSchema, type FunctionDef } from "../../gen/tensorflow/core/framework/function_pb.js";
import { NodeDefSchema } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import type { TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { dtypeName } from "../../core/dtype.js";
import { attrTensor, attrType } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import { lowerFunction } from "../lower-function.js";
import type { DatasetLowerContext, LoweredFunction } from "./registry.js";

/**
 * The node's captured inputs (`Targuments` of them, starting at data input `first`), evaluated as
 * constants; an input that is not a constant is named in the error.
 */
export function capturedInputs(ctx: DatasetLowerContext, first: number): TensorProto[] {
  const types = ctx.attrs.has("Targuments") ? ctx.attrs.types("Targuments") : [];
  return types.map((dtype, i) => {
    try {
      return ctx.tensor(first + i, dtype);
    } catch (e) {
      throw ctx.error("Unimplemented", `its function captures ${types.length} tensor(s) (Targuments [${types.map(dtypeName).join(", ")}]); ` +
        `captured input #${first + i} must be a constant: ${(e as Error).message}`);
    }
  });
}

/** `fdef` with its last `values.length` arguments replaced by Const nodes holding `values`. */
export function bindTrailingArgs(fdef: FunctionDef, values: readonly TensorProto[]): FunctionDef {
  if (values.length === 0) return fdef;
  const f = clone(FunctionDefSchema, fdef);
  const sig = f.signature!;
  const n = sig.inputArg.length - values.length;
  const bound = sig.inputArg.slice(n);
  sig.inputArg = sig.inputArg.slice(0, n);
  const argAttr: typeof f.argAttr = {};
  for (const [k, v] of Object.entries(f.argAttr)) if (Number(k) < n) argAttr[Number(k)] = v;
  f.argAttr = argAttr;
  const names = new Set(bound.map((a) => a.name));
  const rewrite = (ref: string) => (names.has(ref) ? `${ref}:output:0` : ref);
  for (const node of f.nodeDef) node.input = node.input.map(rewrite);
  for (const k of Object.keys(f.ret)) f.ret[k] = rewrite(f.ret[k]);
  const consts = bound.map((a, i) => create(NodeDefSchema, {
    name: a.name,
    op: "Const",
    attr: { dtype: attrType(values[i].dtype), value: attrTensor(values[i]) },
  }));
  f.nodeDef = [...consts, ...f.nodeDef];
  return f;
}

/** Lowers library function `name` for elements of `args`, with its captured tensors bound. */
export function lowerWithCaptured(ctx: DatasetLowerContext, name: string, args: readonly ComponentSpec[],
  captured: readonly TensorProto[]): LoweredFunction {
  if (captured.length === 0) return ctx.function(name, args);
  return lowerFunction(bindTrailingArgs(ctx.functionDef(name), captured), args, ctx.where);
}
