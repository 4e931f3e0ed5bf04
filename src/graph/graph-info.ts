/**
 * What a dataset graph says about its output without running it: the element spec its output
 * node declares, and TF's cardinality.
 */
import type { GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import type { ComponentSpec } from "./component-spec.js";
import { describeNode, GraphIndex } from "./graph-index.js";
import { lower } from "./lower.js";
import { NodeAttrs } from "./node-attrs.js";

/** The flat element spec (`output_types` / `output_shapes`) of the graph's output dataset. */
export function graphElementSpec(graph: GraphDef): ComponentSpec[] {
  const out = new GraphIndex(graph).outputNode();
  return new NodeAttrs(out.attr, describeNode(out)).outputSpec();
}

/**
 * TF's cardinality of the graph's dataset as a number: `-1` infinite, `-2` unknown (values
 * beyond 2^53 lose precision). Lowers the graph, so an unsupported op throws.
 */
export function graphCardinality(graph: GraphDef): number {
  return Number(lower(graph).cardinality);
}
