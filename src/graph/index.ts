/**
 * The GraphDef layer: building dataset graphs as TF 2.21 does, lowering any supported graph to a
 * core plan, and the graph utilities the tf.data service needs.
 */
export { GRAPH_DEF_PRODUCER, DATASET_RETVAL_NAME, RETVAL_OP, AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY } from "./constants.js";
export type { ComponentSpec } from "./component-spec.js";
export { formatSpec, formatShape } from "./component-spec.js";
export { GraphBuilder, defaultDatasetName, datasetMetadata } from "./graph-builder.js";
export { GraphIndex, datasetOutputNode } from "./graph-index.js";
export { lower, type LoweredGraph } from "./lower.js";
export { graphCardinality, graphElementSpec } from "./graph-info.js";
export {
  appendCompressionMap,
  stripCompressionMap,
  hasCompressionMap,
  findCompressionMap,
  compressionFunction,
  pruneUnreachable,
} from "./compression-map.js";
export { ensureBuiltinOps } from "./ops/all.js";
export { registerDatasetOps, registerKernelOps, registerValueOps } from "./ops/registry.js";
export type { DatasetOpDef, KernelOpDef, ValueOpDef } from "./ops/registry.js";

import { ensureBuiltinOps } from "./ops/all.js";
import * as registry from "./ops/registry.js";

/** Sorted names of the dataset ops graphs may use (built-ins included). */
export function supportedDatasetOps(): string[] {
  ensureBuiltinOps();
  return registry.supportedDatasetOps();
}

/** Sorted names of the ops function bodies may use. */
export function supportedKernelOps(): string[] {
  ensureBuiltinOps();
  return registry.supportedKernelOps();
}
