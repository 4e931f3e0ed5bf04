/**
 * Where registered dataset graphs live. Without a `workDir` they are kept in memory (TF's
 * `MemoryDatasetStore`); with one, each is the file `<workDir>/datasets/<id>` holding one TFRecord
 * with the serialized `DatasetDef` (TF's `FileSystemDatasetStore`), which workers read through
 * `TaskDef.path`.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { TfDataError } from "../../core/errors.js";
import { type DatasetDef, DatasetDefSchema } from "../../gen/tensorflow/core/data/service/common_pb.js";
import type { Storage } from "../storage.js";
import { decodeRecords, encodeRecord } from "./tfrecord.js";

/** The datasets directory inside the work dir (TF's `kDatasetsDir`). */
export const DATASETS_DIR = "datasets";

/** Storage of dataset graphs by dataset id. */
export interface DatasetStore {
  /** Stores `def` under `id` (replacing a file left by an earlier, non-fault-tolerant run). */
  put(id: string, def: DatasetDef): Promise<void>;
  /** The graph stored under `id`, or `NotFound`. */
  get(id: string): Promise<DatasetDef>;
  /** The absolute file a worker reads for `id` (`TaskDef.path`), or `undefined` when graphs go inline. */
  path(id: string): string | undefined;
}

/** In-memory store: graphs are kept for the dispatcher's lifetime and sent inline in `TaskDef`s. */
export class MemoryDatasetStore implements DatasetStore {
  private readonly defs = new Map<string, DatasetDef>();

  async put(id: string, def: DatasetDef): Promise<void> {
    if (this.defs.has(id)) throw new TfDataError("AlreadyExists", `Dataset ${id} is already stored.`);
    this.defs.set(id, def);
  }

  async get(id: string): Promise<DatasetDef> {
    const def = this.defs.get(id);
    if (!def) throw new TfDataError("NotFound", `Dataset id ${id} not found`);
    return def;
  }

  path(): undefined {
    return undefined;
  }
}

/** File store under a work dir: `datasets/<id>`, one TFRecord holding the `DatasetDef`. */
export class FileDatasetStore implements DatasetStore {
  constructor(private readonly storage: Storage) {}

  async put(id: string, def: DatasetDef): Promise<void> {
    await this.storage.writeAtomic(`${DATASETS_DIR}/${id}`, encodeRecord(toBinary(DatasetDefSchema, def)));
  }

  async get(id: string): Promise<DatasetDef> {
    const file = `${DATASETS_DIR}/${id}`;
    const where = `Dataset file ${this.storage.resolve(file)}`;
    let bytes: Uint8Array;
    try {
      bytes = await this.storage.read(file);
    } catch (err) {
      if (err instanceof TfDataError && err.code === "NotFound") {
        throw new TfDataError("NotFound", `${where} for dataset id ${id} does not exist; the work dir lost it.`);
      }
      throw err;
    }
    const records = decodeRecords(bytes, where);
    if (records.length !== 1) {
      throw new TfDataError("DataLoss", `${where} holds ${records.length} records; a dataset file holds exactly ` +
        "one (the serialized DatasetDef).");
    }
    try {
      return fromBinary(DatasetDefSchema, records[0]);
    } catch (err) {
      throw new TfDataError("DataLoss", `${where} does not hold a serialized tensorflow.data.DatasetDef: ` +
        `${err instanceof Error ? err.message : String(err)}`);
    }
  }

  path(id: string): string {
    return this.storage.resolve(`${DATASETS_DIR}/${id}`);
  }
}
