// StringToNumber and AsString (tf.strings.to_number / tf.strings.as_string).
import {
  DT_BFLOAT16, DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_HALF, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_STRING, DT_UINT16,
  DT_UINT32, DT_UINT64, DT_UINT8, dtypeName,
} from "../core/dtype";
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { InstructionNode } from "../plan/nodes";
import { bf16ToF32, checkArity, dtypeAttr, dtypeBit, f16ToF32, newTensor, REAL_NUMBER_DTYPES } from "./helpers";
import { Kernel } from "./kernel";
import { formatDouble, formatInteger, FormatSpec, formatString } from "./number-format";
import { parseFloatBytes, parseIntBytes } from "./number-parse";
import { flush } from "./denormal";

/** The out_type dtypes of StringToNumber. */
export const STRING_TO_NUMBER_DTYPES: u32 = dtypeBit(DT_FLOAT) | dtypeBit(DT_DOUBLE) | dtypeBit(DT_INT32) | dtypeBit(DT_INT64) |
  dtypeBit(DT_UINT32) | dtypeBit(DT_UINT64);

class StringToNumberKernel extends Kernel {
  outType: i32 = DT_FLOAT;
  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    if (t.dtype != DT_STRING) return fail(INVALID_ARGUMENT, "StringToNumber: input is " + dtypeName(t.dtype) + ", expected string");
    const out = newTensor(this.outType, t.shape);
    if (out == null) return errorCode();
    const n = <i32>t.numElements;
    const ok = new StaticArray<bool>(1);
    const o = out.dataPtr;
    const d = this.outType;
    for (let i = 0; i < n; i++) {
      const p = t.stringPtr(i);
      const len = <i32>t.stringLen(i);
      if (d == DT_FLOAT || d == DT_DOUBLE) {
        const v = parseFloatBytes(p, len, d == DT_FLOAT, ok);
        if (unchecked(ok[0])) {
          if (d == DT_FLOAT) store<f32>(o + (<usize>i << 2), <f32>v);
          else store<f64>(o + (<usize>i << 3), v);
        }
      } else {
        const unsigned = d == DT_UINT32 || d == DT_UINT64;
        const bits = d == DT_INT32 || d == DT_UINT32 ? 32 : 64;
        const v = parseIntBytes(p, len, unsigned, bits, ok);
        if (unchecked(ok[0])) {
          if (bits == 32) store<i32>(o + (<usize>i << 2), <i32>v);
          else store<i64>(o + (<usize>i << 3), v);
        }
      }
      if (!unchecked(ok[0])) {
        return fail(INVALID_ARGUMENT, "StringToNumberOp could not correctly convert string: " + String.UTF8.decodeUnsafe(p, <usize>len));
      }
    }
    outputs.push(out);
    return OK;
  }
}

/** StringToNumber: attr out_type. */
export function makeStringToNumber(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 1, 1)) return null;
  const k = new StringToNumberKernel();
  if (ins.attrs.has("out_type")) {
    const d = dtypeAttr(ins, "out_type", STRING_TO_NUMBER_DTYPES);
    if (d < 0) return null;
    k.outType = d;
  }
  return k;
}

/** The dtypes AsString formats (complex and variant are not supported here). */
export const AS_STRING_DTYPES: u32 = REAL_NUMBER_DTYPES | dtypeBit(DT_BOOL) | dtypeBit(DT_STRING);

class AsStringKernel extends Kernel {
  dtype: i32 = 0;
  spec: FormatSpec = new FormatSpec();
  /** 'f', 'e' or 'g' for floats. */
  conv: i32 = 102;

  format(t: Tensor, i: i32): string {
    const p = t.dataPtr;
    const s = this.spec;
    switch (this.dtype) {
      case DT_BOOL: return load<u8>(p + <usize>i) != 0 ? "true" : "false";
      case DT_INT8: return formatInteger(<i64>load<i8>(p + <usize>i), false, s);
      case DT_UINT8: return formatInteger(<i64>load<u8>(p + <usize>i), true, s);
      case DT_INT16: return formatInteger(<i64>load<i16>(p + (<usize>i << 1)), false, s);
      case DT_UINT16: return formatInteger(<i64>load<u16>(p + (<usize>i << 1)), true, s);
      case DT_INT32: return formatInteger(<i64>load<i32>(p + (<usize>i << 2)), false, s);
      case DT_UINT32: return formatInteger(<i64>load<u32>(p + (<usize>i << 2)), true, s);
      case DT_INT64: return formatInteger(load<i64>(p + (<usize>i << 3)), false, s);
      case DT_UINT64: return formatInteger(load<i64>(p + (<usize>i << 3)), true, s);
      // TF's values reach snprintf through DAZ (subnormals print as zero).
      case DT_FLOAT: return formatDouble(<f64>flush<f32>(load<f32>(p + (<usize>i << 2))), this.conv, s);
      case DT_DOUBLE: return formatDouble(flush<f64>(load<f64>(p + (<usize>i << 3))), this.conv, s);
      case DT_HALF: return formatDouble(<f64>f16ToF32(load<u16>(p + (<usize>i << 1))), this.conv, s);
      case DT_BFLOAT16: return formatDouble(<f64>flush<f32>(bf16ToF32(load<u16>(p + (<usize>i << 1)))), this.conv, s);
    }
    return "";
  }

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    const t = unchecked(inputs[0]);
    if (t.dtype != this.dtype) return fail(INVALID_ARGUMENT, "AsString: input is " + dtypeName(t.dtype) + ", attr T is " + dtypeName(this.dtype));
    const n = <i32>t.numElements;
    const parts = new Array<ArrayBuffer>(n);
    let total: u64 = 0;
    for (let i = 0; i < n; i++) {
      let b: ArrayBuffer;
      if (this.dtype == DT_STRING) {
        // Byte strings are padded by byte count, as printf("%*s") does.
        const len = <i32>t.stringLen(i);
        const w = this.spec.width;
        const padLen = w > len ? w - len : 0;
        b = new ArrayBuffer(len + padLen);
        const dst = changetype<usize>(b);
        if (this.spec.left) {
          memory.copy(dst, t.stringPtr(i), <usize>len);
          memory.fill(dst + <usize>len, 32, <usize>padLen);
        } else {
          memory.fill(dst, 32, <usize>padLen);
          memory.copy(dst + <usize>padLen, t.stringPtr(i), <usize>len);
        }
      } else b = String.UTF8.encode(this.format(t, i));
      unchecked(parts[i] = b);
      total += <u64>b.byteLength;
    }
    const out = newTensor(DT_STRING, t.shape, total);
    if (out == null) return errorCode();
    const offs = out.offsets!;
    let pos: u32 = 0;
    for (let i = 0; i < n; i++) {
      const b = unchecked(parts[i]);
      unchecked(offs[i] = pos);
      memory.copy(out.dataPtr + <usize>pos, changetype<usize>(b), <usize>b.byteLength);
      pos += <u32>b.byteLength;
    }
    unchecked(offs[n] = pos);
    outputs.push(out);
    return OK;
  }
}

/** AsString: attrs T, precision, scientific, shortest, width, fill (validated as TF's constructor does). */
export function makeAsString(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 1, 1)) return null;
  const d = dtypeAttr(ins, "T", AS_STRING_DTYPES);
  if (d < 0) return null;
  const precision = <i32>ins.attrs.intOr("precision", -1);
  const scientific = ins.attrs.boolOr("scientific", false);
  const shortest = ins.attrs.boolOr("shortest", false);
  const width = <i32>ins.attrs.intOr("width", -1);
  const fill = ins.attrs.has("fill") ? ins.attrs.string("fill") : "";
  if (errorCode() != OK) return null;
  const isFloat = d == DT_FLOAT || d == DT_DOUBLE || d == DT_HALF || d == DT_BFLOAT16;
  if (!isFloat && d != DT_STRING) {
    if (scientific || shortest) {
      fail(INVALID_ARGUMENT, "scientific and shortest format not supported for datatype " + dtypeName(d));
      return null;
    }
    if (precision >= 0) {
      fail(INVALID_ARGUMENT, "precision not supported for datatype " + dtypeName(d));
      return null;
    }
  }
  if (String.UTF8.byteLength(fill) > 1) {
    fail(INVALID_ARGUMENT, "Fill string must be one or fewer characters");
    return null;
  }
  if (scientific && shortest) {
    fail(INVALID_ARGUMENT, "Cannot select both scientific and shortest notation");
    return null;
  }
  const k = new AsStringKernel();
  k.dtype = d;
  const s = k.spec;
  if (fill.length > 0) {
    const c = fill.charCodeAt(0);
    if (c == 32) s.space = true;
    else if (c == 43) s.plus = true;
    else if (c == 45) s.left = true;
    else if (c == 48) s.zero = true;
    else if (c == 35) s.alt = true;
    else {
      fail(INVALID_ARGUMENT, "Fill argument not supported: \"" + fill + "\"");
      return null;
    }
  }
  s.width = width;
  if (isFloat) s.precision = precision;
  k.conv = shortest ? 103 : scientific ? 101 : 102;
  return k;
}
