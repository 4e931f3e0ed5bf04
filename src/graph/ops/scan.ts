/**
 * `ScanDataset`: TF's `Dataset.scan(initial_state, scan_func)`. Layout (TF 2.21): one `Const/_n`
 * per initial-state component (flattened), then `ScanDataset/_m` inputs [input, state...,
 * captured tensors...], attrs Targuments=[], Tstate (state dtypes), f,
 * preserve_cardinality=true, use_default_device=true, output_types, output_shapes, metadata.
 * The function takes (state..., element...) and returns (new state..., output...).
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { UncompressedElementSchema } from "../../gen/tensorflow/core/framework/dataset_pb.js";
import { NodeDefSchema } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import type { TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import { dtypeName } from "../../core/dtype.js";
import { attrBool, attrFunc, attrTensor, attrType, attrTypeList, planShape, sortedAttrs } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import type { GraphBuilder } from "../graph-builder.js";
import { capturedInputs, lowerWithCaptured } from "./captured.js";
import { checkMetadata, UNKNOWN } from "./common.js";
import type { DatasetOpDef } from "./registry.js";

/** Arguments of a `ScanDataset` node. */
export interface ScanArgs {
  /** The initial state components (flattened), as TensorProtos. */
  readonly initialState: readonly TensorProto[];
  /** The library function (added to the builder separately). */
  readonly fn: string;
  /** The output element spec (the function's outputs after the state). */
  readonly spec: readonly ComponentSpec[];
  readonly metadataName: string;
}

/** Emits the state Consts and the `ScanDataset` node; returns its name. */
export function emitScan(b: GraphBuilder, input: string, a: ScanArgs): string {
  const state = a.initialState.map((t) => b.addNode(create(NodeDefSchema, {
    name: b.uniqueName("Const"),
    op: "Const",
    attr: sortedAttrs({ dtype: attrType(t.dtype), value: attrTensor(t) }),
  })));
  return b.datasetNode({
    op: "ScanDataset",
    inputs: [input, ...state],
    attrs: {
      Targuments: attrTypeList([]),
      Tstate: attrTypeList(a.initialState.map((t) => t.dtype)),
      f: attrFunc(a.fn),
      preserve_cardinality: attrBool(true),
      use_default_device: attrBool(true),
    },
    spec: a.spec,
    metadataName: a.metadataName,
  });
}

/** The serialized UncompressedElement of `tensors` (how tensor lists travel in plans). */
export function uncompressedElementBytes(tensors: readonly TensorProto[]): Uint8Array {
  return toBinary(UncompressedElementSchema, create(UncompressedElementSchema, { components: [...tensors] }));
}

/** Lowers `ScanDataset` to a `scan` plan. */
export const scanDatasetOp: DatasetOpDef = {
  op: "ScanDataset",
  lower(ctx) {
    const stateTypes = ctx.attrs.types("Tstate");
    const numCaptured = ctx.attrs.has("Targuments") ? ctx.attrs.types("Targuments").length : 0;
    ctx.expectInputs(1 + stateTypes.length + numCaptured);
    const input = ctx.dataset(0);
    const state = stateTypes.map((dtype, i) => ctx.tensor(1 + i, dtype));
    ctx.attrs.bool("use_default_device", true);
    const preserve = ctx.attrs.bool("preserve_cardinality", false);
    checkMetadata(ctx);
    const stateSpecs: ComponentSpec[] = state.map((t) => ({ dtype: t.dtype as number, shape: planShape(t.tensorShape) }) as ComponentSpec);
    const captured = capturedInputs(ctx, 1 + stateTypes.length);
    const fn = lowerWithCaptured(ctx, ctx.attrs.func("f"), [...stateSpecs, ...input.spec], captured);
    const want = [...stateTypes, ...ctx.spec.map((c) => c.dtype)];
    if (want.length !== fn.outputTypes.length || want.some((d, i) => d !== fn.outputTypes[i])) {
      throw ctx.error("InvalidArgument", `its function must return the state [${stateTypes.map(dtypeName).join(", ")}] ` +
        `then the outputs [${ctx.spec.map((c) => dtypeName(c.dtype)).join(", ")}], but returns ` +
        `[${fn.outputTypes.map(dtypeName).join(", ")}]`);
    }
    return {
      plan: { op: "scan", input: input.plan, fn: fn.plan, initialState: uncompressedElementBytes(state) },
      cardinality: preserve ? input.cardinality : UNKNOWN,
    };
  },
};
