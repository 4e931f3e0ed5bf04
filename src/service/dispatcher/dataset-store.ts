/**
 * Where registered dataset graphs live. TF keeps them in memory without a `work_dir` and in
 * `<work_dir>/datasets/<id>` with one; the file store arrives with the journal (issue 4), behind
 * this same interface.
 */
import { TfDataError } from "../../core/errors.js";
import type { DatasetDef } from "../../gen/tensorflow/core/data/service/common_pb.js";

/** Storage of dataset graphs by dataset id. */
export interface DatasetStore {
  /** Stores `def` under `id`; ids are written once. */
  put(id: string, def: DatasetDef): void;
  /** The graph stored under `id`, or `NotFound`. */
  get(id: string): DatasetDef;
}

/** In-memory store (TF's `MemoryDatasetStore`): graphs are kept for the dispatcher's lifetime. */
export class MemoryDatasetStore implements DatasetStore {
  private readonly defs = new Map<string, DatasetDef>();

  put(id: string, def: DatasetDef): void {
    if (this.defs.has(id)) throw new TfDataError("AlreadyExists", `Dataset ${id} is already stored.`);
    this.defs.set(id, def);
  }

  get(id: string): DatasetDef {
    const def = this.defs.get(id);
    if (!def) throw new TfDataError("NotFound", `Dataset id ${id} not found`);
    return def;
  }
}
