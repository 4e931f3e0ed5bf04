/**
 * Encodes a `DatasetPlan` into the compact binary the wasm core decodes (assembly/plan/decode.ts).
 * The encoding is generic over ops: every plan field that is a dataset becomes an input, every
 * function-valued field a named function, everything else an attribute. New ops and kernels need
 * no change here. Wire format (protobuf encoding, private schema):
 *   DatasetNode { 1: op; 2: inputs; 3: attrs; 4: functions }
 *   Attr { 1: name; 2: sint64; 3: double; 4: string; 5: bool; 6: packed double list; 7: bytes }
 *   Function { 1: num_args; 2: instructions; 3: packed outputs; 4: name }
 *   Instruction { 1: kernel; 2: packed inputs; 3: num_outputs; 4: attrs }
 */
import { TfDataError } from "./errors.js";
import type { DatasetPlan, FunctionPlan, Instruction } from "./plan.js";

/** Deepest plan nesting the encoder accepts (the core has the same limit). */
export const MAX_PLAN_DEPTH = 256;

const encoder = new TextEncoder();

class Buf {
  bytes = new Uint8Array(256);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.bytes.subarray(0, this.len));
    this.bytes = b;
  }

  varint(v: bigint | number): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.bytes[this.len++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.bytes[this.len++] = Number(x);
  }

  tag(field: number, wt: number): void {
    this.varint((field << 3) | wt);
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.bytes.set(b, this.len);
    this.len += b.length;
  }

  lenField(field: number, body: Uint8Array): void {
    this.tag(field, 2);
    this.varint(body.length);
    this.raw(body);
  }

  double(v: number): void {
    this.ensure(8);
    new DataView(this.bytes.buffer).setFloat64(this.len, v, true);
    this.len += 8;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.len);
  }
}

type AttrInput = number | bigint | boolean | string | readonly number[] | Uint8Array;

function encodeAttr(name: string, value: AttrInput, where: string): Uint8Array {
  const b = new Buf();
  b.lenField(1, encoder.encode(name));
  if (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))) {
    const v = BigInt(value);
    if (v < -(1n << 63n) || v >= 1n << 64n) {
      throw new TfDataError("InvalidArgument", `${where}: attribute ${name} = ${v} does not fit in 64 bits`);
    }
    b.tag(2, 0);
    b.varint(BigInt.asUintN(64, (v << 1n) ^ (v < 0n ? -1n : 0n)));
  } else if (typeof value === "number") {
    b.tag(3, 1);
    b.double(value);
  } else if (typeof value === "string") {
    b.lenField(4, encoder.encode(value));
  } else if (typeof value === "boolean") {
    b.tag(5, 0);
    b.varint(value ? 1 : 0);
  } else if (value instanceof Uint8Array) {
    // Raw bytes (e.g. serialized tensors), kept apart from strings, which the core decodes as UTF-8.
    b.lenField(7, value);
  } else if (Array.isArray(value)) {
    const body = new Uint8Array(value.length * 8);
    const dv = new DataView(body.buffer);
    value.forEach((x, i) => {
      if (typeof x !== "number") throw new TfDataError("InvalidArgument", `${where}: attribute ${name} must be a list of numbers`);
      dv.setFloat64(i * 8, x, true);
    });
    b.lenField(6, body);
  } else {
    throw new TfDataError("InvalidArgument", `${where}: attribute ${name} has an unsupported value ${String(value)}`);
  }
  return b.finish();
}

function packedU32(values: readonly number[], what: string): Uint8Array {
  const b = new Buf();
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new TfDataError("InvalidArgument", `${what}: slot ${v} is not a non-negative integer`);
    b.varint(v);
  }
  return b.finish();
}

function encodeInstruction(ins: Instruction, where: string): Uint8Array {
  const b = new Buf();
  if (typeof ins.kernel !== "string" || ins.kernel === "") throw new TfDataError("InvalidArgument", `${where}: instruction without a kernel name`);
  b.lenField(1, encoder.encode(ins.kernel));
  b.lenField(2, packedU32(ins.inputs, `${where} ${ins.kernel} inputs`));
  b.tag(3, 0);
  b.varint(ins.numOutputs);
  for (const [k, v] of Object.entries(ins.attrs ?? {})) {
    if (v === undefined) continue;
    b.lenField(4, encodeAttr(k, v as AttrInput, `${where} ${ins.kernel}`));
  }
  return b.finish();
}

function encodeFunction(name: string, fn: FunctionPlan, where: string): Uint8Array {
  const b = new Buf();
  b.tag(1, 0);
  b.varint(fn.numArgs);
  fn.instructions.forEach((ins, i) => b.lenField(2, encodeInstruction(ins, `${where}.${name} instruction ${i}`)));
  b.lenField(3, packedU32(fn.outputs, `${where}.${name} outputs`));
  b.lenField(4, encoder.encode(name));
  return b.finish();
}

function isDatasetPlan(v: unknown): v is DatasetPlan {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { op?: unknown }).op === "string";
}

function isFunctionPlan(v: unknown): v is FunctionPlan {
  return typeof v === "object" && v !== null && Array.isArray((v as { instructions?: unknown }).instructions);
}

function encodeNode(plan: DatasetPlan, depth: number): Uint8Array {
  if (depth > MAX_PLAN_DEPTH) throw new TfDataError("InvalidArgument", `plan is nested deeper than ${MAX_PLAN_DEPTH} datasets`);
  if (!isDatasetPlan(plan)) throw new TfDataError("InvalidArgument", `plan node must be an object with an "op", got ${String(plan)}`);
  const b = new Buf();
  b.lenField(1, encoder.encode(plan.op));
  for (const [key, value] of Object.entries(plan)) {
    if (key === "op" || value === undefined) continue;
    if (isDatasetPlan(value)) b.lenField(2, encodeNode(value, depth + 1));
    else if (Array.isArray(value) && value.length > 0 && value.every(isDatasetPlan)) {
      for (const v of value) b.lenField(2, encodeNode(v, depth + 1));
    } else if (isFunctionPlan(value)) b.lenField(4, encodeFunction(key, value, plan.op));
    else b.lenField(3, encodeAttr(key, value as AttrInput, plan.op));
  }
  return b.finish();
}

/** The binary form of `plan` for the core's `iterCreate`. Throws InvalidArgument on a malformed plan. */
export function encodePlan(plan: DatasetPlan): Uint8Array {
  return encodeNode(plan, 0);
}
