// Protobuf wire-format writer into a buffer sized exactly in advance (callers compute message sizes
// first with `varintSize`/`lenFieldSize`), so nothing is moved or regrown while writing.

/** Bytes of `v` as a varint. */
export function varintSize(v: u64): i32 {
  let n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

/** Bytes of a tag for `field`. */
export function tagSize(field: u32): i32 {
  return varintSize(<u64>field << 3);
}

/** Bytes of a length-delimited field with a `len`-byte payload. */
export function lenFieldSize(field: u32, len: u64): i32 {
  return tagSize(field) + varintSize(len) + <i32>len;
}

/** Bytes of a varint field. */
export function varintFieldSize(field: u32, v: u64): i32 {
  return tagSize(field) + varintSize(v);
}

export class Writer {
  pos: usize;
  end: usize;

  constructor(ptr: usize, len: usize) {
    this.pos = ptr;
    this.end = ptr + len;
  }

  varint(v: u64): void {
    let pos = this.pos;
    while (v >= 0x80) {
      store<u8>(pos++, <u8>(v | 0x80));
      v >>= 7;
    }
    store<u8>(pos++, <u8>v);
    this.pos = pos;
  }

  tag(field: u32, wireType: u32): void {
    this.varint((<u64>field << 3) | wireType);
  }

  varintField(field: u32, v: u64): void {
    this.tag(field, 0);
    this.varint(v);
  }

  /** Tag and length of a length-delimited field; the caller writes the payload next. */
  lenHeader(field: u32, len: u64): void {
    this.tag(field, 2);
    this.varint(len);
  }

  raw(ptr: usize, len: usize): void {
    memory.copy(this.pos, ptr, len);
    this.pos += len;
  }

  byte(b: u8): void {
    store<u8>(this.pos++, b);
  }
}
