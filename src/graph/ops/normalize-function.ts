/**
 * The `normalize` function Python TF maps over a dataset before `unbatch` and `rebatch`
 * (`normalize_to_dense`: sparse and ragged components become dense; dense ones pass through). For
 * the dense elements we build, TF 2.21 traces it as one `Identity` per component:
 *
 *   signature __inference_Dataset_map_normalize_<n>(args_0, args_1, ...) -> (identity, identity_1, ...)
 *   node_def Identity (input args_0, T), Identity_1 (input args_1, T), ...
 *   ret identity -> Identity:output:0, ...
 *   attr _construction_context s="kEagerRuntime", _tf_data_function b=true
 *   arg_attr[i] _output_shapes [component shape], _user_specified_name s="args_i"
 */
import { create } from "@bufbuild/protobuf";
import { FunctionDef_ArgAttrsSchema, FunctionDefSchema, type FunctionDef } from "../../gen/tensorflow/core/framework/function_pb.js";
import { NodeDefSchema } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { OpDef_ArgDefSchema, OpDefSchema } from "../../gen/tensorflow/core/framework/op_def_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { attrBool, attrBytes, attrShapeList, attrType, sortedAttrs } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";

let nextId = 0;

/** A fresh name for a normalize function (TF's `__inference_Dataset_map_normalize_<uid>`). */
export function nextNormalizeFunctionName(): string {
  return `__inference_Dataset_map_normalize_${nextId++}`;
}

/** The identity `normalize` FunctionDef for elements of `spec`. */
export function normalizeFunction(name: string, spec: readonly ComponentSpec[]): FunctionDef {
  const outName = (i: number) => (i === 0 ? "identity" : `identity_${i}`);
  const nodeName = (i: number) => (i === 0 ? "Identity" : `Identity_${i}`);
  const ret: Record<string, string> = {};
  const argAttr: Record<number, ReturnType<typeof create<typeof FunctionDef_ArgAttrsSchema>>> = {};
  spec.forEach((c, i) => {
    ret[outName(i)] = `${nodeName(i)}:output:0`;
    argAttr[i] = create(FunctionDef_ArgAttrsSchema, {
      attr: sortedAttrs({ _output_shapes: attrShapeList([c.shape]), _user_specified_name: attrBytes(`args_${i}`) }),
    });
  });
  return create(FunctionDefSchema, {
    signature: create(OpDefSchema, {
      name,
      inputArg: spec.map((c, i) => create(OpDef_ArgDefSchema, { name: `args_${i}`, type: c.dtype as DataType })),
      outputArg: spec.map((c, i) => create(OpDef_ArgDefSchema, { name: outName(i), type: c.dtype as DataType })),
    }),
    nodeDef: spec.map((c, i) => create(NodeDefSchema, {
      name: nodeName(i),
      op: "Identity",
      input: [`args_${i}`],
      attr: { T: attrType(c.dtype) },
    })),
    ret,
    attr: sortedAttrs({ _construction_context: attrBytes("kEagerRuntime"), _tf_data_function: attrBool(true) }),
    argAttr,
  });
}
