/**
 * Adding ops to a traced function the way TF's Python layer does (`_apply_op_helper`,
 * `convert_to_tensor`, `constant`): JS values become `Const` nodes named after the input they
 * feed (`mul/y`), type attrs are inferred from the first input that fixes them, later inputs must
 * match, allowed dtypes are checked, default attrs are filled in, and the static output shapes are
 * inferred with TF's shape functions. Every error is thrown at trace time with TF's message.
 */
import { create } from "@bufbuild/protobuf";
import { AttrValue_ListValueSchema, AttrValueSchema, type AttrValue } from "../../gen/tensorflow/core/framework/attr_value_pb.js";
import { FullTypeDefSchema, FullTypeId, type FullTypeDef } from "../../gen/tensorflow/core/framework/full_type_pb.js";
import { DType, dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { PlanShape } from "../../core/plan.js";
import { attrBool, attrBytes, attrInt, attrTensor, attrType } from "../attr-value.js";
import { foldConstant } from "./const-fold.js";
import { currentGraph, type FuncGraph, type OutputInit } from "./func-graph.js";
import { hostValueFromJs, isArrayLike, pyRepr, tensorProtoOf, type HostValue } from "./host-value.js";
import { opSpec, type AttrSpec, type OpSpec } from "./op-table.js";
import { formatShapeTF, inferShapes, ShapeError } from "./shape-fns.js";
import { SymbolicTensor } from "./symbolic-tensor.js";

/** An attr value as the tracer passes it: dtype number, int, bool, string, int list or tensor. */
export type AttrInput = number | boolean | string | readonly number[] | HostValue;

/** What conversion failed on: a Python value of the wrong kind (TypeError) or a tensor's dtype (ValueError). */
class ConversionError extends TfDataError {
  constructor(readonly kind: "type" | "value", message: string) {
    super("InvalidArgument", message);
  }
}

/** Whether a (possibly nested) JS array holds a symbolic tensor somewhere. */
function holdsTensor(v: unknown): boolean {
  if (v instanceof SymbolicTensor) return true;
  return Array.isArray(v) && v.some(holdsTensor);
}

function firstTensorDType(v: unknown): DType | undefined {
  if (v instanceof SymbolicTensor) return v.dtype;
  if (Array.isArray(v)) {
    for (const item of v) {
      const d = firstTensorDType(item);
      if (d !== undefined) return d;
    }
  }
  return undefined;
}

/** The graph of the first symbolic tensor in `values`, else the graph being traced. */
export function graphOf(...values: unknown[]): FuncGraph {
  for (const v of values) {
    if (v instanceof SymbolicTensor) return v.graph;
    if (Array.isArray(v)) {
      const found = findTensor(v);
      if (found) return found.graph;
    }
  }
  return currentGraph();
}

function findTensor(v: readonly unknown[]): SymbolicTensor | undefined {
  for (const item of v) {
    if (item instanceof SymbolicTensor) return item;
    if (Array.isArray(item)) {
      const t = findTensor(item);
      if (t) return t;
    }
  }
  return undefined;
}

/** TF's `constant(value, dtype, shape, name)`: a `Const` node (named `name`, made unique). */
export function constantOp(g: FuncGraph, value: HostValue, name = "Const"): SymbolicTensor {
  const nodeName = g.opName(name);
  const attrs = { dtype: attrType(value.dtype), value: attrTensor(tensorProtoOf(value)) };
  return g.addNode("Const", nodeName, [], attrs,
    [{ dtype: value.dtype, shape: [...value.shape], argName: "output", argIndex: 0, value }])[0];
}

/** Options of `convertToTensor`. */
export interface ConvertOptions {
  /** The required dtype (conversion fails otherwise). */
  readonly dtype?: DType;
  /** The preferred dtype for JS values; silently dropped when the value does not suit it. */
  readonly dtypeHint?: DType;
  /** The name of a Const created for a JS value (TF's default `Const`). */
  readonly name?: string;
}

/**
 * TF's `convert_to_tensor`: a symbolic tensor as is (its dtype must match `dtype`), a JS value as a
 * new `Const`, a JS array holding symbolic tensors as a `Pack` (TF's auto-packing).
 */
export function convertToTensor(g: FuncGraph, value: unknown, opts: ConvertOptions = {}): SymbolicTensor {
  if (value instanceof SymbolicTensor) {
    if (opts.dtype !== undefined && value.dtype !== opts.dtype) {
      throw new ConversionError("value", `Tensor conversion requested dtype ${dtypeName(opts.dtype)} for Tensor with ` +
        `dtype ${dtypeName(value.dtype)}: ${value}`);
    }
    return value;
  }
  if (Array.isArray(value) && holdsTensor(value)) {
    // A preferred dtype (an op's attr default) never casts the tensors of a list: TF 2.21 packs
    // them in their own dtype and the attr follows (`tf.fill([n], v)` with int64 `n` packs int64).
    return autopack(g, value, opts.dtype, opts.name);
  }
  let host: HostValue;
  if (opts.dtype !== undefined) {
    host = jsToHost(value, opts.dtype);
  } else if (opts.dtypeHint !== undefined) {
    try {
      host = jsToHost(value, opts.dtypeHint);
    } catch (e) {
      if (!(e instanceof ConversionError)) throw e;
      host = jsToHost(value, undefined);
    }
  } else {
    host = jsToHost(value, undefined);
  }
  return constantOp(g, host, opts.name ?? "Const");
}

function jsToHost(value: unknown, dtype: DType | undefined): HostValue {
  try {
    return hostValueFromJs(value, dtype);
  } catch (e) {
    if (e instanceof TfDataError && e.code === "InvalidArgument") throw new ConversionError("type", e.message);
    throw e;
  }
}

/** TF's auto-packing of a list holding tensors (`_autopacking_conversion_function`). */
function autopack(g: FuncGraph, value: readonly unknown[], dtype: DType | undefined, name: string | undefined): SymbolicTensor {
  const inferred = firstTensorDType(value)!;
  let v: unknown = value;
  const target = dtype ?? inferred;
  if (target !== inferred) v = castNested(g, value, target);
  const packed = autopackHelper(g, v as readonly unknown[], target, name ?? "packed");
  return packed as SymbolicTensor;
}

function castNested(g: FuncGraph, v: unknown, dtype: DType): unknown {
  if (Array.isArray(v)) return v.map((item) => castNested(g, item, dtype));
  if (v instanceof SymbolicTensor && v.dtype !== dtype) return castTensor(g, v, dtype);
  return v;
}

/** TF's `tf.cast(x, dtype)` on a tensor: no node when the dtype already matches. */
export function castTensor(g: FuncGraph, x: SymbolicTensor, dtype: DType, name?: string): SymbolicTensor {
  if (x.dtype === dtype) return x;
  return g.nameScope(name, "Cast", (scope) => applyOp(g, "Cast", { name: scope, inputs: { x }, attrs: { DstT: dtype } })[0]);
}

function autopackHelper(g: FuncGraph, list: readonly unknown[], dtype: DType, name: string): SymbolicTensor | unknown[] {
  return g.nameScope(name, undefined, (scope) => {
    let mustPack = false;
    const converted: unknown[] = [];
    list.forEach((elem, i) => {
      if (elem instanceof SymbolicTensor) {
        if (elem.dtype !== dtype) {
          throw new ConversionError("type", `Cannot convert a list containing a tensor of dtype ${dtypeName(elem.dtype)} ` +
            `to ${dtypeName(dtype)} (Tensor is: ${elem})`);
        }
        converted.push(elem);
        mustPack = true;
      } else if (Array.isArray(elem)) {
        const c = autopackHelper(g, elem, dtype, String(i));
        if (c instanceof SymbolicTensor) mustPack = true;
        converted.push(c);
      } else {
        converted.push(elem);
      }
    });
    if (!mustPack) return converted;
    const elems = converted.map((elem, i) => elem instanceof SymbolicTensor ? elem : constantOp(g, jsToHost(elem, dtype), String(i)));
    return applyOp(g, "Pack", { name: scope, inputs: { values: elems }, attrs: { axis: 0 } })[0];
  });
}

/** Arguments of `applyOp`. */
export interface ApplyOpArgs {
  /** The op's name or scope (`x/`); TF's default is the op type. */
  readonly name?: string;
  /** Input values by input arg name (arrays for list args). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Explicit attrs (type attrs normally come from the inputs). */
  readonly attrs?: Readonly<Record<string, AttrInput>>;
}

function attrSpecOf(spec: OpSpec, name: string): AttrSpec {
  const a = spec.attrs.find((x) => x.name === name);
  if (!a) throw new TfDataError("Internal", `op table: ${spec.name} has no attr '${name}'`);
  return a;
}

function allowedText(a: AttrSpec): string {
  return (a.allowed ?? []).map(dtypeName).join(", ");
}

function checkAllowed(spec: OpSpec, attr: string, dtype: DType, param: string): void {
  const a = attrSpecOf(spec, attr);
  if (a.allowed && !a.allowed.includes(dtype)) {
    throw new TfDataError("InvalidArgument", `Value passed to parameter '${param}' has DataType ${dtypeName(dtype)} ` +
      `not in list of allowed values: ${allowedText(a)}`);
  }
}

function toAttrValue(a: AttrSpec, v: AttrInput): AttrValue {
  switch (a.kind) {
    case "type": return attrType(v as number);
    case "int": return attrInt(v as number);
    case "bool": return attrBool(v as boolean);
    case "string": return attrBytes(v as string);
    case "tensor": return attrTensor(tensorProtoOf(v as HostValue));
    case "list(int)": {
      const list = create(AttrValue_ListValueSchema, { i: (v as readonly number[]).map((x) => BigInt(x)) });
      return create(AttrValueSchema, { value: { case: "list", value: list } });
    }
  }
}

/** The resolved inputs and attrs of an op, as its shape function sees them. */
export interface OpContext {
  readonly op: string;
  readonly name: string;
  /** Inputs by arg name (list args have several). */
  readonly args: Readonly<Record<string, readonly SymbolicTensor[]>>;
  /** All inputs in order. */
  readonly inputs: readonly SymbolicTensor[];
  /** Every attr (explicit, inferred and default). */
  readonly attrs: Readonly<Record<string, AttrInput>>;
  /** Output dtypes. */
  readonly outputTypes: readonly DType[];
}

function describeNode(ctx: OpContext): string {
  const shapes = ctx.inputs.map((t) => formatShapeTF(t.shape)).join(", ");
  return ` for '{{node ${ctx.name}}} = ${ctx.op}' with input shapes: ${shapes}.`;
}

/**
 * TF's `_apply_op_helper`: adds op `type` with the given inputs (symbolic tensors or JS values)
 * and attrs, inside the name scope `args.name ?? type`, and returns its outputs.
 */
export function applyOp(g: FuncGraph, type: string, args: ApplyOpArgs): SymbolicTensor[] {
  const spec = opSpec(type);
  return g.nameScope(args.name ?? type, undefined, (scope) => {
    const attrs: Record<string, AttrInput> = { ...args.attrs };
    const inferredFrom: Record<string, string> = {};
    const byArg: Record<string, SymbolicTensor[]> = {};
    const inputs: SymbolicTensor[] = [];
    for (const arg of spec.inputs) {
      const raw = args.inputs[arg.name];
      if (raw === undefined) throw new TfDataError("Internal", `${type}: input '${arg.name}' missing`);
      let tensors: SymbolicTensor[];
      if (arg.numberAttr) {
        tensors = convertList(g, spec, arg.name, arg.typeAttr, raw, attrs);
        attrs[arg.numberAttr] = tensors.length;
        const n = attrSpecOf(spec, arg.numberAttr);
        if (n.minimum !== undefined && tensors.length < n.minimum) {
          throw new TfDataError("InvalidArgument", `List argument '${arg.name}' to '${type}' Op with length ${tensors.length} ` +
            `shorter than minimum length ${n.minimum}.`);
        }
      } else {
        let dtype: DType | undefined;
        let preferred: DType | undefined;
        if (arg.type !== undefined) dtype = arg.type;
        else if (attrs[arg.typeAttr!] !== undefined) dtype = attrs[arg.typeAttr!] as DType;
        else {
          const d = attrSpecOf(spec, arg.typeAttr!).default;
          if (d !== undefined) preferred = d as DType;
        }
        tensors = [convertInput(g, type, arg.name, raw, dtype, preferred, attrs, inferredFrom, spec)];
      }
      const t0 = tensors[0];
      if (arg.typeAttr && t0) {
        if (attrs[arg.typeAttr] === undefined) {
          attrs[arg.typeAttr] = t0.dtype;
          inferredFrom[arg.typeAttr] = arg.name;
          checkAllowed(spec, arg.typeAttr, t0.dtype, arg.name);
        }
      }
      byArg[arg.name] = tensors;
      inputs.push(...tensors);
    }
    // Remaining attrs: explicit values are checked, missing ones take their defaults.
    for (const a of spec.attrs) {
      if (attrs[a.name] === undefined) {
        if (a.default === undefined) throw new TfDataError("Internal", `${type}: attr '${a.name}' has no value`);
        attrs[a.name] = a.default;
      } else if (a.kind === "type" && inferredFrom[a.name] === undefined) {
        checkAllowed(spec, a.name, attrs[a.name] as DType, a.name);
      }
    }
    const outputTypes = spec.outputs.map((o) => o.type ?? (attrs[o.typeAttr!] as DType));
    const name = g.opName(scope);
    const ctx: OpContext = { op: type, name, args: byArg, inputs, attrs, outputTypes };
    let shapes: PlanShape[];
    try {
      shapes = inferShapes(ctx);
    } catch (e) {
      if (e instanceof ShapeError) throw new TfDataError("InvalidArgument", e.message + describeNode(ctx));
      throw e;
    }
    const values = foldConstant(ctx, shapes);
    const protoAttrs: Record<string, AttrValue> = {};
    for (const a of spec.attrs) protoAttrs[a.name] = toAttrValue(a, attrs[a.name]);
    const outputs: OutputInit[] = spec.outputs.map((o, i) => ({
      dtype: outputTypes[i], shape: shapes[i], argName: o.name, argIndex: 0, value: values?.[i],
    }));
    return g.addNode(type, name, inputs, protoAttrs, outputs, opFullType(type, attrs));
  });
}

/**
 * The `experimental_type` TF's op registry attaches to a node (ops with a type constructor). Of
 * the traced ops only `Shape` has one: `TFT_PRODUCT[TFT_SHAPE_TENSOR[TFT_INT32 | TFT_INT64]]`.
 */
function opFullType(type: string, attrs: Readonly<Record<string, AttrInput>>): FullTypeDef | undefined {
  if (type !== "Shape") return undefined;
  const leaf = (typeId: FullTypeId, args: FullTypeDef[] = []) => create(FullTypeDefSchema, { typeId, args });
  const dtype = attrs.out_type === DType.int64 ? FullTypeId.TFT_INT64 : FullTypeId.TFT_INT32;
  return leaf(FullTypeId.TFT_PRODUCT, [leaf(FullTypeId.TFT_SHAPE_TENSOR, [leaf(dtype)])]);
}

function convertInput(g: FuncGraph, op: string, argName: string, raw: unknown, dtype: DType | undefined,
  preferred: DType | undefined, attrs: Record<string, AttrInput>, inferredFrom: Record<string, string>, spec: OpSpec): SymbolicTensor {
  try {
    return convertToTensor(g, raw, { dtype, dtypeHint: preferred, name: argName });
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    if (e.kind === "type") {
      if (dtype === undefined) throw new TfDataError("InvalidArgument", e.message);
      throw new TfDataError("InvalidArgument", `Expected ${dtypeName(dtype)} passed to parameter '${argName}' of op '${op}', ` +
        `got ${pyRepr(raw)} of type '${pyTypeOf(raw)}' instead. Error: ${e.message}`);
    }
    const observed = raw instanceof SymbolicTensor ? raw.dtype : firstTensorDType(raw);
    const prefix = `Input '${argName}' of '${op}' Op has type ${observed === undefined ? "?" : dtypeName(observed)} that does not match`;
    const arg = spec.inputs.find((a) => a.name === argName)!;
    if (arg.type !== undefined) throw new TfDataError("InvalidArgument", `${prefix} expected type of ${dtypeName(arg.type)}.`);
    const from = inferredFrom[arg.typeAttr!] ?? "Default in OpDef";
    throw new TfDataError("InvalidArgument", `${prefix} type ${dtypeName(attrs[arg.typeAttr!] as DType)} of argument '${from}'.`);
  }
}

function pyTypeOf(v: unknown): string {
  if (Array.isArray(v)) return "list";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (isArrayLike(v)) return "ndarray";
  return typeof v === "object" && v !== null && "value" in v ? "float" : typeof v;
}

/** List inputs (`N*T`): TF's `internal_convert_n_to_tensor` with names `<arg>_<i>`. */
function convertList(g: FuncGraph, spec: OpSpec, argName: string, typeAttr: string | undefined, raw: unknown,
  attrs: Record<string, AttrInput>): SymbolicTensor[] {
  if (!Array.isArray(raw)) {
    throw new TfDataError("InvalidArgument", `Expected list for '${argName}' argument to '${spec.name}' Op, not ${pyRepr(raw)}.`);
  }
  let dtype: DType | undefined = typeAttr !== undefined ? attrs[typeAttr] as DType | undefined : undefined;
  if (dtype === undefined) dtype = raw.find((v): v is SymbolicTensor => v instanceof SymbolicTensor)?.dtype;
  let preferred: DType | undefined;
  if (dtype === undefined && typeAttr !== undefined) preferred = attrSpecOf(spec, typeAttr).default as DType | undefined;
  let tensors: SymbolicTensor[];
  try {
    tensors = raw.map((v, i) => convertToTensor(g, v, { dtype, dtypeHint: preferred, name: `${argName}_${i}` }));
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    throw new TfDataError("InvalidArgument", `Tensors in list passed to '${argName}' of '${spec.name}' Op have types ` +
      `[${raw.map((v) => v instanceof SymbolicTensor ? dtypeName(v.dtype) : "<literal>").join(", ")}] that don't all match.`);
  }
  const types = new Set(tensors.map((t) => t.dtype));
  if (types.size > 1) {
    throw new TfDataError("InvalidArgument", `Tensors in list passed to '${argName}' of '${spec.name}' Op have types ` +
      `[${tensors.map((t) => dtypeName(t.dtype)).join(", ")}] that don't all match.`);
  }
  return tensors;
}
