/**
 * The `tf.data.Options` a dataset graph carries in its `OptionsDataset` nodes, as far as they
 * change how the lowered plan runs (never its elements): TF's default `map_parallelization`
 * rewrite runs every map without `num_parallel_calls` as if it had `AUTOTUNE`, unless the options
 * turn it (or all default optimizations) off.
 */
import { fromBinary } from "@bufbuild/protobuf";
import { OptionsSchema, type Options } from "../gen/tensorflow/core/framework/dataset_options_pb.js";
import type { NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import type { GraphIndex } from "./graph-index.js";
import { parseGraphInput, type GraphInputRef } from "./input-ref.js";
import { MAX_DATASET_DEPTH } from "./constants.js";

/** What the lowering takes from the graph's options. */
export interface GraphOptions {
  /** Sequential maps may run in parallel (TF's `map_parallelization`, default on). */
  readonly mapParallelization: boolean;
  /** Parallel work keeps the input order (TF's `Options.deterministic`, default true). */
  readonly deterministic: boolean;
}

/** TF's defaults: what a graph without `OptionsDataset` gets. */
export const DEFAULT_GRAPH_OPTIONS: GraphOptions = { mapParallelization: true, deterministic: true };

/**
 * The options of the pipeline ending at `output`: the `OptionsDataset` nodes along its main input
 * chain, merged as TF merges them (an outer node's fields override an inner one's). Malformed
 * options are left to the `OptionsDataset` lowering to report.
 */
export function graphOptions(index: GraphIndex, output: NodeDef): GraphOptions {
  const chain: Options[] = [];
  let node: NodeDef | undefined = output;
  for (let depth = 0; node !== undefined && depth <= MAX_DATASET_DEPTH; depth++) {
    if (node.op === "OptionsDataset") {
      const attr = node.attr.serialized_options?.value;
      if (attr?.case === "s") {
        try {
          chain.push(fromBinary(OptionsSchema, attr.value));
        } catch {
          // reported by the OptionsDataset lowering
        }
      }
    }
    const first: GraphInputRef | undefined = node.input.map(parseGraphInput).find((r) => !r.control);
    node = first === undefined ? undefined : index.nodes.get(first.node);
  }
  let mapParallelization: boolean | undefined;
  let applyDefaults: boolean | undefined;
  let deterministic: boolean | undefined;
  // Outermost first: the first value set wins.
  for (const o of chain) {
    const opt = o.optimizationOptions;
    if (mapParallelization === undefined && opt?.optionalMapParallelization.case !== undefined) {
      mapParallelization = opt.optionalMapParallelization.value;
    }
    if (applyDefaults === undefined && opt?.optionalApplyDefaultOptimizations.case !== undefined) {
      applyDefaults = opt.optionalApplyDefaultOptimizations.value;
    }
    if (deterministic === undefined && o.optionalDeterministic.case !== undefined) deterministic = o.optionalDeterministic.value;
  }
  return {
    mapParallelization: mapParallelization ?? applyDefaults ?? DEFAULT_GRAPH_OPTIONS.mapParallelization,
    deterministic: deterministic ?? DEFAULT_GRAPH_OPTIONS.deterministic,
  };
}
