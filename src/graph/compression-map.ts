/**
 * The tf.data service's compression map, at the graph level.
 *
 * A TF client registering a dataset with compression "AUTO" (or "SNAPPY") first applies
 * `dataset.map(lambda *x: compress(x), num_parallel_calls=AUTOTUNE)`, so the graph the dispatcher
 * stores ends with a `ParallelMapDatasetV2` calling a function made of `CompressElement` +
 * `Identity`: each element becomes one scalar DT_VARIANT holding a `CompressedElement`. A TF worker
 * told at runtime that compression is disabled removes that map again (TF's
 * `remove_compression_map` rewrite). These functions do both, on any GraphDef.
 */
import { clone, create } from "@bufbuild/protobuf";
import {
  FunctionDefLibrarySchema,
  FunctionDefSchema,
  FunctionDef_ArgAttrsSchema,
  type FunctionDef,
} from "../gen/tensorflow/core/framework/function_pb.js";
import { GraphDefSchema, type GraphDef } from "../gen/tensorflow/core/framework/graph_pb.js";
import { NodeDefSchema, type NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import { OpDefSchema, OpDef_ArgDefSchema } from "../gen/tensorflow/core/framework/op_def_pb.js";
import type { DataType } from "../gen/tensorflow/core/framework/types_pb.js";
import { DType } from "../core/dtype.js";
import { TfDataError } from "../core/errors.js";
import { attrBool, attrBytes, attrShapeList, attrType, attrTypeList, sortedAttrs } from "./attr-value.js";
import type { ComponentSpec } from "./component-spec.js";
import { AUTOTUNE, RETVAL_OP } from "./constants.js";
import { defaultDatasetName, GraphBuilder } from "./graph-builder.js";
import { describeNode, GraphIndex } from "./graph-index.js";
import { parseGraphInput } from "./input-ref.js";
import { NodeAttrs } from "./node-attrs.js";
import { emitParallelMap } from "./ops/map.js";

/** The op of TF's compression map node. */
export const COMPRESSION_MAP_OP = "ParallelMapDatasetV2";

let nextFunctionId = 0;

/**
 * TF's traced compression function for elements of `spec`: `args_<i>` in, `CompressElement`
 * named `CompressElement`, then `Identity` returning `identity` (DT_VARIANT); function attrs
 * `_construction_context: "kEagerRuntime"`, `_tf_data_function: true`; per-argument attrs
 * `_output_shapes` and `_user_specified_name`.
 */
export function compressionFunction(name: string, spec: readonly ComponentSpec[]): FunctionDef {
  const args = spec.map((_, i) => `args_${i}`);
  const types = spec.map((c) => c.dtype);
  const argAttr: FunctionDef["argAttr"] = {};
  spec.forEach((c, i) => {
    argAttr[i] = create(FunctionDef_ArgAttrsSchema, {
      attr: sortedAttrs({ _output_shapes: attrShapeList([c.shape]), _user_specified_name: attrBytes(args[i]) }),
    });
  });
  return create(FunctionDefSchema, {
    signature: create(OpDefSchema, {
      name,
      inputArg: args.map((a, i) => create(OpDef_ArgDefSchema, { name: a, type: types[i] as DataType })),
      outputArg: [create(OpDef_ArgDefSchema, { name: "identity", type: DType.variant as DataType })],
    }),
    nodeDef: [
      create(NodeDefSchema, {
        name: "CompressElement",
        op: "CompressElement",
        input: args,
        attr: sortedAttrs({ input_types: attrTypeList(types) }),
      }),
      create(NodeDefSchema, {
        name: "Identity",
        op: "Identity",
        input: ["CompressElement:compressed:0"],
        attr: sortedAttrs({ T: attrType(DType.variant) }),
      }),
    ],
    ret: { identity: "Identity:output:0" },
    attr: sortedAttrs({ _construction_context: attrBytes("kEagerRuntime"), _tf_data_function: attrBool(true) }),
    argAttr,
  });
}

/** The highest `/_<n>` suffix among the graph's node names, or -1. */
function maxNameIndex(graph: GraphDef): number {
  let max = -1;
  for (const n of graph.node) {
    const m = /\/_(\d+)$/.exec(n.name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

/** The name of the first library function whose body calls `CompressElement`, if any. */
function compressionFunctionName(graph: GraphDef): string | undefined {
  for (const f of graph.library?.function ?? []) {
    if (f.nodeDef.some((n) => n.op === "CompressElement")) return f.signature?.name;
  }
  return undefined;
}

/** The compression map node (TF's rule: a ParallelMapDatasetV2 whose `f` calls CompressElement). */
export function findCompressionMap(graph: GraphDef): NodeDef | undefined {
  const fn = compressionFunctionName(graph);
  if (fn === undefined) return undefined;
  return graph.node.find((n) => {
    const f = n.attr.f;
    return n.op === COMPRESSION_MAP_OP && f?.value.case === "func" && f.value.value.name === fn;
  });
}

/** Whether the graph carries TF's compression map. */
export function hasCompressionMap(graph: GraphDef): boolean {
  return findCompressionMap(graph) !== undefined;
}

/**
 * Returns `graph` with TF's compression map appended after its output dataset, the way a TF
 * client registers a dataset under compression "AUTO": node names continue the graph's
 * `/_<n>` numbering, the map's metadata name takes the next dataset id.
 */
export function appendCompressionMap(graph: GraphDef): GraphDef {
  const index = new GraphIndex(graph);
  const output = index.outputNode();
  if (hasCompressionMap(graph)) {
    throw new TfDataError("InvalidArgument", "the dataset graph already ends with a compression map");
  }
  const spec = new NodeAttrs(output.attr, describeNode(output)).outputSpec();
  let fnName: string;
  do fnName = `__inference_Dataset_map_lambda_${nextFunctionId++}`; while (index.functions.has(fnName));

  const b = new GraphBuilder(maxNameIndex(graph) + 1);
  b.addFunction(compressionFunction(fnName, spec));
  const map = emitParallelMap(b, output.name, {
    fn: fnName,
    numParallelCalls: AUTOTUNE,
    deterministic: "default",
    spec: [{ dtype: DType.variant, shape: [] }],
    metadataName: defaultDatasetName(COMPRESSION_MAP_OP),
  });
  const tail = b.finish(map);
  for (const n of tail.node) {
    if (n.op !== RETVAL_OP && index.nodes.has(n.name)) {
      throw new TfDataError("Internal", `appending the compression map would reuse node name '${n.name}'`);
    }
  }

  const out = clone(GraphDefSchema, graph);
  const retval = out.node.find((n) => n.op === RETVAL_OP)!;
  const added = tail.node.filter((n) => n.op !== RETVAL_OP);
  out.node = [...out.node.filter((n) => n !== retval), ...added, retval];
  retval.input = retval.input.map((i) => (parseGraphInput(i).control ? i : map));
  out.library ??= create(FunctionDefLibrarySchema);
  out.library.function.push(...(tail.library?.function ?? []));
  return out;
}

/**
 * Returns `graph` without its compression map, as a TF worker rewrites it when compression was
 * disabled at runtime: the map's consumers read the map's input instead, and the nodes and
 * functions no longer reachable from the `_Retval` are dropped.
 * Throws `InvalidArgument` when the graph has no compression map.
 */
export function stripCompressionMap(graph: GraphDef): GraphDef {
  const map = findCompressionMap(graph);
  if (!map) {
    throw new TfDataError("InvalidArgument", "the dataset graph has no compression map to remove (no " +
      `${COMPRESSION_MAP_OP} node calling a function that uses CompressElement)`);
  }
  const source = map.input.find((i) => !parseGraphInput(i).control);
  if (source === undefined) throw new TfDataError("InvalidArgument", `${describeNode(map)} has no input dataset`);
  const out = clone(GraphDefSchema, graph);
  for (const n of out.node) {
    n.input = n.input.map((i) => {
      const r = parseGraphInput(i);
      return !r.control && r.node === map.name ? source : i;
    });
  }
  return pruneUnreachable(out);
}

/** Drops nodes the `_Retval` does not depend on and library functions no kept node calls. */
export function pruneUnreachable(graph: GraphDef): GraphDef {
  const index = new GraphIndex(graph);
  const keep = new Set<string>();
  const stack = [index.retval().name];
  while (stack.length) {
    const name = stack.pop()!;
    if (keep.has(name)) continue;
    keep.add(name);
    const node = index.nodes.get(name);
    for (const i of node?.input ?? []) stack.push(parseGraphInput(i).node);
  }
  const usedFns = new Set<string>();
  const visitAttrs = (attrs: NodeDef["attr"]) => {
    for (const v of Object.values(attrs)) {
      const names = v.value.case === "func" ? [v.value.value.name] : v.value.case === "list" ? v.value.value.func.map((f) => f.name) : [];
      for (const fnName of names) {
        if (usedFns.has(fnName)) continue;
        usedFns.add(fnName);
        for (const n of index.functions.get(fnName)?.nodeDef ?? []) visitAttrs(n.attr);
      }
    }
  };
  const out = clone(GraphDefSchema, graph);
  out.node = out.node.filter((n) => keep.has(n.name));
  for (const n of out.node) visitAttrs(n.attr);
  if (out.library) out.library.function = out.library.function.filter((f) => usedFns.has(f.signature?.name ?? ""));
  return out;
}
