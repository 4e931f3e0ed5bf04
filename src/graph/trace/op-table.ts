/**
 * The signatures of every op the tracer emits, written in TF's `REGISTER_OP` notation so the
 * kernel author can read off inputs, outputs, attrs, defaults and allowed dtypes at a glance.
 *
 * Each entry equals the `OpDef` TensorFlow 2.21 registers (checked against TF's registry by
 * `test/graph/trace/op-table.test.ts`), except that quantized dtypes (qint8, quint8, ...) are
 * left out of allowed-type lists: we have no such dtypes.
 *
 * Notation: `Op(input: T, list: N*T, fixed: int32) -> (output: T); attr: type = int32 in {..};
 * n: int >= 2; flag: bool = false; dims: list(int) = []`.
 */
import { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";

/** One input or output of an op. */
export interface ArgSpec {
  /** The arg name (what FunctionDef input strings use: `node:<output arg>:<index>`). */
  readonly name: string;
  /** A fixed dtype, or undefined when the dtype comes from `typeAttr`. */
  readonly type?: DType;
  /** The `type` attr that holds this arg's dtype. */
  readonly typeAttr?: string;
  /** The `int` attr that holds this list arg's length (`N*T`). */
  readonly numberAttr?: string;
}

/** The kinds of attr the tracer's ops use. */
export type AttrKind = "type" | "int" | "bool" | "string" | "tensor" | "list(int)";

/** A default attr value: dtype number for `type`, number for `int`, ... */
export type AttrDefault = number | boolean | string | readonly number[];

/** One attr of an op. */
export interface AttrSpec {
  readonly name: string;
  readonly kind: AttrKind;
  readonly default?: AttrDefault;
  /** Allowed dtypes of a `type` attr (undefined: any). */
  readonly allowed?: readonly DType[];
  /** Minimum of an `int` attr or list length. */
  readonly minimum?: number;
}

/** An op's signature. */
export interface OpSpec {
  readonly name: string;
  readonly inputs: readonly ArgSpec[];
  readonly outputs: readonly ArgSpec[];
  readonly attrs: readonly AttrSpec[];
}

const REAL = "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, uint64";
const FLOAT = "bfloat16, float16, float32, float64";
const FLOAT_COMPLEX = "bfloat16, float16, float32, float64, complex64, complex128";
const BINARY_ARITH = "bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, uint32, uint64, int64, complex64, complex128";
const SIGNED_COMPLEX = "bfloat16, float16, float32, float64, int8, int16, int32, int64, complex64, complex128";
const MIN_MAX = "bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, uint64";
const NUMBER = "float32, float64, int32, uint8, int16, int8, complex64, int64, bfloat16, uint16, complex128, float16, uint32, uint64";
const IDX = "int32, int64";

/** The ops, in TF's notation (see the file comment). */
const SIGNATURES: readonly string[] = [
  // Elementwise arithmetic.
  `Abs(x: T) -> (y: T); T: type in {bfloat16, float16, float32, float64, int8, int16, int32, int64}`,
  `Add(x: T, y: T) -> (z: T); T: type in {bfloat16, float16, float32, float64, uint8, int8, int16, int32, int64, complex64, complex128, string}`,
  `AddV2(x: T, y: T) -> (z: T); T: type in {bfloat16, float16, float32, float64, uint8, uint16, uint32, uint64, int8, int16, int32, int64, complex64, complex128}`,
  `Sub(x: T, y: T) -> (z: T); T: type in {bfloat16, float16, float32, float64, uint8, int8, uint16, int16, int32, int64, complex64, complex128, uint32, uint64}`,
  `Mul(x: T, y: T) -> (z: T); T: type in {${BINARY_ARITH}}`,
  `RealDiv(x: T, y: T) -> (z: T); T: type in {${BINARY_ARITH}}`,
  `FloorDiv(x: T, y: T) -> (z: T); T: type in {${BINARY_ARITH}}`,
  `FloorMod(x: T, y: T) -> (z: T); T: type in {int8, int16, int32, int64, uint8, uint16, uint32, uint64, bfloat16, float16, float32, float64}`,
  `Pow(x: T, y: T) -> (z: T); T: type in {bfloat16, float32, float16, float64, int8, int16, int32, int64, complex64, complex128}`,
  `Maximum(x: T, y: T) -> (z: T); T: type in {${MIN_MAX}}`,
  `Minimum(x: T, y: T) -> (z: T); T: type in {${MIN_MAX}}`,
  `Neg(x: T) -> (y: T); T: type in {${SIGNED_COMPLEX}}`,
  `Sign(x: T) -> (y: T); T: type in {${SIGNED_COMPLEX}}`,
  `Round(x: T) -> (y: T); T: type in {${SIGNED_COMPLEX}}`,
  `Square(x: T) -> (y: T); T: type in {bfloat16, float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, complex64, complex128}`,
  `Sqrt(x: T) -> (y: T); T: type in {${FLOAT_COMPLEX}}`,
  `Rsqrt(x: T) -> (y: T); T: type in {${FLOAT_COMPLEX}}`,
  `Exp(x: T) -> (y: T); T: type in {${FLOAT_COMPLEX}}`,
  `Log(x: T) -> (y: T); T: type in {${FLOAT_COMPLEX}}`,
  `Floor(x: T) -> (y: T); T: type in {${FLOAT}}`,
  `Ceil(x: T) -> (y: T); T: type in {${FLOAT}}`,
  // Comparison and logic.
  `Equal(x: T, y: T) -> (z: bool); T: type; incompatible_shape_error: bool = true`,
  `NotEqual(x: T, y: T) -> (z: bool); T: type; incompatible_shape_error: bool = true`,
  `Less(x: T, y: T) -> (z: bool); T: type in {${REAL}}`,
  `LessEqual(x: T, y: T) -> (z: bool); T: type in {${REAL}}`,
  `Greater(x: T, y: T) -> (z: bool); T: type in {${REAL}}`,
  `GreaterEqual(x: T, y: T) -> (z: bool); T: type in {${REAL}}`,
  `LogicalAnd(x: bool, y: bool) -> (z: bool)`,
  `LogicalOr(x: bool, y: bool) -> (z: bool)`,
  `LogicalNot(x: bool) -> (y: bool)`,
  `SelectV2(condition: bool, t: T, e: T) -> (output: T); T: type`,
  // Types and shapes.
  `Const() -> (output: dtype); value: tensor; dtype: type`,
  `Identity(input: T) -> (output: T); T: type`,
  `Cast(x: SrcT) -> (y: DstT); SrcT: type; DstT: type; Truncate: bool = false`,
  `Reshape(tensor: T, shape: Tshape) -> (output: T); T: type; Tshape: type = int32 in {${IDX}}`,
  `ExpandDims(input: T, dim: Tdim) -> (output: T); T: type; Tdim: type = int32 in {${IDX}}`,
  `Squeeze(input: T) -> (output: T); T: type; squeeze_dims: list(int) = [] >= 0`,
  `Pack(values: N*T) -> (output: T); N: int >= 1; T: type; axis: int = 0`,
  `ConcatV2(values: N*T, axis: Tidx) -> (output: T); N: int >= 2; T: type; Tidx: type = int32 in {${IDX}}`,
  `StridedSlice(input: T, begin: Index, end: Index, strides: Index) -> (output: T); T: type; Index: type in {int16, int32, int64}; ` +
    `begin_mask: int = 0; end_mask: int = 0; ellipsis_mask: int = 0; new_axis_mask: int = 0; shrink_axis_mask: int = 0`,
  `Slice(input: T, begin: Index, size: Index) -> (output: T); T: type; Index: type in {${IDX}}`,
  `GatherV2(params: Tparams, indices: Tindices, axis: Taxis) -> (output: Tparams); batch_dims: int = 0; Tparams: type; ` +
    `Tindices: type in {int16, int32, int64}; Taxis: type in {${IDX}}`,
  `Transpose(x: T, perm: Tperm) -> (y: T); T: type; Tperm: type = int32 in {${IDX}}`,
  `Tile(input: T, multiples: Tmultiples) -> (output: T); T: type; Tmultiples: type = int32 in {${IDX}}`,
  `Fill(dims: index_type, value: T) -> (output: T); T: type; index_type: type = int32 in {${IDX}}`,
  `ZerosLike(x: T) -> (y: T); T: type`,
  `OnesLike(x: T) -> (y: T); T: type in {bfloat16, float16, float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, uint64, complex64, complex128, bool}`,
  `Range(start: Tidx, limit: Tidx, delta: Tidx) -> (output: Tidx); Tidx: type = int32 in {bfloat16, float16, float32, float64, int8, int16, int32, int64, uint16, uint32, uint64}`,
  `Shape(input: T) -> (output: out_type); T: type; out_type: type = int32 in {${IDX}}`,
  `Size(input: T) -> (output: out_type); T: type; out_type: type = int32 in {${IDX}}`,
  `Rank(input: T) -> (output: int32); T: type`,
  // Reductions.
  `Sum(input: T, reduction_indices: Tidx) -> (output: T); keep_dims: bool = false; T: type in {${NUMBER}}; Tidx: type = int32 in {${IDX}}`,
  `Mean(input: T, reduction_indices: Tidx) -> (output: T); keep_dims: bool = false; T: type in {${NUMBER}}; Tidx: type = int32 in {${IDX}}`,
  `Prod(input: T, reduction_indices: Tidx) -> (output: T); keep_dims: bool = false; T: type in {${NUMBER}}; Tidx: type = int32 in {${IDX}}`,
  `Max(input: T, reduction_indices: Tidx) -> (output: T); keep_dims: bool = false; T: type in {${REAL}}; Tidx: type = int32 in {${IDX}}`,
  `Min(input: T, reduction_indices: Tidx) -> (output: T); keep_dims: bool = false; T: type in {${REAL}}; Tidx: type = int32 in {${IDX}}`,
  `All(input: bool, reduction_indices: Tidx) -> (output: bool); keep_dims: bool = false; Tidx: type = int32 in {${IDX}}`,
  `Any(input: bool, reduction_indices: Tidx) -> (output: bool); keep_dims: bool = false; Tidx: type = int32 in {${IDX}}`,
  `ArgMax(input: T, dimension: Tidx) -> (output: output_type); T: type in {${REAL}, bool}; Tidx: type = int32 in {int16, int32, int64}; ` +
    `output_type: type = int64 in {int16, uint16, int32, int64}`,
  `ArgMin(input: T, dimension: Tidx) -> (output: output_type); T: type in {${REAL}, bool}; Tidx: type = int32 in {${IDX}}; ` +
    `output_type: type = int64 in {${IDX}}`,
  `OneHot(indices: TI, depth: int32, on_value: T, off_value: T) -> (output: T); axis: int = -1; T: type; TI: type = int64 in {uint8, int8, int32, int64}`,
  // Strings.
  `StringToNumber(string_tensor: string) -> (output: out_type); out_type: type = float32 in {float32, float64, int32, int64, uint32, uint64}`,
  `AsString(input: T) -> (output: string); T: type in {${REAL}, complex64, complex128, bool, variant, string}; precision: int = -1; ` +
    `scientific: bool = false; shortest: bool = false; width: int = -1; fill: string = ""`,
];

function dtypeOf(name: string, where: string): DType {
  const d = (DType as Record<string, DType>)[name];
  if (d === undefined) throw new TfDataError("Internal", `op table: unknown dtype '${name}' in ${where}`);
  return d;
}

function parseArgs(text: string): ArgSpec[] {
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const [name, type] = part.split(":").map((s) => s.trim());
    const star = type.indexOf("*");
    const numberAttr = star >= 0 ? type.slice(0, star) : undefined;
    const t = star >= 0 ? type.slice(star + 1) : type;
    const fixed = (DType as Record<string, DType>)[t];
    return fixed !== undefined ? { name, type: fixed, numberAttr } : { name, typeAttr: t, numberAttr };
  });
}

function parseAttr(text: string, where: string): AttrSpec {
  const m = /^(\w+):\s*(type|int|bool|string|tensor|list\(int\))(?:\s*=\s*(\[\]|"[^"]*"|[\w-]+))?(?:\s*in\s*\{([^}]*)\})?(?:\s*>=\s*(\d+))?$/
    .exec(text.trim());
  if (!m) throw new TfDataError("Internal", `op table: bad attr '${text}' in ${where}`);
  const [, name, kind, dflt, allowed, minimum] = m;
  let value: AttrDefault | undefined;
  if (dflt !== undefined) {
    if (kind === "type") value = dtypeOf(dflt, where);
    else if (kind === "int") value = Number(dflt);
    else if (kind === "bool") value = dflt === "true";
    else if (kind === "string") value = dflt.slice(1, -1);
    else value = [];
  }
  return {
    name,
    kind: kind as AttrKind,
    default: value,
    allowed: allowed === undefined ? undefined : allowed.split(",").map((s) => dtypeOf(s.trim(), where)),
    minimum: minimum === undefined ? undefined : Number(minimum),
  };
}

function parseSignature(sig: string): OpSpec {
  const m = /^(\w+)\(([^)]*)\)\s*->\s*\(([^)]*)\)\s*(?:;(.*))?$/.exec(sig);
  if (!m) throw new TfDataError("Internal", `op table: bad signature '${sig}'`);
  const [, name, ins, outs, attrs] = m;
  return {
    name,
    inputs: parseArgs(ins),
    outputs: parseArgs(outs),
    attrs: (attrs ?? "").split(";").filter((s) => s.trim() !== "").map((s) => parseAttr(s, name)),
  };
}

/** Every op the tracer can emit, by TF op name. */
export const OP_TABLE: ReadonlyMap<string, OpSpec> = new Map(SIGNATURES.map((s) => {
  const spec = parseSignature(s);
  return [spec.name, spec];
}));

/** The signature of `op`; throws Unimplemented for an op the tracer does not know. */
export function opSpec(op: string): OpSpec {
  const spec = OP_TABLE.get(op);
  if (!spec) throw new TfDataError("Unimplemented", `op '${op}' is not in the tracer's op table`);
  return spec;
}
