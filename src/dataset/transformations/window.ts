/**
 * `window(size, shift, stride, dropRemainder)`: elements that are datasets (one per input
 * component, nested as the input's elements), each a window of `size` elements `stride` apart,
 * a new window every `shift` elements. Such elements are consumed inside the graph, typically by
 * `flatMap((w) => w.batch(size))`; they cannot leave the core as values.
 */
import { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { emitWindow, windowArgsError, windowCardinality } from "../../graph/ops/window.js";
import { checkName, describe, toInt64, type IntLike } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { DatasetSpec } from "../dataset-spec.js";
import { flattenSpec, type ElementSpec } from "../structure.js";
import { TensorSpec } from "../tensor-spec.js";
import { UNKNOWN_CARDINALITY } from "../../graph/constants.js";
import type { SymbolicTensor } from "../../graph/trace/symbolic-tensor.js";
import { FunctionGraphBuilder } from "./in-function.js";
import type { NameOptions } from "./selection.js";

/** Options of `window` (TF: `shift`, `stride`, `drop_remainder`, `name`). */
export interface WindowOptions extends NameOptions {
  readonly shift?: IntLike;
  readonly stride?: IntLike;
  readonly dropRemainder?: boolean;
}

/** `spec` with every component replaced by a `DatasetSpec` of that component. */
function windowElementSpec(spec: ElementSpec): ElementSpec {
  if (spec instanceof TensorSpec) return new DatasetSpec(spec);
  if (Array.isArray(spec)) return (spec as readonly ElementSpec[]).map(windowElementSpec);
  const dict = spec as Record<string, ElementSpec>;
  const out: Record<string, ElementSpec> = {};
  for (const k of Object.keys(dict)) out[k] = windowElementSpec(dict[k]);
  return out;
}

/**
 * `ds.window(size, shift = size, stride = 1, dropRemainder = false)`, or
 * `ds.window(size, { shift, stride, dropRemainder, name })`. TF checks the arguments when the
 * dataset is made; so does this.
 */
export function windowDataset(ds: Dataset, size: IntLike, args: readonly unknown[]): Dataset {
  const input = ds._parts("window()");
  const [a0, a1, a2, a3] = args;
  const opts: WindowOptions = typeof a0 === "object" && a0 !== null
    ? a0 as WindowOptions
    : { shift: a0 as IntLike | undefined, stride: a1 as IntLike | undefined, dropRemainder: a2 as boolean | undefined, ...(a3 as NameOptions ?? {}) };
  const n = toInt64(size, "window size");
  const shift = opts.shift === undefined || opts.shift === null ? n : toInt64(opts.shift, "window shift");
  const stride = opts.stride === undefined || opts.stride === null ? 1n : toInt64(opts.stride, "window stride");
  const drop = opts.dropRemainder ?? false;
  if (typeof drop !== "boolean") throw new TfDataError("InvalidArgument", `window dropRemainder must be a boolean, got ${describe(drop)}`);
  const bad = windowArgsError(n, shift, stride);
  if (bad) throw new TfDataError("InvalidArgument", bad);
  const inputSpec = flattenSpec(input.elementSpec).map((s) => s.toComponent());
  const metadataName = checkName(opts.name) ?? defaultDatasetName("WindowDataset");
  return Dataset._fromParts({
    elementSpec: windowElementSpec(input.elementSpec),
    cardinality: windowCardinality(input.cardinality, n, shift, stride, drop),
    emit: (b) => {
      const node = input.emit(b);
      const sizeNode = b.int64Const(n);
      const shiftNode = b.int64Const(shift);
      const strideNode = b.int64Const(stride);
      const dropNode = b.scalarConst(DType.bool, drop);
      return emitWindow(b, node, { size: sizeNode, shift: shiftNode, stride: strideNode, dropRemainder: dropNode, inputSpec, metadataName });
    },
  });
}

/**
 * The dataset a `DatasetSpec` argument of a traced function stands for (the function of
 * `flatMap` / `interleave` over window elements): its nodes read the function's variant argument
 * `arg`, e.g. `flatMap((w) => w.batch(3))` gives `BatchDatasetV2(args_0, ...)`.
 */
export function datasetOfArgument(arg: SymbolicTensor, spec: DatasetSpec): Dataset {
  return Dataset._fromParts({
    elementSpec: spec.elementSpec,
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      if (!(b instanceof FunctionGraphBuilder)) {
        throw new TfDataError("InvalidArgument", `the dataset argument '${arg.name}' can only be used inside the function ` +
          "being traced");
      }
      return b.symbolicInput(arg, DType.variant);
    },
  });
}
