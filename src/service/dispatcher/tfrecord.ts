/**
 * TFRecord framing, the format of TF's dispatcher journal and dataset files (uncompressed):
 *
 *   uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
 *
 * with `masked = ((crc >>> 15) | (crc << 17)) + 0xa282ead8`, CRC-32C (Castagnoli) as in TF's
 * `io::RecordWriter`. Files written here are read by `tf.data.TFRecordDataset`, and TF's files by us.
 */
import { TfDataError } from "../../core/errors.js";
import type { ReadableFile } from "../storage.js";

/** Bytes before a record's data: length (8) + its masked CRC (4). */
export const RECORD_HEADER_BYTES = 12;
/** Bytes after a record's data: its masked CRC. */
export const RECORD_FOOTER_BYTES = 4;
/** Largest record accepted when reading (a dataset graph is at most 512 MiB; see limits.ts). */
export const MAX_RECORD_BYTES = 1024 * 1024 * 1024;
/** Bytes read from a file per chunk while streaming records. */
const READ_CHUNK_BYTES = 1024 * 1024;
/** TF's CRC mask delta (`kMaskDelta`). */
const MASK_DELTA = 0xa282ead8;

/** CRC-32C lookup table (reflected polynomial 0x82F63B78). */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of `bytes` (e.g. `crc32c("123456789")` = 0xe3069283). */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TF's `crc32c::Mask`: rotate right by 15 bits and add a constant. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One framed record holding `data`. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskCrc(crc32c(out.subarray(0, 8))), true);
  out.set(data, RECORD_HEADER_BYTES);
  view.setUint32(RECORD_HEADER_BYTES + data.length, maskCrc(crc32c(data)), true);
  return out;
}

function dataLoss(where: string, what: string): TfDataError {
  return new TfDataError("DataLoss", `${where} is corrupted: ${what}. The file was modified or damaged ` +
    "outside the dispatcher; restore it from a backup or move it away to start from an empty state.");
}

/** The outcome of reading one record. */
export type RecordRead =
  | { kind: "record"; data: Uint8Array; offset: number }
  | { kind: "end" }
  /** The file ends inside a record: an append that never completed (its RPC was never answered). */
  | { kind: "torn"; offset: number; have: number };

/**
 * Streams the records of one file. A checksum mismatch or an absurd length is `DATA_LOSS`; a file
 * that ends in the middle of a record reports `torn` (the caller decides what that means).
 */
export class RecordReader {
  private buf = new Uint8Array(0);
  /** File offset of `buf[0]`. */
  private bufStart = 0;
  private offset = 0;

  constructor(private readonly file: ReadableFile, private readonly where: string) {}

  /** Ensures `[offset, offset + n)` is buffered as far as the file allows; returns how much is. */
  private async fill(n: number): Promise<number> {
    const have = this.bufStart + this.buf.length - this.offset;
    if (have >= n) return n;
    const start = this.offset;
    const want = Math.min(Math.max(n, READ_CHUNK_BYTES), this.file.size - start);
    const next = new Uint8Array(Math.max(want, 0));
    const keep = this.buf.subarray(start - this.bufStart);
    next.set(keep);
    let filled = keep.length;
    while (filled < want) {
      const more = await this.file.read(start + filled, want - filled);
      if (more.length === 0) break; // the file shrank under us: treat as its end
      next.set(more, filled);
      filled += more.length;
    }
    this.buf = next.subarray(0, filled);
    this.bufStart = start;
    return Math.min(n, filled);
  }

  private slice(from: number, n: number): Uint8Array {
    return this.buf.subarray(from - this.bufStart, from - this.bufStart + n);
  }

  /** The next record, the end of the file, or a torn final record. */
  async next(): Promise<RecordRead> {
    const at = this.offset;
    if (at >= this.file.size) return { kind: "end" };
    const headerHave = await this.fill(RECORD_HEADER_BYTES);
    if (headerHave < RECORD_HEADER_BYTES) return { kind: "torn", offset: at, have: headerHave };
    const header = this.slice(at, RECORD_HEADER_BYTES);
    const view = new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES);
    if (maskCrc(crc32c(header.subarray(0, 8))) !== view.getUint32(8, true)) {
      throw dataLoss(this.where, `the length checksum of the record at byte ${at} does not match`);
    }
    const length = view.getBigUint64(0, true);
    if (length > BigInt(MAX_RECORD_BYTES)) {
      throw dataLoss(this.where, `the record at byte ${at} claims ${length} bytes (limit ${MAX_RECORD_BYTES})`);
    }
    const n = Number(length);
    const total = RECORD_HEADER_BYTES + n + RECORD_FOOTER_BYTES;
    const have = await this.fill(total);
    if (have < total) return { kind: "torn", offset: at, have };
    const data = this.slice(at + RECORD_HEADER_BYTES, n);
    const footer = this.slice(at + RECORD_HEADER_BYTES + n, RECORD_FOOTER_BYTES);
    const crc = new DataView(footer.buffer, footer.byteOffset, RECORD_FOOTER_BYTES).getUint32(0, true);
    if (maskCrc(crc32c(data)) !== crc) {
      throw dataLoss(this.where, `the data checksum of the record at byte ${at} does not match`);
    }
    this.offset = at + total;
    return { kind: "record", data: data.slice(), offset: at };
  }
}

/** Decodes a buffer that holds exactly whole records (e.g. a dataset file); torn data is `DATA_LOSS`. */
export function decodeRecords(bytes: Uint8Array, where: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < RECORD_HEADER_BYTES) throw dataLoss(where, `it ends inside the header at byte ${at}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, RECORD_HEADER_BYTES);
    if (maskCrc(crc32c(bytes.subarray(at, at + 8))) !== view.getUint32(8, true)) {
      throw dataLoss(where, `the length checksum of the record at byte ${at} does not match`);
    }
    const length = view.getBigUint64(0, true);
    const end = BigInt(at + RECORD_HEADER_BYTES + RECORD_FOOTER_BYTES) + length;
    if (end > BigInt(bytes.length)) throw dataLoss(where, `the record at byte ${at} is cut short`);
    const n = Number(length);
    const data = bytes.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + n);
    const crc = new DataView(bytes.buffer, bytes.byteOffset + at + RECORD_HEADER_BYTES + n, 4).getUint32(0, true);
    if (maskCrc(crc32c(data)) !== crc) throw dataLoss(where, `the data checksum of the record at byte ${at} does not match`);
    out.push(data);
    at += RECORD_HEADER_BYTES + n + RECORD_FOOTER_BYTES;
  }
  return out;
}
