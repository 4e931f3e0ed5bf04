/**
 * `Const`: the scalar arguments of dataset ops (start, stop, count, batch_size, ...) are Const
 * nodes whose `value` attr holds a TensorProto; `dtype` must agree with it.
 */
import { dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import type { ValueOpDef } from "./registry.js";

/** Evaluates a `Const` node to its `value` tensor. */
export const constOp: ValueOpDef = {
  op: "Const",
  evaluate(ctx): TensorProto {
    const v = ctx.attrs.attrs.value;
    if (!v || v.value.case !== "tensor") {
      throw new TfDataError("InvalidArgument", `${ctx.where}: attr 'value' must be a tensor`);
    }
    const dtype = ctx.attrs.type("dtype");
    if (v.value.value.dtype !== dtype) {
      throw new TfDataError("InvalidArgument", `${ctx.where}: attr 'dtype' is ${dtypeName(dtype)} but the value ` +
        `tensor is ${dtypeName(v.value.value.dtype)}`);
    }
    return v.value.value;
  },
};
