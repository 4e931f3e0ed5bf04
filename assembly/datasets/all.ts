// Registers every dataset op the core implements (plan op names as in src/core/plan.ts).
import { makeBatch } from "./batch";
import { makeMap } from "./map";
import { makeRange } from "./range";
import { registerDataset } from "./registry";
import { makeTake } from "./take";

export function registerDatasetOps(): void {
  registerDataset("range", makeRange);
  registerDataset("take", makeTake);
  registerDataset("batch", makeBatch);
  registerDataset("map", makeMap);
}
