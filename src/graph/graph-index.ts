/**
 * Name lookups over a GraphDef, its `_Retval` output and its function library, with the
 * structural validation every consumer needs (size limit, unique names).
 */
import type { FunctionDef } from "../gen/tensorflow/core/framework/function_pb.js";
import type { GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import type { NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import { TfDataError } from "../core/errors.js";
import { MAX_GRAPH_NODES, RETVAL_OP } from "./constants.js";
import { parseGraphInput } from "./input-ref.js";

/** How messages name a node: `node 'RangeDataset/_3' (RangeDataset)`. */
export function describeNode(node: NodeDef): string {
  return `node '${node.name}' (${node.op})`;
}

/** A GraphDef indexed by node and function name. */
export class GraphIndex {
  readonly nodes: ReadonlyMap<string, NodeDef>;
  readonly functions: ReadonlyMap<string, FunctionDef>;

  constructor(readonly graph: GraphDef) {
    if (graph.node.length > MAX_GRAPH_NODES) {
      throw new TfDataError("InvalidArgument",
        `dataset graph has ${graph.node.length} nodes; at most ${MAX_GRAPH_NODES} are accepted`);
    }
    const nodes = new Map<string, NodeDef>();
    for (const n of graph.node) {
      if (nodes.has(n.name)) throw new TfDataError("InvalidArgument", `dataset graph has two nodes named '${n.name}'`);
      nodes.set(n.name, n);
    }
    const functions = new Map<string, FunctionDef>();
    for (const f of graph.library?.function ?? []) {
      const name = f.signature?.name ?? "";
      if (!name) throw new TfDataError("InvalidArgument", "dataset graph library has a function without a name");
      if (functions.has(name)) throw new TfDataError("InvalidArgument", `dataset graph library defines '${name}' twice`);
      functions.set(name, f);
    }
    this.nodes = nodes;
    this.functions = functions;
  }

  /** The node named `name`; `from` says who refers to it, for the error. */
  node(name: string, from: string): NodeDef {
    const n = this.nodes.get(name);
    if (!n) throw new TfDataError("InvalidArgument", `${from} refers to node '${name}', which is not in the graph`);
    return n;
  }

  /** The `_Retval` node that marks the dataset output. */
  retval(): NodeDef {
    const retvals = this.graph.node.filter((n) => n.op === RETVAL_OP);
    if (retvals.length !== 1) {
      throw new TfDataError("InvalidArgument", `a dataset graph has exactly one '${RETVAL_OP}' node marking its output; ` +
        `this one has ${retvals.length}`);
    }
    return retvals[0];
  }

  /** The dataset node the `_Retval` returns. */
  outputNode(): NodeDef {
    const retval = this.retval();
    const data = retval.input.map(parseGraphInput).filter((r) => !r.control);
    if (data.length !== 1 || data[0].index !== 0) {
      throw new TfDataError("InvalidArgument", `${describeNode(retval)} must have exactly one input, ` +
        `the dataset node's output 0; it has [${retval.input.join(", ")}]`);
    }
    return this.node(data[0].node, describeNode(retval));
  }
}

/**
 * The name of the dataset node a graph returns (the input of its `_Retval`). TF marks the
 * output of every dataset graph it serializes this way; workers start iteration there.
 */
export function datasetOutputNode(graph: GraphDef): string {
  return new GraphIndex(graph).outputNode().name;
}
