/**
 * Array kernels of function bodies. `Identity`: one input, attr `T` (its dtype), output `output`.
 * TF's traced functions end every return value with an Identity.
 */
import { dtypeName } from "../../core/dtype.js";
import type { KernelOpDef } from "./registry.js";

/** `Identity` -> kernel `Identity`. */
export const identityOp: KernelOpDef = {
  op: "Identity",
  lower(ctx) {
    if (ctx.inputCount !== 1) throw ctx.error("InvalidArgument", `expected 1 input, got ${ctx.inputCount}`);
    const t = ctx.attrs.type("T");
    if (t !== ctx.inputTypes[0]) {
      throw ctx.error("InvalidArgument", `attr T is ${dtypeName(t)} but the input is ${dtypeName(ctx.inputTypes[0])}`);
    }
    return { kernel: "Identity", attrs: { T: t }, inputTypes: [t], outputs: [{ name: "output", dtypes: [t] }] };
  },
};
