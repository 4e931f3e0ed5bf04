// Kernel registry: TF op name -> factory. To add kernels, write a module exporting factories and
// register them in `kernels/all.ts`.
import { fail, UNIMPLEMENTED } from "../core/status";
import { InstructionNode } from "../plan/nodes";
import { Kernel, KernelFactory } from "./kernel";

const factories = new Map<string, KernelFactory>();

export function registerKernel(op: string, factory: KernelFactory): void {
  factories.set(op, factory);
}

/** Makes the kernel of an instruction, or records why it cannot. */
export function makeKernel(ins: InstructionNode): Kernel | null {
  if (!factories.has(ins.kernel)) {
    fail(UNIMPLEMENTED, "kernel \"" + ins.kernel + "\" is not implemented by the core");
    return null;
  }
  const k = factories.get(ins.kernel)(ins);
  if (k != null) k.name = ins.kernel;
  return k;
}
