// Registers every kernel the core implements, by TF op name.
import { makeCompressElement, makeUncompressElement } from "./compression";
import { makeIdentity } from "./identity";
import { registerKernel } from "./registry";
import { registerTensorKernels } from "./tensor-kernels";

export function registerKernels(): void {
  registerKernel("Identity", makeIdentity);
  registerKernel("IdentityN", makeIdentity);
  registerKernel("CompressElement", makeCompressElement);
  registerKernel("UncompressElement", makeUncompressElement);
  registerTensorKernels();
}
