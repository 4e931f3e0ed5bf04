/**
 * `Dataset.filter(predicate, { name })`: TF's `filter`. The predicate is traced like a map
 * function and must return a scalar bool tensor (TF's error at trace time otherwise); the node
 * is `FilterDataset`.
 */
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { emitFilter } from "../../graph/ops/filter.js";
import { tfFunctionName, traceFunction } from "../../graph/trace/trace-function.js";
import { UNKNOWN_CARDINALITY } from "../../graph/constants.js";
import { checkName } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { toStructure } from "./element-structure.js";
import { checkCallable, type MapFunction } from "./map.js";

/** Options of `filter`. */
export interface FilterOptions {
  readonly name?: string;
}

/** `ds.filter(predicate, options)`. */
export function filterDataset(ds: Dataset, predicate: MapFunction, options: FilterOptions = {}): Dataset {
  checkCallable(predicate, "filter()");
  const input = ds._parts("filter()");
  const traced = traceFunction({
    name: tfFunctionName("Dataset.filter", predicate.name),
    input: toStructure(input.elementSpec),
    fn: predicate,
    transformation: "Dataset.filter",
    predicate: true,
  });
  const spec = ds.componentSpecs.map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName("FilterDataset");
  const fnName = traced.functionDef.signature!.name;
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      const node = input.emit(b);
      b.addFunction(traced.functionDef);
      return emitFilter(b, node, { predicate: fnName, spec, metadataName });
    },
  });
}
