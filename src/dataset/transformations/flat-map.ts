/**
 * `Dataset.flatMap(fn)` and `Dataset.interleave(fn, { cycleLength, blockLength,
 * numParallelCalls, deterministic })`: TF's `flat_map` / `interleave`, whose function returns a
 * `Dataset` per element. The function is traced once; the datasets it builds (from its symbolic
 * arguments, e.g. `(x) => Dataset.range(x)`) become nodes of its FunctionDef, as in TF
 * (`in-function.ts`). Nodes: `FlatMapDataset`, `InterleaveDataset`, or
 * `ParallelInterleaveDatasetV4` when `numParallelCalls` is given.
 */
import type { FunctionDef } from "../../gen/tensorflow/core/framework/function_pb.js";
import { TfDataError } from "../../core/errors.js";
import { AUTOTUNE, UNKNOWN_CARDINALITY } from "../../graph/constants.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { defaultParallelism, emitFlatMap, emitInterleave } from "../../graph/ops/flat-map.js";
import { currentGraph } from "../../graph/trace/func-graph.js";
import type { SymbolicTensor } from "../../graph/trace/symbolic-tensor.js";
import { tfFunctionName, traceFunction } from "../../graph/trace/trace-function.js";
import { checkName, describe, toInt64, type IntLike } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { DatasetSpec } from "../dataset-spec.js";
import { flattenSpec, type ElementSpec } from "../structure.js";
import { TensorSpec } from "../tensor-spec.js";
import { toStructure } from "./element-structure.js";
import { finishStatefulFunction, FunctionGraphBuilder, withFunctionBuilder } from "./in-function.js";
import { checkCallable, deterministicAttr, parallelCalls, type MapFunction } from "./map.js";
import { datasetOfArgument } from "./window.js";

/** Options of `flatMap`. */
export interface FlatMapOptions {
  readonly name?: string;
}

/** Options of `interleave` (TF's names in camelCase). */
export interface InterleaveOptions {
  /** Input elements open at once; default AUTOTUNE (-1): the machine's parallelism, as TF resolves it. */
  readonly cycleLength?: IntLike;
  /** Consecutive elements taken from each open dataset; default 1. */
  readonly blockLength?: IntLike;
  /** Present: `ParallelInterleaveDatasetV4` (-1 = AUTOTUNE). */
  readonly numParallelCalls?: IntLike;
  readonly deterministic?: boolean;
  readonly name?: string;
}

/** A traced dataset-returning function. */
interface TracedDatasetFunction {
  readonly functionDef: FunctionDef;
  /** Functions of the datasets built inside it (for the graph's library). */
  readonly nested: readonly FunctionDef[];
  /** The element spec of the returned datasets. */
  readonly elementSpec: ElementSpec;
}

function typeName(v: unknown): string {
  if (v === null) return "NoneType";
  if (Array.isArray(v)) return "tuple";
  return typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
}

/** Traces `fn` (which must return a Dataset) for elements of `ds`. */
export function traceDatasetFunction(ds: Dataset, fn: MapFunction, transformation: string): TracedDatasetFunction {
  checkCallable(fn, `${transformation}()`);
  const input = ds._parts(`${transformation}()`);
  let returned: { spec: ElementSpec; builder: FunctionGraphBuilder } | undefined;
  const wrapped = (...args: unknown[]): unknown => {
    const builder = new FunctionGraphBuilder(currentGraph());
    // Dataset-valued components (window's elements) reach the function as Datasets, as in TF.
    const spec = input.elementSpec;
    const lifted = Array.isArray(spec)
      ? args.map((a, i) => liftDatasetArgs((spec as readonly ElementSpec[])[i], a))
      : [liftDatasetArgs(spec, args[0])];
    const result = withFunctionBuilder(builder, () => fn(...lifted));
    if (!(result instanceof Dataset)) {
      throw new TfDataError("InvalidArgument", `The \`map_func\` argument must return a \`Dataset\` object. Got ${typeName(result)}.`);
    }
    const out = result._parts(`the dataset returned by the function of Dataset.${transformation}`).emit(builder);
    returned = { spec: result.elementSpec, builder };
    return builder.tensorOf(out);
  };
  const traced = traceFunction({
    name: tfFunctionName(`Dataset.${transformation}`, fn.name),
    input: toStructure(input.elementSpec),
    fn: wrapped,
    transformation: `Dataset.${transformation}`,
  });
  finishStatefulFunction(traced.functionDef);
  return { functionDef: traced.functionDef, nested: returned!.builder.libraryFunctions, elementSpec: returned!.spec };
}

/** `value` (a traced argument of type `spec`) with every DatasetSpec leaf made a Dataset. */
function liftDatasetArgs(spec: ElementSpec, value: unknown): unknown {
  if (spec instanceof DatasetSpec) return datasetOfArgument(value as SymbolicTensor, spec);
  if (spec instanceof TensorSpec) return value;
  if (Array.isArray(spec)) return (spec as readonly ElementSpec[]).map((s, i) => liftDatasetArgs(s, (value as unknown[])[i]));
  const dict = spec as { readonly [key: string]: ElementSpec };
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(dict)) out[k] = liftDatasetArgs(dict[k], obj[k]);
  return out;
}

/** `ds.flatMap(fn, options)`. */
export function flatMapDataset(ds: Dataset, fn: MapFunction, options: FlatMapOptions = {}): Dataset {
  const input = ds._parts("flat_map()");
  const traced = traceDatasetFunction(ds, fn, "flat_map");
  const metadataName = checkName(options.name) ?? defaultDatasetName("FlatMapDataset");
  const spec = specOf(traced.elementSpec);
  return Dataset._fromParts({
    elementSpec: traced.elementSpec,
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      const node = input.emit(b);
      for (const f of traced.nested) b.addFunction(f);
      b.addFunction(traced.functionDef);
      return emitFlatMap(b, node, { fn: traced.functionDef.signature!.name, spec, metadataName });
    },
  });
}

function specOf(elementSpec: ElementSpec) {
  return flattenSpec(elementSpec).map((s) => s.toComponent());
}

function positiveOrAutotune(v: IntLike | undefined, dflt: bigint, what: string, autotune: boolean): bigint {
  if (v === undefined) return dflt;
  const n = toInt64(v, `interleave ${what}`);
  if ((autotune && n === AUTOTUNE) || n > 0n) return n;
  throw new TfDataError("InvalidArgument", `${what} must be greater than zero${autotune ? " or -1 (AUTOTUNE)" : ""}, got ${n}`);
}

/** `ds.interleave(fn, options)`. */
export function interleaveDataset(ds: Dataset, fn: MapFunction, options: InterleaveOptions = {}): Dataset {
  if (typeof options !== "object" || options === null) {
    throw new TfDataError("InvalidArgument", `interleave options must be an object, got ${describe(options)}`);
  }
  const input = ds._parts("interleave()");
  let cycleLength = positiveOrAutotune(options.cycleLength, AUTOTUNE, "cycle_length", true);
  if (cycleLength === AUTOTUNE) cycleLength = defaultParallelism();
  const blockLength = positiveOrAutotune(options.blockLength, 1n, "block_length", false);
  const calls = options.numParallelCalls === undefined ? undefined : parallelCalls(options.numParallelCalls, "interleave()");
  const deterministic = deterministicAttr(options.deterministic, "interleave()");
  const traced = traceDatasetFunction(ds, fn, "interleave");
  const op = calls === undefined ? "InterleaveDataset" : "ParallelInterleaveDatasetV4";
  const metadataName = checkName(options.name) ?? defaultDatasetName(op);
  const spec = specOf(traced.elementSpec);
  return Dataset._fromParts({
    elementSpec: traced.elementSpec,
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      const node = input.emit(b);
      for (const f of traced.nested) b.addFunction(f);
      b.addFunction(traced.functionDef);
      return emitInterleave(b, node, {
        fn: traced.functionDef.signature!.name, spec, metadataName, cycleLength, blockLength,
        ...(calls === undefined ? {} : { numParallelCalls: calls, deterministic }),
      });
    },
  });
}
