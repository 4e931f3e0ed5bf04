// Const: the tensor of a function body's `Const` node, decoded once when the plan is instantiated
// and handed out on every call (tensors are immutable). The lowering passes TF's TensorProto
// serialized in bytes attr `value` (base64 text is accepted too).
import { errorCode, fail, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { dtypeName } from "../core/dtype";
import { readTensorProto } from "../codec/tensor-proto";
import { Reader } from "../proto/reader";
import { InstructionNode } from "../plan/nodes";
import { ATTR_BYTES } from "../plan/attrs";
import { checkArity } from "./helpers";
import { Kernel } from "./kernel";

function b64Value(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 43 || c == 45) return 62; // '+' or URL-safe '-'
  if (c == 47 || c == 95) return 63; // '/' or URL-safe '_'
  return -1;
}

/** Decodes standard base64 (padding optional); null when malformed. */
export function base64Decode(s: string): ArrayBuffer | null {
  let len = s.length;
  while (len > 0 && s.charCodeAt(len - 1) == 61) len--;
  if (len % 4 == 1) return null;
  const out = new ArrayBuffer((len * 3) >> 2);
  const p = changetype<usize>(out);
  let acc: u32 = 0, bits: i32 = 0, o: i32 = 0;
  for (let i = 0; i < len; i++) {
    const v = b64Value(s.charCodeAt(i));
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      store<u8>(p + <usize>o, <u8>(acc >>> <u32>bits));
      o++;
    }
  }
  return out;
}

class ConstKernel extends Kernel {
  value: Tensor;
  constructor(value: Tensor) {
    super();
    this.value = value;
  }

  run(inputs: Array<Tensor>, outputs: Array<Tensor>): i32 {
    outputs.push(this.value);
    return OK;
  }
}

/** The serialized TensorProto of a Const instruction (bytes attr, or base64 text), or null. */
export function constValueBytes(ins: InstructionNode): ArrayBuffer | null {
  const v = ins.attrs.map.has("value") ? ins.attrs.map.get("value") : null;
  if (v != null && v.kind == ATTR_BYTES) return v.bytes;
  const b64 = ins.attrs.string("value");
  if (errorCode() != OK) return null;
  const bytes = base64Decode(b64);
  if (bytes == null) fail(INVALID_ARGUMENT, "Const: attr value is neither bytes nor base64");
  return bytes;
}

/** Const: attr `value` (a serialized TensorProto), optional `dtype` checked against it. */
export function makeConst(ins: InstructionNode): Kernel | null {
  if (!checkArity(ins, 0, 1)) return null;
  const bytes = constValueBytes(ins);
  if (bytes == null) return null;
  const t = readTensorProto(new Reader(changetype<usize>(bytes), <usize>bytes.byteLength), "Const value");
  if (t == null) return null;
  if (ins.attrs.has("dtype")) {
    const d = <i32>ins.attrs.int("dtype");
    if (d != t.dtype) {
      fail(INVALID_ARGUMENT, "Const: attr dtype is " + dtypeName(d) + " but the value is " + dtypeName(t.dtype));
      return null;
    }
  }
  return new ConstKernel(t);
}
