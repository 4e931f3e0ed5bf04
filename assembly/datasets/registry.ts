// Dataset op registry: plan op name -> factory that validates a node and builds its Dataset.
// To add an op: write a module with a factory and register it in `registerDatasetOps`.
import { fail, INVALID_ARGUMENT, UNIMPLEMENTED, addContext } from "../core/status";
import { DatasetNode } from "../plan/nodes";
import { Dataset } from "./dataset";

export type DatasetFactory = (node: DatasetNode) => Dataset | null;

const factories = new Map<string, DatasetFactory>();

export function registerDataset(op: string, factory: DatasetFactory): void {
  factories.set(op, factory);
}

/** Builds the dataset of `node` (and, through the factories, its inputs). */
export function buildDataset(node: DatasetNode): Dataset | null {
  if (!factories.has(node.op)) {
    const known = factories.keys().join(", ");
    fail(UNIMPLEMENTED, "dataset op \"" + node.op + "\" is not implemented by the core (known: " + known + ")");
    return null;
  }
  const ds = factories.get(node.op)(node);
  if (ds == null) addContext(node.op);
  return ds;
}

/** Builds input `index` of `node`, failing clearly when it is missing. */
export function buildInput(node: DatasetNode, index: i32): Dataset | null {
  if (index >= node.inputs.length) {
    fail(INVALID_ARGUMENT, "needs input dataset #" + index.toString() + " but the plan gives " + node.inputs.length.toString());
    return null;
  }
  return buildDataset(unchecked(node.inputs[index]));
}
