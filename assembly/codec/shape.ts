// TensorShapeProto { repeated Dim dim = 2; bool unknown_rank = 3; }  Dim { int64 size = 1; string name = 2; }
import { fail, INVALID_ARGUMENT } from "../core/status";
import { Reader, WT_LEN, WT_VARINT } from "../proto/reader";
import { lenFieldSize, varintFieldSize, Writer } from "../proto/writer";

/** Most dimensions of a shape (TF's limit is 254). */
export const MAX_RANK: i32 = 254;

function dimSize(d: i64): i32 {
  return d != 0 ? varintFieldSize(1, <u64>d) : 0;
}

/** Serialized size of a TensorShapeProto for `shape`. */
export function shapeProtoSize(shape: StaticArray<i64>): i32 {
  let n = 0;
  for (let i = 0; i < shape.length; i++) n += lenFieldSize(2, dimSize(unchecked(shape[i])));
  return n;
}

/** Writes the body of a TensorShapeProto (TF writes a 0 size as an empty Dim). */
export function writeShapeProto(w: Writer, shape: StaticArray<i64>): void {
  for (let i = 0; i < shape.length; i++) {
    const d = unchecked(shape[i]);
    w.lenHeader(2, dimSize(d));
    if (d != 0) w.varintField(1, <u64>d);
  }
}

/** Parses a TensorShapeProto; null with an error when malformed, of unknown rank or too deep. */
export function readShapeProto(r: Reader): StaticArray<i64> | null {
  const dims = new Array<i64>();
  while (r.next()) {
    if (r.field == 2 && r.wireType == WT_LEN) {
      const d = r.sub();
      let size: i64 = 0;
      while (d.next()) {
        if (d.field == 1 && d.wireType == WT_VARINT) size = <i64>d.varint();
        else d.skip();
      }
      if (d.bad) r.bad = true;
      if (dims.length >= MAX_RANK) {
        fail(INVALID_ARGUMENT, "tensor shape has more than " + MAX_RANK.toString() + " dimensions");
        return null;
      }
      dims.push(size);
    } else if (r.field == 3 && r.wireType == WT_VARINT) {
      if (r.varint() != 0) {
        fail(INVALID_ARGUMENT, "tensor shape has unknown rank; element tensors need a fully defined shape");
        return null;
      }
    } else r.skip();
  }
  if (r.bad) {
    fail(INVALID_ARGUMENT, "malformed TensorShapeProto");
    return null;
  }
  for (let i = 0; i < dims.length; i++) {
    if (unchecked(dims[i]) < 0) {
      fail(INVALID_ARGUMENT, "tensor shape has an unknown (-1) or negative dimension; element tensors need a fully defined shape");
      return null;
    }
  }
  return StaticArray.fromArray<i64>(dims);
}
