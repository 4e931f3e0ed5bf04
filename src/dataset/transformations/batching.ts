/**
 * `batch` with `numParallelCalls` (TF's ParallelBatchDataset), `paddedBatch`, `unbatch` and
 * `rebatch`, with TF's element specs, cardinalities and argument checks.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { Tensor } from "../../core/tensor.js";
import type { PlanShape } from "../../core/plan.js";
import { formatShape, type ComponentSpec } from "../../graph/component-spec.js";
import { UNKNOWN_CARDINALITY } from "../../graph/constants.js";
import { defaultDatasetName, type GraphBuilder } from "../../graph/graph-builder.js";
import { batchCardinality, batchSpec } from "../../graph/ops/batch.js";
import {
  emitPaddedBatch, emitParallelBatch, emitRebatch, emitUnbatch, paddedBatchSpec, unbatchCardinality, unbatchSpec,
  type Deterministic,
} from "../../graph/ops/batching.js";
import { tensorConst } from "../../graph/ops/const-tensor.js";
import { emitMap } from "../../graph/ops/map.js";
import { nextNormalizeFunctionName, normalizeFunction } from "../../graph/ops/normalize-function.js";
import { checkName, describe, toInt64 } from "../arguments.js";
import { Dataset, type DatasetParts } from "../dataset.js";
import { isDict, isTuple, toTensor } from "../source-values.js";
import { flattenSpec, type ElementSpec } from "../structure.js";
import { TensorSpec } from "../tensor-spec.js";
import type { NameOptions } from "./selection.js";

const UNKNOWN = BigInt(UNKNOWN_CARDINALITY);

function components(spec: ElementSpec): ComponentSpec[] {
  return flattenSpec(spec).map((s) => s.toComponent());
}

/**
 * `spec` with its components (in flattening order) replaced by `comps`, dict keys kept in their
 * order (TF's element_spec keeps insertion order; only flattening sorts).
 */
export function restructure(spec: ElementSpec, comps: readonly ComponentSpec[]): ElementSpec {
  const leaves = comps.map(TensorSpec.fromComponent);
  let pos = 0;
  const build = (s: ElementSpec): ElementSpec => {
    if (s instanceof TensorSpec) return leaves[pos++];
    if (Array.isArray(s)) return (s as readonly ElementSpec[]).map(build);
    const dict = s as Record<string, ElementSpec>;
    const built = new Map<string, ElementSpec>();
    for (const k of Object.keys(dict).sort()) built.set(k, build(dict[k]));
    const out: Record<string, ElementSpec> = {};
    for (const k of Object.keys(dict)) out[k] = built.get(k)!;
    return out;
  };
  const out = build(spec);
  if (pos !== leaves.length) throw new TfDataError("Internal", `restructure: ${leaves.length} components for ${pos} leaves`);
  return out;
}

/** Options of `batch` that select TF's ParallelBatchDataset. */
export interface ParallelBatchOptions extends NameOptions {
  readonly numParallelCalls?: number | bigint;
  readonly deterministic?: boolean;
}

/**
 * `ds.batch(size, drop, { numParallelCalls, deterministic })`: TF's ParallelBatchDataset. The
 * elements are those of `batch` (in order); TF workers copy batches in parallel.
 */
export function parallelBatchDataset(ds: Dataset, batchSize: bigint, dropRemainder: boolean,
  options: ParallelBatchOptions): Dataset {
  const input = ds._parts("batch()");
  const calls = toInt64(options.numParallelCalls ?? -1, "batch numParallelCalls");
  if (calls !== -1n && calls <= 0n) {
    throw new TfDataError("InvalidArgument", `num_parallel_calls must be a positive integer or -1 (AUTOTUNE), got ${calls}`);
  }
  if (options.deterministic !== undefined && typeof options.deterministic !== "boolean") {
    throw new TfDataError("InvalidArgument", `batch deterministic must be a boolean, got ${describe(options.deterministic)}`);
  }
  const deterministic: Deterministic = options.deterministic === undefined ? "default" : options.deterministic ? "true" : "false";
  const inputSpec = components(input.elementSpec);
  const outSpec = batchSpec(inputSpec, batchSize, dropRemainder);
  const metadataName = checkName(options.name) ?? defaultDatasetName("ParallelBatchDataset");
  return Dataset._fromParts({
    elementSpec: restructure(input.elementSpec, outSpec),
    cardinality: batchCardinality(input.cardinality, batchSize, dropRemainder),
    emit: (b) => {
      const node = input.emit(b);
      const size = b.int64Const(batchSize);
      const n = b.int64Const(calls);
      const drop = b.scalarConst(DType.bool, dropRemainder);
      return emitParallelBatch(b, node, {
        batchSize: size, numParallelCalls: n, dropRemainder: drop, deterministic, spec: outSpec, metadataName,
      });
    },
  });
}

/** Options of `paddedBatch` (TF: `padded_shapes`, `padding_values`, `drop_remainder`, `name`). */
export interface PaddedBatchOptions extends NameOptions {
  readonly paddedShapes?: unknown;
  readonly paddingValues?: unknown;
  readonly dropRemainder?: boolean;
}

/** Walks `value` along `spec`'s nesting, calling `leaf` at each component (in flattening order). */
function mapAlongSpec<T>(spec: ElementSpec, value: unknown, what: string, leaf: (s: TensorSpec, v: unknown, path: string) => T): T[] {
  const out: T[] = [];
  const walk = (s: ElementSpec, v: unknown, path: string): void => {
    if (s instanceof TensorSpec) {
      out.push(leaf(s, v, path));
      return;
    }
    if (Array.isArray(s)) {
      const arr = s as readonly ElementSpec[];
      if (!Array.isArray(v) || v.length !== arr.length) {
        throw new TfDataError("InvalidArgument", `${path} must be an array (tuple) of ${arr.length} entries, matching ` +
          `the element structure, got ${describe(v)}`);
      }
      arr.forEach((c, i) => walk(c, (v as readonly unknown[])[i], `${path}[${i}]`));
      return;
    }
    const dict = s as Record<string, ElementSpec>;
    if (!isDict(v)) throw new TfDataError("InvalidArgument", `${path} must be an object matching the element structure, got ${describe(v)}`);
    const keys = Object.keys(dict).sort();
    const vk = Object.keys(v).sort();
    if (keys.length !== vk.length || keys.some((k, i) => k !== vk[i])) {
      throw new TfDataError("InvalidArgument", `${path} must have the keys ${keys.join(", ")}, got ${vk.join(", ")}`);
    }
    for (const k of keys) walk(dict[k], v[k], `${path}.${k}`);
  };
  walk(spec, value, what);
  return out;
}

/** A padded shape given by the user for component `s`: dims (`null` / -1 = pad to the batch's largest). */
function parsePaddedShape(s: TensorSpec, v: unknown, path: string): number[] {
  let dims: unknown[];
  if (v instanceof Tensor) {
    if (v.rank !== 1) throw new TfDataError("InvalidArgument", `${path}: a padded shape must be a vector, got shape [${v.shape.join(",")}]`);
    dims = Array.from(v.data as ArrayLike<number | bigint>, (d) => Number(d));
  } else if (Array.isArray(v) && !isTuple(v)) dims = v;
  else if (Array.isArray(v)) dims = [...v];
  else if (typeof v === "number" || typeof v === "bigint") dims = [v];
  else throw new TfDataError("InvalidArgument", `${path}: a padded shape must be an array of dims, got ${describe(v)}`);
  const out = dims.map((d) => {
    if (d === null || d === undefined) return -1;
    const n = Number(toInt64(d, `${path} dim`));
    if (n < -1) throw new TfDataError("InvalidArgument", `Dimension ${n} must be >= 0`);
    return n;
  });
  const input = s.toComponent().shape;
  if (!paddedShapeCompatible(out, input)) {
    throw new TfDataError("InvalidArgument", `The padded shape ${formatShape(out)} is not compatible with the shape ` +
      `${formatShape(input)} of the corresponding input component.`);
  }
  return out;
}

/** TF's `_is_padded_shape_compatible_with`: same rank, no known padded dim smaller than a known input dim. */
function paddedShapeCompatible(padded: readonly number[], input: PlanShape): boolean {
  if (input === null) return true;
  if (padded.length !== input.length) return false;
  return padded.every((d, i) => d < 0 || input[i] < 0 || d >= input[i]);
}

function paddingValue(s: TensorSpec, v: unknown, path: string): Tensor {
  if (v === undefined) {
    if (s.dtype === DType.string) return new Tensor(DType.string, [], [new Uint8Array(0)]);
    if (s.dtype === DType.bool) return Tensor.fromValues(false, DType.bool, []);
    return Tensor.fromValues(s.dtype === DType.int64 || s.dtype === DType.uint64 ? 0n : 0, s.dtype, []);
  }
  if (v instanceof Tensor && v.dtype !== s.dtype) {
    throw new TfDataError("InvalidArgument", `Padding value tensor (${v}) does not match output type: ${dtypeName(s.dtype)}`);
  }
  const t = toTensor(v, path, s.dtype);
  if (t.rank !== 0) throw new TfDataError("InvalidArgument", `Invalid padding value at ${path}: padding values must be scalars`);
  return t;
}

/**
 * `ds.paddedBatch(batchSize, paddedShapes?, paddingValues?, dropRemainder?)`: batches elements
 * whose shapes differ, padding each component to `paddedShapes` (per dim a size, or `null`/-1 for
 * the largest in the batch; default: the component's static shape with unknown dims padded to the
 * largest) with `paddingValues` (default 0, "" or false). The shapes and values follow the element
 * structure: one shape (an array of dims) and one scalar per component, in arrays for tuples and
 * objects for dicts. Also `paddedBatch(batchSize, { paddedShapes, paddingValues, dropRemainder, name })`.
 */
export function paddedBatchDataset(ds: Dataset, batchSize: number | bigint, args: readonly unknown[]): Dataset {
  const input = ds._parts("paddedBatch()");
  let opts: PaddedBatchOptions;
  if (args.length === 1 && isDict(args[0]) && !("length" in args[0]) && isOptionsLike(args[0])) opts = args[0] as PaddedBatchOptions;
  else {
    const [paddedShapes, paddingValues, dropRemainder, more] = args;
    opts = { ...(isDict(more) ? more as PaddedBatchOptions : {}), paddedShapes, paddingValues, dropRemainder: dropRemainder as boolean | undefined };
  }
  const size = toInt64(batchSize, "paddedBatch batchSize");
  if (size <= 0n) throw new TfDataError("InvalidArgument", "Batch size must be greater than zero.");
  const drop = opts.dropRemainder ?? false;
  if (typeof drop !== "boolean") throw new TfDataError("InvalidArgument", `paddedBatch dropRemainder must be a boolean, got ${describe(drop)}`);
  const spec = input.elementSpec;
  const inputComps = components(spec);
  const padded: number[][] = opts.paddedShapes === undefined || opts.paddedShapes === null
    ? inputComps.map((c, i) => {
      if (c.shape === null) {
        throw new TfDataError("InvalidArgument", `You must provide \`padded_shapes\` argument because component ${i} has ` +
          "unknown rank.");
      }
      return [...c.shape];
    })
    : mapAlongSpec(spec, opts.paddedShapes, "paddedShapes", parsePaddedShape);
  const values = opts.paddingValues === undefined || opts.paddingValues === null
    ? flattenSpec(spec).map((s) => paddingValue(s, undefined, "paddingValues"))
    : flattenSpec(spec).length === 1 && !Array.isArray(opts.paddingValues) && !isDict(opts.paddingValues)
      ? [paddingValue(flattenSpec(spec)[0], opts.paddingValues, "paddingValues")]
      : mapAlongSpec(spec, opts.paddingValues, "paddingValues", paddingValue);
  const outSpec = paddedBatchSpec(inputComps.map((c) => c.dtype), padded, size, drop);
  const metadataName = checkName(opts.name) ?? defaultDatasetName("PaddedBatchDatasetV2");
  return Dataset._fromParts({
    elementSpec: restructure(spec, outSpec),
    cardinality: batchCardinality(input.cardinality, size, drop),
    emit: (b) => {
      const node = input.emit(b);
      const sizeNode = b.int64Const(size);
      const shapeNodes = padded.map((p) => tensorConst(b, Tensor.fromValues(p.map(BigInt), DType.int64, [p.length])));
      const valueNodes = values.map((v) => tensorConst(b, v));
      const dropNode = b.scalarConst(DType.bool, drop);
      return emitPaddedBatch(b, node, {
        batchSize: sizeNode, paddedShapes: shapeNodes, paddingValues: valueNodes, dropRemainder: dropNode,
        spec: outSpec, metadataName,
      });
    },
  });
}

function isOptionsLike(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => ["paddedShapes", "paddingValues", "dropRemainder", "name"].includes(k));
}

/**
 * TF's `normalize_to_dense` before unbatch/rebatch: a `MapDataset` of an identity function (the
 * components are dense already). Returns the parts of the mapped dataset.
 */
function normalizeToDense(input: DatasetParts): DatasetParts {
  const spec = components(input.elementSpec);
  const fnName = nextNormalizeFunctionName();
  const metadataName = defaultDatasetName("MapDataset");
  return {
    elementSpec: input.elementSpec,
    cardinality: input.cardinality,
    emit: (b: GraphBuilder) => {
      const node = input.emit(b);
      b.addFunction(normalizeFunction(fnName, spec));
      return emitMap(b, node, { fn: fnName, spec, metadataName });
    },
  };
}

/**
 * `ds.unbatch()`: splits each element along its leading axis (every component must have rank >= 1
 * and, at run time, the same leading dim).
 */
export function unbatchDataset(ds: Dataset, options: NameOptions = {}): Dataset {
  const input = ds._parts("unbatch()");
  const spec = components(input.elementSpec);
  if (spec.some((c) => c.shape !== null && c.shape.length === 0)) {
    throw new TfDataError("InvalidArgument", "Cannot unbatch an input with scalar components.");
  }
  let known = -1;
  for (const c of spec) {
    if (c.shape === null || c.shape[0] < 0) continue;
    if (known < 0) known = c.shape[0];
    else if (c.shape[0] !== known) {
      throw new TfDataError("InvalidArgument", "`unbatch()` is only supported for datasets of elements whose components " +
        `have a matching leading dimension. Encountered both ${known} and ${c.shape[0]}.`);
    }
  }
  const normalized = normalizeToDense(input);
  const outSpec = unbatchSpec(spec);
  const metadataName = checkName(options.name) ?? defaultDatasetName("UnbatchDataset");
  return Dataset._fromParts({
    elementSpec: restructure(input.elementSpec, outSpec),
    cardinality: unbatchCardinality(input.cardinality, spec),
    emit: (b) => emitUnbatch(b, normalized.emit(b), outSpec, metadataName),
  });
}

/**
 * `ds.rebatch(batchSize, dropRemainder)`: regroups the rows of the input's batches into batches of
 * `batchSize` rows (a list cycles through its sizes), as `unbatch().batch(batchSize)` would but
 * without splitting rows apart.
 */
export function rebatchDataset(ds: Dataset, batchSize: number | bigint | readonly (number | bigint)[],
  dropRemainder = false, options: NameOptions = {}): Dataset {
  const input = ds._parts("rebatch()");
  const sizes = (Array.isArray(batchSize) ? batchSize : [batchSize]).map((s) => toInt64(s, "rebatch batchSize"));
  if (sizes.length === 0) throw new TfDataError("InvalidArgument", "rebatch batchSize must not be an empty list");
  if (sizes.some((s) => s < 0n)) throw new TfDataError("InvalidArgument", `rebatch batch sizes must be >= 0, got [${sizes.join(", ")}]`);
  if (typeof dropRemainder !== "boolean") {
    throw new TfDataError("InvalidArgument", `rebatch dropRemainder must be a boolean, got ${describe(dropRemainder)}`);
  }
  checkName(options.name);
  const spec = components(input.elementSpec);
  // TF's _RebatchDataset._compute_static_batch_dim.
  const batchDims: number[] = [];
  for (const c of spec) {
    if (c.shape === null) continue;
    if (c.shape.length < 1) {
      throw new TfDataError("InvalidArgument", "Invalid `input_dataset`. Expected a dataset whose elements have rank >= 1 " +
        "but found a dataset whose elements are scalars. Fix the issue by adding the `batch` transformation to the dataset.");
    }
    if (c.shape[0] >= 0) batchDims.push(c.shape[0]);
  }
  if (batchDims.some((d) => d !== batchDims[0])) {
    const i = batchDims.findIndex((d) => d !== batchDims[0]);
    throw new TfDataError("InvalidArgument", `Invalid \`input_dataset.\` The batch dimension of component 0 is ` +
      `${batchDims[0]}, while the batch dimension of component ${i} is ${batchDims[i]}.`);
  }
  let staticDim: number | null = sizes.every((s) => s === sizes[0]) ? Number(sizes[0]) : null;
  if (staticDim !== null && !dropRemainder) {
    const mayBePartial = batchDims.length === 0 || !batchDims.every((d) => sizes.every((s) => s !== 0n && BigInt(d) % s === 0n));
    if (mayBePartial) staticDim = null;
  }
  const outSpec: ComponentSpec[] = spec.map((c) => ({
    dtype: c.dtype, shape: c.shape === null ? null : [staticDim ?? -1, ...c.shape.slice(1)],
  }));
  const normalized = normalizeToDense(input);
  return Dataset._fromParts({
    elementSpec: restructure(input.elementSpec, outSpec),
    cardinality: UNKNOWN,
    emit: (b) => {
      const node = normalized.emit(b);
      const sizesNode = tensorConst(b, Tensor.fromValues(sizes, DType.int64, [sizes.length]));
      const drop = b.scalarConst(DType.bool, dropRemainder);
      return emitRebatch(b, node, { batchSizes: sizesNode, dropRemainder: drop, spec: outSpec });
    },
  });
}
