/**
 * `Dataset.map(fn, { numParallelCalls, deterministic, name })`: TF's `map`. The function is traced
 * once with symbolic tensors (a tuple element is spread into positional arguments, any other
 * element is passed as one value, as TF does) and recorded as a FunctionDef; the node is
 * `MapDataset`, or `ParallelMapDatasetV2` when `numParallelCalls` is given (AUTOTUNE = -1).
 */
import { TfDataError } from "../../core/errors.js";
import { AUTOTUNE } from "../../graph/constants.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { emitMap, emitParallelMap } from "../../graph/ops/map.js";
import { tfFunctionName, traceFunction } from "../../graph/trace/trace-function.js";
import { checkName, describe, toInt64, type IntLike } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { flattenSpec } from "../structure.js";
import { fromStructure, toStructure } from "./element-structure.js";

/** Options of `map` (TF: `num_parallel_calls`, `deterministic`, `name`). */
export interface MapOptions {
  /** Elements processed in parallel; -1 (AUTOTUNE) lets the runtime choose. */
  readonly numParallelCalls?: IntLike;
  /** With `numParallelCalls`: whether the output order must be the input order (TF's default: true). */
  readonly deterministic?: boolean;
  readonly name?: string;
}

/** A function `map` accepts: element components (tensors) in, a structure of tensors or JS values out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MapFunction = (...args: any[]) => unknown;

/** TF's `deterministic` attr spelling. */
export function deterministicAttr(d: boolean | undefined, what: string): "default" | "true" | "false" {
  if (d === undefined) return "default";
  if (typeof d !== "boolean") throw new TfDataError("InvalidArgument", `${what} deterministic must be a boolean, got ${describe(d)}`);
  return d ? "true" : "false";
}

/** `num_parallel_calls` checked as TF checks it (positive or AUTOTUNE). */
export function parallelCalls(v: IntLike, what: string): bigint {
  const n = toInt64(v, `${what} numParallelCalls`);
  if (n !== AUTOTUNE && n <= 0n) {
    throw new TfDataError("InvalidArgument", `num_parallel_calls must be greater than zero or -1 (AUTOTUNE), got ${n}.`);
  }
  return n;
}

/** Checks that `fn` is a function (TF: "`map_func` must be callable"). */
export function checkCallable(fn: unknown, what: string): void {
  if (typeof fn !== "function") throw new TfDataError("InvalidArgument", `${what}: the function argument must be callable, got ${describe(fn)}`);
}

/** `ds.map(fn, options)`. */
export function mapDataset(ds: Dataset, fn: MapFunction, options: MapOptions = {}): Dataset {
  checkCallable(fn, "map()");
  const input = ds._parts("map()");
  const calls = options.numParallelCalls === undefined ? undefined : parallelCalls(options.numParallelCalls, "map()");
  const deterministic = deterministicAttr(options.deterministic, "map()");
  const traced = traceFunction({
    name: tfFunctionName("Dataset.map", fn.name),
    input: toStructure(input.elementSpec),
    fn,
    transformation: "Dataset.map",
  });
  const elementSpec = fromStructure(traced.output);
  const spec = flattenSpec(elementSpec).map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName(calls === undefined ? "MapDataset" : "ParallelMapDatasetV2");
  const fnName = traced.functionDef.signature!.name;
  return Dataset._fromParts({
    elementSpec,
    cardinality: input.cardinality,
    emit: (b) => {
      const node = input.emit(b);
      b.addFunction(traced.functionDef);
      return calls === undefined
        ? emitMap(b, node, { fn: fnName, spec, metadataName })
        : emitParallelMap(b, node, { fn: fnName, numParallelCalls: calls, deterministic, spec, metadataName });
    },
  });
}
