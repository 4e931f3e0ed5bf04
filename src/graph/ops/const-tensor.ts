/**
 * `Const` nodes for whole tensors (the components of `from_tensors` / `from_tensor_slices`, padded
 * shapes, batch size lists), encoded as TF 2.21 encodes a tensor attr (`SetAttrValue(Tensor)`):
 * more than one element -> `tensor_content` (raw little-endian bytes; for strings, every length as
 * a varint, then all the bytes); one or no element -> the typed `*_val` field (`AsProtoField`).
 * Also the reverse, for lowering: a graph's `TensorProto`s re-wrapped as the serialized
 * `UncompressedElement` the core decodes.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { NodeDefSchema } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import { TensorProtoSchema, type TensorProto } from "../../gen/tensorflow/core/framework/tensor_pb.js";
import type { DataType } from "../../gen/tensorflow/core/framework/types_pb.js";
import { DType, dtypeName } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import { attrTensor, attrType, shapeProto, sortedAttrs } from "../attr-value.js";
import type { GraphBuilder } from "../graph-builder.js";

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** TF's `tensor_content` of a tensor: its raw bytes, or for strings the varint lengths then the bytes. */
export function tensorContent(t: Tensor): Uint8Array {
  if (t.dtype === DType.string) {
    const strs = t.data as readonly Uint8Array[];
    const head: number[] = [];
    let total = 0;
    for (const s of strs) {
      head.push(...varintBytes(s.length));
      total += s.length;
    }
    const out = new Uint8Array(head.length + total);
    out.set(head, 0);
    let p = head.length;
    for (const s of strs) {
      out.set(s, p);
      p += s.length;
    }
    return out;
  }
  if (t.dtype === DType.variant) {
    throw new TfDataError("Unimplemented", "constant tensors of dtype variant cannot be put in a graph");
  }
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}

/** The `TensorProto` TF writes for tensor `t` in a Const's `value` attr. */
export function constTensorProto(t: Tensor): TensorProto {
  const proto = create(TensorProtoSchema, { dtype: t.dtype as DataType, tensorShape: shapeProto([...t.shape]) });
  const n = t.size;
  if (n > 1) {
    proto.tensorContent = tensorContent(t);
    return proto;
  }
  if (n === 0) return proto;
  const data = t.data;
  switch (t.dtype) {
    case DType.float32: proto.floatVal = [(data as Float32Array)[0]]; break;
    case DType.float64: proto.doubleVal = [(data as Float64Array)[0]]; break;
    case DType.int32: case DType.int16: case DType.int8: case DType.uint8: case DType.uint16:
      proto.intVal = [Number((data as Int32Array)[0])]; break;
    case DType.uint32: proto.uint32Val = [(data as Uint32Array)[0]]; break;
    case DType.int64: proto.int64Val = [(data as BigInt64Array)[0]]; break;
    case DType.uint64: proto.uint64Val = [(data as BigUint64Array)[0]]; break;
    case DType.bool: proto.boolVal = [(data as Uint8Array)[0] !== 0]; break;
    case DType.float16: case DType.bfloat16: proto.halfVal = [(data as Uint16Array)[0]]; break;
    case DType.complex64: proto.scomplexVal = [...(data as Float32Array)]; break;
    case DType.complex128: proto.dcomplexVal = [...(data as Float64Array)]; break;
    case DType.string: proto.stringVal = [(data as readonly Uint8Array[])[0]]; break;
    default:
      throw new TfDataError("Unimplemented", `constant tensors of dtype ${dtypeName(t.dtype)} cannot be put in a graph`);
  }
  return proto;
}

/** Adds a `Const` node holding `t` (TF's layout: attrs dtype + value); returns its name. */
export function tensorConst(b: GraphBuilder, t: Tensor): string {
  return b.addNode(create(NodeDefSchema, {
    name: b.uniqueName("Const"),
    op: "Const",
    attr: sortedAttrs({ dtype: attrType(t.dtype), value: attrTensor(constTensorProto(t)) }),
  }));
}

/**
 * A serialized `UncompressedElement { repeated TensorProto components = 1 }` of `protos`: how
 * constant components travel in a plan (the core reads any valid TensorProto encoding).
 */
export function uncompressedElementBytes(protos: readonly TensorProto[]): Uint8Array {
  const parts = protos.map((p) => toBinary(TensorProtoSchema, p));
  const chunks: number[][] = parts.map((p) => [0x0a, ...varintBytes(p.length)]);
  const size = parts.reduce((n, p, i) => n + chunks[i].length + p.length, 0);
  const out = new Uint8Array(size);
  let pos = 0;
  parts.forEach((p, i) => {
    out.set(chunks[i], pos);
    pos += chunks[i].length;
    out.set(p, pos);
    pos += p.length;
  });
  return out;
}

/** The shape of a TensorProto (`null` for unknown rank, which a constant never has). */
export function protoShape(t: TensorProto): number[] {
  return (t.tensorShape?.dim ?? []).map((d) => Number(d.size));
}
