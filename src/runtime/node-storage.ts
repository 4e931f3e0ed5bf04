/**
 * `Storage` on the local filesystem for Node (and Deno through its `node:` compatibility): the
 * dispatcher's journal and dataset files. Every write is durable before it resolves: appends are
 * fsync'd, atomic replacements go through a fsync'd temporary file and a rename, and new directory
 * entries are fsync'd too (where the OS allows syncing a directory).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { TfDataError, type ErrorCode } from "../core/errors.js";
import type { AppendableFile, ReadableFile, Storage } from "../service/storage.js";

/** Maps a Node filesystem error to our error, naming the operation and path. */
function fsError(op: string, file: string, err: unknown): TfDataError {
  const code = (err as { code?: string }).code;
  let mapped: ErrorCode = "Internal";
  if (code === "ENOENT") mapped = "NotFound";
  else if (code === "EACCES" || code === "EPERM" || code === "EROFS") mapped = "PermissionDenied";
  else if (code === "ENOSPC" || code === "EDQUOT" || code === "EMFILE" || code === "ENFILE") mapped = "ResourceExhausted";
  const detail = err instanceof Error ? err.message : String(err);
  return new TfDataError(mapped, `Failed to ${op} ${file}: ${detail}`, { cause: err });
}

/** fsync a directory so a new or renamed entry survives a crash; unsupported on some OSes (ignored). */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Windows cannot open or fsync directories; the rename itself is still atomic there.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Writes all of `bytes` at the current end of `handle` (write() may write less than asked). */
async function writeAll(handle: fs.FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write made no progress after ${done} of ${bytes.length} bytes`);
    done += bytesWritten;
  }
}

class NodeAppendableFile implements AppendableFile {
  private closed = false;

  constructor(readonly path: string, private readonly abs: string, private readonly handle: fs.FileHandle,
    private size: number) {}

  async append(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new TfDataError("FailedPrecondition", `Cannot append to ${this.abs}: the file is closed.`);
    const before = this.size;
    try {
      await writeAll(this.handle, bytes, before);
      await this.handle.sync();
      this.size = before + bytes.length;
    } catch (err) {
      // Cut a partial write back off so the file holds only whole records.
      await this.handle.truncate(before).catch(() => {});
      throw fsError("append to", this.abs, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => {});
  }
}

class NodeReadableFile implements ReadableFile {
  private closed = false;

  constructor(private readonly abs: string, private readonly handle: fs.FileHandle, readonly size: number) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    const want = Math.max(0, Math.min(length, this.size - offset));
    const out = new Uint8Array(want);
    let done = 0;
    try {
      while (done < want) {
        const { bytesRead } = await this.handle.read(out, done, want - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (err) {
      throw fsError("read", this.abs, err);
    }
    return done === want ? out : out.subarray(0, done);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => {});
  }
}

/** A `Storage` rooted at `root` (made absolute against the current directory). */
export class NodeStorage implements Storage {
  /** Absolute root directory. */
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  resolve(p: string): string {
    if (path.isAbsolute(p) || p.split(/[\\/]/).some((s) => s === "..")) {
      throw new TfDataError("InvalidArgument", `Storage path '${p}' must be relative to ${this.root} and ` +
        "must not contain '..'.");
    }
    return path.join(this.root, p);
  }

  async mkdirs(p: string): Promise<void> {
    const abs = this.resolve(p);
    try {
      await fs.mkdir(abs, { recursive: true });
    } catch (err) {
      throw fsError("create directory", abs, err);
    }
    await syncDir(path.dirname(abs));
  }

  async exists(p: string): Promise<boolean> {
    const abs = this.resolve(p);
    try {
      await fs.stat(abs);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return false;
      throw fsError("stat", abs, err);
    }
  }

  async read(p: string): Promise<Uint8Array> {
    const abs = this.resolve(p);
    try {
      const buf = await fs.readFile(abs);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw fsError("read", abs, err);
    }
  }

  async openRead(p: string): Promise<ReadableFile> {
    const abs = this.resolve(p);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(abs, "r");
      const { size } = await handle.stat();
      return new NodeReadableFile(abs, handle, size);
    } catch (err) {
      await handle?.close().catch(() => {});
      throw fsError("open", abs, err);
    }
  }

  async writeAtomic(p: string, bytes: Uint8Array): Promise<void> {
    const abs = this.resolve(p);
    const tmp = `${abs}.tmp-${randomBytes(6).toString("hex")}`;
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(tmp, "w");
      await writeAll(handle, bytes, 0);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(tmp, abs);
    } catch (err) {
      await handle?.close().catch(() => {});
      await fs.rm(tmp, { force: true }).catch(() => {});
      throw fsError("write", abs, err);
    }
    await syncDir(path.dirname(abs));
  }

  async openAppend(p: string): Promise<AppendableFile> {
    const abs = this.resolve(p);
    let handle: fs.FileHandle | undefined;
    try {
      const existed = await this.exists(p);
      // "a+" would ignore positions on Linux; "r+" after creating keeps positional writes exact.
      if (!existed) await (await fs.open(abs, "wx")).close();
      handle = await fs.open(abs, "r+");
      const { size } = await handle.stat();
      if (!existed) await syncDir(path.dirname(abs));
      return new NodeAppendableFile(p, abs, handle, size);
    } catch (err) {
      await handle?.close().catch(() => {});
      if (err instanceof TfDataError) throw err;
      throw fsError("open for appending", abs, err);
    }
  }

  async list(p: string): Promise<string[]> {
    const abs = this.resolve(p);
    try {
      return (await fs.readdir(abs)).sort();
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return [];
      throw fsError("list", abs, err);
    }
  }
}

/** `Platform.storage` for Node: durable storage rooted at the dispatcher's `workDir`. */
export function createNodeStorage(workDir: string): Storage {
  return new NodeStorage(workDir);
}
