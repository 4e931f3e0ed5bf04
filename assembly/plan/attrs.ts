// Attributes of a plan node or instruction, decoded from the binary plan (see plan/decode.ts).
import { fail, INVALID_ARGUMENT } from "../core/status";

export const ATTR_INT: i32 = 1;
export const ATTR_FLOAT: i32 = 2;
export const ATTR_STRING: i32 = 3;
export const ATTR_BOOL: i32 = 4;
export const ATTR_LIST: i32 = 5;
export const ATTR_BYTES: i32 = 6;

export class AttrValue {
  kind: i32 = 0;
  i: i64 = 0;
  f: f64 = 0;
  s: string = "";
  b: bool = false;
  list: StaticArray<f64> = new StaticArray<f64>(0);
  bytes: ArrayBuffer = new ArrayBuffer(0);
}

/** Named attributes with typed accessors that record an error naming `owner` when wrong. */
export class Attrs {
  map: Map<string, AttrValue> = new Map<string, AttrValue>();
  /** What these attrs belong to, for messages (`batch`, `kernel CompressElement`). */
  owner: string = "";

  has(name: string): bool {
    return this.map.has(name);
  }

  private get(name: string): AttrValue | null {
    if (!this.map.has(name)) {
      fail(INVALID_ARGUMENT, this.owner + ": missing attribute \"" + name + "\"");
      return null;
    }
    return this.map.get(name);
  }

  private wrongKind(name: string, want: string): void {
    fail(INVALID_ARGUMENT, this.owner + ": attribute \"" + name + "\" must be " + want);
  }

  /** An integer attribute (an integral float is accepted). */
  int(name: string): i64 {
    const v = this.get(name);
    if (v == null) return 0;
    if (v.kind == ATTR_INT) return v.i;
    if (v.kind == ATTR_FLOAT && Math.floor(v.f) == v.f && Math.abs(v.f) <= 9007199254740992) return <i64>v.f;
    if (v.kind == ATTR_BOOL) return v.b ? 1 : 0;
    this.wrongKind(name, "an integer");
    return 0;
  }

  intOr(name: string, dflt: i64): i64 {
    return this.map.has(name) ? this.int(name) : dflt;
  }

  float(name: string): f64 {
    const v = this.get(name);
    if (v == null) return 0;
    if (v.kind == ATTR_FLOAT) return v.f;
    if (v.kind == ATTR_INT) return <f64>v.i;
    this.wrongKind(name, "a number");
    return 0;
  }

  bool(name: string): bool {
    const v = this.get(name);
    if (v == null) return false;
    if (v.kind == ATTR_BOOL) return v.b;
    if (v.kind == ATTR_INT && (v.i == 0 || v.i == 1)) return v.i == 1;
    this.wrongKind(name, "a boolean");
    return false;
  }

  boolOr(name: string, dflt: bool): bool {
    return this.map.has(name) ? this.bool(name) : dflt;
  }

  string(name: string): string {
    const v = this.get(name);
    if (v == null) return "";
    if (v.kind == ATTR_STRING) return v.s;
    this.wrongKind(name, "a string");
    return "";
  }

  /** A bytes attribute (a host `Uint8Array`, e.g. serialized tensors). */
  bytes(name: string): ArrayBuffer {
    const v = this.get(name);
    if (v == null) return new ArrayBuffer(0);
    if (v.kind == ATTR_BYTES) return v.bytes;
    this.wrongKind(name, "bytes");
    return new ArrayBuffer(0);
  }

  /** A list of numbers (an empty list when absent and `optional`). */
  list(name: string, optional: bool = false): StaticArray<f64> {
    if (optional && !this.map.has(name)) return new StaticArray<f64>(0);
    const v = this.get(name);
    if (v == null) return new StaticArray<f64>(0);
    if (v.kind == ATTR_LIST) return v.list;
    this.wrongKind(name, "a list of numbers");
    return new StaticArray<f64>(0);
  }
}
