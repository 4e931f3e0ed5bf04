// Kernels: the ops a traced function calls. A kernel instance is made once per instruction when a
// plan is instantiated (so attrs and arity are validated up front) and run once per element.
import { fail, INTERNAL } from "../core/status";
import { Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";

export class Kernel {
  name: string = "";

  /**
   * Computes `outputs` (empty on entry; push exactly the instruction's numOutputs tensors) from
   * `inputs`. Returns OK or an error code with the message recorded.
   */
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    return fail(INTERNAL, "kernel " + this.name + " has no implementation");
  }
}

/** Validates an instruction (arity, attrs) and makes its kernel, or records an error. */
export type KernelFactory = (ins: InstructionNode) => Kernel | null;
