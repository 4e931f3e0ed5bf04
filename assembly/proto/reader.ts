// Protobuf wire-format reader over a byte range of linear memory. Bounds-checked: any truncated or
// malformed input sets `bad` and every later read returns zeros, so decoders check `bad` once at
// the end of a message (or after reads whose values steer allocation).

export const WT_VARINT: u32 = 0;
export const WT_FIXED64: u32 = 1;
export const WT_LEN: u32 = 2;
export const WT_FIXED32: u32 = 5;

export class Reader {
  pos: usize;
  end: usize;
  bad: bool = false;
  /** Field number and wire type of the last tag read. */
  field: u32 = 0;
  wireType: u32 = 0;
  /** Start and length of the last length-delimited field read with `bytes()`. */
  lenPtr: usize = 0;
  lenLen: i32 = 0;

  constructor(ptr: usize, len: usize) {
    this.pos = ptr;
    this.end = ptr + len;
  }

  get done(): bool {
    return this.bad || this.pos >= this.end;
  }

  varint(): u64 {
    let result: u64 = 0;
    let shift: u64 = 0;
    let pos = this.pos;
    const end = this.end;
    while (true) {
      if (pos >= end || shift > 63) {
        this.bad = true;
        this.pos = end;
        return 0;
      }
      const b = <u64>load<u8>(pos++);
      result |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.pos = pos;
    return result;
  }

  /** Reads a tag; false at the end of input or when the tag is malformed. */
  next(): bool {
    if (this.done) return false;
    const tag = this.varint();
    const field = <u32>(tag >> 3);
    if (this.bad || field == 0 || tag > 0xffffffff) {
      this.bad = true;
      return false;
    }
    this.field = field;
    this.wireType = <u32>(tag & 7);
    return true;
  }

  fixed32(): u32 {
    if (this.end - this.pos < 4) {
      this.bad = true;
      this.pos = this.end;
      return 0;
    }
    const v = load<u32>(this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): u64 {
    if (this.end - this.pos < 8) {
      this.bad = true;
      this.pos = this.end;
      return 0;
    }
    const v = load<u64>(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length-delimited field into `lenPtr`/`lenLen`; false when truncated. */
  bytes(): bool {
    const n = this.varint();
    if (this.bad || n > <u64>(this.end - this.pos)) {
      this.bad = true;
      this.pos = this.end;
      return false;
    }
    this.lenPtr = this.pos;
    this.lenLen = <i32>n;
    this.pos += <usize>n;
    return true;
  }

  /** A reader over the length-delimited field at the cursor. */
  sub(): Reader {
    if (!this.bytes()) {
      const r = new Reader(this.end, 0);
      r.bad = true;
      return r;
    }
    return new Reader(this.lenPtr, this.lenLen);
  }

  /** Skips the value of the last tag read (groups are rejected). */
  skip(): void {
    switch (this.wireType) {
      case WT_VARINT: this.varint(); break;
      case WT_FIXED64: this.fixed64(); break;
      case WT_LEN: this.bytes(); break;
      case WT_FIXED32: this.fixed32(); break;
      default: this.bad = true; this.pos = this.end;
    }
  }
}
