// Host view of variant tensors: each element as its serialized value (a CompressedElement proto).
import { DT_STRING } from "../core/dtype";
import { checkAlloc } from "../core/limits";
import { fail, UNIMPLEMENTED } from "../core/status";
import { allocTensor, Tensor } from "../core/tensor";
import { CompressedElementValue, compressedElementSize, writeCompressedElement } from "./compressed-element";
import { Writer } from "../proto/writer";

/**
 * Serializes every element of a variant tensor into a string-layout tensor (same shape). Only
 * CompressedElement values are supported; null (error recorded) otherwise.
 */
export function serializeVariants(t: Tensor): Tensor | null {
  const vs = t.variants!;
  let total: u64 = 0;
  for (let i = 0; i < vs.length; i++) {
    const v = unchecked(vs[i]);
    if (!(v instanceof CompressedElementValue)) {
      fail(UNIMPLEMENTED, "variant tensors holding values other than CompressedElement cannot leave the core");
      return null;
    }
    total += compressedElementSize(changetype<CompressedElementValue>(v));
  }
  if (!checkAlloc(total, "serialized variant values")) return null;
  const out = allocTensor(DT_STRING, t.shape, total);
  if (out == null) return null;
  const offs = out.offsets!;
  const w = new Writer(out.dataPtr, <usize>total);
  const base = out.dataPtr;
  for (let i = 0; i < vs.length; i++) {
    unchecked(offs[i] = <u32>(w.pos - base));
    writeCompressedElement(w, changetype<CompressedElementValue>(unchecked(vs[i])));
  }
  unchecked(offs[vs.length] = <u32>(w.pos - base));
  return out;
}
