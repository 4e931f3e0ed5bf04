/**
 * Every tensor kernel op a traced function can use (issue 3 §2), for `ops/all.ts` to register in
 * one line.
 */
import { constKernelOp } from "./kernels-const.js";
import { mathKernelOps } from "./kernels-math.js";
import { reduceKernelOps } from "./kernels-reduce.js";
import { shapeKernelOps } from "./kernels-shape.js";
import { stringKernelOps } from "./kernels-string.js";
import type { KernelOpDef } from "./registry.js";

/** The tensor kernel ops (Identity and the compression ops live in their own modules). */
export const tensorKernelOps: readonly KernelOpDef[] = [
  constKernelOp, ...mathKernelOps, ...shapeKernelOps, ...reduceKernelOps, ...stringKernelOps,
];
