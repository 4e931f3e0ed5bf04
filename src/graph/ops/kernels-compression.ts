/**
 * tf.data service element compression kernels.
 *
 * `CompressElement`: inputs = the element's components, attr `input_types`, output `compressed`
 * (one scalar DT_VARIANT holding a CompressedElement). TF's client appends it as
 * `map(CompressElement)` when compression is "AUTO"/"SNAPPY".
 *
 * `UncompressElement`: input one DT_VARIANT, attrs `output_types`, `output_shapes`, output list
 * `components`.
 *
 * Instruction attrs passed to the core: `input_types` / `output_types` (DataType numbers).
 */
import { DType, dtypeName } from "../../core/dtype.js";
import type { KernelOpDef } from "./registry.js";

/** `CompressElement` -> kernel `CompressElement`. */
export const compressElementOp: KernelOpDef = {
  op: "CompressElement",
  lower(ctx) {
    const types = ctx.attrs.types("input_types");
    if (types.length === 0) throw ctx.error("InvalidArgument", "attr input_types must list at least one component");
    if (types.includes(DType.variant)) {
      throw ctx.error("Unimplemented", "compressing variant components (nested datasets, ragged) is not supported yet");
    }
    return {
      kernel: "CompressElement",
      attrs: { input_types: types },
      inputTypes: types,
      outputs: [{ name: "compressed", dtypes: [DType.variant] }],
    };
  },
};

/** `UncompressElement` -> kernel `UncompressElement`. */
export const uncompressElementOp: KernelOpDef = {
  op: "UncompressElement",
  lower(ctx) {
    const types = ctx.attrs.types("output_types");
    const shapes = ctx.attrs.shapes("output_shapes");
    if (types.length === 0 || types.length !== shapes.length) {
      throw ctx.error("InvalidArgument", `attrs output_types (${types.length}) and output_shapes (${shapes.length}) ` +
        "must list the same, non-zero number of components");
    }
    if (types.includes(DType.variant)) {
      throw ctx.error("Unimplemented", `uncompressing to ${dtypeName(DType.variant)} components is not supported yet`);
    }
    return {
      kernel: "UncompressElement",
      attrs: { output_types: types },
      inputTypes: [DType.variant],
      outputs: [{ name: "components", dtypes: types }],
    };
  },
};
