/**
 * Typed, validated access to a node's attrs. Every failure names the node and the attr, so a bad
 * graph is rejected at lowering time with a message that says what was expected.
 */
import type { AttrValue } from "../gen/tensorflow/core/framework/attr_value_pb.js";
import { dtypeName, type DType } from "../core/dtype.js";
import { TfDataError } from "../core/errors.js";
import type { PlanShape } from "../core/plan.js";
import { planShape } from "./attr-value.js";
import { isKnownDType, type ComponentSpec } from "./component-spec.js";

const utf8 = new TextDecoder();

/** The attrs of one node (a GraphDef node or a FunctionDef body node). */
export class NodeAttrs {
  /**
   * @param attrs the node's attr map
   * @param where how to name the node in messages, e.g. `node 'RangeDataset/_3' (RangeDataset)`
   */
  constructor(readonly attrs: Readonly<Record<string, AttrValue>>, readonly where: string) {}

  /** Whether the attr is present. */
  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.attrs, name);
  }

  private bad(name: string, want: string, got?: AttrValue): never {
    const kind = got ? (got.value.case ?? "empty") : "missing";
    throw new TfDataError("InvalidArgument", `${this.where}: attr '${name}' must be ${want}, got ${kind}`);
  }

  private get(name: string, want: string): AttrValue {
    if (!this.has(name)) this.bad(name, want);
    return this.attrs[name];
  }

  /** A `b` attr; `dflt` when absent (else absent is an error). */
  bool(name: string, dflt?: boolean): boolean {
    if (!this.has(name) && dflt !== undefined) return dflt;
    const v = this.get(name, "a bool");
    if (v.value.case !== "b") this.bad(name, "a bool", v);
    return v.value.value;
  }

  /** An `i` attr. */
  int(name: string, dflt?: bigint): bigint {
    if (!this.has(name) && dflt !== undefined) return dflt;
    const v = this.get(name, "an int");
    if (v.value.case !== "i") this.bad(name, "an int", v);
    return v.value.value;
  }

  /** An `s` attr as raw bytes. */
  bytes(name: string, dflt?: Uint8Array): Uint8Array {
    if (!this.has(name) && dflt !== undefined) return dflt;
    const v = this.get(name, "a string");
    if (v.value.case !== "s") this.bad(name, "a string", v);
    return v.value.value;
  }

  /** An `s` attr decoded as UTF-8. */
  string(name: string, dflt?: string): string {
    if (!this.has(name) && dflt !== undefined) return dflt;
    return utf8.decode(this.bytes(name));
  }

  /** A `type` attr, restricted to the dtypes our core knows. */
  type(name: string): DType {
    const v = this.get(name, "a dtype");
    if (v.value.case !== "type") this.bad(name, "a dtype", v);
    return this.known(name, v.value.value);
  }

  /** A `list { type }` attr (an empty `list {}` or an attr without a list value is `[]`). */
  types(name: string): DType[] {
    const v = this.get(name, "a list of dtypes");
    if (v.value.case === undefined) return [];
    if (v.value.case !== "list") this.bad(name, "a list of dtypes", v);
    return v.value.value.type.map((t) => this.known(name, t));
  }

  /** A `list { shape }` attr. */
  shapes(name: string): PlanShape[] {
    const v = this.get(name, "a list of shapes");
    if (v.value.case === undefined) return [];
    if (v.value.case !== "list") this.bad(name, "a list of shapes", v);
    return v.value.value.shape.map((s) => planShape(s));
  }

  /** A `func` attr: the name of a library function. */
  func(name: string): string {
    const v = this.get(name, "a function");
    if (v.value.case !== "func" || !v.value.value.name) this.bad(name, "a function reference", v);
    return v.value.value.name;
  }

  /**
   * The node's element spec from `output_types` (or `Toutput_types`, as TensorDataset and a few
   * other ops name it) + `output_shapes` (equal lengths enforced).
   */
  outputSpec(): ComponentSpec[] {
    const types = this.types(!this.has("output_types") && this.has("Toutput_types") ? "Toutput_types" : "output_types");
    const shapes = this.shapes("output_shapes");
    if (types.length !== shapes.length) {
      throw new TfDataError("InvalidArgument", `${this.where}: output_types has ${types.length} entries but ` +
        `output_shapes has ${shapes.length}; they describe the same components and must match`);
    }
    return types.map((dtype, i) => ({ dtype, shape: shapes[i] }));
  }

  private known(name: string, dtype: number): DType {
    if (!isKnownDType(dtype)) {
      throw new TfDataError("Unimplemented", `${this.where}: attr '${name}' has dtype ${dtypeName(dtype)}, ` +
        "which this implementation does not support");
    }
    return dtype;
  }
}
