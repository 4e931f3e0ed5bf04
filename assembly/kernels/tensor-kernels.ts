// Registers the tensor kernels that traced functions call (the ops of issue 3 §2), by TF op name.
import { makeArg, makeOneHot } from "./arg-ops";
import { makeConcat, makeGather, makePack, makeSlice, makeTile, makeTranspose } from "./array-ops";
import { makeCast } from "./cast";
import { makeClip } from "./clip";
import { makeConst } from "./const";
import { BINARY_KERNELS, makeBinary, makeUnary, UNARY_KERNELS } from "./cwise";
import { makeRange } from "./range";
import { makeReduce, REDUCE_KERNELS } from "./reduce";
import { registerKernel } from "./registry";
import { makeSelect } from "./select";
import {
  makeExpandDims, makeFill, makeReshape, makeShape, makeSqueeze, makeZerosOnesLike,
} from "./shape-ops";
import { makeStridedSlice } from "./strided-slice";
import { makeAsString, makeStringToNumber } from "./string-number";

/** Registers every tensor kernel (called once from kernels/all.ts). */
export function registerTensorKernels(): void {
  for (let i = 0; i < BINARY_KERNELS.length; i++) registerKernel(BINARY_KERNELS[i], makeBinary);
  for (let i = 0; i < UNARY_KERNELS.length; i++) registerKernel(UNARY_KERNELS[i], makeUnary);
  for (let i = 0; i < REDUCE_KERNELS.length; i++) registerKernel(REDUCE_KERNELS[i], makeReduce);
  registerKernel("Const", makeConst);
  registerKernel("Cast", makeCast);
  registerKernel("SelectV2", makeSelect);
  registerKernel("Select", makeSelect);
  registerKernel("ClipByValue", makeClip);
  registerKernel("Reshape", makeReshape);
  registerKernel("ExpandDims", makeExpandDims);
  registerKernel("Squeeze", makeSqueeze);
  registerKernel("Shape", makeShape);
  registerKernel("Size", makeShape);
  registerKernel("Rank", makeShape);
  registerKernel("Fill", makeFill);
  registerKernel("ZerosLike", makeZerosOnesLike);
  registerKernel("OnesLike", makeZerosOnesLike);
  registerKernel("Pack", makePack);
  registerKernel("ConcatV2", makeConcat);
  registerKernel("Slice", makeSlice);
  registerKernel("StridedSlice", makeStridedSlice);
  registerKernel("GatherV2", makeGather);
  registerKernel("Transpose", makeTranspose);
  registerKernel("Tile", makeTile);
  registerKernel("Range", makeRange);
  registerKernel("ArgMax", makeArg);
  registerKernel("ArgMin", makeArg);
  registerKernel("OneHot", makeOneHot);
  registerKernel("StringToNumber", makeStringToNumber);
  registerKernel("AsString", makeAsString);
}
