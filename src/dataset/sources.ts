/**
 * `Dataset.fromTensors` and `Dataset.fromTensorSlices`: datasets of constant JS values (see
 * `source-values.ts` for how values become tensors and structures). The values go into the graph
 * as `Const` nodes, one per component, encoded as TF encodes them.
 */
import { TfDataError } from "../core/errors.js";
import { UNKNOWN_CARDINALITY } from "../graph/constants.js";
import { defaultDatasetName, type GraphBuilder } from "../graph/graph-builder.js";
import { tensorConst } from "../graph/ops/const-tensor.js";
import { emitTensorDataset, emitTensorSliceDataset } from "../graph/ops/sources.js";
import { SymbolicTensor } from "../graph/trace/symbolic-tensor.js";
import { checkName } from "./arguments.js";
import type { DatasetParts } from "./dataset.js";
import { leafShape, leafSpec, normalizeElement, type SourceLeaf } from "./source-values.js";
import { FunctionGraphBuilder } from "./transformations/in-function.js";

/** Options of `fromTensors` / `fromTensorSlices` (TF: `name`). */
export interface SourceOptions {
  readonly name?: string;
}

/** Emits the component inputs: Consts, or inside a traced function the symbolic tensors themselves. */
function emitLeaves(b: GraphBuilder, leaves: readonly SourceLeaf[]): string[] {
  return leaves.map((leaf) => {
    if (leaf instanceof SymbolicTensor) {
      if (!(b instanceof FunctionGraphBuilder)) {
        throw new TfDataError("InvalidArgument", `symbolic tensor '${leaf.name}' can only be used inside the function ` +
          "being traced (e.g. in a dataset the function of flatMap/interleave returns)");
      }
      return b.symbolicInput(leaf);
    }
    return tensorConst(b, leaf);
  });
}

/** The parts of `Dataset.fromTensors(value)`: a single element, `value`. */
export function fromTensorsParts(value: unknown, options: SourceOptions = {}): DatasetParts {
  const el = normalizeElement(value, "fromTensors value");
  const shapes = el.leaves.map(leafShape);
  const specs = el.leaves.map((l, i) => leafSpec(l, shapes[i]));
  const spec = specs.map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName("TensorDataset");
  return {
    elementSpec: el.pack(specs),
    cardinality: 1n,
    emit: (b) => emitTensorDataset(b, { components: emitLeaves(b, el.leaves), spec, metadataName }),
  };
}

/** The parts of `Dataset.fromTensorSlices(value)`: one element per row of the components. */
export function fromTensorSlicesParts(value: unknown, options: SourceOptions = {}): DatasetParts {
  const el = normalizeElement(value, "fromTensorSlices value");
  const shapes = el.leaves.map(leafShape);
  let rows: number | undefined;
  for (const shape of shapes) {
    if (shape === null) continue;
    if (shape.length === 0) throw new TfDataError("InvalidArgument", "Unbatching a tensor is only supported for rank >= 1");
    const d = shape[0];
    if (d < 0) continue;
    if (rows === undefined) rows = d;
    else if (d !== rows) throw new TfDataError("InvalidArgument", `Dimensions ${rows} and ${d} are not compatible`);
  }
  const specs = el.leaves.map((l, i) => leafSpec(l, shapes[i] === null ? null : shapes[i]!.slice(1)));
  const spec = specs.map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName("TensorSliceDataset");
  const known = shapes.every((s) => s !== null && s[0] >= 0);
  return {
    elementSpec: el.pack(specs),
    cardinality: known ? BigInt(rows ?? 0) : BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => emitTensorSliceDataset(b, { components: emitLeaves(b, el.leaves), spec, metadataName }),
  };
}
