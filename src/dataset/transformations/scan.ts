/**
 * `Dataset.scan(initialState, fn, { name })`: TF's `scan`. `fn(state, element)` returns
 * `[newState, output]`; the state starts as `initialState` (a value as the sources take it: a
 * JS array is a tensor, `tuple(a, b)` a tuple, a plain object a dict) on every pass. As TF, the function is
 * traced again with relaxed state shapes while the new state's shapes differ from the state's
 * (e.g. a growing vector), and a new state of another dtype is an error.
 */
import type { TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { PlanShape } from "../../core/plan.js";
import type { ComponentSpec } from "../../graph/component-spec.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { emitScan } from "../../graph/ops/scan.js";
import { Tensor } from "../../core/tensor.js";
import { constTensorProto } from "../../graph/ops/const-tensor.js";
import { flattenStructure, sortedKeys, type ElementStructure } from "../../graph/trace/structure.js";
import { tfFunctionName, traceFunction, type TracedFunction } from "../../graph/trace/trace-function.js";
import { checkName } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { normalizeElement } from "../source-values.js";
import { flattenSpec } from "../structure.js";
import { TensorSpec } from "../tensor-spec.js";
import { fromStructure, toStructure } from "./element-structure.js";
import { checkCallable, type MapFunction } from "./map.js";

/** Options of `scan`. */
export interface ScanOptions {
  readonly name?: string;
}

/** Most times the function is traced while relaxing state shapes (each pass relaxes at least one dim). */
const MAX_RETRACES = 64;

/** The initial state's structure and its components (TF's `normalize_element`, as the sources take values). */
function stateOf(value: unknown): { structure: ElementStructure; tensors: TensorProto[] } {
  const norm = normalizeElement(value, "scan initial_state");
  const tensors = norm.leaves.map((leaf) => {
    if (!(leaf instanceof Tensor)) {
      throw new TfDataError("Unimplemented", "scan: an initial state computed inside a traced function is not supported; " +
        "use constant values");
    }
    return constTensorProto(leaf);
  });
  const spec = norm.pack(norm.leaves.map((leaf) => new TensorSpec([...(leaf as Tensor).shape], leaf.dtype)));
  return { structure: toStructure(spec), tensors };
}

/** TF's `TensorShape.most_specific_compatible_shape`. */
function relax(a: PlanShape, b: PlanShape): PlanShape {
  if (a === null || b === null || a.length !== b.length) return null;
  return a.map((d, i) => (d === b[i] ? d : -1));
}

function sameShape(a: PlanShape, b: PlanShape): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function withShapes(s: ElementStructure, shapes: readonly PlanShape[]): ElementStructure {
  let i = 0;
  const walk = (x: ElementStructure): ElementStructure => {
    if ("tensor" in x) return { tensor: { dtype: x.tensor.dtype, shape: shapes[i++] } };
    if ("tuple" in x) return { tuple: x.tuple.map(walk) };
    const dict: Record<string, ElementStructure> = {};
    for (const k of sortedKeys(x.dict)) dict[k] = walk(x.dict[k]);
    return { dict };
  };
  return walk(s);
}

function structureKind(s: ElementStructure): string {
  return "tensor" in s ? "tensor" : "tuple" in s ? `tuple of ${s.tuple.length}` : `dict {${sortedKeys(s.dict).join(", ")}}`;
}

/** `ds.scan(initialState, fn, options)`. */
export function scanDataset(ds: Dataset, initialState: unknown, fn: MapFunction, options: ScanOptions = {}): Dataset {
  checkCallable(fn, "scan()");
  const input = ds._parts("scan()");
  const initial = stateOf(initialState);
  let state = initial.structure;
  const element = toStructure(input.elementSpec);
  let traced: TracedFunction | undefined;
  let output: ElementStructure | undefined;
  for (let pass = 0; ; pass++) {
    if (pass >= MAX_RETRACES) throw new TfDataError("Internal", "scan: state shapes did not settle");
    traced = traceFunction({
      name: tfFunctionName("Dataset.scan", fn.name),
      input: { tuple: [state, element] },
      fn,
      transformation: "Dataset.scan",
    });
    const out = traced.output;
    if (!("tuple" in out) || out.tuple.length !== 2) {
      throw new TfDataError("InvalidArgument", "The scan function must return a pair comprising the new state and the " +
        `output value, got a ${structureKind(out)}.`);
    }
    const [newState, value] = out.tuple;
    const oldFlat = flattenStructure(state);
    const newFlat = flattenStructure(newState);
    const fmt = (c: readonly ComponentSpec[]) => `[${c.map((x) => dtypeName(x.dtype)).join(", ")}]`;
    if (oldFlat.length !== newFlat.length || structureKind(state) !== structureKind(newState)) {
      throw new TfDataError("InvalidArgument", "The element structure for the new state must match the initial state. " +
        `Expected ${structureKind(state)} of ${oldFlat.length} components; got ${structureKind(newState)} of ${newFlat.length}.`);
    }
    if (oldFlat.some((c, i) => c.dtype !== newFlat[i].dtype)) {
      throw new TfDataError("InvalidArgument", "The element types for the new state must match the initial state. " +
        `Expected ${fmt(oldFlat)}; got ${fmt(newFlat)}.`);
    }
    const relaxed = oldFlat.map((c, i) => relax(c.shape, newFlat[i].shape));
    output = value;
    if (relaxed.every((s, i) => sameShape(s, oldFlat[i].shape))) break;
    state = withShapes(state, relaxed);
  }
  const elementSpec = fromStructure(output!);
  const spec = flattenSpec(elementSpec).map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName("ScanDataset");
  const functionDef = traced!.functionDef;
  return Dataset._fromParts({
    elementSpec,
    cardinality: input.cardinality,
    emit: (b) => {
      const node = input.emit(b);
      b.addFunction(functionDef);
      return emitScan(b, node, { initialState: initial.tensors, fn: functionDef.signature!.name, spec, metadataName });
    },
  });
}
