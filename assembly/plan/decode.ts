// Decodes the binary plan the host writes (src/core/plan-codec.ts) into plan nodes. The plan uses
// the protobuf wire format with this private schema:
//   DatasetNode { 1: string op; 2: repeated DatasetNode inputs; 3: repeated Attr attrs;
//                 4: repeated Function functions }
//   Attr        { 1: string name; 2: sint64 int; 3: double float; 4: bytes string; 5: bool;
//                 6: packed double list; 7: bytes }
//   Function    { 1: uint32 num_args; 2: repeated Instruction instructions;
//                 3: packed uint32 outputs; 4: string name }
//   Instruction { 1: string kernel; 2: packed uint32 inputs; 3: uint32 num_outputs;
//                 4: repeated Attr attrs }
import { fail, INVALID_ARGUMENT } from "../core/status";
import { Reader, WT_FIXED64, WT_LEN, WT_VARINT } from "../proto/reader";
import { ATTR_BOOL, ATTR_BYTES, ATTR_FLOAT, ATTR_INT, ATTR_LIST, ATTR_STRING, Attrs, AttrValue } from "./attrs";
import { DatasetNode, FunctionNode, InstructionNode } from "./nodes";

/** Deepest nesting of dataset nodes accepted (guards the recursive decoder's stack). */
export const MAX_PLAN_DEPTH: i32 = 256;

function str(r: Reader): string {
  if (!r.bytes()) return "";
  return String.UTF8.decodeUnsafe(r.lenPtr, r.lenLen);
}

function malformed(what: string): void {
  fail(INVALID_ARGUMENT, "malformed plan: " + what);
}

function decodeAttr(r: Reader, into: Attrs): bool {
  const v = new AttrValue();
  let name = "";
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_LEN) name = str(r);
    else if (f == 2 && wt == WT_VARINT) {
      const z = r.varint();
      v.kind = ATTR_INT;
      v.i = <i64>(z >>> 1) ^ -(<i64>(z & 1));
    } else if (f == 3 && wt == WT_FIXED64) {
      v.kind = ATTR_FLOAT;
      v.f = reinterpret<f64>(r.fixed64());
    } else if (f == 4 && wt == WT_LEN) {
      v.kind = ATTR_STRING;
      v.s = str(r);
    } else if (f == 5 && wt == WT_VARINT) {
      v.kind = ATTR_BOOL;
      v.b = r.varint() != 0;
    } else if (f == 6 && wt == WT_LEN) {
      v.kind = ATTR_LIST;
      if (!r.bytes() || (r.lenLen & 7) != 0) {
        malformed("attribute list length is not a multiple of 8");
        return false;
      }
      const n = r.lenLen >> 3;
      const list = new StaticArray<f64>(n);
      for (let i = 0; i < n; i++) unchecked(list[i] = load<f64>(r.lenPtr + (<usize>i << 3)));
      v.list = list;
    } else if (f == 7 && wt == WT_LEN) {
      v.kind = ATTR_BYTES;
      if (!r.bytes()) {
        malformed("truncated bytes attribute");
        return false;
      }
      const buf = new ArrayBuffer(r.lenLen);
      memory.copy(changetype<usize>(buf), r.lenPtr, <usize>r.lenLen);
      v.bytes = buf;
    } else r.skip();
  }
  if (r.bad || v.kind == 0) {
    malformed("bad attribute \"" + name + "\"");
    return false;
  }
  into.map.set(name, v);
  return true;
}

function decodeU32List(r: Reader): StaticArray<i32> {
  const sub = r.sub();
  const out = new Array<i32>();
  while (!sub.done) out.push(<i32>sub.varint());
  if (sub.bad) r.bad = true;
  return StaticArray.fromArray<i32>(out);
}

function decodeInstruction(r: Reader): InstructionNode | null {
  const n = new InstructionNode();
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_LEN) n.kernel = str(r);
    else if (f == 2 && wt == WT_LEN) n.inputs = decodeU32List(r);
    else if (f == 3 && wt == WT_VARINT) n.numOutputs = <i32>r.varint();
    else if (f == 4 && wt == WT_LEN) {
      if (!decodeAttr(r.sub(), n.attrs)) return null;
    } else r.skip();
  }
  if (r.bad) {
    malformed("bad instruction");
    return null;
  }
  n.attrs.owner = "kernel " + n.kernel;
  return n;
}

function decodeFunction(r: Reader): FunctionNode | null {
  const fn = new FunctionNode();
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_VARINT) fn.numArgs = <i32>r.varint();
    else if (f == 2 && wt == WT_LEN) {
      const ins = decodeInstruction(r.sub());
      if (ins == null) return null;
      fn.instructions.push(ins);
    } else if (f == 3 && wt == WT_LEN) fn.outputs = decodeU32List(r);
    else if (f == 4 && wt == WT_LEN) fn.name = str(r);
    else r.skip();
  }
  if (r.bad) {
    malformed("bad function");
    return null;
  }
  return fn;
}

/** Decodes a dataset node and its subtree; null with an error recorded when malformed. */
export function decodeDatasetNode(r: Reader, depth: i32 = 0): DatasetNode | null {
  if (depth > MAX_PLAN_DEPTH) {
    fail(INVALID_ARGUMENT, "plan is nested deeper than " + MAX_PLAN_DEPTH.toString() + " datasets");
    return null;
  }
  const node = new DatasetNode();
  while (r.next()) {
    const f = r.field, wt = r.wireType;
    if (f == 1 && wt == WT_LEN) node.op = str(r);
    else if (f == 2 && wt == WT_LEN) {
      const child = decodeDatasetNode(r.sub(), depth + 1);
      if (child == null) return null;
      node.inputs.push(child);
    } else if (f == 3 && wt == WT_LEN) {
      if (!decodeAttr(r.sub(), node.attrs)) return null;
    } else if (f == 4 && wt == WT_LEN) {
      const fn = decodeFunction(r.sub());
      if (fn == null) return null;
      node.functions.push(fn);
    } else r.skip();
  }
  if (r.bad) {
    malformed("truncated dataset node");
    return null;
  }
  if (node.op.length == 0) {
    malformed("dataset node without an op");
    return null;
  }
  node.attrs.owner = node.op;
  return node;
}
