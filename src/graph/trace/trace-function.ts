/**
 * Tracing a user function into a TF `FunctionDef`, laid out exactly as TF 2.21 serializes the
 * functions of `tf.data` transformations (`dataset._as_serialized_graph()`):
 *
 * - arguments `args_0`, `args_1`, ... (the element's components, flattened as TF flattens);
 *   a tuple element is spread into positional arguments, anything else is passed as one value;
 * - the body in creation order, with TF's node names and attrs;
 * - one `Identity` per output (`Identity`, `Identity_1`, ...), outputs named `identity`,
 *   `identity_1`, ... and `ret` mapping each to `Identity:output:0`;
 * - function attrs `_tf_data_function: true` and `_construction_context: "kEagerRuntime"`;
 * - per argument `_user_specified_name` and `_output_shapes`.
 *
 * Returned JS values are captured as constants the way TF captures Python values: a JS scalar
 * (number, bigint, boolean, string) is converted twice, as TF does (once to learn its type, once
 * for the output), which leaves an unused `Const` in the body exactly like TF's; a TypedArray or
 * core Tensor is converted once. JS arrays are tuples, plain objects are dicts.
 */
import { create } from "@bufbuild/protobuf";
import { AttrValue_ListValueSchema, AttrValueSchema } from "../../gen/tensorflow/core/framework/attr_value_pb.js";
import {
  FunctionDef_ArgAttrsSchema, FunctionDefSchema, type FunctionDef,
} from "../../gen/tensorflow/core/framework/function_pb.js";
import { OpDef_ArgDefSchema, OpDefSchema } from "../../gen/tensorflow/core/framework/op_def_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import { attrBool, attrBytes, shapeProto, sortedAttrs } from "../attr-value.js";
import type { ComponentSpec } from "../component-spec.js";
import { formatSpec } from "../component-spec.js";
import { applyOp, convertToTensor } from "./apply-op.js";
import { FuncGraph, withGraph } from "./func-graph.js";
import { FloatLiteral, hostValueFromJs, isArrayLike } from "./host-value.js";
import { flattenStructure, packStructure, sortedKeys, type ElementStructure } from "./structure.js";
import { SymbolicTensor } from "./symbolic-tensor.js";

/** The value of `_construction_context` TF 2.21 writes on tf.data functions. */
export const CONSTRUCTION_CONTEXT = "kEagerRuntime";

/** What `traceFunction` needs. */
export interface TraceOptions {
  /** The FunctionDef's name (see `tfFunctionName`). */
  readonly name: string;
  /** The structure of the element the function receives. */
  readonly input: ElementStructure;
  /** The user function: called once with symbolic tensors. */
  readonly fn: (...args: never[]) => unknown;
  /** For messages: the transformation, e.g. `Dataset.map`. */
  readonly transformation?: string;
  /** Require a scalar bool result (`filter` predicates). */
  readonly predicate?: boolean;
}

/** A traced function. */
export interface TracedFunction {
  /** The FunctionDef, ready for a GraphDef's library. */
  readonly functionDef: FunctionDef;
  /** The output element structure, with static shapes. */
  readonly output: ElementStructure;
  /** The output components, flattened (the map node's `output_types` / `output_shapes`). */
  readonly outputSpecs: readonly ComponentSpec[];
}

let uid = 0;

/**
 * TF's name for a tf.data function: `__inference_<Transformation>_<fn name>_<uid>`, e.g.
 * `__inference_Dataset_map_lambda_12` (anonymous JS functions are `lambda`, as Python lambdas).
 */
export function tfFunctionName(transformation: string, fnName: string): string {
  const readable = transformation.replace(/\./g, "_");
  let base = `${readable}_${fnName || "lambda"}`;
  for (const ch of ["<", ">", "\\", "'", " "]) base = base.split(ch).join("");
  base = base.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `__inference_${base}_${++uid}`;
}

type Leaf =
  | { readonly kind: "tensor"; readonly tensor: SymbolicTensor }
  | { readonly kind: "scalar"; readonly value: unknown }
  | { readonly kind: "array"; readonly value: unknown };

interface Shape<T> {
  readonly structure: (leafSpecs: readonly ComponentSpec[]) => ElementStructure;
  readonly leaves: readonly T[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Flattens a returned value into leaves (TF's `nest.flatten`) and remembers its nesting. */
function flattenResult(value: unknown, transformation: string): Shape<Leaf> {
  const leaves: Leaf[] = [];
  type Node = { t: "leaf" } | { t: "tuple"; items: Node[] } | { t: "dict"; keys: string[]; items: Node[] };
  const walk = (v: unknown): Node => {
    if (v instanceof SymbolicTensor) {
      leaves.push({ kind: "tensor", tensor: v });
      return { t: "leaf" };
    }
    if (isArrayLike(v)) {
      leaves.push({ kind: "array", value: v });
      return { t: "leaf" };
    }
    if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || typeof v === "string" ||
      v instanceof FloatLiteral) {
      leaves.push({ kind: "scalar", value: v });
      return { t: "leaf" };
    }
    if (Array.isArray(v)) return { t: "tuple", items: v.map(walk) };
    if (isPlainObject(v)) {
      const keys = sortedKeys(v);
      return { t: "dict", keys, items: keys.map((k) => walk(v[k])) };
    }
    throw new TfDataError("InvalidArgument", `Unsupported return value from function passed to ${transformation}: ` +
      `${String(v)}. Return tensors, JS numbers/bigints/booleans/strings, TypedArrays, arrays (tuples) or plain objects (dicts).`);
  };
  const root = walk(value);
  const structure = (specs: readonly ComponentSpec[]): ElementStructure => {
    let i = 0;
    const build = (n: Node): ElementStructure => {
      if (n.t === "leaf") return { tensor: specs[i++] };
      if (n.t === "tuple") return { tuple: n.items.map(build) };
      const dict: Record<string, ElementStructure> = {};
      n.keys.forEach((k, j) => { dict[k] = build(n.items[j]); });
      return { dict };
    };
    return build(root);
  };
  return { structure, leaves };
}

/** TF's `NodeNameMapping::Normalize`: lowercase, non-alphanumerics as `_`, starting at a letter. */
function normalizeName(name: string): string {
  if (name === "") return "unknown";
  let s = "";
  for (const ch of name) s += /[A-Za-z0-9]/.test(ch) ? ch.toLowerCase() : "_";
  const first = s.search(/[a-z]/);
  return first < 0 ? "unknown" : s.slice(first);
}

/** Calls `fn` once with symbolic tensors and records what it does as a TF FunctionDef. */
export function traceFunction(opts: TraceOptions): TracedFunction {
  const transformation = opts.transformation ?? "Dataset.map";
  const g = new FuncGraph();
  const inputSpecs = flattenStructure(opts.input);
  const args = inputSpecs.map((s) => g.addArg(s.dtype, s.shape));
  const nested = packStructure(opts.input, args);
  const callArgs = "tuple" in opts.input ? (nested as unknown[]) : [nested];

  const outputs = withGraph(g, () => {
    const result = (opts.fn as (...a: unknown[]) => unknown)(...callArgs);
    if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
      throw new TfDataError("InvalidArgument", `the function passed to ${transformation} returned a Promise; ` +
        "traced functions must be synchronous");
    }
    if (result === undefined) {
      throw new TfDataError("InvalidArgument", `the function passed to ${transformation} returned undefined; it must return a value`);
    }
    const flat = flattenResult(result, transformation);
    // TF's `type_spec_from_value`: JS scalars are converted once just to learn their dtype.
    const specs: ComponentSpec[] = flat.leaves.map((leaf) => {
      if (leaf.kind === "tensor") return { dtype: leaf.tensor.dtype, shape: leaf.tensor.shape };
      if (leaf.kind === "scalar") {
        const t = convertToTensor(g, leaf.value);
        return { dtype: t.dtype, shape: t.shape };
      }
      const v = hostValueFromJs(leaf.value);
      return { dtype: v.dtype, shape: [...v.shape] };
    });
    // TF's `to_tensor_list`: now every leaf becomes a tensor of that dtype.
    const tensors = flat.leaves.map((leaf, i) => (leaf.kind === "tensor" ? leaf.tensor
      : convertToTensor(g, leaf.value, { dtype: specs[i].dtype })));
    const ids = tensors.map((t) => applyOp(g, "Identity", { inputs: { input: t } })[0]);
    return { ids, structure: flat.structure(ids.map((t) => ({ dtype: t.dtype, shape: t.shape }))) };
  });

  const outputSpecs = outputs.ids.map((t) => ({ dtype: t.dtype, shape: t.shape }));
  if (opts.predicate) {
    const ok = outputSpecs.length === 1 && outputSpecs[0].dtype === DType.bool && outputSpecs[0].shape !== null &&
      outputSpecs[0].shape.length === 0 && "tensor" in outputs.structure;
    if (!ok) {
      throw new TfDataError("InvalidArgument", "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, " +
        `but its return type is ${formatSpec(outputSpecs)}.`);
    }
  }

  const used = new Set<string>();
  const unique = (name: string) => {
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
    for (let i = 1; ; i++) {
      const c = `${name}_${i}`;
      if (!used.has(c)) {
        used.add(c);
        return c;
      }
    }
  };
  const inputArgs = args.map((a) => create(OpDef_ArgDefSchema, { name: unique(normalizeName(a.ref)), type: a.dtype as DataType }));
  const outputNames = outputs.ids.map((t) => unique(normalizeName(t.op!.name)));
  // Map entries in sorted key order, as TF C++ writes them with deterministic serialization.
  const ret: Record<string, string> = {};
  const order = outputNames.map((n, i) => [n, i] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [n, i] of order) ret[n] = outputs.ids[i].ref;
  const argAttr: Record<number, ReturnType<typeof create<typeof FunctionDef_ArgAttrsSchema>>> = {};
  args.forEach((a, i) => {
    const shapes = create(AttrValue_ListValueSchema, { shape: [shapeProto(a.shape)] });
    argAttr[i] = create(FunctionDef_ArgAttrsSchema, {
      attr: sortedAttrs({
        _output_shapes: create(AttrValueSchema, { value: { case: "list", value: shapes } }),
        _user_specified_name: attrBytes(a.ref),
      }),
    });
  });
  const functionDef = create(FunctionDefSchema, {
    signature: create(OpDefSchema, {
      name: opts.name,
      inputArg: inputArgs,
      outputArg: outputs.ids.map((t, i) => create(OpDef_ArgDefSchema, { name: outputNames[i], type: t.dtype as DataType })),
    }),
    nodeDef: g.nodes,
    ret,
    attr: sortedAttrs({ _construction_context: attrBytes(CONSTRUCTION_CONTEXT), _tf_data_function: attrBool(true) }),
    argAttr,
  });
  return { functionDef, output: outputs.structure, outputSpecs };
}
