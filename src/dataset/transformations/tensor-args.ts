/**
 * `Dataset.range(...)`, `take(count)` and `batch(batchSize)` with symbolic arguments, inside the function of
 * `flatMap` / `interleave` (`(x) => Dataset.range(x)`): the same nodes, their tensor arguments
 * used as inputs (int64, as TF's `convert_to_tensor(x, dtype=int64)` requires), constants as
 * Consts. The cardinality is unknown until run time.
 */
import { DType, dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { attrBool } from "../../graph/attr-value.js";
import { NUMERIC_DTYPES } from "../../graph/component-spec.js";
import { UNKNOWN_CARDINALITY } from "../../graph/constants.js";
import { defaultDatasetName } from "../../graph/graph-builder.js";
import type { SymbolicTensor } from "../../graph/trace/symbolic-tensor.js";
import { checkName, toInt64 } from "../arguments.js";
import { Dataset, type RangeOptions } from "../dataset.js";
import { packNested, type ElementSpec } from "../structure.js";
import { TensorSpec, toDType } from "../tensor-spec.js";
import { isSymbolic, scalarInput } from "./in-function.js";

function isOptions(v: unknown): v is RangeOptions {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isSymbolic(v);
}

/** `Dataset.range(...args)` where some argument is a symbolic tensor (a trailing options object allowed). */
export function rangeWithTensors(allArgs: readonly unknown[]): Dataset {
  const last = allArgs[allArgs.length - 1];
  const options: RangeOptions = isOptions(last) ? last : {};
  const args = isOptions(last) ? allArgs.slice(0, -1) : allArgs;
  if (args.length < 1 || args.length > 3) {
    throw new TfDataError("InvalidArgument", "Invalid `args`. The length of `args` should be between 1 and 3 " +
      `but was ${args.length}.`);
  }
  const names = args.length === 1 ? ["stop"] : ["start", "stop", "step"];
  const vals = args.map((a, i) => (isSymbolic(a) ? a : toInt64(a, names[i])));
  const [start, stop, step]: (bigint | SymbolicTensor)[] = vals.length === 1 ? [0n, vals[0], 1n] : [vals[0], vals[1], vals[2] ?? 1n];
  if (step === 0n) throw new TfDataError("InvalidArgument", "step must be a non-zero integer.");
  const outputType = toDType(options.outputType ?? options.dtype ?? DType.int64, "range outputType");
  if (!NUMERIC_DTYPES.includes(outputType)) {
    throw new TfDataError("InvalidArgument", `range outputType must be a real numeric dtype, got ${dtypeName(outputType)}`);
  }
  const metadataName = checkName(options.name) ?? defaultDatasetName("RangeDataset");
  return Dataset._fromParts({
    elementSpec: new TensorSpec([], outputType),
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      const inputs = [start, stop, step].map((v) => scalarInput(b, DType.int64, v));
      return b.datasetNode({
        op: "RangeDataset",
        inputs,
        attrs: { replicate_on_split: attrBool(false) },
        spec: [{ dtype: outputType, shape: [] }],
        metadataName,
      });
    },
  });
}

/** `ds.take(count)` where `count` is a symbolic int64 tensor (inside a flatMap/interleave function). */
export function takeWithTensor(ds: Dataset, count: SymbolicTensor, options: { readonly name?: string } = {}): Dataset {
  const input = ds._parts("take()");
  const spec = ds.componentSpecs.map((s) => s.toComponent());
  const metadataName = checkName(options.name) ?? defaultDatasetName("TakeDataset");
  return Dataset._fromParts({
    elementSpec: input.elementSpec,
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      const node = input.emit(b);
      return b.datasetNode({ op: "TakeDataset", inputs: [node, scalarInput(b, DType.int64, count)], spec, metadataName });
    },
  });
}

/** `ds.batch(batchSize, dropRemainder)` where `batchSize` is a symbolic int64 tensor: the batch dim is unknown. */
export function batchWithTensor(ds: Dataset, batchSize: SymbolicTensor, dropRemainder?: boolean | { dropRemainder?: boolean; name?: string },
  options: { dropRemainder?: boolean; name?: string } = {}): Dataset {
  const opts = typeof dropRemainder === "object" && dropRemainder !== null ? dropRemainder : options;
  const drop = typeof dropRemainder === "boolean" ? dropRemainder : opts.dropRemainder ?? false;
  const input = ds._parts("batch()");
  const spec = ds.componentSpecs.map((s) => s.toComponent()).map((c) => ({
    dtype: c.dtype, shape: c.shape === null ? null : [-1, ...c.shape],
  }));
  const metadataName = checkName(opts.name) ?? defaultDatasetName("BatchDatasetV2");
  return Dataset._fromParts({
    elementSpec: packNested(input.elementSpec, spec.map(TensorSpec.fromComponent)) as ElementSpec,
    cardinality: BigInt(UNKNOWN_CARDINALITY),
    emit: (b) => {
      const node = input.emit(b);
      const size = scalarInput(b, DType.int64, batchSize);
      const dropNode = b.scalarConst(DType.bool, drop);
      return b.datasetNode({
        op: "BatchDatasetV2", inputs: [node, size, dropNode], attrs: { parallel_copy: attrBool(false) }, spec, metadataName,
      });
    },
  });
}
