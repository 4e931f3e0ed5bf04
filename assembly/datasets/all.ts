// Registers every dataset op the core implements (plan op names as in src/core/plan.ts).
import { makeBatch } from "./batch";
import { makeMap } from "./map";
import { makeRange } from "./range";
import { registerDataset } from "./registry";
import { makeChannel } from "./channel";
import { makePrefetch } from "./prefetch";
import { makeTake } from "./take";
import { registerStructuralOps } from "./structural";
import { makeFilter } from "./filter";
import { makeFlatMap, makeInterleave } from "./flat-map";
import { makeScan } from "./scan";
import { makeShuffle } from "./shuffle";
import { DATASET_PARAM_OP, makeDatasetParam } from "./template";
import { makeSplitSource } from "./split-source";

export function registerDatasetOps(): void {
  registerDataset("range", makeRange);
  registerDataset("take", makeTake);
  registerStructuralOps();
  registerDataset("batch", makeBatch);
  registerDataset("map", makeMap);
  registerDataset("filter", makeFilter);
  registerDataset("flatMap", makeFlatMap);
  registerDataset("interleave", makeInterleave);
  registerDataset("scan", makeScan);
  registerDataset("shuffle", makeShuffle);
  registerDataset(DATASET_PARAM_OP, makeDatasetParam);
  registerDataset("channel", makeChannel);
  registerDataset("prefetch", makePrefetch);
  registerDataset("splitSource", makeSplitSource);
}
