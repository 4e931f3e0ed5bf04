// Dataset templates: the dataset a flat_map / interleave / ... function returns, kept as a plan
// subtree and built anew for each input element. The host lowers the function into
//   (1) a compiled function computing the element-dependent values ("params"), and
//   (2) this template, whose element-dependent parts refer to the params:
//   - an attr `$name` = k (an int) sets attr `name` from scalar param k (int, float, bool or
//     string, as the param's dtype says);
//   - an attr `$name` = [k1, k2, ...] (a list) sets bytes attr `name` to the serialized
//     UncompressedElement of params k1, k2, ... (how tensor-valued plan attrs travel, e.g. the
//     `components` of TensorSliceDataset);
//   - a node `{op: "datasetParam", index: k}` is the dataset held by param k (a scalar variant),
//     e.g. `flat_map(lambda ds: ds)` over a dataset of windows.
// Instantiating writes the attrs in place (templates are used by one thread, synchronously) and
// builds the subtree with the ordinary dataset factories, so every dataset op works in a template.
// A node that owns a template of its own says which input it is (attr `templateInput`); that
// subtree refers to its own function's params and is left alone here.
import { encodeUncompressed } from "../codec/uncompressed";
import {
  DT_BOOL, DT_DOUBLE, DT_FLOAT, DT_INT16, DT_INT32, DT_INT64, DT_INT8, DT_STRING, DT_UINT16, DT_UINT32, DT_UINT64, DT_UINT8,
  dtypeName,
} from "../core/dtype";
import { addContext, fail, failed, INVALID_ARGUMENT } from "../core/status";
import { shapeString, Tensor } from "../core/tensor";
import { ATTR_BOOL, ATTR_BYTES, ATTR_FLOAT, ATTR_INT, ATTR_LIST, ATTR_STRING, AttrValue } from "../plan/attrs";
import { DatasetNode } from "../plan/nodes";
import { Dataset } from "./dataset";
import { datasetOf } from "./dataset-value";
import { buildDataset } from "./registry";

/** The plan op of a node standing for a dataset passed in a param. */
export const DATASET_PARAM_OP = "datasetParam";

/** Name of the attr giving the index of a node's own template input. */
export const TEMPLATE_INPUT_ATTR = "templateInput";

/** Index of `node`'s own template input, or -1. */
export function templateInputOf(node: DatasetNode): i32 {
  return node.attrs.has(TEMPLATE_INPUT_ATTR) ? <i32>node.attrs.int(TEMPLATE_INPUT_ATTR) : -1;
}

/** The params of the template being instantiated (read by the `datasetParam` factory). */
let bound: Array<Tensor> | null = null;

/** Checks that every param reference of `node`'s subtree is below `numParams`. */
export function checkTemplate(node: DatasetNode, numParams: i32): bool {
  const keys = node.attrs.map.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = unchecked(keys[i]);
    if (!key.startsWith("$") && !(node.op == DATASET_PARAM_OP && key == "index")) continue;
    const v = node.attrs.map.get(key);
    let ok = true;
    if (v.kind == ATTR_INT) ok = v.i >= 0 && v.i < numParams;
    else if (v.kind == ATTR_LIST) {
      for (let j = 0; j < v.list.length; j++) {
        const k = unchecked(v.list[j]);
        if (!(k >= 0 && k < <f64>numParams && Math.floor(k) == k)) ok = false;
      }
    } else ok = false;
    if (!ok) {
      fail(INVALID_ARGUMENT, "template node " + node.op + ": attr \"" + key + "\" must refer to function outputs 0.." +
        (numParams - 1).toString());
      return false;
    }
  }
  const own = templateInputOf(node);
  for (let i = 0; i < node.inputs.length; i++) {
    if (i != own && !checkTemplate(unchecked(node.inputs[i]), numParams)) return false;
  }
  return true;
}

function scalarAttr(t: Tensor, what: string): AttrValue | null {
  if (t.rank != 0) {
    fail(INVALID_ARGUMENT, what + " must be a scalar, got shape " + shapeString(t.shape));
    return null;
  }
  const v = new AttrValue();
  const p = t.dataPtr;
  switch (t.dtype) {
    case DT_INT64: case DT_UINT64: v.kind = ATTR_INT; v.i = load<i64>(p); break;
    case DT_INT32: v.kind = ATTR_INT; v.i = <i64>load<i32>(p); break;
    case DT_UINT32: v.kind = ATTR_INT; v.i = <i64>load<u32>(p); break;
    case DT_INT16: v.kind = ATTR_INT; v.i = <i64>load<i16>(p); break;
    case DT_UINT16: v.kind = ATTR_INT; v.i = <i64>load<u16>(p); break;
    case DT_INT8: v.kind = ATTR_INT; v.i = <i64>load<i8>(p); break;
    case DT_UINT8: v.kind = ATTR_INT; v.i = <i64>load<u8>(p); break;
    case DT_FLOAT: v.kind = ATTR_FLOAT; v.f = <f64>load<f32>(p); break;
    case DT_DOUBLE: v.kind = ATTR_FLOAT; v.f = load<f64>(p); break;
    case DT_BOOL: v.kind = ATTR_BOOL; v.b = load<u8>(p) != 0; break;
    case DT_STRING: v.kind = ATTR_STRING; v.s = String.UTF8.decodeUnsafe(t.stringPtr(0), t.stringLen(0)); break;
    default:
      fail(INVALID_ARGUMENT, what + " has dtype " + dtypeName(t.dtype) + ", which cannot be a dataset argument");
      return null;
  }
  return v;
}

function substitute(node: DatasetNode, params: Array<Tensor>): bool {
  const keys = node.attrs.map.keys();
  for (let i = 0; i < keys.length; i++) {
    const key = unchecked(keys[i]);
    if (!key.startsWith("$")) continue;
    const name = key.substring(1);
    const ref = node.attrs.map.get(key);
    if (ref.kind == ATTR_INT) {
      const v = scalarAttr(unchecked(params[<i32>ref.i]), node.op + " argument \"" + name + "\"");
      if (v == null) return false;
      node.attrs.map.set(name, v);
    } else {
      const elem = new Array<Tensor>(ref.list.length);
      for (let j = 0; j < ref.list.length; j++) unchecked(elem[j] = params[<i32>unchecked(ref.list[j])]);
      const bytes = encodeUncompressed(elem);
      if (bytes == null) {
        addContext(node.op + " argument \"" + name + "\"");
        return false;
      }
      const v = new AttrValue();
      v.kind = ATTR_BYTES;
      v.bytes = bytes;
      node.attrs.map.set(name, v);
    }
  }
  const own = templateInputOf(node);
  for (let i = 0; i < node.inputs.length; i++) {
    if (i != own && !substitute(unchecked(node.inputs[i]), params)) return false;
  }
  return true;
}

/** Builds the dataset `template` describes for `params`; null with an error recorded. */
export function instantiate(template: DatasetNode, params: Array<Tensor>): Dataset | null {
  if (!substitute(template, params)) return null;
  const saved = bound;
  bound = params;
  const ds = buildDataset(template);
  bound = saved;
  return ds;
}

/** Factory of `datasetParam` nodes: the dataset held by the bound param `index`. */
export function makeDatasetParam(node: DatasetNode): Dataset | null {
  const k = node.attrs.int("index");
  if (failed()) return null;
  const params = bound;
  if (params == null || k < 0 || k >= params.length) {
    fail(INVALID_ARGUMENT, "datasetParam " + k.toString() + " is only valid inside a function's dataset template");
    return null;
  }
  return datasetOf(unchecked(params[<i32>k]), "function output " + k.toString());
}
