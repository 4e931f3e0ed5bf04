// Raw snappy decompression (varint32 length preamble + block of literal/copy tags). Every read
// and write is bounds-checked: malformed input returns an error, never reads or writes outside
// the input and output ranges.
import { DATA_LOSS, fail, INVALID_ARGUMENT, OK } from "../core/status";

/** Byte count of the preamble parsed by the last `snappyUncompressedLength` call. */
export let lastHeaderLen: i32 = 0;

/** Parses the preamble: the uncompressed length, or -1 (error recorded) when it is malformed. */
export function snappyUncompressedLength(src: usize, srcLen: usize): i64 {
  let result: u64 = 0;
  let shift: u64 = 0;
  let i: usize = 0;
  while (true) {
    if (i >= srcLen || i >= 5) {
      fail(DATA_LOSS, "snappy: truncated or overlong length preamble");
      return -1;
    }
    const b = <u64>load<u8>(src + i++);
    result |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  if (result > 0xffffffff) {
    fail(DATA_LOSS, "snappy: length preamble exceeds 32 bits");
    return -1;
  }
  lastHeaderLen = <i32>i;
  return <i64>result;
}

function corrupt(what: string, at: usize): i32 {
  return fail(DATA_LOSS, "snappy: corrupt input (" + what + " at byte " + at.toString() + ")");
}

/**
 * Decompresses `src` into exactly `dstLen` bytes at `dst` (which the caller sized from the
 * preamble). Returns OK or DATA_LOSS.
 */
export function snappyDecompress(src: usize, srcLen: usize, dst: usize, dstLen: usize): i32 {
  const n = snappyUncompressedLength(src, srcLen);
  if (n < 0) return DATA_LOSS;
  if (<u64>n != <u64>dstLen) {
    return fail(INVALID_ARGUMENT, "snappy: preamble says " + n.toString() + " bytes, expected " + dstLen.toString());
  }
  let ip = src + <usize>lastHeaderLen;
  const ipEnd = src + srcLen;
  let op = dst;
  const opEnd = dst + dstLen;
  while (ip < ipEnd) {
    const tag = <u32>load<u8>(ip++);
    const kind = tag & 3;
    if (kind == 0) {
      let len = <usize>(tag >> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (ipEnd - ip < extra) return corrupt("truncated literal length", ip - src);
        let l: usize = 0;
        for (let k: usize = 0; k < extra; k++) l |= <usize>load<u8>(ip + k) << (8 * k);
        ip += extra;
        len = l + 1;
        if (len == 0) return corrupt("literal length overflow", ip - src);
      }
      if (ipEnd - ip < len) return corrupt("literal past the end of input", ip - src);
      if (opEnd - op < len) return corrupt("literal past the declared length", ip - src);
      if (len <= 16 && ipEnd - ip >= 16 && opEnd - op >= 16) {
        // Short literal: two 8-byte moves (the overrun is rewritten by the next tags).
        store<u64>(op, load<u64>(ip));
        store<u64>(op + 8, load<u64>(ip + 8));
      } else {
        memory.copy(op, ip, len);
      }
      ip += len;
      op += len;
      continue;
    }
    let len: usize;
    let offset: usize;
    if (kind == 1) {
      if (ip >= ipEnd) return corrupt("truncated copy", ip - src);
      len = <usize>((tag >> 2) & 7) + 4;
      offset = (<usize>(tag >> 5) << 8) | <usize>load<u8>(ip);
      ip += 1;
    } else if (kind == 2) {
      if (ipEnd - ip < 2) return corrupt("truncated copy", ip - src);
      len = <usize>(tag >> 2) + 1;
      offset = <usize>load<u16>(ip);
      ip += 2;
    } else {
      if (ipEnd - ip < 4) return corrupt("truncated copy", ip - src);
      len = <usize>(tag >> 2) + 1;
      offset = <usize>load<u32>(ip);
      ip += 4;
    }
    if (offset == 0 || offset > op - dst) return corrupt("copy offset out of range", ip - src);
    if (opEnd - op < len) return corrupt("copy past the declared length", ip - src);
    const from = op - offset;
    if (opEnd - op >= len + 8) {
      // Room for up to 7 bytes of overrun (rewritten by later tags or left past the data end).
      if (offset >= 8) {
        if (offset >= len && len > 64) {
          memory.copy(op, from, len);
        } else {
          // Each 8-byte load reads only bytes already final (offset >= 8 bytes behind).
          for (let k: usize = 0; k < len; k += 8) store<u64>(op + k, load<u64>(from + k));
        }
      } else {
        // Short period: lay down 8 bytes one by one, then move 8 bytes at a time from a distance
        // that is a multiple of the period and at least 8 (and less than 8 + offset, so it
        // never reads before the pattern's start).
        for (let k: usize = 0; k < 8; k++) store<u8>(op + k, load<u8>(from + k));
        const period = offset * ((8 + offset - 1) / offset);
        for (let k: usize = 8; k < len; k += 8) store<u64>(op + k, load<u64>(op + k - period));
      }
    } else if (offset >= len) {
      memory.copy(op, from, len);
    } else {
      // Overlapping copy at the very end: repeat the pattern, doubling the copied span.
      let done: usize = 0;
      while (done < len) {
        let chunk = op + done - from;
        if (chunk > len - done) chunk = len - done;
        memory.copy(op + done, from, chunk);
        done += chunk;
      }
    }
    op += len;
  }
  if (op != opEnd) {
    return fail(DATA_LOSS, "snappy: corrupt input (produced " + (op - dst).toString() + " of " + dstLen.toString() + " bytes)");
  }
  return OK;
}
