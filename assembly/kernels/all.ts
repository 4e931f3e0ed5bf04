// Registers every kernel the core implements, by TF op name.
import { makeIdentity } from "./identity";
import { registerKernel } from "./registry";

export function registerKernels(): void {
  registerKernel("Identity", makeIdentity);
  registerKernel("IdentityN", makeIdentity);
}
