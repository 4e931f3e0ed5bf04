/**
 * Split providers for DYNAMIC sharding (`distributed_epoch`), built from a registered dataset
 * graph the way TF's `MakeSplitProviders` builds them: one provider per source dataset, found by
 * walking from the graph's output node through the dataset inputs.
 *
 * - Sources (TF 2.21, checked against a TF dispatcher): `RangeDataset` yields its element values
 *   (int64, whatever its `output_type`); `TensorSliceDataset` / `SparseTensorSliceDataset` the
 *   slice indices 0..n-1; `TensorDataset` the index 0; file readers (`TFRecordDataset`,
 *   `TextLineDataset`, `FixedLengthRecordDataset`) the file indices; `RandomDataset` 0, 1, 2, …
 *   forever.
 * - `ZipDataset`, `ConcatenateDataset` and `DirectedInterleaveDataset` (sample/choose from
 *   datasets) contribute the providers of each input, in input order.
 * - Every other dataset delegates to its single dataset input (for ops taking functions, only the
 *   input dataset counts, not captured arguments); a dataset with no or several dataset inputs
 *   cannot be split and fails with TF's `UNIMPLEMENTED` message.
 *
 * Every split is a scalar int64 `TensorProto` in `tensor_content` (TF's `AsProtoTensorContent`).
 * The providers are pure: the split at position `i` of a repetition is computed from `i`, so the
 * dispatcher's journaled cursor alone restores them after a restart.
 */
import { create } from "@bufbuild/protobuf";
import { TfDataError } from "../../core/errors.js";
import type { GraphDef } from "../../gen/tensorflow/core/framework/graph_pb.js";
import type { NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { type TensorProto, TensorProtoSchema } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { MAX_DATASET_DEPTH } from "../../graph/constants.js";
import { describeNode, GraphIndex } from "../../graph/graph-index.js";
import { parseGraphInput } from "../../graph/input-ref.js";
import { rangeCardinality } from "../../graph/ops/range.js";
import { readScalar } from "../../graph/tensor-value.js";

/** Most split providers one pipeline may have (one per source; TF has no limit). */
export const MAX_SPLIT_PROVIDERS = 1024;

/** A source's splits for one repetition, by position. */
export interface SplitProvider {
  /** What the provider splits, for messages: `node 'RangeDataset/_3' (RangeDataset)`. */
  readonly source: string;
  /** Number of splits per repetition; `undefined` for an infinite source. */
  readonly count: bigint | undefined;
  /** The split value at position `index` (>= 0), or `undefined` once the splits are exhausted. */
  at(index: bigint): bigint | undefined;
}

/** Splits of `Dataset.range(start, stop, step)`: the element values. */
class RangeSplitProvider implements SplitProvider {
  readonly count: bigint;
  constructor(readonly source: string, private readonly start: bigint, stop: bigint, private readonly step: bigint) {
    this.count = rangeCardinality(start, stop, step);
  }
  at(index: bigint): bigint | undefined {
    return index < this.count ? this.start + index * this.step : undefined;
  }
}

/** Splits 0..count-1 (slices, files, the single `from_tensors` element); `undefined` count = forever. */
class IndexSplitProvider implements SplitProvider {
  constructor(readonly source: string, readonly count: bigint | undefined) {}
  at(index: bigint): bigint | undefined {
    return this.count === undefined || index < this.count ? index : undefined;
  }
}

/** Ops with their own split provider, and how to build it. */
const SOURCES: Readonly<Record<string, (node: NodeDef, g: SplitGraph) => SplitProvider>> = {
  RangeDataset: (node, g) => {
    const where = describeNode(node);
    const [start, stop, step] = [0, 1, 2].map((i) => g.int64Scalar(node, i));
    if (step === 0n) throw new TfDataError("InvalidArgument", `${where}: step must be a non-zero integer.`);
    return new RangeSplitProvider(where, start, stop, step);
  },
  TensorSliceDataset: (node, g) => new IndexSplitProvider(describeNode(node), g.dim0(node, 0)),
  SparseTensorSliceDataset: (node, g) => new IndexSplitProvider(describeNode(node), g.int64Vector(node, 2)[0] ?? 0n),
  TensorDataset: (node) => new IndexSplitProvider(describeNode(node), 1n),
  TFRecordDataset: (node, g) => new IndexSplitProvider(describeNode(node), g.numElements(node, 0)),
  TFRecordDatasetV2: (node, g) => new IndexSplitProvider(describeNode(node), g.numElements(node, 0)),
  TextLineDataset: (node, g) => new IndexSplitProvider(describeNode(node), g.numElements(node, 0)),
  FixedLengthRecordDataset: (node, g) => new IndexSplitProvider(describeNode(node), g.numElements(node, 0)),
  FixedLengthRecordDatasetV2: (node, g) => new IndexSplitProvider(describeNode(node), g.numElements(node, 0)),
  RandomDataset: (node) => new IndexSplitProvider(describeNode(node), undefined),
  RandomDatasetV2: (node) => new IndexSplitProvider(describeNode(node), undefined),
  ExperimentalRandomDataset: (node) => new IndexSplitProvider(describeNode(node), undefined),
};

/** Ops whose split providers are those of all their dataset inputs, in order. */
const MULTI_INPUT: ReadonlySet<string> = new Set([
  "ZipDataset",
  "ConcatenateDataset",
  "DirectedInterleaveDataset",
  "ExperimentalDirectedInterleaveDataset",
]);

/** Ops that take functions: only input 0 is their input dataset; later inputs are captured arguments. */
const FUNCTION_OPS: ReadonlySet<string> = new Set([
  "MapDataset", "ParallelMapDataset", "ParallelMapDatasetV2", "FlatMapDataset", "InterleaveDataset",
  "ParallelInterleaveDataset", "ParallelInterleaveDatasetV2", "ParallelInterleaveDatasetV3",
  "ParallelInterleaveDatasetV4", "LegacyParallelInterleaveDatasetV2", "ExperimentalParallelInterleaveDataset",
  "FilterDataset", "ParallelFilterDataset", "ScanDataset", "ExperimentalScanDataset", "GroupByWindowDataset",
  "ExperimentalGroupByWindowDataset", "GroupByReducerDataset", "ExperimentalGroupByReducerDataset",
  "MapAndBatchDataset", "ExperimentalMapAndBatchDataset", "TakeWhileDataset", "ExperimentalTakeWhileDataset",
]);

/** Ops producing datasets (TF names them `...Dataset`, possibly versioned). */
function isDatasetOp(op: string): boolean {
  return /Dataset(V\d+)?$/.test(op);
}

function notConstant(node: NodeDef, input: number, producer: NodeDef | undefined, what: string): TfDataError {
  return new TfDataError("Unimplemented", `Cannot create a split provider for ${describeNode(node)}: its input ` +
    `#${input} ${producer ? `(${describeNode(producer)}) ` : ""}is not a Const node, so the dispatcher cannot ` +
    `tell ${what}. Build the source from constant values, or use another processing mode.`);
}

/** The graph plus the constant lookups the sources need. */
class SplitGraph {
  constructor(readonly index: GraphIndex) {}

  dataInputs(node: NodeDef): NodeDef[] {
    return node.input.map(parseGraphInput).filter((r) => !r.control)
      .map((r) => this.index.node(r.node, describeNode(node)));
  }

  /** The dataset inputs of `node`, as TF's `InputDatasets` lists them. */
  datasetInputs(node: NodeDef): NodeDef[] {
    const inputs = this.dataInputs(node);
    if (FUNCTION_OPS.has(node.op)) return inputs.slice(0, 1).filter((n) => isDatasetOp(n.op));
    return inputs.filter((n) => isDatasetOp(n.op));
  }

  constTensor(node: NodeDef, input: number, what: string): TensorProto {
    const producer = this.dataInputs(node)[input];
    const value = producer?.op === "Const" ? producer.attr["value"]?.value : undefined;
    if (!producer || value?.case !== "tensor") throw notConstant(node, input, producer, what);
    return value.value;
  }

  int64Scalar(node: NodeDef, input: number): bigint {
    const t = this.constTensor(node, input, "its range");
    const v = readScalar(t, describeNode(node));
    if (typeof v !== "bigint") {
      throw new TfDataError("InvalidArgument", `${describeNode(node)}: input #${input} must be an int64 scalar.`);
    }
    return v;
  }

  dims(node: NodeDef, input: number, what: string): bigint[] {
    const t = this.constTensor(node, input, what);
    if (t.tensorShape?.unknownRank) throw notConstant(node, input, undefined, what);
    return (t.tensorShape?.dim ?? []).map((d) => d.size);
  }

  dim0(node: NodeDef, input: number): bigint {
    const dims = this.dims(node, input, "how many slices it has");
    if (dims.length === 0) {
      throw new TfDataError("InvalidArgument", `${describeNode(node)}: input #${input} is a scalar; slicing ` +
        "needs at least one dimension.");
    }
    return dims[0];
  }

  numElements(node: NodeDef, input: number): bigint {
    return this.dims(node, input, "how many files it reads").reduce((a, b) => a * b, 1n);
  }

  int64Vector(node: NodeDef, input: number): bigint[] {
    const t = this.constTensor(node, input, "its dense shape");
    if (t.tensorContent.length > 0) {
      const v = new DataView(t.tensorContent.buffer, t.tensorContent.byteOffset, t.tensorContent.byteLength);
      const out: bigint[] = [];
      for (let i = 0; i + 8 <= v.byteLength; i += 8) out.push(v.getBigInt64(i, true));
      return out;
    }
    return [...t.int64Val];
  }
}

/** TF's error for a dataset that cannot be split (`DatasetBase::MakeSplitProviders`). */
export function notSplittableError(op: string, arity: number): TfDataError {
  return new TfDataError("Unimplemented", `Cannot create split providers for dataset of type ${op}, because the ` +
    `dataset is not unary (instead having arity ${arity}), and no custom implementation of \`MakeSplitProvider\` ` +
    "is defined.");
}

/**
 * The split providers of a dataset graph, one per source in TF's order. Throws TF's
 * `UNIMPLEMENTED` for a pipeline that cannot be split.
 */
export function makeSplitProviders(graph: GraphDef): SplitProvider[] {
  const g = new SplitGraph(new GraphIndex(graph));
  const out: SplitProvider[] = [];
  const visiting = new Set<string>();
  const walk = (node: NodeDef, depth: number): void => {
    if (depth > MAX_DATASET_DEPTH) {
      throw new TfDataError("InvalidArgument", `dataset graph nests more than ${MAX_DATASET_DEPTH} datasets ` +
        `(at ${describeNode(node)})`);
    }
    if (visiting.has(node.name)) {
      throw new TfDataError("InvalidArgument", `dataset graph has a cycle through ${describeNode(node)}`);
    }
    visiting.add(node.name);
    try {
      const source = SOURCES[node.op];
      if (source) {
        if (out.length >= MAX_SPLIT_PROVIDERS) {
          throw new TfDataError("ResourceExhausted", `dataset graph has more than ${MAX_SPLIT_PROVIDERS} sources; ` +
            "DYNAMIC sharding supports at most that many split providers.");
        }
        out.push(source(node, g));
        return;
      }
      const inputs = g.datasetInputs(node);
      if (MULTI_INPUT.has(node.op)) {
        for (const input of inputs) walk(input, depth + 1);
        return;
      }
      if (inputs.length !== 1) throw notSplittableError(node.op, inputs.length);
      walk(inputs[0], depth + 1);
    } finally {
      visiting.delete(node.name);
    }
  };
  walk(g.index.outputNode(), 0);
  return out;
}

/** A split as TF sends it: a scalar int64 `TensorProto` with the value in `tensor_content`. */
export function splitTensorProto(value: bigint): TensorProto {
  const content = new Uint8Array(8);
  new DataView(content.buffer).setBigInt64(0, value, true);
  return create(TensorProtoSchema, { dtype: DataType.DT_INT64, tensorShape: {}, tensorContent: content });
}
