// A fast path for functions over scalars (range(N).map(lambda x: x * 2 + 1), filter predicates):
// when every instruction is a numeric elementwise op, Cast, Const or Identity and every argument
// is a scalar, the function runs on registers of raw bits and allocates only its outputs, instead
// of a tensor per instruction. The arithmetic is the kernels' own (the same op classes, with the
// scalar-path semantics TF uses for one-element tensors). Anything unusual (another dtype, an
// integer division by zero, a shape) makes `run` answer BAIL and the kernels run instead, so
// errors and messages stay the kernels'.
import {
  DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_UINT16, DT_UINT32, DT_UINT64, DT_UINT8,
} from "../core/dtype";
import { OK, errorCode } from "../core/status";
import { scalarShape, Tensor } from "../core/tensor";
import { readTensorProto } from "../codec/tensor-proto";
import { Reader } from "../proto/reader";
import { FunctionNode, InstructionNode } from "../plan/nodes";
import { convertFlushed } from "./cast";
import { constValueBytes } from "./const";
import { flush } from "./denormal";
import { newTensor } from "./helpers";
import {
  AbsOp, AddOp, CeilOp, DivOp, EqualOp, FloorDivOp, FloorModOp, FloorOp, GreaterEqualOp, GreaterOp, IntPowOp,
  LessEqualOp, LessOp, LogicalAndOp, LogicalNotOp, LogicalOrOp, MaxOp, MinOp, MulOp, NegOp, NotEqualOp, RoundOp,
  RsqrtOp, SignOp, SqrtOp, SquareOp, SubOp,
} from "./math-ops";
import { ExpOp, LogTailOp, PowTailOp } from "./transcendental";

/** `run`'s answer when the fast path does not apply (the caller runs the kernels). */
export const BAIL: i32 = -2;

const K_CONST: i32 = 0, K_IDENTITY: i32 = 1, K_BINARY: i32 = 2, K_UNARY: i32 = 3, K_CAST: i32 = 4, K_COMPARE: i32 = 5;

const B_ADD: i32 = 1, B_SUB: i32 = 2, B_MUL: i32 = 3, B_DIV: i32 = 4, B_FLOORDIV: i32 = 5, B_FLOORMOD: i32 = 6,
  B_MAX: i32 = 7, B_MIN: i32 = 8, B_POW: i32 = 9, B_AND: i32 = 10, B_OR: i32 = 11;
const C_EQ: i32 = 1, C_NE: i32 = 2, C_LT: i32 = 3, C_LE: i32 = 4, C_GT: i32 = 5, C_GE: i32 = 6;
const U_NEG: i32 = 1, U_ABS: i32 = 2, U_SQUARE: i32 = 3, U_SQRT: i32 = 4, U_RSQRT: i32 = 5, U_EXP: i32 = 6,
  U_LOG: i32 = 7, U_FLOOR: i32 = 8, U_CEIL: i32 = 9, U_ROUND: i32 = 10, U_SIGN: i32 = 11, U_NOT: i32 = 12;

// @unmanaged singletons, as in cwise.ts.
const ADD_OP = new AddOp(), SUB_OP = new SubOp(), MUL_OP = new MulOp(), DIV_OP = new DivOp(),
  FLOORDIV_OP = new FloorDivOp(), FLOORMOD_OP = new FloorModOp(), MAX_OP = new MaxOp(), MIN_OP = new MinOp(),
  POW_OP = new PowTailOp(), INTPOW_OP = new IntPowOp(), AND_OP = new LogicalAndOp(), OR_OP = new LogicalOrOp(),
  EQ_OP = new EqualOp(), NE_OP = new NotEqualOp(), LT_OP = new LessOp(), LE_OP = new LessEqualOp(),
  GT_OP = new GreaterOp(), GE_OP = new GreaterEqualOp(), NEG_OP = new NegOp(), ABS_OP = new AbsOp(),
  SQUARE_OP = new SquareOp(), SQRT_OP = new SqrtOp(), RSQRT_OP = new RsqrtOp(), EXP_OP = new ExpOp(),
  LOG_OP = new LogTailOp(), FLOOR_OP = new FloorOp(), CEIL_OP = new CeilOp(), ROUND_OP = new RoundOp(),
  SIGN_OP = new SignOp(), NOT_OP = new LogicalNotOp();

@inline function fromBits<T>(x: u64): T {
  if (isFloat<T>()) {
    if (sizeof<T>() == 4) return <T>reinterpret<f32>(<u32>x);
    return <T>reinterpret<f64>(x);
  }
  return <T>x;
}

@inline function toBits<T>(v: T): u64 {
  if (isFloat<T>()) {
    if (sizeof<T>() == 4) return <u64>reinterpret<u32>(<f32>v);
    return reinterpret<u64>(<f64>v);
  }
  return <u64>v;
}

@inline function bin<T, Op>(op: Op, x: u64, y: u64): u64 {
  return toBits<T>(op.post<T>(op.apply<T>(op.pre<T>(fromBits<T>(x)), op.pre<T>(fromBits<T>(y)))));
}

@inline function cmp<T, Op>(op: Op, x: u64, y: u64): u64 {
  return op.apply<T>(op.pre<T>(fromBits<T>(x)), op.pre<T>(fromBits<T>(y))) ? 1 : 0;
}

@inline function un<T, Op>(op: Op, x: u64): u64 {
  return toBits<T>(op.post<T>(op.apply<T>(op.pre<T>(fromBits<T>(x)))));
}

/** True for the dtypes the fast path computes (numbers without 16-bit floats, and bool). */
function scalarDtype(d: i32): bool {
  return d == DT_FLOAT || d == DT_DOUBLE || d == DT_INT32 || d == DT_INT64 || d == DT_UINT8 || d == DT_INT8 ||
    d == DT_INT16 || d == DT_UINT16 || d == DT_UINT32 || d == DT_UINT64 || d == DT_BOOL;
}

function binaryOn<T>(code: i32, x: u64, y: u64): u64 {
  switch (code) {
    case B_ADD: return bin<T, AddOp>(ADD_OP, x, y);
    case B_SUB: return bin<T, SubOp>(SUB_OP, x, y);
    case B_MUL: return bin<T, MulOp>(MUL_OP, x, y);
    case B_DIV: return bin<T, DivOp>(DIV_OP, x, y);
    case B_FLOORDIV: return bin<T, FloorDivOp>(FLOORDIV_OP, x, y);
    case B_FLOORMOD: return bin<T, FloorModOp>(FLOORMOD_OP, x, y);
    case B_MAX: return bin<T, MaxOp>(MAX_OP, x, y);
    case B_MIN: return bin<T, MinOp>(MIN_OP, x, y);
    case B_POW:
      if (isFloat<T>()) return bin<T, PowTailOp>(POW_OP, x, y);
      return bin<T, IntPowOp>(INTPOW_OP, x, y);
  }
  return 0;
}

function binary(code: i32, d: i32, x: u64, y: u64): u64 {
  switch (d) {
    case DT_FLOAT: return binaryOn<f32>(code, x, y);
    case DT_DOUBLE: return binaryOn<f64>(code, x, y);
    case DT_INT32: return binaryOn<i32>(code, x, y);
    case DT_INT64: return binaryOn<i64>(code, x, y);
    case DT_UINT8: return binaryOn<u8>(code, x, y);
    case DT_INT8: return binaryOn<i8>(code, x, y);
    case DT_INT16: return binaryOn<i16>(code, x, y);
    case DT_UINT16: return binaryOn<u16>(code, x, y);
    case DT_UINT32: return binaryOn<u32>(code, x, y);
    case DT_UINT64: return binaryOn<u64>(code, x, y);
  }
  return 0;
}

function compareOn<T>(code: i32, x: u64, y: u64): u64 {
  switch (code) {
    case C_EQ: return cmp<T, EqualOp>(EQ_OP, x, y);
    case C_NE: return cmp<T, NotEqualOp>(NE_OP, x, y);
    case C_LT: return cmp<T, LessOp>(LT_OP, x, y);
    case C_LE: return cmp<T, LessEqualOp>(LE_OP, x, y);
    case C_GT: return cmp<T, GreaterOp>(GT_OP, x, y);
    case C_GE: return cmp<T, GreaterEqualOp>(GE_OP, x, y);
  }
  return 0;
}

function compare(code: i32, d: i32, x: u64, y: u64): u64 {
  switch (d) {
    case DT_FLOAT: return compareOn<f32>(code, x, y);
    case DT_DOUBLE: return compareOn<f64>(code, x, y);
    case DT_INT32: return compareOn<i32>(code, x, y);
    case DT_INT64: return compareOn<i64>(code, x, y);
    case DT_UINT8: case DT_BOOL: return compareOn<u8>(code, x, y);
    case DT_INT8: return compareOn<i8>(code, x, y);
    case DT_INT16: return compareOn<i16>(code, x, y);
    case DT_UINT16: return compareOn<u16>(code, x, y);
    case DT_UINT32: return compareOn<u32>(code, x, y);
    case DT_UINT64: return compareOn<u64>(code, x, y);
  }
  return 0;
}

function unaryOn<T>(code: i32, x: u64): u64 {
  switch (code) {
    case U_NEG: return un<T, NegOp>(NEG_OP, x);
    case U_ABS: return un<T, AbsOp>(ABS_OP, x);
    case U_SQUARE: return un<T, SquareOp>(SQUARE_OP, x);
    case U_ROUND: return un<T, RoundOp>(ROUND_OP, x);
    case U_SIGN: return un<T, SignOp>(SIGN_OP, x);
  }
  if (isFloat<T>()) {
    switch (code) {
      case U_SQRT: return un<T, SqrtOp>(SQRT_OP, x);
      case U_RSQRT: return un<T, RsqrtOp>(RSQRT_OP, x);
      case U_EXP: return un<T, ExpOp>(EXP_OP, x);
      case U_LOG: return un<T, LogTailOp>(LOG_OP, x);
      case U_FLOOR: return un<T, FloorOp>(FLOOR_OP, x);
      case U_CEIL: return un<T, CeilOp>(CEIL_OP, x);
    }
  }
  return 0;
}

function unary(code: i32, d: i32, x: u64): u64 {
  if (code == U_NOT) return x == 0 ? 1 : 0;
  switch (d) {
    case DT_FLOAT: return unaryOn<f32>(code, x);
    case DT_DOUBLE: return unaryOn<f64>(code, x);
    case DT_INT32: return unaryOn<i32>(code, x);
    case DT_INT64: return unaryOn<i64>(code, x);
    case DT_INT8: return unaryOn<i8>(code, x);
    case DT_INT16: return unaryOn<i16>(code, x);
    case DT_UINT8: return unaryOn<u8>(code, x);
    case DT_UINT16: return unaryOn<u16>(code, x);
    case DT_UINT32: return unaryOn<u32>(code, x);
    case DT_UINT64: return unaryOn<u64>(code, x);
  }
  return 0;
}

@inline function castFrom<S>(dst: i32, x: S): u64 {
  switch (dst) {
    case DT_BOOL: return flush<S>(x) != <S>0 ? 1 : 0;
    case DT_FLOAT: return toBits<f32>(convertFlushed<S, f32>(x));
    case DT_DOUBLE: return toBits<f64>(convertFlushed<S, f64>(x));
    case DT_INT32: return toBits<i32>(convertFlushed<S, i32>(x));
    case DT_INT64: return toBits<i64>(convertFlushed<S, i64>(x));
    case DT_UINT8: return toBits<u8>(convertFlushed<S, u8>(x));
    case DT_INT8: return toBits<i8>(convertFlushed<S, i8>(x));
    case DT_INT16: return toBits<i16>(convertFlushed<S, i16>(x));
    case DT_UINT16: return toBits<u16>(convertFlushed<S, u16>(x));
    case DT_UINT32: return toBits<u32>(convertFlushed<S, u32>(x));
    case DT_UINT64: return toBits<u64>(convertFlushed<S, u64>(x));
  }
  return 0;
}

function castScalar(src: i32, dst: i32, x: u64): u64 {
  switch (src) {
    case DT_FLOAT: return castFrom<f32>(dst, fromBits<f32>(x));
    case DT_DOUBLE: return castFrom<f64>(dst, fromBits<f64>(x));
    case DT_INT32: return castFrom<i32>(dst, fromBits<i32>(x));
    case DT_INT64: return castFrom<i64>(dst, fromBits<i64>(x));
    case DT_UINT8: case DT_BOOL: return castFrom<u8>(dst, fromBits<u8>(x));
    case DT_INT8: return castFrom<i8>(dst, fromBits<i8>(x));
    case DT_INT16: return castFrom<i16>(dst, fromBits<i16>(x));
    case DT_UINT16: return castFrom<u16>(dst, fromBits<u16>(x));
    case DT_UINT32: return castFrom<u32>(dst, fromBits<u32>(x));
    case DT_UINT64: return castFrom<u64>(dst, fromBits<u64>(x));
  }
  return 0;
}

/** Reads element 0 of a fixed-width tensor as raw bits. */
function loadBits(t: Tensor): u64 {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_INT64: case DT_UINT64: case DT_DOUBLE: return load<u64>(p);
    case DT_INT32: case DT_UINT32: case DT_FLOAT: return <u64>load<u32>(p);
    case DT_INT16: case DT_UINT16: return <u64>load<u16>(p);
  }
  return <u64>load<u8>(p);
}

function storeBits(t: Tensor, v: u64): void {
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_INT64: case DT_UINT64: case DT_DOUBLE: store<u64>(p, v); break;
    case DT_INT32: case DT_UINT32: case DT_FLOAT: store<u32>(p, <u32>v); break;
    case DT_INT16: case DT_UINT16: store<u16>(p, <u16>v); break;
    default: store<u8>(p, <u8>v);
  }
}

class Instr {
  kind: i32 = 0;
  code: i32 = 0;
  /** The operand dtype (T / SrcT). */
  dtype: i32 = 0;
  /** The result dtype. */
  outType: i32 = 0;
  a: i32 = 0;
  b: i32 = 0;
  out: i32 = 0;
}

export class ScalarProgram {
  numArgs: i32 = 0;
  code: StaticArray<Instr> = new StaticArray<Instr>(0);
  regs: StaticArray<u64> = new StaticArray<u64>(0);
  types: StaticArray<i32> = new StaticArray<i32>(0);
  outputs: StaticArray<i32> = new StaticArray<i32>(0);

  /** Runs on scalar `args` into `result` (cleared): OK, or BAIL when the kernels must run instead. */
  run(args: Array<Tensor>, result: Array<Tensor>): i32 {
    const regs = this.regs, types = this.types;
    for (let i = 0; i < this.numArgs; i++) {
      const t = unchecked(args[i]);
      if (t.shape.length != 0 || !scalarDtype(t.dtype)) return BAIL;
      unchecked(regs[i] = loadBits(t));
      unchecked(types[i] = t.dtype);
    }
    const code = this.code;
    for (let k = 0; k < code.length; k++) {
      const ins = unchecked(code[k]);
      switch (ins.kind) {
        case K_CONST: break; // written at compile time
        case K_IDENTITY: {
          if (unchecked(types[ins.a]) != ins.dtype) return BAIL;
          unchecked(regs[ins.out] = regs[ins.a]);
          break;
        }
        case K_BINARY: {
          const d = ins.dtype;
          if (unchecked(types[ins.a]) != d || unchecked(types[ins.b]) != d) return BAIL;
          const y = unchecked(regs[ins.b]);
          // Integer division by zero and negative integer powers are errors: the kernels report them.
          const c = ins.code;
          if ((c == B_DIV || c == B_FLOORDIV || c == B_FLOORMOD) && d != DT_FLOAT && d != DT_DOUBLE && y == 0) return BAIL;
          if (c == B_POW && d != DT_FLOAT && d != DT_DOUBLE) {
            const neg = d == DT_INT8 ? <i8>y < 0 : d == DT_INT16 ? <i16>y < 0 : d == DT_INT32 ? <i32>y < 0 : <i64>y < 0;
            if (neg) return BAIL;
          }
          unchecked(regs[ins.out] = c == B_AND ? (regs[ins.a] != 0 && y != 0 ? 1 : 0)
            : c == B_OR ? (regs[ins.a] != 0 || y != 0 ? 1 : 0) : binary(c, d, unchecked(regs[ins.a]), y));
          break;
        }
        case K_COMPARE: {
          const d = ins.dtype;
          if (unchecked(types[ins.a]) != d || unchecked(types[ins.b]) != d) return BAIL;
          unchecked(regs[ins.out] = compare(ins.code, d, unchecked(regs[ins.a]), unchecked(regs[ins.b])));
          break;
        }
        case K_UNARY: {
          if (unchecked(types[ins.a]) != ins.dtype) return BAIL;
          unchecked(regs[ins.out] = unary(ins.code, ins.dtype, unchecked(regs[ins.a])));
          break;
        }
        case K_CAST: {
          if (unchecked(types[ins.a]) != ins.dtype) return BAIL;
          // A cast to the same dtype is the identity (no DAZ), as in the Cast kernel.
          const x = unchecked(regs[ins.a]);
          unchecked(regs[ins.out] = ins.dtype == ins.outType ? x : castScalar(ins.dtype, ins.outType, x));
          break;
        }
      }
      unchecked(types[ins.out] = ins.outType);
    }
    result.length = 0;
    for (let i = 0; i < this.outputs.length; i++) {
      const s = unchecked(this.outputs[i]);
      if (s < this.numArgs) {
        result.push(unchecked(args[s]));
        continue;
      }
      const t = newTensor(unchecked(types[s]), scalarShape());
      if (t == null) return errorCode();
      storeBits(t, unchecked(regs[s]));
      result.push(t);
    }
    return OK;
  }
}

function binaryCode(name: string): i32 {
  if (name == "AddV2" || name == "Add") return B_ADD;
  if (name == "Sub") return B_SUB;
  if (name == "Mul") return B_MUL;
  if (name == "Div" || name == "RealDiv") return B_DIV;
  if (name == "FloorDiv") return B_FLOORDIV;
  if (name == "FloorMod") return B_FLOORMOD;
  if (name == "Maximum") return B_MAX;
  if (name == "Minimum") return B_MIN;
  if (name == "Pow") return B_POW;
  if (name == "LogicalAnd") return B_AND;
  if (name == "LogicalOr") return B_OR;
  return 0;
}

function compareCode(name: string): i32 {
  if (name == "Equal") return C_EQ;
  if (name == "NotEqual") return C_NE;
  if (name == "Less") return C_LT;
  if (name == "LessEqual") return C_LE;
  if (name == "Greater") return C_GT;
  if (name == "GreaterEqual") return C_GE;
  return 0;
}

function unaryCode(name: string): i32 {
  if (name == "Neg") return U_NEG;
  if (name == "Abs") return U_ABS;
  if (name == "Square") return U_SQUARE;
  if (name == "Sqrt") return U_SQRT;
  if (name == "Rsqrt") return U_RSQRT;
  if (name == "Exp") return U_EXP;
  if (name == "Log") return U_LOG;
  if (name == "Floor") return U_FLOOR;
  if (name == "Ceil") return U_CEIL;
  if (name == "Round") return U_ROUND;
  if (name == "Sign") return U_SIGN;
  if (name == "LogicalNot") return U_NOT;
  return 0;
}

/** The attr `name` as a dtype, or -1 when absent. */
function typeOf(ins: InstructionNode, name: string): i32 {
  return ins.attrs.has(name) ? <i32>ins.attrs.intOr(name, -1) : -1;
}

/**
 * The scalar program of `fn`, or null when an instruction is outside its op set. Instructions
 * were already validated by compileFunction (slots, arity, attrs), so this never records errors.
 */
export function compileScalarProgram(fn: FunctionNode): ScalarProgram | null {
  const n = fn.instructions.length;
  if (n == 0) return null;
  const p = new ScalarProgram();
  p.numArgs = fn.numArgs;
  const slots = fn.numArgs + n;
  p.regs = new StaticArray<u64>(slots);
  p.types = new StaticArray<i32>(slots);
  const code = new StaticArray<Instr>(n);
  let slot = fn.numArgs;
  for (let k = 0; k < n; k++) {
    const ins = unchecked(fn.instructions[k]);
    if (ins.numOutputs != 1) return null;
    const c = new Instr();
    c.out = slot++;
    const name = ins.kernel;
    if (name == "Const") {
      const bytes = constValueBytes(ins);
      if (bytes == null) return null;
      const t = readTensorProto(new Reader(changetype<usize>(bytes), <usize>bytes.byteLength), "Const");
      if (t == null || t.shape.length != 0 || !scalarDtype(t.dtype)) return null;
      c.kind = K_CONST;
      c.outType = t.dtype;
      unchecked(p.regs[c.out] = loadBits(t));
      unchecked(p.types[c.out] = t.dtype);
    } else if (name == "Identity") {
      if (ins.inputs.length != 1) return null;
      c.kind = K_IDENTITY;
      c.dtype = typeOf(ins, "T");
      c.outType = c.dtype;
      c.a = unchecked(ins.inputs[0]);
    } else if (name == "Cast") {
      if (ins.inputs.length != 1 || ins.attrs.boolOr("Truncate", false)) return null;
      c.kind = K_CAST;
      c.dtype = typeOf(ins, "SrcT");
      c.outType = typeOf(ins, "DstT");
      c.a = unchecked(ins.inputs[0]);
    } else if (binaryCode(name) != 0) {
      if (ins.inputs.length != 2) return null;
      c.kind = K_BINARY;
      c.code = binaryCode(name);
      c.dtype = c.code == B_AND || c.code == B_OR ? DT_BOOL : typeOf(ins, "T");
      c.outType = c.dtype;
      c.a = unchecked(ins.inputs[0]);
      c.b = unchecked(ins.inputs[1]);
    } else if (compareCode(name) != 0) {
      if (ins.inputs.length != 2) return null;
      c.kind = K_COMPARE;
      c.code = compareCode(name);
      c.dtype = typeOf(ins, "T");
      c.outType = DT_BOOL;
      c.a = unchecked(ins.inputs[0]);
      c.b = unchecked(ins.inputs[1]);
    } else if (unaryCode(name) != 0) {
      if (ins.inputs.length != 1) return null;
      c.kind = K_UNARY;
      c.code = unaryCode(name);
      c.dtype = c.code == U_NOT ? DT_BOOL : typeOf(ins, "T");
      c.outType = c.dtype;
      c.a = unchecked(ins.inputs[0]);
    } else return null;
    if (c.kind != K_CONST && (!scalarDtype(c.dtype) || !scalarDtype(c.outType))) return null;
    unchecked(code[k] = c);
  }
  p.code = code;
  p.outputs = fn.outputs;
  return p;
}
