/**
 * The fault-tolerant dispatcher's journal, in TF's layout: `<workDir>/tf_data_dispatcher_journal/
 * journal_<N>`, each a sequence of TFRecords holding serialized `tensorflow.data.Update`s. A
 * dispatcher replays `journal_0, journal_1, …` up to the first missing number, then appends to a
 * new file `journal_<next>`; earlier files are never modified.
 *
 * Deliberate difference from TF: a file that ends inside a record is accepted up to its last
 * whole record. Such a tail can only come from an append interrupted by a crash, and since every
 * RPC answers only after its append is durable, that update was never acknowledged to anyone.
 * A checksum mismatch or an unparseable update is still `DATA_LOSS`, as in TF.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { TfDataError } from "../../core/errors.js";
import { type Update, UpdateSchema } from "../../gen/tensorflow/core/data/service/journal_pb.js";
import type { AppendableFile, Storage } from "../storage.js";
import { encodeRecord, RecordReader } from "./tfrecord.js";

/** The journal directory inside the work dir (TF's `kJournalDir`; load-bearing, never change). */
export const JOURNAL_DIR = "tf_data_dispatcher_journal";

/** Relative path of journal file number `n`. */
export function journalFile(n: number): string {
  return `${JOURNAL_DIR}/journal_${n}`;
}

/** What a replay found. */
export interface ReplaySummary {
  /** Number of journal files read. */
  readonly files: number;
  /** Number of updates replayed. */
  readonly updates: number;
  /** Files that ended in an incomplete (never acknowledged) record, which was skipped. */
  readonly tornTails: readonly string[];
}

/**
 * Reads every journal file in order and passes each update to `apply`. An unparseable record, or
 * an update `apply` rejects, is `DATA_LOSS` naming the file and record.
 */
export async function replayJournal(
  storage: Storage,
  apply: (update: Update) => void,
): Promise<ReplaySummary> {
  let files = 0;
  let updates = 0;
  const tornTails: string[] = [];
  for (let n = 0; await storage.exists(journalFile(n)); n++) {
    const path = journalFile(n);
    const where = `Journal file ${storage.resolve(path)}`;
    const file = await storage.openRead(path);
    try {
      const reader = new RecordReader(file, where);
      for (let index = 0; ; index++) {
        const r = await reader.next();
        if (r.kind === "end") break;
        if (r.kind === "torn") {
          tornTails.push(path);
          break;
        }
        let update: Update;
        try {
          update = fromBinary(UpdateSchema, r.data);
        } catch (err) {
          throw new TfDataError("DataLoss", `${where}: record ${index} (at byte ${r.offset}) is not a serialized ` +
            `tensorflow.data.Update: ${err instanceof Error ? err.message : String(err)}. The journal is ` +
            "corrupted; restore it from a backup or move the work dir away to start from an empty state.");
        }
        try {
          apply(update);
        } catch (err) {
          throw new TfDataError("DataLoss", `${where}: record ${index} (at byte ${r.offset}, ` +
            `${update.updateType.case ?? "no update type"}) cannot be replayed: ` +
            `${err instanceof Error ? err.message : String(err)}`);
        }
        updates++;
      }
    } finally {
      await file.close();
    }
    files++;
  }
  return { files, updates, tornTails };
}

/**
 * Appends updates to a new journal file. Each append is durable (fsync) before it resolves; the
 * caller applies the update only afterwards, and answers its RPC after that.
 */
export class JournalWriter {
  private broken: TfDataError | undefined;

  private constructor(private readonly file: AppendableFile) {}

  /** Opens `journal_<n>` for the first `n` with no file (after `replayJournal` read the others). */
  static async open(storage: Storage): Promise<JournalWriter> {
    await storage.mkdirs(JOURNAL_DIR);
    let n = 0;
    while (await storage.exists(journalFile(n))) n++;
    return new JournalWriter(await storage.openAppend(journalFile(n)));
  }

  /** Relative path of the file being written. */
  get path(): string {
    return this.file.path;
  }

  /** Appends one update durably. After a failed append that could not be undone, every append fails. */
  async append(update: Update): Promise<void> {
    if (this.broken) throw this.broken;
    try {
      await this.file.append(encodeRecord(toBinary(UpdateSchema, update)));
    } catch (err) {
      const cause = err instanceof Error ? err.message : String(err);
      if (!(err instanceof TfDataError) || err.code === "Internal") {
        // The file may now hold a partial record: refuse to write after it.
        this.broken = new TfDataError("Internal", `The dispatcher journal ${this.file.path} is unusable after a ` +
          `failed write (${cause}); restart the dispatcher to recover its state from the journal.`);
      }
      throw err instanceof TfDataError ? err : new TfDataError("Internal", `Journal write failed: ${cause}`);
    }
  }

  /** Closes the file. */
  close(): Promise<void> {
    return this.file.close();
  }
}
