/**
 * `Const` inside a function body: the node's `value` TensorProto is handed to the core serialized
 * (base64 in instruction attr `value`, since plan attrs are numbers or text); the core decodes it
 * once per plan instance (all of TF's encodings: typed fields, tensor_content, strings).
 */
import { toBinary } from "@bufbuild/protobuf";
import { TensorProtoSchema } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { dtypeName } from "../../core/dtype.js";
import { isKnownDType } from "../component-spec.js";
import { expectInputs, kernelOp, oneOutput } from "./kernels-common.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding (runtime-neutral; no Buffer/btoa). */
export function bytesToBase64(b: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (i < b.length) {
    const v = (b[i] << 16) | ((i + 1 < b.length ? b[i + 1] : 0) << 8);
    s += B64[v >> 18] + B64[(v >> 12) & 63] + (i + 1 < b.length ? B64[(v >> 6) & 63] : "=") + "=";
  }
  return s;
}

/** `Const` -> kernel `Const` with attrs `value` (base64 TensorProto) and `dtype`. */
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
  return oneOutput("Const", "output", dtype, [], { value: bytesToBase64(toBinary(TensorProtoSchema, tensor)), dtype });
});
