// CompressElement / UncompressElement: the ops TF's client appends around a registered dataset
// when compression is AUTO (map(CompressElement) on the worker, map(UncompressElement) on the client).
import { DT_VARIANT, dtypeName } from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { allocTensor, scalarShape, Tensor } from "../core/tensor";
import { compressElement, uncompressElement } from "../codec/compressed";
import { CompressedElementValue } from "../codec/compressed-element";
import { InstructionNode } from "../plan/nodes";
import { Kernel } from "./kernel";

class CompressElementKernel extends Kernel {
  dtypes: StaticArray<f64> = new StaticArray<f64>(0);

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    for (let i = 0; i < this.dtypes.length; i++) {
      const want = <i32>unchecked(this.dtypes[i]);
      if (inputs[i].dtype != want) {
        return fail(INVALID_ARGUMENT, "CompressElement: component " + i.toString() + " has dtype " + dtypeName(inputs[i].dtype) +
          ", input_types says " + dtypeName(want));
      }
    }
    const ce = compressElement(inputs);
    if (ce == null) return errorCode();
    const t = allocTensor(DT_VARIANT, scalarShape());
    if (t == null) return errorCode();
    unchecked(t.variants![0] = ce);
    outputs.push(t);
    return OK;
  }
}

/** CompressElement: any number of components in, one scalar variant out; attr `input_types` (optional) checks them. */
export function makeCompressElement(ins: InstructionNode): Kernel | null {
  if (ins.numOutputs != 1) {
    fail(INVALID_ARGUMENT, "CompressElement has exactly 1 output, the plan asks for " + ins.numOutputs.toString());
    return null;
  }
  const k = new CompressElementKernel();
  k.dtypes = ins.attrs.list("input_types", true);
  if (k.dtypes.length != 0 && k.dtypes.length != ins.inputs.length) {
    fail(INVALID_ARGUMENT, "CompressElement: input_types has " + k.dtypes.length.toString() + " entries for " +
      ins.inputs.length.toString() + " inputs");
    return null;
  }
  return k;
}

class UncompressElementKernel extends Kernel {
  dtypes: StaticArray<f64> = new StaticArray<f64>(0);
  numOutputs: i32 = 0;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const v = inputs[0];
    if (v.dtype != DT_VARIANT || v.numElements != 1 || v.rank != 0) {
      return fail(INVALID_ARGUMENT, "UncompressElement needs a scalar variant input, got " + dtypeName(v.dtype) + " of rank " +
        v.rank.toString());
    }
    const val = v.variants![0];
    if (!(val instanceof CompressedElementValue)) {
      return fail(INVALID_ARGUMENT, "UncompressElement input does not hold a CompressedElement");
    }
    const st = uncompressElement(changetype<CompressedElementValue>(val), outputs);
    if (st != OK) return st;
    if (outputs.length != this.numOutputs) {
      return fail(INVALID_ARGUMENT, "UncompressElement: the element has " + outputs.length.toString() +
        " components, output_types lists " + this.numOutputs.toString());
    }
    for (let i = 0; i < this.dtypes.length; i++) {
      const want = <i32>unchecked(this.dtypes[i]);
      if (outputs[i].dtype != want) {
        return fail(INVALID_ARGUMENT, "UncompressElement: component " + i.toString() + " has dtype " + dtypeName(outputs[i].dtype) +
          ", output_types says " + dtypeName(want));
      }
    }
    return OK;
  }
}

/** UncompressElement: one scalar variant in; attr `output_types` (optional) checks the components. */
export function makeUncompressElement(ins: InstructionNode): Kernel | null {
  if (ins.inputs.length != 1) {
    fail(INVALID_ARGUMENT, "UncompressElement has exactly 1 input, the plan gives " + ins.inputs.length.toString());
    return null;
  }
  const k = new UncompressElementKernel();
  k.numOutputs = ins.numOutputs;
  k.dtypes = ins.attrs.list("output_types", true);
  if (k.dtypes.length != 0 && k.dtypes.length != ins.numOutputs) {
    fail(INVALID_ARGUMENT, "UncompressElement: output_types has " + k.dtypes.length.toString() + " entries for " +
      ins.numOutputs.toString() + " outputs");
    return null;
  }
  return k;
}
