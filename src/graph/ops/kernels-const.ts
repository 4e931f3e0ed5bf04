/**
 * `Const` inside a function body: the node's `value` TensorProto is handed to the core serialized
 * (bytes attr `value`); the core decodes it once per plan instance (all of TF's encodings: typed
 * fields, tensor_content, strings).
 */
import { toBinary } from "@bufbuild/protobuf";
import { TensorProtoSchema } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { dtypeName } from "../../core/dtype.js";
import { isKnownDType } from "../component-spec.js";
import { expectInputs, kernelOp, oneOutput } from "./kernels-common.js";

/** `Const` -> kernel `Const` with attrs `value` (serialized TensorProto) and `dtype`. */
export const constKernelOp = kernelOp("Const", (ctx) => {
  expectInputs(ctx, 0);
  const v = ctx.attrs.attrs.value;
  if (!v || v.value.case !== "tensor") throw ctx.error("InvalidArgument", "attr 'value' must be a tensor");
  const dtype = ctx.attrs.type("dtype");
  const tensor = v.value.value;
  if (tensor.dtype !== dtype) {
    throw ctx.error("InvalidArgument", `attr 'dtype' is ${dtypeName(dtype)} but the value tensor is ${dtypeName(tensor.dtype)}`);
  }
  if (!isKnownDType(dtype)) throw ctx.error("Unimplemented", `constants of dtype ${dtypeName(dtype)} are not supported`);
  return oneOutput("Const", "output", dtype, [], { value: toBinary(TensorProtoSchema, tensor), dtype });
});
