// Elementwise kernels: binary arithmetic, comparisons, logic and unary math, with TF's
// broadcasting, dtype sets and errors. Attr `T` (the operand dtype) is resolved by the lowering.
// float16/bfloat16 are computed in float32 and rounded back (TF's Eigen does the same per op).
import {
  DT_BFLOAT16, DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_STRING,
  DT_UINT16, DT_UINT32, DT_UINT64, DT_UINT8, dtypeName,
} from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { sameShape, Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { broadcastShape, incompatibleShapes } from "./broadcast";
import { binaryLoop, sourceIndex, unaryLoop } from "./elementwise";
import { narrowFromF32, widenToF32 } from "./half";
import {
  checkArity, dtypeAttr, dtypeBit, FLOAT_DTYPES, intElement, isHalfLike, isIntegerDtype, isSignedIntDtype, newTensor,
  REAL_NUMBER_DTYPES,
} from "./helpers";
import { Kernel } from "./kernel";
import {
  AbsOp, AddOp, CeilOp, DivOp, EqualOp, FloorDivOp, FloorModOp, FloorOp, GreaterEqualOp, GreaterOp, IntPowOp,
  LessEqualOp, LessOp, LogicalAndOp, LogicalNotOp, LogicalOrOp, MaxOp, MaxRawOp, MaxVecOp, MinOp, MinRawOp, MinVecOp, MulOp,
  NegOp, NotEqualOp, RoundOp, RsqrtOp, SignOp, SignVecOp, SqrtOp, SquareOp, SubOp,
} from "./math-ops";
import { ExpOp, LogPacketOp, LogTailOp, PowPacketOp, PowTailOp } from "./transcendental";
import { stringAdd, stringCompare } from "./string-cwise";

// One instance per op class: `new` inside run() would allocate on every call.
const ABS_OP = new AbsOp();
const ADD_OP = new AddOp();
const CEIL_OP = new CeilOp();
const DIV_OP = new DivOp();
const EQUAL_OP = new EqualOp();
const EXP_OP = new ExpOp();
const FLOORDIV_OP = new FloorDivOp();
const FLOORMOD_OP = new FloorModOp();
const FLOOR_OP = new FloorOp();
const GREATEREQUAL_OP = new GreaterEqualOp();
const GREATER_OP = new GreaterOp();
const INTPOW_OP = new IntPowOp();
const LESSEQUAL_OP = new LessEqualOp();
const LESS_OP = new LessOp();
const LOGPACKET_OP = new LogPacketOp();
const LOGTAIL_OP = new LogTailOp();
const LOGICALAND_OP = new LogicalAndOp();
const LOGICALNOT_OP = new LogicalNotOp();
const LOGICALOR_OP = new LogicalOrOp();
const MAX_OP = new MaxOp();
const MAXVEC_OP = new MaxVecOp();
const MAXRAW_OP = new MaxRawOp();
const MINRAW_OP = new MinRawOp();
const MIN_OP = new MinOp();
const MINVEC_OP = new MinVecOp();
const MUL_OP = new MulOp();
const NEG_OP = new NegOp();
const NOTEQUAL_OP = new NotEqualOp();
const POWPACKET_OP = new PowPacketOp();
const POWTAIL_OP = new PowTailOp();
const ROUND_OP = new RoundOp();
const RSQRT_OP = new RsqrtOp();
const SIGN_OP = new SignOp();
const SIGNVEC_OP = new SignVecOp();
const SQRT_OP = new SqrtOp();
const SQUARE_OP = new SquareOp();
const SUB_OP = new SubOp();

const ADD: i32 = 1, SUB: i32 = 2, MUL: i32 = 3, DIV: i32 = 4, REALDIV: i32 = 5, FLOORDIV: i32 = 6, FLOORMOD: i32 = 7,
  POW: i32 = 8, MAXIMUM: i32 = 9, MINIMUM: i32 = 10, EQUAL: i32 = 11, NOTEQUAL: i32 = 12, LESS: i32 = 13,
  LESSEQUAL: i32 = 14, GREATER: i32 = 15, GREATEREQUAL: i32 = 16, LAND: i32 = 17, LOR: i32 = 18;

const SIGNED_INTS: u32 = dtypeBit(DT_INT8) | dtypeBit(DT_INT16) | dtypeBit(DT_INT32) | dtypeBit(DT_INT64);
const ADD_DTYPES: u32 = FLOAT_DTYPES | SIGNED_INTS | dtypeBit(DT_UINT8) | dtypeBit(DT_STRING);

/** Binary op name -> [opcode, allowed dtypes of T]. */
function binarySpec(name: string): StaticArray<u32> | null {
  const r = new StaticArray<u32>(2);
  let op: i32 = 0;
  let set: u32 = REAL_NUMBER_DTYPES;
  if (name == "AddV2") op = ADD;
  else if (name == "Add") { op = ADD; set = ADD_DTYPES; }
  else if (name == "Sub") op = SUB;
  else if (name == "Mul") op = MUL;
  else if (name == "Div") op = DIV;
  else if (name == "RealDiv") { op = REALDIV; set = FLOAT_DTYPES; }
  else if (name == "FloorDiv") op = FLOORDIV;
  else if (name == "FloorMod") op = FLOORMOD;
  else if (name == "Pow") { op = POW; set = FLOAT_DTYPES | SIGNED_INTS; }
  else if (name == "Maximum") op = MAXIMUM;
  else if (name == "Minimum") op = MINIMUM;
  else if (name == "Equal") { op = EQUAL; set = REAL_NUMBER_DTYPES | dtypeBit(DT_BOOL) | dtypeBit(DT_STRING); }
  else if (name == "NotEqual") { op = NOTEQUAL; set = REAL_NUMBER_DTYPES | dtypeBit(DT_BOOL) | dtypeBit(DT_STRING); }
  else if (name == "Less") op = LESS;
  else if (name == "LessEqual") op = LESSEQUAL;
  else if (name == "Greater") op = GREATER;
  else if (name == "GreaterEqual") op = GREATEREQUAL;
  else if (name == "LogicalAnd") { op = LAND; set = dtypeBit(DT_BOOL); }
  else if (name == "LogicalOr") { op = LOR; set = dtypeBit(DT_BOOL); }
  else return null;
  unchecked(r[0] = <u32>op);
  unchecked(r[1] = set);
  return r;
}

@inline function isCompare(op: i32): bool {
  return op >= EQUAL;
}

/** Runs arithmetic op `Op` over the numeric dtypes (T == R). */
function arith<Op>(op: Op, dtype: i32, a: Tensor, b: Tensor, out: Tensor): void {
  switch (dtype) {
    case DT_FLOAT: binaryLoop<f32, f32, Op>(op, a, b, out); break;
    case DT_DOUBLE: binaryLoop<f64, f64, Op>(op, a, b, out); break;
    case DT_INT32: binaryLoop<i32, i32, Op>(op, a, b, out); break;
    case DT_INT64: binaryLoop<i64, i64, Op>(op, a, b, out); break;
    case DT_UINT8: binaryLoop<u8, u8, Op>(op, a, b, out); break;
    case DT_INT8: binaryLoop<i8, i8, Op>(op, a, b, out); break;
    case DT_INT16: binaryLoop<i16, i16, Op>(op, a, b, out); break;
    case DT_UINT16: binaryLoop<u16, u16, Op>(op, a, b, out); break;
    case DT_UINT32: binaryLoop<u32, u32, Op>(op, a, b, out); break;
    case DT_UINT64: binaryLoop<u64, u64, Op>(op, a, b, out); break;
  }
}

/** Runs a float-only op (f32/f64). */
function arithFloat<Op>(op: Op, dtype: i32, a: Tensor, b: Tensor, out: Tensor): void {
  if (dtype == DT_FLOAT) binaryLoop<f32, f32, Op>(op, a, b, out);
  else binaryLoop<f64, f64, Op>(op, a, b, out);
}

/** Runs an op over signed ints. */
function arithSigned<Op>(op: Op, dtype: i32, a: Tensor, b: Tensor, out: Tensor): void {
  switch (dtype) {
    case DT_INT32: binaryLoop<i32, i32, Op>(op, a, b, out); break;
    case DT_INT64: binaryLoop<i64, i64, Op>(op, a, b, out); break;
    case DT_INT8: binaryLoop<i8, i8, Op>(op, a, b, out); break;
    case DT_INT16: binaryLoop<i16, i16, Op>(op, a, b, out); break;
  }
}

/** Runs a comparison (bool output) over the numeric dtypes and bool. */
function compare<Op>(op: Op, dtype: i32, a: Tensor, b: Tensor, out: Tensor): void {
  switch (dtype) {
    case DT_FLOAT: binaryLoop<f32, u8, Op>(op, a, b, out); break;
    case DT_DOUBLE: binaryLoop<f64, u8, Op>(op, a, b, out); break;
    case DT_INT32: binaryLoop<i32, u8, Op>(op, a, b, out); break;
    case DT_INT64: binaryLoop<i64, u8, Op>(op, a, b, out); break;
    case DT_UINT8: case DT_BOOL: binaryLoop<u8, u8, Op>(op, a, b, out); break;
    case DT_INT8: binaryLoop<i8, u8, Op>(op, a, b, out); break;
    case DT_INT16: binaryLoop<i16, u8, Op>(op, a, b, out); break;
    case DT_UINT16: binaryLoop<u16, u8, Op>(op, a, b, out); break;
    case DT_UINT32: binaryLoop<u32, u8, Op>(op, a, b, out); break;
    case DT_UINT64: binaryLoop<u64, u8, Op>(op, a, b, out); break;
  }
}

/** True when any element of integer tensor `t` is zero. */
function hasZero(t: Tensor): bool {
  const n = <i32>t.numElements;
  for (let i = 0; i < n; i++) if (intElement(t, i) == 0) return true;
  return false;
}

/** True when any element of signed integer tensor `t` is negative. */
function hasNegative(t: Tensor): bool {
  const n = <i32>t.numElements;
  for (let i = 0; i < n; i++) if (intElement(t, i) < 0) return true;
  return false;
}

/**
 * Eigen evaluates float elementwise ops in 8-wide (float64: 4-wide) packets over the first
 * floor(n/8)*8 outputs and with scalar code over the rest; where the two differ (Maximum/Minimum
 * ties of ±0, Pow and Log specials) the kernel runs the packet op everywhere, then this rewrites
 * the tail with the scalar op.
 */
function rewriteTail<T, Op>(op: Op, a: Tensor, b: Tensor, out: Tensor): void {
  const n = out.numElements;
  const lanes: i64 = sizeof<T>() == 8 ? 4 : 8;
  const start = (n / lanes) * lanes;
  for (let i = start; i < n; i++) {
    const ia = sourceIndex(a.shape, out.shape, i), ib = sourceIndex(b.shape, out.shape, i);
    const x = op.pre<T>(load<T>(a.dataPtr + <usize>ia * sizeof<T>())), y = op.pre<T>(load<T>(b.dataPtr + <usize>ib * sizeof<T>()));
    store<T>(out.dataPtr + <usize>i * sizeof<T>(), op.post<T>(op.apply<T>(x, y)));
  }
}

/** Float op with a packet variant P and a scalar-tail variant S (f32 or f64). */
function packetAndTail<P, S>(p: P, s: S, dtype: i32, a: Tensor, b: Tensor, out: Tensor): void {
  if (dtype == DT_FLOAT) {
    binaryLoop<f32, f32, P>(p, a, b, out);
    rewriteTail<f32, S>(s, a, b, out);
  } else {
    binaryLoop<f64, f64, P>(p, a, b, out);
    rewriteTail<f64, S>(s, a, b, out);
  }
}

class BinaryKernel extends Kernel {
  op: i32 = 0;
  dtype: i32 = 0;
  /** Equal/NotEqual attr incompatible_shape_error: false answers a scalar for shapes that do not broadcast. */
  strictShapes: bool = true;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    let a = unchecked(inputs[0]), b = unchecked(inputs[1]);
    const dtype = this.dtype;
    if (a.dtype != dtype || b.dtype != dtype) {
      return fail(INVALID_ARGUMENT, this.name + ": inputs are " + dtypeName(a.dtype) + " and " + dtypeName(b.dtype) + ", attr T is " +
        dtypeName(dtype));
    }
    let shape = a.shape;
    if (!sameShape(a.shape, b.shape)) {
      const s = broadcastShape(a.shape, b.shape);
      if (s == null) {
        if (!this.strictShapes && (this.op == EQUAL || this.op == NOTEQUAL)) {
          const r = newTensor(DT_BOOL, new StaticArray<i64>(0));
          if (r == null) return errorCode();
          store<u8>(r.dataPtr, this.op == NOTEQUAL ? 1 : 0);
          outputs.push(r);
          return OK;
        }
        return fail(INVALID_ARGUMENT, incompatibleShapes(a.shape, b.shape));
      }
      shape = s;
    }
    const op = this.op;
    const cmp = isCompare(op);
    if (dtype == DT_STRING) {
      const out = op == ADD ? stringAdd(a, b, shape) : stringCompare(op == EQUAL, a, b, shape);
      if (out == null) return errorCode();
      outputs.push(out);
      return OK;
    }
    if (isIntegerDtype(dtype) && (op == DIV || op == FLOORDIV || op == FLOORMOD) && hasZero(b)) {
      if (numElementsOf(shape) > 0) return fail(INVALID_ARGUMENT, "Integer division by zero");
    }
    if (op == POW && isSignedIntDtype(dtype) && hasNegative(b)) {
      if (numElementsOf(shape) > 0) return fail(INVALID_ARGUMENT, "Integers to negative integer powers are not allowed");
    }
    let work = dtype;
    if (isHalfLike(dtype)) {
      const wa = widenToF32(a);
      const wb = widenToF32(b);
      if (wa == null || wb == null) return errorCode();
      a = wa;
      b = wb;
      work = DT_FLOAT;
    }
    const out = newTensor(cmp ? DT_BOOL : work, shape);
    if (out == null) return errorCode();
    switch (op) {
      case ADD: arith<AddOp>(ADD_OP, work, a, b, out); break;
      case SUB: arith<SubOp>(SUB_OP, work, a, b, out); break;
      case MUL: arith<MulOp>(MUL_OP, work, a, b, out); break;
      case DIV: arith<DivOp>(DIV_OP, work, a, b, out); break;
      case REALDIV: arithFloat<DivOp>(DIV_OP, work, a, b, out); break;
      case FLOORDIV:
        if (work != dtype) {
          // 16-bit floats: the quotient is rounded to the dtype before floor (Eigen's half ops).
          arithFloat<DivOp>(DIV_OP, work, a, b, out);
          const q = narrowFromF32(out, dtype);
          if (q == null) return errorCode();
          const wq = widenToF32(q);
          if (wq == null) return errorCode();
          unaryLoop<f32, f32, FloorOp>(FLOOR_OP, wq, out);
        } else arith<FloorDivOp>(FLOORDIV_OP, work, a, b, out);
        break;
      case FLOORMOD: arith<FloorModOp>(FLOORMOD_OP, work, a, b, out); break;
      case POW:
        // 16-bit float Pow has no packet path in Eigen: glibc semantics for every element.
        if (dtype == DT_BFLOAT16 || dtype == DT_HALF) binaryLoop<f32, f32, PowTailOp>(POWTAIL_OP, a, b, out);
        else if (work == DT_FLOAT || work == DT_DOUBLE) packetAndTail<PowPacketOp, PowTailOp>(POWPACKET_OP, POWTAIL_OP, work, a, b, out);
        else arithSigned<IntPowOp>(INTPOW_OP, work, a, b, out);
        break;
      case MAXIMUM:
        // float32/float64 packets give the second operand on ±0 ties; 16-bit floats do not.
        if (dtype == DT_FLOAT || dtype == DT_DOUBLE) packetAndTail<MaxVecOp, MaxOp>(MAXVEC_OP, MAX_OP, work, a, b, out);
        else if (work == DT_FLOAT) {
          // 16-bit floats: the scalar tail compares through DAZ but returns the operand itself.
          binaryLoop<f32, f32, MaxOp>(MAX_OP, a, b, out);
          rewriteTail<f32, MaxRawOp>(MAXRAW_OP, a, b, out);
        } else arith<MaxOp>(MAX_OP, work, a, b, out);
        break;
      case MINIMUM:
        if (dtype == DT_FLOAT || dtype == DT_DOUBLE) packetAndTail<MinVecOp, MinOp>(MINVEC_OP, MIN_OP, work, a, b, out);
        else if (work == DT_FLOAT) {
          binaryLoop<f32, f32, MinOp>(MIN_OP, a, b, out);
          rewriteTail<f32, MinRawOp>(MINRAW_OP, a, b, out);
        } else arith<MinOp>(MIN_OP, work, a, b, out);
        break;
      case EQUAL: compare<EqualOp>(EQUAL_OP, work, a, b, out); break;
      case NOTEQUAL: compare<NotEqualOp>(NOTEQUAL_OP, work, a, b, out); break;
      case LESS: compare<LessOp>(LESS_OP, work, a, b, out); break;
      case LESSEQUAL: compare<LessEqualOp>(LESSEQUAL_OP, work, a, b, out); break;
      case GREATER: compare<GreaterOp>(GREATER_OP, work, a, b, out); break;
      case GREATEREQUAL: compare<GreaterEqualOp>(GREATEREQUAL_OP, work, a, b, out); break;
      case LAND: binaryLoop<u8, u8, LogicalAndOp>(LOGICALAND_OP, a, b, out); break;
      case LOR: binaryLoop<u8, u8, LogicalOrOp>(LOGICALOR_OP, a, b, out); break;
    }
    if (!cmp && work != dtype) {
      // FloorMod and 16-bit float Pow run scalar code in Eigen (NaN signs survive the rounding).
      const scalar = op == FLOORMOD || op == POW;
      const narrowed = narrowFromF32(out, dtype, scalar ? 0 : 8);
      if (narrowed == null) return errorCode();
      outputs.push(narrowed);
    } else outputs.push(out);
    return OK;
  }
}

function numElementsOf(shape: StaticArray<i64>): i64 {
  let n: i64 = 1;
  for (let i = 0; i < shape.length; i++) n *= unchecked(shape[i]);
  return n;
}

/** AddV2, Sub, Mul, Div, RealDiv, FloorDiv, FloorMod, Pow, Maximum, Minimum, comparisons, LogicalAnd/Or. Attr T. */
export function makeBinary(ins: InstructionNode): Kernel | null {
  const spec = binarySpec(ins.kernel);
  if (spec == null) {
    fail(INVALID_ARGUMENT, "not a binary elementwise kernel: " + ins.kernel);
    return null;
  }
  if (!checkArity(ins, 2, 1)) return null;
  const op = <i32>unchecked(spec[0]);
  let dtype: i32 = DT_BOOL;
  if (op == LAND || op == LOR) {
    if (ins.attrs.has("T")) dtype = dtypeAttr(ins, "T", unchecked(spec[1]));
  } else dtype = dtypeAttr(ins, "T", unchecked(spec[1]));
  if (dtype < 0) return null;
  const k = new BinaryKernel();
  k.op = op;
  k.dtype = dtype;
  k.strictShapes = ins.attrs.boolOr("incompatible_shape_error", true);
  return k;
}

// ---- unary ----

const NEG: i32 = 1, ABS: i32 = 2, SQUARE: i32 = 3, SQRT: i32 = 4, RSQRT: i32 = 5, EXP: i32 = 6, LOG: i32 = 7,
  ROUND: i32 = 8, FLOOR: i32 = 9, CEIL: i32 = 10, SIGN: i32 = 11, LNOT: i32 = 12;

function unarySpec(name: string): StaticArray<u32> | null {
  const r = new StaticArray<u32>(2);
  let op: i32 = 0;
  let set: u32 = FLOAT_DTYPES;
  if (name == "Neg") { op = NEG; set = FLOAT_DTYPES | SIGNED_INTS; }
  else if (name == "Abs") { op = ABS; set = FLOAT_DTYPES | SIGNED_INTS; }
  else if (name == "Square") { op = SQUARE; set = REAL_NUMBER_DTYPES; }
  else if (name == "Sqrt") op = SQRT;
  else if (name == "Rsqrt") op = RSQRT;
  else if (name == "Exp") op = EXP;
  else if (name == "Log") op = LOG;
  else if (name == "Round") { op = ROUND; set = FLOAT_DTYPES | dtypeBit(DT_INT32) | dtypeBit(DT_INT64); }
  else if (name == "Floor") op = FLOOR;
  else if (name == "Ceil") op = CEIL;
  else if (name == "Sign") { op = SIGN; set = FLOAT_DTYPES | SIGNED_INTS; }
  else if (name == "LogicalNot") { op = LNOT; set = dtypeBit(DT_BOOL); }
  else return null;
  unchecked(r[0] = <u32>op);
  unchecked(r[1] = set);
  return r;
}

function unaryAll<Op>(op: Op, dtype: i32, a: Tensor, out: Tensor): void {
  switch (dtype) {
    case DT_FLOAT: unaryLoop<f32, f32, Op>(op, a, out); break;
    case DT_DOUBLE: unaryLoop<f64, f64, Op>(op, a, out); break;
    case DT_INT32: unaryLoop<i32, i32, Op>(op, a, out); break;
    case DT_INT64: unaryLoop<i64, i64, Op>(op, a, out); break;
    case DT_UINT8: unaryLoop<u8, u8, Op>(op, a, out); break;
    case DT_INT8: unaryLoop<i8, i8, Op>(op, a, out); break;
    case DT_INT16: unaryLoop<i16, i16, Op>(op, a, out); break;
    case DT_UINT16: unaryLoop<u16, u16, Op>(op, a, out); break;
    case DT_UINT32: unaryLoop<u32, u32, Op>(op, a, out); break;
    case DT_UINT64: unaryLoop<u64, u64, Op>(op, a, out); break;
  }
}

/** Rewrites the scalar-path tail of a unary float op (see rewriteTail). */
function unaryTail<T, Op>(op: Op, a: Tensor, out: Tensor): void {
  const n = out.numElements;
  const lanes: i64 = sizeof<T>() == 8 ? 4 : 8;
  for (let i = (n / lanes) * lanes; i < n; i++) {
    const x = op.pre<T>(load<T>(a.dataPtr + <usize>i * sizeof<T>()));
    store<T>(out.dataPtr + <usize>i * sizeof<T>(), op.post<T>(op.apply<T>(x)));
  }
}

function unaryFloat<Op>(op: Op, dtype: i32, a: Tensor, out: Tensor): void {
  if (dtype == DT_FLOAT) unaryLoop<f32, f32, Op>(op, a, out);
  else unaryLoop<f64, f64, Op>(op, a, out);
}

class UnaryKernel extends Kernel {
  op: i32 = 0;
  dtype: i32 = 0;

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    let a = unchecked(inputs[0]);
    const dtype = this.dtype;
    if (a.dtype != dtype) return fail(INVALID_ARGUMENT, this.name + ": input is " + dtypeName(a.dtype) + ", attr T is " + dtypeName(dtype));
    if (isHalfLike(dtype) && (this.op == NEG || this.op == ABS)) {
      // Bitwise on x86 (Eigen flips or clears the sign bit of the 16-bit values, NaNs included).
      const r = newTensor(dtype, a.shape);
      if (r == null) return errorCode();
      const n = <i32>a.numElements;
      const neg = this.op == NEG;
      for (let i = 0; i < n; i++) {
        const h = load<u16>(a.dataPtr + (<usize>i << 1));
        store<u16>(r.dataPtr + (<usize>i << 1), neg ? h ^ 0x8000 : h & 0x7fff);
      }
      outputs.push(r);
      return OK;
    }
    let work = dtype;
    if (isHalfLike(dtype)) {
      const wa = widenToF32(a);
      if (wa == null) return errorCode();
      a = wa;
      work = DT_FLOAT;
    }
    const out = newTensor(work, a.shape);
    if (out == null) return errorCode();
    switch (this.op) {
      case NEG: unaryAll<NegOp>(NEG_OP, work, a, out); break;
      case ABS: unaryAll<AbsOp>(ABS_OP, work, a, out); break;
      case SQUARE: unaryAll<SquareOp>(SQUARE_OP, work, a, out); break;
      case SQRT: unaryFloat<SqrtOp>(SQRT_OP, work, a, out); break;
      case RSQRT: unaryFloat<RsqrtOp>(RSQRT_OP, work, a, out); break;
      case EXP: unaryFloat<ExpOp>(EXP_OP, work, a, out); break;
      case LOG:
        unaryFloat<LogPacketOp>(LOGPACKET_OP, work, a, out);
        if (work == DT_FLOAT) unaryTail<f32, LogTailOp>(LOGTAIL_OP, a, out);
        else unaryTail<f64, LogTailOp>(LOGTAIL_OP, a, out);
        break;
      case ROUND: unaryAll<RoundOp>(ROUND_OP, work, a, out); break;
      case FLOOR: unaryFloat<FloorOp>(FLOOR_OP, work, a, out); break;
      case CEIL: unaryFloat<CeilOp>(CEIL_OP, work, a, out); break;
      case SIGN:
        if (work == DT_FLOAT) {
          unaryLoop<f32, f32, SignVecOp>(SIGNVEC_OP, a, out);
          unaryTail<f32, SignOp>(SIGN_OP, a, out);
        } else if (work == DT_DOUBLE) {
          unaryLoop<f64, f64, SignVecOp>(SIGNVEC_OP, a, out);
          unaryTail<f64, SignOp>(SIGN_OP, a, out);
        } else unaryAll<SignOp>(SIGN_OP, work, a, out);
        break;
      case LNOT: unaryLoop<u8, u8, LogicalNotOp>(LOGICALNOT_OP, a, out); break;
    }
    if (work != dtype) {
      const narrowed = narrowFromF32(out, dtype);
      if (narrowed == null) return errorCode();
      outputs.push(narrowed);
    } else outputs.push(out);
    return OK;
  }
}

/** Neg, Abs, Square, Sqrt, Rsqrt, Exp, Log, Round, Floor, Ceil, Sign, LogicalNot. Attr T. */
export function makeUnary(ins: InstructionNode): Kernel | null {
  const spec = unarySpec(ins.kernel);
  if (spec == null) {
    fail(INVALID_ARGUMENT, "not a unary elementwise kernel: " + ins.kernel);
    return null;
  }
  if (!checkArity(ins, 1, 1)) return null;
  const op = <i32>unchecked(spec[0]);
  let dtype: i32 = DT_BOOL;
  if (op != LNOT || ins.attrs.has("T")) dtype = dtypeAttr(ins, "T", unchecked(spec[1]));
  if (dtype < 0) return null;
  const k = new UnaryKernel();
  k.op = op;
  k.dtype = dtype;
  return k;
}

/** The op names makeBinary handles. */
export const BINARY_KERNELS: string[] = [
  "AddV2", "Add", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Pow", "Maximum", "Minimum", "Equal", "NotEqual",
  "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr",
];

/** The op names makeUnary handles. */
export const UNARY_KERNELS: string[] = [
  "Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Round", "Floor", "Ceil", "Sign", "LogicalNot",
];
