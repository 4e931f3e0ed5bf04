// Registers the tensor kernels that traced functions call (the ops of issue 3 §2), by TF op name.
import { BINARY_KERNELS, makeBinary, makeUnary, UNARY_KERNELS } from "./cwise";
import { makeConst } from "./const";
import { registerKernel } from "./registry";

/** Registers every tensor kernel (called once from kernels/all.ts). */
export function registerTensorKernels(): void {
  for (let i = 0; i < BINARY_KERNELS.length; i++) registerKernel(BINARY_KERNELS[i], makeBinary);
  for (let i = 0; i < UNARY_KERNELS.length; i++) registerKernel(UNARY_KERNELS[i], makeUnary);
  registerKernel("Const", makeConst);
}
