// TFRecord framing (journal and dataset files): CRC-32C, TF's mask, byte-exact records, and the
// reader's handling of torn tails (accepted, reported) and corruption (DATA_LOSS).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ReadableFile } from "../../../src/service/storage.js";
import {
  crc32c,
  decodeRecords,
  encodeRecord,
  maskCrc,
  RecordReader,
} from "../../../src/service/dispatcher/tfrecord.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (s: string) => new TextEncoder().encode(s);

/** `tf.io.TFRecordWriter` (TF 2.21) writing b"hello" then b"": the exact file bytes. */
const TF_HELLO_EMPTY = "0500000000000000eab2043e68656c6c6fbb1f1c19000000000000000029039807d8ea82a2";

/** An in-memory ReadableFile that serves reads in small pieces (exercises chunk joins). */
function memFile(data: Uint8Array): ReadableFile {
  return {
    size: data.length,
    read: async (offset, length) => data.slice(offset, Math.min(data.length, offset + Math.min(length, 7))),
    close: async () => {},
  };
}

async function readAll(data: Uint8Array) {
  const r = new RecordReader(memFile(data), "test file");
  const out: string[] = [];
  for (;;) {
    const x = await r.next();
    if (x.kind === "end") return { records: out, torn: undefined };
    if (x.kind === "torn") return { records: out, torn: x };
    out.push(new TextDecoder().decode(x.data));
  }
}

test("CRC-32C check value and TF's mask", () => {
  assert.is(crc32c(bytes("123456789")), 0xe3069283);
  assert.is(crc32c(new Uint8Array(0)), 0);
  // TF's mask: rotate right 15, add 0xa282ead8 (mod 2^32).
  assert.is(maskCrc(0), 0xa282ead8);
  assert.is(maskCrc(0xe3069283), ((((0xe3069283 >>> 15) | (0xe3069283 << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test("records are byte-identical to TF's TFRecordWriter", () => {
  assert.is(hex(encodeRecord(bytes("hello"))) + hex(encodeRecord(new Uint8Array(0))), TF_HELLO_EMPTY);
  const tf = Buffer.from(TF_HELLO_EMPTY, "hex");
  assert.equal(decodeRecords(new Uint8Array(tf), "tf file").map((r) => new TextDecoder().decode(r)), ["hello", ""]);
});

test("the streaming reader returns every record across chunk boundaries", async () => {
  const many = Array.from({ length: 50 }, (_, i) => "x".repeat(i));
  const data = Buffer.concat(many.map((s) => encodeRecord(bytes(s))));
  const { records, torn } = await readAll(new Uint8Array(data));
  assert.equal(records, many);
  assert.is(torn, undefined);
});

test("a file ending inside a record is reported as a torn tail after the whole records", async () => {
  const whole = Buffer.concat([encodeRecord(bytes("a")), encodeRecord(bytes("bb"))]);
  const third = encodeRecord(bytes("ccc"));
  for (const cut of [1, 11, 12, 14, third.length - 1]) {
    const { records, torn } = await readAll(new Uint8Array(Buffer.concat([whole, third.subarray(0, cut)])));
    assert.equal(records, ["a", "bb"], `cut at ${cut}`);
    assert.equal(torn, { kind: "torn", offset: whole.length, have: cut }, `cut at ${cut}`);
  }
});

test("corruption is DATA_LOSS naming the file and offset: length checksum, data checksum, absurd length", async () => {
  const good = encodeRecord(bytes("payload"));
  const cases: [string, (b: Uint8Array) => void, RegExp][] = [
    ["length byte", (b) => { b[0] ^= 1; }, /test file is corrupted: the length checksum of the record at byte 0 does not match/],
    ["data byte", (b) => { b[13] ^= 0x40; }, /the data checksum of the record at byte 0 does not match/],
    ["data crc", (b) => { b[b.length - 1] ^= 1; }, /the data checksum/],
  ];
  for (const [what, damage, message] of cases) {
    const b = new Uint8Array(good);
    damage(b);
    try {
      await readAll(b);
      assert.unreachable(what);
    } catch (err) {
      assert.is((err as { code: string }).code, "DataLoss", what);
      assert.match((err as Error).message, message, what);
    }
    assert.throws(() => decodeRecords(b, "test file"), (e: { code: string }) => e.code === "DataLoss", what);
  }
  // A length with a valid checksum but beyond the 1 GiB record limit.
  const huge = new Uint8Array(12);
  new DataView(huge.buffer).setBigUint64(0, 5n * 1024n ** 3n, true);
  new DataView(huge.buffer).setUint32(8, maskCrc(crc32c(huge.subarray(0, 8))), true);
  try {
    await readAll(huge);
    assert.unreachable("huge");
  } catch (err) {
    assert.match((err as Error).message, "claims 5368709120 bytes");
  }
  // decodeRecords (dataset files) treats a cut record as corruption, not as a torn tail.
  assert.throws(() => decodeRecords(good.subarray(0, good.length - 1), "dataset file"), /cut short/);
});

test.run();
