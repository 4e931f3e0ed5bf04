// Identity / IdentityN: outputs are the inputs (tensors are immutable, so no copy).
import { fail, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { Kernel } from "./kernel";

class IdentityKernel extends Kernel {
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    for (let i = 0; i < inputs.length; i++) outputs.push(unchecked(inputs[i]));
    return OK;
  }
}

/** Identity takes one input; IdentityN any number; outputs = inputs. */
export function makeIdentity(ins: InstructionNode): Kernel | null {
  if (ins.inputs.length != ins.numOutputs || (ins.kernel == "Identity" && ins.inputs.length != 1)) {
    fail(INVALID_ARGUMENT, ins.kernel + " needs as many outputs as inputs" + (ins.kernel == "Identity" ? " (exactly 1)" : "") +
      ", got " + ins.inputs.length.toString() + " inputs and " + ins.numOutputs.toString() + " outputs");
    return null;
  }
  return new IdentityKernel();
}
