/**
 * The built-in op families. To add ops: write a module in this folder exporting `DatasetOpDef`s /
 * `KernelOpDef`s / `ValueOpDef`s and list them here; the lowering core needs no change.
 */
import { batchDatasetV2Op } from "./batch.js";
import { constOp } from "./const.js";
import { compressElementOp, uncompressElementOp } from "./kernels-compression.js";
import { identityOp } from "./kernels-array.js";
import { tensorKernelOps } from "./kernels-tensor.js";
import { mapDatasetOp, parallelMapDatasetV2Op } from "./map.js";
import { rangeDatasetOp } from "./range.js";
import { registerDatasetOps, registerKernelOps, registerValueOps } from "./registry.js";
import { takeDatasetOp } from "./take.js";
import { filterDatasetOp } from "./filter.js";
import { flatMapDatasetOp, interleaveDatasetOp, parallelInterleaveDatasetV4Op } from "./flat-map.js";
import { scanDatasetOp } from "./scan.js";
import { shuffleAndRepeatDatasetOp, shuffleAndRepeatDatasetV2Op, shuffleDatasetOp, shuffleDatasetV3Op } from "./shuffle.js";
import { STRUCTURAL_DATASET_OPS } from "./structural.js";
import {
  maxIntraOpParallelismDatasetOp,
  modelDatasetOp,
  optionsDatasetOp,
  prefetchDatasetOp,
  privateThreadPoolDatasetOp,
} from "./wrappers.js";

let registered = false;

/**
 * Registers the built-in ops once. Called by `lower()`: explicit rather than an import side
 * effect, so bundlers that trust `"sideEffects": false` cannot drop it.
 */
export function ensureBuiltinOps(): void {
  if (registered) return;
  registered = true;
  registerValueOps(constOp);
  registerDatasetOps(
    rangeDatasetOp,
    takeDatasetOp,
    batchDatasetV2Op,
    mapDatasetOp,
    parallelMapDatasetV2Op,
    optionsDatasetOp,
    modelDatasetOp,
    maxIntraOpParallelismDatasetOp,
    privateThreadPoolDatasetOp,
    prefetchDatasetOp,
  );
  registerDatasetOps(filterDatasetOp, flatMapDatasetOp, interleaveDatasetOp, parallelInterleaveDatasetV4Op, scanDatasetOp,
    shuffleDatasetOp, shuffleDatasetV3Op, shuffleAndRepeatDatasetOp, shuffleAndRepeatDatasetV2Op);
  registerDatasetOps(...STRUCTURAL_DATASET_OPS);
  registerKernelOps(identityOp, compressElementOp, uncompressElementOp);
  registerKernelOps(...tensorKernelOps);
}
