/**
 * A core instance driven at the ABI level, for the parallel runner: handles of datasets and
 * iterators, element descriptors packed straight into chunks, and the channel entry points
 * (assembly/datasets/channel.ts). `Core` (core.ts) is the public wrapper; this one exists because
 * the runner moves elements between instances without building host tensors in between.
 * One instance per thread; not thread-safe.
 */
import { compileCore, CoreAbort, instantiateCore } from "../wasm-source.js";
import { codeFromGrpc, grpcCodeOf, TfDataError } from "../errors.js";
import type { DatasetPlan } from "../plan.js";
import { encodePlan } from "../plan-codec.js";
import { ChunkWriter, forEachPacked, type Chunk } from "./chunk.js";
import type { ErrorInfo } from "./protocol.js";

/** Status of an advancing call: OK, end of sequence, anything else a gRPC code. */
export const OK = 0;
/** End of sequence. */
export const END = -1;

const KIND_COMPRESSED = 1;

interface RawExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  lastErrorCode(): number;
  errorPtr(): number;
  errorLen(): number;
  descriptor(): number;
  datasetCreate(ptr: number, len: number): number;
  datasetIterator(h: number): number;
  iterNext(h: number): number;
  iterNextWire(h: number): number;
  iterRelease(h: number): void;
  stageElement(ptr: number): number;
  channelOpen(): number;
  channelReset(id: number): number;
  channelRelease(id: number): void;
  channelLength(id: number): number;
  channelFail(id: number, code: number, ptr: number, len: number): number;
  channelPump(id: number, h: number, count: number): number;
  channelPushStaged(id: number): number;
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** A core instance with handle-level access (see the module comment). */
export class RawCore {
  readonly #x: RawExports;
  #broken: string | null = null;
  #wordsBuf: ArrayBuffer | null = null;
  #words = new Uint32Array(0);

  private constructor(instance: WebAssembly.Instance) {
    this.#x = instance.exports as unknown as RawExports;
    for (const name of ["channelOpen", "channelPump", "channelPushStaged", "datasetCreate", "stageElement"]) {
      if (!(name in instance.exports)) {
        throw new TfDataError("FailedPrecondition", `the wasm core lacks export ${name}: rebuild it with \`npm run build:wasm\``);
      }
    }
  }

  /** Instantiates `module` (default: the embedded core). */
  static async load(module?: WebAssembly.Module | Uint8Array): Promise<RawCore> {
    const mod = module instanceof WebAssembly.Module ? module : await compileCore(module as Uint8Array<ArrayBuffer> | undefined);
    return new RawCore(await instantiateCore(mod));
  }

  /** Why this instance is unusable (a trap happened), or null. */
  get broken(): string | null {
    return this.#broken;
  }

  /** Runs `f`, turning a trap into a TfDataError and retiring the instance. */
  #call<T>(f: (x: RawExports) => T): T {
    if (this.#broken !== null) {
      throw new TfDataError("Internal", `the wasm core is unusable after an earlier failure (${this.#broken})`);
    }
    try {
      return f(this.#x);
    } catch (e) {
      if (e instanceof CoreAbort) this.#broken = e.message;
      if (e instanceof TfDataError) throw e;
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        this.#broken = String(e.message);
        throw new TfDataError(/memory/i.test(e.message) ? "ResourceExhausted" : "Internal", `the wasm core trapped: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  /** The recorded error of a failed call with status `status`. */
  errorInfo(status: number): ErrorInfo {
    const x = this.#x;
    const msg = utf8.decode(new Uint8Array(x.memory.buffer, x.errorPtr() >>> 0, x.errorLen()));
    return { code: codeFromGrpc(status), message: msg || `core call failed with status ${status}` };
  }

  #fail(status: number): TfDataError {
    const e = this.errorInfo(status);
    return new TfDataError(e.code, e.message);
  }

  #put(x: RawExports, bytes: Uint8Array): number {
    const ptr = x.alloc(bytes.length) >>> 0;
    if (ptr === 0) throw this.#fail(x.lastErrorCode() || grpcCodeOf.ResourceExhausted);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  #descWords(): { words: Uint32Array; p: number } {
    const buf = this.#x.memory.buffer;
    if (buf !== this.#wordsBuf) {
      this.#wordsBuf = buf;
      this.#words = new Uint32Array(buf);
    }
    return { words: this.#words, p: (this.#x.descriptor() >>> 0) >>> 2 };
  }

  /** Builds `plan` as a dataset kept in the core; returns its handle. Throws naming what is wrong. */
  createDataset(plan: DatasetPlan): number {
    const bytes = encodePlan(plan);
    return this.#call((x) => {
      const ptr = this.#put(x, bytes);
      const h = x.datasetCreate(ptr, bytes.length);
      x.free(ptr);
      if (h <= 0) throw this.#fail(x.lastErrorCode());
      return h;
    });
  }

  /** A new iterator over dataset `ds` (its next pass); returns the iterator's handle. */
  iterator(ds: number): number {
    return this.#call((x) => {
      const h = x.datasetIterator(ds);
      if (h <= 0) throw this.#fail(x.lastErrorCode());
      return h;
    });
  }

  /** Releases a dataset or iterator handle (idempotent on a broken instance). */
  release(h: number): void {
    if (this.#broken === null && h > 0) this.#x.iterRelease(h);
  }

  /** Advances iterator `h`, dropping the element. Returns OK, END or a gRPC code. */
  advance(h: number): number {
    return this.#call((x) => x.iterNext(h));
  }

  /** Advances iterator `h`; on OK the element is appended to `writer`. Returns OK, END or a gRPC code. */
  nextInto(h: number, writer: ChunkWriter): number {
    return this.#call((x) => {
      const st = x.iterNext(h);
      if (st !== OK) return st;
      const { words, p } = this.#descWords();
      writer.addDescribed(x.memory.buffer, words, p);
      return OK;
    });
  }

  /** Advances iterator `h` in wire form; on OK the element is appended to `writer`. */
  nextWireInto(h: number, writer: ChunkWriter): number {
    return this.#call((x) => {
      const st = x.iterNextWire(h);
      if (st !== OK) return st;
      const { words, p } = this.#descWords();
      writer.addWire(words[p] === KIND_COMPRESSED ? 1 : 0, x.memory.buffer, words[p + 1], words[p + 2]);
      return OK;
    });
  }

  /** Opens a channel; returns its id (for a `{ op: "channel", id }` plan node). */
  channelOpen(): number {
    return this.#call((x) => {
      const id = x.channelOpen();
      if (id <= 0) throw this.#fail(x.lastErrorCode());
      return id;
    });
  }

  /** Empties channel `id` for the next chunk. */
  channelReset(id: number): void {
    this.#call((x) => {
      const st = x.channelReset(id);
      if (st !== OK) throw this.#fail(st);
    });
  }

  /** Closes channel `id`. */
  channelRelease(id: number): void {
    if (this.#broken === null) this.#x.channelRelease(id);
  }

  /** Elements in channel `id` not read yet. */
  channelLength(id: number): number {
    return this.#call((x) => x.channelLength(id));
  }

  /**
   * Moves up to `count` elements of iterator `h` into channel `id` inside the core (no copy).
   * Returns OK, END or the iterator's error code; the channel then ends the same way.
   */
  channelPump(id: number, h: number, count: number): number {
    return this.#call((x) => x.channelPump(id, h, count));
  }

  /** Makes channel `id` end with `error` after its elements. */
  channelFail(id: number, error: ErrorInfo): void {
    const bytes = utf8Encoder.encode(error.message);
    this.#call((x) => {
      const ptr = bytes.length > 0 ? this.#put(x, bytes) : 0;
      const st = x.channelFail(id, grpcCodeOf[error.code], ptr, bytes.length);
      if (ptr !== 0) x.free(ptr);
      if (st !== OK) throw this.#fail(st);
    });
  }

  /** Appends every element of a `tensors` chunk to channel `id` (copied into core memory). */
  channelPushChunk(id: number, chunk: Chunk): void {
    forEachPacked(chunk, (comps) => {
      // Staging descriptor: [n, per component: dtype, rank, dataLen, dims (lo, hi)...].
      let words = 1;
      for (const c of comps) words += 3 + 2 * c.shape.length;
      const desc = new Uint32Array(words);
      let p = 0;
      desc[p++] = comps.length;
      for (const c of comps) {
        desc[p++] = c.dtype;
        desc[p++] = c.shape.length;
        desc[p++] = c.dataLen;
        for (const d of c.shape) {
          desc[p++] = d >>> 0;
          desc[p++] = Math.floor(d / 0x100000000);
        }
      }
      this.#call((x) => {
        const dptr = this.#put(x, new Uint8Array(desc.buffer));
        const st = x.stageElement(dptr);
        x.free(dptr);
        if (st !== OK) throw this.#fail(st);
        // The core answered [dataPtr, offsetsPtr] per component; fill what it allocated.
        const u8 = new Uint8Array(x.memory.buffer);
        const { words: w, p: q0 } = this.#descWords();
        let q = q0;
        for (const c of comps) {
          const dataPtr = w[q++];
          const offsPtr = w[q++];
          u8.set(new Uint8Array(c.buffer, c.dataOffset, c.dataLen), dataPtr);
          if (c.offsetsOffset >= 0 && offsPtr !== 0) {
            let count = 1;
            for (const d of c.shape) count *= d;
            u8.set(new Uint8Array(chunk.data, c.offsetsOffset, 4 * (count + 1)), offsPtr);
          }
        }
        const st2 = x.channelPushStaged(id);
        if (st2 !== OK) throw this.#fail(st2);
      });
    });
  }
}

let shared: Promise<RawCore> | null = null;

/** The compiled embedded core (compiled once per thread; posted to stage threads as is). */
export function coreModule(): Promise<WebAssembly.Module> {
  return compileCore();
}

/** This thread's runner core, loaded on first use (and reloaded after a trap). */
export async function sharedRawCore(): Promise<RawCore> {
  if (shared !== null) {
    const c = await shared.catch(() => null);
    if (c !== null && c.broken === null) return c;
  }
  shared = coreModule().then((m) => RawCore.load(m));
  return shared;
}
