// Raw snappy compression with the reference compressor's greedy algorithm, so the output is
// byte-identical to what TensorFlow's snappy writes:
// - 64 KiB fragments compressed independently;
// - per fragment a hash table of 4-byte sequences (sized to the fragment between 2^8 and 2^15
//   entries, 16-bit positions, zeroed), hashed with CRC32C (see hashIndex);
// - match search from fragment offset 1 with the "skip" heuristic (probe step = skip >> 5, skip
//   starting at 32 and growing by the step); the last 15 bytes never start a match;
// - matches extended greedily, then the table updated at match end - 1 and match end;
// - copies emitted as 64-byte pieces (60 when 65..67 remain), the 1-byte-offset form for lengths
//   4..11 at offsets < 2048.

/** Fragment size: matches never reach across fragments. */
const BLOCK_SIZE: usize = 65536;
/** Largest hash table (entries). */
const MAX_TABLE_BITS: u32 = 15;
const MAX_TABLE_SIZE: usize = 1 << MAX_TABLE_BITS;
const MIN_TABLE_SIZE: usize = 256;
/** Bytes at a fragment's end that never start a match (the reference's input margin). */
const INPUT_MARGIN: usize = 15;

// Snappy built with a CRC32C instruction (SSE4.2 on x86-64, as in TF 2.21's wheels; ARMv8 CRC)
// hashes 4-byte sequences as crc32c(v ^ mask) & mask; only the portable build multiplies by
// 0x1e35a7bd instead. TF's output matches the CRC32C variant (test/core/tf-codec.test.ts).

/** Slicing-by-4 CRC32C tables (Castagnoli, reflected polynomial 0x82f63b78): 4 x 256 entries. */
const crcTables = new StaticArray<u32>(1024);
let crcReady = false;
const table = new StaticArray<u16>(<i32>MAX_TABLE_SIZE);

function initCrc(): void {
  for (let i = 0; i < 256; i++) {
    let c = <u32>i;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    unchecked(crcTables[i] = c);
  }
  for (let t = 1; t < 4; t++) {
    for (let i = 0; i < 256; i++) {
      const prev = unchecked(crcTables[(t - 1) * 256 + i]);
      unchecked(crcTables[t * 256 + i] = (prev >>> 8) ^ unchecked(crcTables[prev & 0xff]));
    }
  }
  crcReady = true;
}

/** Table index of the 4 bytes `v`: CRC32C of `v ^ mask` (as _mm_crc32_u32), masked, halved. */
// @ts-ignore: decorator
@inline function hashIndex(v: u32, mask: u32): usize {
  const x = v ^ mask;
  const h = unchecked(crcTables[768 + (x & 0xff)]) ^ unchecked(crcTables[512 + ((x >>> 8) & 0xff)]) ^
    unchecked(crcTables[256 + ((x >>> 16) & 0xff)]) ^ unchecked(crcTables[x >>> 24]);
  return <usize>((h & mask) >> 1);
}

/** Upper bound of the compressed size of `n` bytes (the reference's MaxCompressedLength). */
export function maxCompressedLength(n: usize): usize {
  return 32 + n + n / 6;
}

function emitLiteral(op: usize, src: usize, len: usize): usize {
  const n = len - 1;
  if (n < 60) {
    store<u8>(op++, <u8>(n << 2));
  } else {
    let count: usize = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
    store<u8>(op++, <u8>((59 + count) << 2));
    let v = n;
    for (let k: usize = 0; k < count; k++) {
      store<u8>(op++, <u8>v);
      v >>= 8;
    }
  }
  memory.copy(op, src, len);
  return op + len;
}

// @ts-ignore: decorator
@inline function emitCopyAtMost64(op: usize, offset: usize, len: usize): usize {
  if (len < 12 && offset < 2048) {
    store<u8>(op, <u8>(1 + ((len - 4) << 2) + ((offset >> 3) & 0xe0)));
    store<u8>(op + 1, <u8>offset);
    return op + 2;
  }
  store<u8>(op, <u8>(2 + ((len - 1) << 2)));
  store<u16>(op + 1, <u16>offset);
  return op + 3;
}

function emitCopy(op: usize, offset: usize, len: usize): usize {
  while (len >= 68) {
    op = emitCopyAtMost64(op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyAtMost64(op, offset, 60);
    len -= 60;
  }
  return emitCopyAtMost64(op, offset, len);
}

/** Length of the common prefix of `a` and `b`, reading `b` no further than `bEnd`. */
// @ts-ignore: decorator
@inline function matchLength(a: usize, b: usize, bEnd: usize): usize {
  const start = b;
  while (bEnd - b >= 8) {
    const x = load<u64>(a) ^ load<u64>(b);
    if (x != 0) return b - start + <usize>(ctz(x) >> 3);
    a += 8;
    b += 8;
  }
  while (b < bEnd && load<u8>(a) == load<u8>(b)) {
    a++;
    b++;
  }
  return b - start;
}

function compressFragment(input: usize, n: usize, op: usize): usize {
  let tableSize = MIN_TABLE_SIZE;
  while (tableSize < MAX_TABLE_SIZE && tableSize < n) tableSize <<= 1;
  const tbl = changetype<usize>(table);
  memory.fill(tbl, 0, tableSize << 1);
  const mask = <u32>(2 * (tableSize - 1));
  const base = input;
  const ipEnd = input + n;
  let ip = input;
  let nextEmit = ip;
  if (n >= INPUT_MARGIN) {
    const ipLimit = ipEnd - INPUT_MARGIN;
    ip++;
    let nextHash = hashIndex(load<u32>(ip), mask);
    let finished = false;
    while (!finished) {
      // Step 1: probe forward for a 4-byte match, widening the step as misses accumulate.
      let skip: u32 = 32;
      let nextIp = ip;
      let candidate: usize = 0;
      while (true) {
        ip = nextIp;
        const h = nextHash;
        const step = <usize>(skip >> 5);
        skip += <u32>step;
        nextIp = ip + step;
        if (nextIp > ipLimit) {
          finished = true;
          break;
        }
        nextHash = hashIndex(load<u32>(nextIp), mask);
        candidate = base + <usize>load<u16>(tbl + (h << 1));
        store<u16>(tbl + (h << 1), <u16>(ip - base));
        if (load<u32>(ip) == load<u32>(candidate)) break;
      }
      if (finished) break;
      // Step 2: emit the pending literal, then copies for as long as matches chain.
      op = emitLiteral(op, nextEmit, ip - nextEmit);
      while (true) {
        const start = ip;
        const matched = 4 + matchLength(candidate + 4, ip + 4, ipEnd);
        ip += matched;
        op = emitCopy(op, start - candidate, matched);
        nextEmit = ip;
        if (ip >= ipLimit) {
          finished = true;
          break;
        }
        const prev = hashIndex(load<u32>(ip - 1), mask);
        store<u16>(tbl + (prev << 1), <u16>(ip - base - 1));
        const cur = load<u32>(ip);
        const curHash = hashIndex(cur, mask);
        candidate = base + <usize>load<u16>(tbl + (curHash << 1));
        store<u16>(tbl + (curHash << 1), <u16>(ip - base));
        if (cur != load<u32>(candidate)) break;
      }
      if (finished) break;
      ip++;
      nextHash = hashIndex(load<u32>(ip), mask);
    }
  }
  if (nextEmit < ipEnd) op = emitLiteral(op, nextEmit, ipEnd - nextEmit);
  return op;
}

/**
 * Compresses `n` bytes at `src` into `dst` (at least `maxCompressedLength(n)` bytes) and returns
 * the compressed length. `n` must be < 2^32.
 */
export function snappyCompress(src: usize, n: usize, dst: usize): usize {
  if (!crcReady) initCrc();
  let op = dst;
  let v = <u32>n;
  while (v >= 0x80) {
    store<u8>(op++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(op++, <u8>v);
  let pos: usize = 0;
  while (pos < n) {
    const len = n - pos < BLOCK_SIZE ? n - pos : BLOCK_SIZE;
    op = compressFragment(src + pos, len, op);
    pos += len;
  }
  return op - dst;
}
