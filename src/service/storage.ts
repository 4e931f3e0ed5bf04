/**
 * Durable file storage for the dispatcher's `workDir`: the journal and the registered dataset
 * graphs. Runtime-neutral interface; `src/runtime/` implements it (Node: `node:fs` with fsync) and
 * exposes it through `Platform.storage`.
 *
 * Paths are relative to the storage root (the workDir), `/`-separated, and never leave it.
 * Failures are `TfDataError`s: `NotFound` for a missing file, `PermissionDenied`,
 * `ResourceExhausted` (disk full), otherwise `Internal`, each naming the operation and the path.
 */

/** A file opened for appending (the journal). Appends are serialized by the caller. */
export interface AppendableFile {
  /** Path of the file, relative to the storage root. */
  readonly path: string;
  /**
   * Appends `bytes` and makes them durable (fsync) before resolving. If the append fails, the file
   * is cut back to its previous length when possible, so no partial record stays behind.
   */
  append(bytes: Uint8Array): Promise<void>;
  /** Closes the file; idempotent. */
  close(): Promise<void>;
}

/** Random-access reads of a file, for streaming through a large journal. */
export interface ReadableFile {
  /** File size in bytes when it was opened. */
  readonly size: number;
  /** Up to `length` bytes starting at `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Closes the file; idempotent. */
  close(): Promise<void>;
}

/**
 * Durable storage under one root directory.
 *
 * @example
 * const s = platform().storage!("/var/tfdata");
 * await s.writeAtomic("datasets/1000", bytes);
 */
export interface Storage {
  /** The path as other processes (workers reading `TaskDef.path`) should open it: absolute. */
  resolve(path: string): string;
  /** Creates a directory and its parents (no error if it exists). */
  mkdirs(path: string): Promise<void>;
  /** True if a file or directory exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** The whole file; `NotFound` if it does not exist. */
  read(path: string): Promise<Uint8Array>;
  /** Opens a file for random-access reads; `NotFound` if it does not exist. */
  openRead(path: string): Promise<ReadableFile>;
  /** Replaces a file atomically and durably (temporary file, fsync, rename, fsync directory). */
  writeAtomic(path: string, bytes: Uint8Array): Promise<void>;
  /** Opens (creating if needed) a file for appending; a new file's directory entry is made durable. */
  openAppend(path: string): Promise<AppendableFile>;
  /** Names of the entries of a directory; `[]` if it does not exist. */
  list(path: string): Promise<string[]>;
}
