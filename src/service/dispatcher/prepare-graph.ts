/**
 * Normalises a registered graph the way TF's dispatcher does before storing it: device placements
 * are cleared (the graph runs on whichever worker gets it), and hash-table ops share resources by
 * node name so tables survive the graph runs a worker does while building its pipeline.
 */
import type { GraphDef } from "../../gen/tensorflow/core/framework/graph_pb.js";
import { create } from "@bufbuild/protobuf";
import { AttrValueSchema } from "../../gen/tensorflow/core/framework/attr_value_pb.js";

/** Hash-table ops that get `use_node_name_sharing = true` (TF's list). */
export const NODE_NAME_SHARING_OPS: ReadonlySet<string> = new Set([
  "HashTable",
  "HashTableV2",
  "MutableHashTable",
  "MutableHashTableV2",
  "MutableDenseHashTable",
  "MutableDenseHashTableV2",
  "MutableHashTableOfTensors",
  "MutableHashTableOfTensorsV2",
]);

/** Rewrites `graph` in place; see the module comment. */
export function prepareGraph(graph: GraphDef): void {
  for (const node of graph.node) {
    if (NODE_NAME_SHARING_OPS.has(node.op)) {
      node.attr["use_node_name_sharing"] = create(AttrValueSchema, { value: { case: "b", value: true } });
    }
    node.device = "";
  }
  for (const fn of graph.library?.function ?? []) {
    for (const node of fn.nodeDef) node.device = "";
  }
}
