// Registers the sources and the function-free transformations (issue 3): plan op names as in
// src/core/plan.ts.
import { makeCache } from "./cache";
import { makeConcatenate } from "./concatenate";
import { makePaddedBatch } from "./padded-batch";
import { makeRebatch } from "./rebatch";
import { registerDataset } from "./registry";
import { makeRepeat } from "./repeat";
import { makeShard } from "./shard";
import { makeSkip } from "./skip";
import { makeTensor, makeTensorSlice } from "./sources";
import { makeUnbatch } from "./unbatch";
import { makeWindow } from "./window";
import { makeZip } from "./zip";

export function registerStructuralOps(): void {
  registerDataset("tensor", makeTensor);
  registerDataset("tensorSlice", makeTensorSlice);
  registerDataset("repeat", makeRepeat);
  registerDataset("skip", makeSkip);
  registerDataset("shard", makeShard);
  registerDataset("concatenate", makeConcatenate);
  registerDataset("zip", makeZip);
  registerDataset("cache", makeCache);
  registerDataset("paddedBatch", makePaddedBatch);
  registerDataset("unbatch", makeUnbatch);
  registerDataset("rebatch", makeRebatch);
  registerDataset("window", makeWindow);
}
