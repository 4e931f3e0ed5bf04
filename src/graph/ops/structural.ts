/**
 * The sources and function-free transformations of issue 3 (one list, registered by `all.ts`).
 */
import { paddedBatchDatasetV2Op, parallelBatchDatasetOp, rebatchDatasetV2Op, unbatchDatasetOp } from "./batching.js";
import { cacheDatasetOp, cacheDatasetV2Op } from "./cache.js";
import { concatenateDatasetOp, zipDatasetOp } from "./combine.js";
import type { DatasetOpDef } from "./registry.js";
import { repeatDatasetOp, shardDatasetOp, skipDatasetOp } from "./selection.js";
import { tensorDatasetOp, tensorSliceDatasetOp } from "./sources.js";
import { windowDatasetOp } from "./window.js";

/** Every dataset op of this family. */
export const STRUCTURAL_DATASET_OPS: readonly DatasetOpDef[] = [
  tensorDatasetOp,
  tensorSliceDatasetOp,
  repeatDatasetOp,
  skipDatasetOp,
  shardDatasetOp,
  concatenateDatasetOp,
  zipDatasetOp,
  cacheDatasetV2Op,
  cacheDatasetOp,
  parallelBatchDatasetOp,
  paddedBatchDatasetV2Op,
  unbatchDatasetOp,
  rebatchDatasetV2Op,
  windowDatasetOp,
];
