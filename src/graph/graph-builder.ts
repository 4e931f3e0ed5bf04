/**
 * Builds dataset GraphDefs laid out exactly as TF 2.21's `DatasetToGraphV2` serializes them:
 *
 * - nodes are emitted inputs-first and named `<Op>/_<n>` with one counter for the whole graph
 *   (`Const/_0`, `Const/_1`, `Const/_2`, `RangeDataset/_3`, ...);
 * - scalar arguments are `Const` nodes (`dtype` + `value` attrs, `tensor_shape {}`);
 * - dataset nodes carry `output_types`, `output_shapes`, usually `metadata` (a serialized
 *   `tensorflow.data.Metadata` whose `name` is `<Op>:<id>` or the user's name) and an
 *   `experimental_type`;
 * - the output is a `_Retval` node named `dataset` (`index: 0`, `T: DT_VARIANT`);
 * - `library` is always present (maybe empty), `versions { producer: 2474 }`.
 *
 * Attr maps are filled in sorted key order, which is what TF's deterministic serialization (the
 * bytes a TF client registers with a dispatcher) writes.
 */
import { create } from "@bufbuild/protobuf";
import type { AttrValue } from "../gen/tensorflow/core/framework/attr_value_pb.js";
import { FunctionDefLibrarySchema, type FunctionDef } from "../gen/tensorflow/core/framework/function_pb.js";
import { GraphDefSchema, type GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import { NodeDefSchema, type NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import { VersionDefSchema } from "../gen/tensorflow/core/framework/versions_pb.js";
import { MetadataSchema } from "../gen/tensorflow/core/framework/dataset_metadata_pb.js";
import { toBinary } from "@bufbuild/protobuf";
import { DType } from "../core/dtype.js";
import { attrBytes, attrInt, attrShapeList, attrTensor, attrType, attrTypeList, sortedAttrs } from "./attr-value.js";
import type { ComponentSpec } from "./component-spec.js";
import { DATASET_RETVAL_NAME, GRAPH_DEF_PRODUCER, RETVAL_OP } from "./constants.js";
import { datasetFullType } from "./full-type.js";
import { scalarTensorProto, type ScalarValue } from "./tensor-value.js";

/** Serialized `tensorflow.data.Metadata { name }`, the `metadata` attr of dataset nodes. */
export function datasetMetadata(name: string): Uint8Array {
  return toBinary(MetadataSchema, create(MetadataSchema, { name: new TextEncoder().encode(name) }));
}

/** A dataset node's description, independent of its place in a graph. */
export interface DatasetNodeInit {
  /** The op, e.g. `RangeDataset`. */
  readonly op: string;
  /** Input node names (dataset inputs, then scalar Const inputs), in the op's input order. */
  readonly inputs: readonly string[];
  /** The op's own attrs (not output_types / output_shapes / metadata, which are added here). */
  readonly attrs?: Readonly<Record<string, AttrValue>>;
  /** The node's element spec: becomes `output_types`, `output_shapes` and `experimental_type`. */
  readonly spec: readonly ComponentSpec[];
  /** The `tensorflow.data.Metadata` name, or null for ops TF writes without `metadata`. */
  readonly metadataName: string | null;
}

/** Accumulates the nodes and functions of one dataset graph. */
export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly functions: FunctionDef[] = [];
  private counter: number;

  /** @param firstIndex the first `/_<n>` suffix (to continue numbering an existing graph) */
  constructor(firstIndex = 0) {
    this.counter = firstIndex;
  }

  /** The next TF-style unique node name for `op`. */
  uniqueName(op: string): string {
    return `${op}/_${this.counter++}`;
  }

  /** Adds a node as is. */
  addNode(node: NodeDef): string {
    this.nodes.push(node);
    return node.name;
  }

  /** Adds a scalar `Const` node and returns its name. */
  scalarConst(dtype: DType, value: ScalarValue): string {
    return this.addNode(create(NodeDefSchema, {
      name: this.uniqueName("Const"),
      op: "Const",
      attr: sortedAttrs({ dtype: attrType(dtype), value: attrTensor(scalarTensorProto(dtype, value)) }),
    }));
  }

  /** Adds an int64 scalar `Const` (the type of every count/size argument of dataset ops). */
  int64Const(value: bigint | number): string {
    return this.scalarConst(DType.int64, BigInt(value));
  }

  /** Adds a dataset node with TF's standard attrs and returns its name. */
  datasetNode(init: DatasetNodeInit): string {
    const attrs: Record<string, AttrValue> = {
      ...init.attrs,
      output_shapes: attrShapeList(init.spec.map((c) => c.shape)),
    };
    // Ops whose types attr is `Toutput_types` (TensorDataset, PaddedBatchDatasetV2, ...) pass it in `attrs`.
    if (!("Toutput_types" in attrs)) attrs.output_types = attrTypeList(init.spec.map((c) => c.dtype));
    if (init.metadataName !== null) attrs.metadata = attrBytes(datasetMetadata(init.metadataName));
    return this.addNode(create(NodeDefSchema, {
      name: this.uniqueName(init.op),
      op: init.op,
      input: [...init.inputs],
      attr: sortedAttrs(attrs),
      experimentalType: datasetFullType(init.spec.map((c) => c.dtype)),
    }));
  }

  /** Adds a library function (once per name). */
  addFunction(fn: FunctionDef): void {
    const name = fn.signature?.name;
    if (!this.functions.some((f) => f.signature?.name === name)) this.functions.push(fn);
  }

  /** Finishes the graph with the `_Retval` marking `output` as the dataset. */
  finish(output: string): GraphDef {
    const retval = create(NodeDefSchema, {
      name: DATASET_RETVAL_NAME,
      op: RETVAL_OP,
      input: [output],
      attr: sortedAttrs({ index: attrInt(0), T: attrType(DType.variant) }),
    });
    return create(GraphDefSchema, {
      node: [...this.nodes, retval],
      library: create(FunctionDefLibrarySchema, { function: [...this.functions] }),
      versions: create(VersionDefSchema, { producer: GRAPH_DEF_PRODUCER }),
    });
  }
}

let nextDatasetId = 0;

/**
 * The `metadata` name TF gives a dataset created without `name=`: `<Op>:<id>`, with one id
 * counter for the whole process, taken when the dataset is created (not when it is serialized).
 */
export function defaultDatasetName(op: string): string {
  return `${op}:${nextDatasetId++}`;
}
