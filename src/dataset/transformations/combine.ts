/**
 * `concatenate`, `Dataset.zip` and `enumerate`: transformations that combine datasets.
 */
import { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import { concatenateCardinality, emitConcatenate, emitZip, mostSpecificCompatibleShape, zipCardinality } from "../../graph/ops/combine.js";
import { rangeCardinality } from "../../graph/ops/range.js";
import { INFINITE_CARDINALITY } from "../../graph/constants.js";
import { attrBool } from "../../graph/attr-value.js";
import { checkName, describe, toInt64 } from "../arguments.js";
import { Dataset } from "../dataset.js";
import { isDict, isTuple } from "../source-values.js";
import { flattenSpec, formatElementSpec, type ElementSpec } from "../structure.js";
import { TensorSpec } from "../tensor-spec.js";
import type { NameOptions } from "./selection.js";

/** The most specific spec compatible with both, or null when their structures or dtypes differ. */
function compatibleElementSpec(a: ElementSpec, b: ElementSpec): ElementSpec | null {
  if (a instanceof TensorSpec || b instanceof TensorSpec) {
    if (!(a instanceof TensorSpec && b instanceof TensorSpec) || a.dtype !== b.dtype) return null;
    const shape = mostSpecificCompatibleShape(a.toComponent().shape, b.toComponent().shape);
    return TensorSpec.fromComponent({ dtype: a.dtype, shape });
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return null;
    const out: ElementSpec[] = [];
    for (let i = 0; i < a.length; i++) {
      const c = compatibleElementSpec((a as readonly ElementSpec[])[i], (b as readonly ElementSpec[])[i]);
      if (c === null) return null;
      out.push(c);
    }
    return out;
  }
  const da = a as Record<string, ElementSpec>, db = b as Record<string, ElementSpec>;
  const ka = Object.keys(da).sort(), kb = Object.keys(db).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return null;
  const out: Record<string, ElementSpec> = {};
  for (const k of Object.keys(da)) {
    const c = compatibleElementSpec(da[k], db[k]);
    if (c === null) return null;
    out[k] = c;
  }
  return out;
}

/** `ds.concatenate(other)`: the elements of `ds`, then those of `other` (same structure and dtypes). */
export function concatenateDataset(ds: Dataset, other: Dataset, options: NameOptions = {}): Dataset {
  if (!(other instanceof Dataset)) {
    throw new TfDataError("InvalidArgument", `concatenate() needs a Dataset, got ${describe(other)}`);
  }
  const a = ds._parts("concatenate()");
  const b = other._parts("concatenate() of this dataset");
  const spec = compatibleElementSpec(a.elementSpec, b.elementSpec);
  if (spec === null) {
    throw new TfDataError("InvalidArgument", `Incompatible dataset elements:\n  ${formatElementSpec(a.elementSpec)} vs.\n  ` +
      `${formatElementSpec(b.elementSpec)}`);
  }
  const components = flattenSpec(spec).map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName("ConcatenateDataset");
  return Dataset._fromParts({
    elementSpec: spec,
    cardinality: concatenateCardinality(a.cardinality, b.cardinality),
    emit: (g) => {
      const x = a.emit(g);
      const y = b.emit(g);
      return emitConcatenate(g, x, y, components, metadataName);
    },
  });
}

/** A (possibly nested) tuple or dict of datasets, as `Dataset.zip` takes them. */
export type DatasetStructure = Dataset | readonly DatasetStructure[] | { readonly [key: string]: DatasetStructure };

/** The datasets of a structure in TF's flattening order, and its element spec. */
function flattenDatasets(s: unknown, path: string): { datasets: Dataset[]; spec: ElementSpec } {
  if (s instanceof Dataset) return { datasets: [s], spec: s.elementSpec };
  if (Array.isArray(s) || isTuple(s)) {
    const parts = (s as readonly unknown[]).map((x, i) => flattenDatasets(x, `${path}[${i}]`));
    return { datasets: parts.flatMap((p) => p.datasets), spec: parts.map((p) => p.spec) };
  }
  if (isDict(s)) {
    const spec: Record<string, ElementSpec> = {};
    const datasets: Dataset[] = [];
    for (const k of Object.keys(s).sort()) {
      const p = flattenDatasets(s[k], `${path}.${k}`);
      datasets.push(...p.datasets);
    }
    for (const k of Object.keys(s)) spec[k] = flattenDatasets(s[k], `${path}.${k}`).spec;
    return { datasets, spec };
  }
  throw new TfDataError("InvalidArgument", `Invalid input to \`zip\`: ${path} is ${describe(s)}; zip takes datasets, ` +
    "arrays (tuples) of datasets or objects (dicts) of datasets");
}

/**
 * `Dataset.zip(datasets)`: elements made of one element of each dataset, nested as `datasets`
 * (an array is a tuple, an object a dict); ends with the shortest. `Dataset.zip(a, b)` is
 * `Dataset.zip([a, b])`; `Dataset.zip(a)` is `a`'s elements unchanged.
 */
export function zipDatasets(args: readonly unknown[]): Dataset {
  let options: NameOptions = {};
  let list = [...args];
  const last = list[list.length - 1];
  if (list.length > 1 && isDict(last) && Object.keys(last).every((k) => k === "name") && !(last.name instanceof Dataset)) {
    options = last as NameOptions;
    list = list.slice(0, -1);
  }
  if (list.length === 0) {
    throw new TfDataError("InvalidArgument", "Must pass at least one dataset to `zip`.");
  }
  const structure = list.length === 1 ? list[0] : list;
  const { datasets, spec } = flattenDatasets(structure, "datasets");
  if (datasets.length === 0) {
    throw new TfDataError("InvalidArgument", "Value for attr 'N' of 0 must be at least minimum 1: zip needs at least " +
      "one dataset");
  }
  const parts = datasets.map((d, i) => d._parts(`zip() of dataset #${i}`));
  const components = parts.flatMap((p) => flattenSpec(p.elementSpec).map((s) => s.toComponent()));
  const metadataName = checkName(options.name) ?? defaultDatasetName("ZipDataset");
  return Dataset._fromParts({
    elementSpec: spec,
    cardinality: zipCardinality(parts.map((p) => p.cardinality)),
    emit: (b) => {
      const inputs = parts.map((p) => p.emit(b));
      return emitZip(b, inputs, components, metadataName);
    },
  });
}

/** Largest int64: the open end of `enumerate`'s counter (TF's `np.iinfo(int64).max`). */
const INT64_MAX = 2n ** 63n - 1n;

/**
 * `ds.enumerate(start)`: `[index, element]` tuples, index an int64 counting from `start` (TF
 * builds it as `zip(range(start, int64 max), ds)`, the range replicated on split).
 */
export function enumerateDataset(ds: Dataset, start: number | bigint = 0, options: NameOptions = {}): Dataset {
  const input = ds._parts("enumerate()");
  const s = toInt64(start, "enumerate start");
  const name = checkName(options.name);
  const rangeName = name ?? defaultDatasetName("RangeDataset");
  const rangeCard = rangeCardinality(s, INT64_MAX, 1n);
  const zipName = name ?? defaultDatasetName("ZipDataset");
  const components = [{ dtype: DType.int64, shape: [] as number[] }, ...flattenSpec(input.elementSpec).map((c) => c.toComponent())];
  return Dataset._fromParts({
    elementSpec: [new TensorSpec([], DType.int64), input.elementSpec],
    // TF 2.21 reports an enumerated infinite dataset as infinite (-1), not the counter's length.
    cardinality: input.cardinality === BigInt(INFINITE_CARDINALITY) ? input.cardinality : zipCardinality([rangeCard, input.cardinality]),
    emit: (b) => {
      const range = b.datasetNode({
        op: "RangeDataset",
        inputs: [b.int64Const(s), b.int64Const(INT64_MAX), b.int64Const(1n)],
        attrs: { replicate_on_split: attrBool(true) },
        spec: [{ dtype: DType.int64, shape: [] }],
        metadataName: rangeName,
      });
      const node = input.emit(b);
      return emitZip(b, [range, node], components, zipName);
    },
  });
}
