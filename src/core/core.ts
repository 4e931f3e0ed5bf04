/**
 * The host wrapper of the WebAssembly core: loads the module, builds iterators from a
 * `DatasetPlan`, and encodes/decodes elements in TF's wire layouts. Runtime-neutral (no node:*).
 *
 * Example:
 * ```ts
 * const core = await getCore();
 * const it = core.createIterator({ op: "range", start: 0n, stop: 10n, step: 1n, dtype: DType.int64 });
 * for (let e = it.next(); e !== null; e = it.next()) console.log(e[0].toJS());
 * it.close();
 * ```
 */
import { DType, dtypeName, dtypeSize } from "./dtype.js";
import { codeFromGrpc, TfDataError } from "./errors.js";
import { viewNumeric } from "./js-values.js";
import type { DatasetPlan, FunctionPlan } from "./plan.js";
import { encodePlan } from "./plan-codec.js";
import { Tensor, shapeSize } from "./tensor.js";
import { compileCore, CoreAbort, instantiateCore, type CoreSource } from "./wasm-source.js";
import { CORE_PENDING, isSplitRequest, type PollingIterator, type SplitRequest } from "./splits.js";

/** Which TF element message a byte string holds. */
export type ElementKind = "compressed" | "uncompressed";

/** One element in wire form, as the worker sends it in `GetElementResponse`. */
export interface WireElement {
  /** `compressed`: a serialized CompressedElement; `uncompressed`: a serialized UncompressedElement. */
  kind: ElementKind;
  bytes: Uint8Array;
}

/** An iterator over a plan's elements, living in the core. Close it when done. */
export interface CoreIterator {
  /**
   * The next element (components copied out of wasm memory), or null at end of sequence (and on
   * every call after it). Throws TfDataError when producing the element fails (the iterator is
   * then released), or FailedPrecondition after `close()`.
   */
  next(): Tensor[] | null;
  /**
   * The next element in wire form: a serialized CompressedElement when the element is one scalar
   * DT_VARIANT CompressedElement (the output of TF's `map(CompressElement)`), else a serialized
   * UncompressedElement. Null at end of sequence.
   */
  nextWire(): WireElement | null;
  /** Releases the iterator in the core (idempotent). */
  close(): void;
}

/**
 * A plan instantiated once in the core, iterated many times. Its iterators share state across
 * passes the way TF's do: a reshuffling shuffle draws a new order on each pass.
 */
export interface CoreDataset {
  /** A fresh iterator over the next pass. */
  createIterator(): CoreIterator;
  /** Releases the dataset in the core (idempotent); open iterators stay valid. */
  close(): void;
}

/** The ABI exported by assembly/index.ts. */
interface CoreExports {
  memory: WebAssembly.Memory;
  alloc(size: number): number;
  free(ptr: number): void;
  lastErrorCode(): number;
  errorPtr(): number;
  errorLen(): number;
  descriptor(): number;
  iterCreate(ptr: number, len: number): number;
  datasetCreate(ptr: number, len: number): number;
  datasetIterator(h: number): number;
  runFunction(planPtr: number, planLen: number, argsPtr: number, argsLen: number): number;
  iterNext(h: number): number;
  iterNextWire(h: number): number;
  iterRelease(h: number): void;
  decodeElement(kind: number, ptr: number, len: number): number;
  stageElement(ptr: number): number;
  encodeStaged(kind: number): number;
  splitProviderOpen(): number;
  splitProviderRelease(id: number): void;
  provideSplit(id: number, repetition: bigint, value: bigint): number;
  provideEndOfSplits(id: number, repetition: bigint): number;
  pendingSplitProvider(): number;
  pendingSplitRepetition(): bigint;
}

const END = -1;

/**
 * The core's linear memory cap (asconfig.json `maximumMemory`, 32768 pages). Allocations that would
 * pass it fail with ResourceExhausted inside the core.
 */
export const CORE_MAX_MEMORY_BYTES = 2 * 1024 * 1024 * 1024;

const KIND_UNCOMPRESSED = 0;
const KIND_COMPRESSED = 1;
const utf8 = new TextDecoder();

function kindNumber(kind: ElementKind): number {
  if (kind === "compressed") return KIND_COMPRESSED;
  if (kind === "uncompressed") return KIND_UNCOMPRESSED;
  throw new TfDataError("InvalidArgument", `element kind must be "compressed" or "uncompressed", got ${JSON.stringify(kind)}`);
}

/** One instance of the wasm core with its own memory. Not thread-safe: one per worker thread. */
export class Core {
  readonly #x: CoreExports;
  #broken: string | null = null;
  readonly #handles = new FinalizationRegistry<number>((h) => {
    if (this.#broken === null) this.#x.iterRelease(h);
  });

  /** Use `loadCore()`/`getCore()`; this wraps an already instantiated core. */
  constructor(instance: WebAssembly.Instance) {
    this.#x = instance.exports as unknown as CoreExports;
    for (const name of ["memory", "alloc", "iterCreate", "iterNext", "descriptor"]) {
      if (!(name in instance.exports)) throw new TfDataError("FailedPrecondition", `the wasm module is not the tfdata core: export ${name} is missing`);
    }
  }

  /** Why this instance is unusable (a trap happened), or null. */
  get broken(): string | null {
    return this.#broken;
  }

  /** Current size of the core's linear memory in bytes. */
  get memoryBytes(): number {
    return this.#x.memory.buffer.byteLength;
  }

  /** Runs `f` against the exports, turning a trap into a TfDataError and retiring the instance. */
  #call<T>(f: (x: CoreExports) => T): T {
    if (this.#broken !== null) {
      throw new TfDataError("Internal", `the wasm core is unusable after an earlier failure (${this.#broken}); load a new one`);
    }
    try {
      return f(this.#x);
    } catch (e) {
      if (e instanceof CoreAbort) {
        this.#broken = e.message;
        throw e;
      }
      if (e instanceof TfDataError) throw e;
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        this.#broken = String(e.message);
        const full = this.#x.memory.buffer.byteLength > CORE_MAX_MEMORY_BYTES * 0.9;
        const code = full || /memory/i.test(e.message) ? "ResourceExhausted" : "Internal";
        throw new TfDataError(code, `the wasm core trapped: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  #error(status: number): TfDataError {
    const x = this.#x;
    const ptr = x.errorPtr() >>> 0;
    const len = x.errorLen();
    const msg = utf8.decode(new Uint8Array(x.memory.buffer, ptr, len));
    return new TfDataError(codeFromGrpc(status), msg || `core call failed with status ${status}`);
  }

  /** Copies `bytes` into core memory; the caller frees the returned pointer. */
  #put(x: CoreExports, bytes: Uint8Array): number {
    const ptr = x.alloc(bytes.length) >>> 0;
    if (ptr === 0) throw this.#error(x.lastErrorCode() || 8);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  #wordsBuf: ArrayBuffer | null = null;
  #wordsView = new Uint32Array(0);

  /** A u32 view of memory, recreated only after the memory grew (growth detaches old views). */
  #words(buf: ArrayBuffer): Uint32Array {
    if (buf !== this.#wordsBuf) {
      this.#wordsBuf = buf;
      this.#wordsView = new Uint32Array(buf);
    }
    return this.#wordsView;
  }

  /** Reads the element descriptor (assembly/abi/describe.ts) into host tensors. */
  #readElement(x: CoreExports): Tensor[] {
    const buf = x.memory.buffer;
    const words = this.#words(buf);
    let p = (x.descriptor() >>> 0) >>> 2;
    const n = words[p++];
    const out: Tensor[] = new Array(n);
    for (let c = 0; c < n; c++) {
      const dtype = words[p] as DType;
      const rank = words[p + 1];
      const dataPtr = words[p + 2];
      const dataLen = words[p + 3];
      const offsPtr = words[p + 4];
      p += 5;
      const shape: number[] = new Array(rank);
      for (let d = 0; d < rank; d++, p += 2) shape[d] = words[p] + words[p + 1] * 0x100000000;
      if (offsPtr !== 0) {
        const count = shapeSize(shape);
        const bytes = new Uint8Array(buf.slice(dataPtr, dataPtr + dataLen));
        const o = offsPtr >>> 2;
        const strings: Uint8Array[] = new Array(count);
        for (let i = 0; i < count; i++) strings[i] = bytes.subarray(words[o + i], words[o + i + 1]);
        out[c] = Tensor.fromCore(dtype, shape, strings);
      } else {
        out[c] = Tensor.fromCore(dtype, shape, viewNumeric(dtype, buf.slice(dataPtr, dataPtr + dataLen), 0, dataLen));
      }
    }
    return out;
  }

  #readWire(x: CoreExports): WireElement {
    const words = this.#words(x.memory.buffer);
    const p = (x.descriptor() >>> 0) >>> 2;
    const kind = words[p] === KIND_COMPRESSED ? "compressed" : "uncompressed";
    const ptr = words[p + 1];
    const len = words[p + 2];
    return { kind, bytes: new Uint8Array(x.memory.buffer.slice(ptr, ptr + len)) };
  }

  /**
   * Instantiates `plan` as an iterator. Throws TfDataError (InvalidArgument, Unimplemented, ...)
   * naming what is wrong in the plan.
   */
  createIterator(plan: DatasetPlan): CoreIterator {
    const bytes = encodePlan(plan);
    const h = this.#call((x) => {
      const ptr = this.#put(x, bytes);
      const h = x.iterCreate(ptr, bytes.length);
      x.free(ptr);
      if (h <= 0) throw this.#error(x.lastErrorCode());
      return h;
    });
    return this.#wrapIterator(h);
  }

  /**
   * Instantiates `plan`, whose sources may read splits (`splitSource` nodes over providers from
   * {@link openSplitProvider}), as an iterator to poll (see src/core/splits.ts).
   */
  createPollingIterator(plan: DatasetPlan): PollingIterator {
    return this.createIterator(plan) as PollingIterator; // every core iterator can be polled
  }

  /** Opens a split provider (repetition 0, no splits) for `splitSource` plan nodes; returns its id. */
  openSplitProvider(): number {
    return this.#call((x) => {
      const id = x.splitProviderOpen();
      if (id <= 0) throw this.#error(x.lastErrorCode());
      return id;
    });
  }

  /** Closes a split provider (after the iterators reading it). Idempotent. */
  closeSplitProvider(provider: number): void {
    if (this.#broken === null) this.#x.splitProviderRelease(provider);
  }

  /**
   * Hands the next split of `provider` for `repetition` to the core, or (`split === null`) the
   * end of that repetition's splits. Returns false when the provider has moved on to another
   * repetition (the split is dropped: it belonged to a pass that was abandoned).
   */
  provideSplit(provider: number, repetition: bigint, split: bigint | null): boolean {
    return this.#call((x) => {
      const st = split === null ? x.provideEndOfSplits(provider, BigInt.asIntN(64, repetition))
        : x.provideSplit(provider, BigInt.asIntN(64, repetition), BigInt.asIntN(64, split));
      if (st !== 0 && st !== 1) throw this.#error(st);
      return st === 0;
    });
  }

  /**
   * Instantiates `plan` once as a dataset whose iterators continue its state across passes
   * (see CoreDataset). Throws TfDataError naming what is wrong in the plan.
   */
  createDataset(plan: DatasetPlan): CoreDataset {
    const bytes = encodePlan(plan);
    const h = this.#call((x) => {
      const ptr = this.#put(x, bytes);
      const h = x.datasetCreate(ptr, bytes.length);
      x.free(ptr);
      if (h <= 0) throw this.#error(x.lastErrorCode());
      return h;
    });
    let open = true;
    const token = {};
    const ds: CoreDataset = {
      createIterator: () => {
        if (!open) throw new TfDataError("FailedPrecondition", "the dataset is closed");
        return this.#wrapIterator(this.#call((x) => {
          const ih = x.datasetIterator(h);
          if (ih <= 0) throw this.#error(x.lastErrorCode());
          return ih;
        }));
      },
      close: () => {
        if (!open) return;
        open = false;
        this.#handles.unregister(token);
        if (this.#broken === null) this.#x.iterRelease(h);
      },
    };
    this.#handles.register(ds, h, token);
    return ds;
  }

  /** Wraps a core iterator handle; the handle is released on end, error, close or GC. */
  #wrapIterator(h: number): PollingIterator {
    let open = true;
    let ended = false;
    const token = {};
    const release = (): void => {
      if (!open) return;
      open = false;
      this.#handles.unregister(token);
      if (this.#broken === null) this.#x.iterRelease(h);
    };
    const close = (): void => {
      release();
      ended = false;
    };
    const advance = <T>(fn: (x: CoreExports) => number, read: (x: CoreExports) => T): T | SplitRequest | null => {
      if (ended) return null;
      if (!open) throw new TfDataError("FailedPrecondition", "the iterator is closed");
      return this.#call((x) => {
        const st = fn(x);
        if (st === END) {
          release();
          ended = true;
          return null;
        }
        if (st === CORE_PENDING) {
          // Waiting for a split: nothing is lost, the host provides it and polls again.
          return { kind: "splitRequest", provider: x.pendingSplitProvider(), repetition: x.pendingSplitRepetition() };
        }
        if (st !== 0) {
          release();
          throw this.#error(st);
        }
        return read(x);
      });
    };
    const noSplit = <T>(r: T | SplitRequest | null): T | null => {
      if (!isSplitRequest(r)) return r;
      throw new TfDataError("FailedPrecondition", `the iterator waits for a split of split provider ${r.provider}; ` +
        "read it with poll()/pollWire() (Core.createPollingIterator) and hand splits in with Core.provideSplit");
    };
    const it: PollingIterator = {
      next: () => noSplit(advance((x) => x.iterNext(h), (x) => this.#readElement(x))),
      nextWire: () => noSplit(advance((x) => x.iterNextWire(h), (x) => this.#readWire(x))),
      poll: () => advance((x) => x.iterNext(h), (x) => this.#readElement(x)),
      pollWire: () => advance((x) => x.iterNextWire(h), (x) => this.#readWire(x)),
      close,
    };
    this.#handles.register(it, h, token);
    return it;
  }

  /**
   * Runs one FunctionPlan on `args` outside any dataset: evaluates a traced function once (tests,
   * tools). Throws TfDataError from the kernels (e.g. InvalidArgument for a reshape mismatch).
   */
  runFunction(fn: FunctionPlan, args: readonly Tensor[]): Tensor[] {
    const plan = encodePlan({ op: "function", fn } as unknown as DatasetPlan);
    const argBytes = this.encodeElement(args, "uncompressed");
    const bytes = this.#call((x) => {
      const pp = this.#put(x, plan);
      const ap = this.#put(x, argBytes);
      const st = x.runFunction(pp, plan.length, ap, argBytes.length);
      x.free(pp);
      x.free(ap);
      if (st !== 0) throw this.#error(st);
      return this.#readWire(x).bytes;
    });
    return this.decodeElement("uncompressed", bytes);
  }

  /**
   * Decodes a serialized `CompressedElement` (snappy) or `UncompressedElement` into its
   * components. Throws InvalidArgument / Internal / DataLoss on malformed input.
   */
  decodeElement(kind: ElementKind, bytes: Uint8Array): Tensor[] {
    const k = kindNumber(kind);
    return this.#call((x) => {
      const ptr = this.#put(x, bytes);
      const st = x.decodeElement(k, ptr, bytes.length);
      x.free(ptr);
      if (st !== 0) throw this.#error(st);
      return this.#readElement(x);
    });
  }

  /**
   * Encodes components as a serialized `UncompressedElement` (TensorProtos with tensor_content)
   * or `CompressedElement` (version 0, raw snappy), byte-identical to TF's encoders.
   */
  encodeElement(tensors: readonly Tensor[], kind: ElementKind): Uint8Array {
    const k = kindNumber(kind);
    for (const t of tensors) {
      if (!(t instanceof Tensor)) throw new TfDataError("InvalidArgument", "encodeElement needs Tensor components");
    }
    // Staging descriptor: [n, per component: dtype, rank, dataLen, dims (lo, hi)...].
    let words = 1;
    for (const t of tensors) words += 3 + 2 * t.rank;
    const desc = new Uint32Array(words);
    let p = 0;
    desc[p++] = tensors.length;
    for (const t of tensors) {
      desc[p++] = t.dtype;
      desc[p++] = t.rank;
      let len = 0;
      if (Array.isArray(t.data)) for (const s of t.data as readonly Uint8Array[]) len += s.length;
      else len = (t.data as ArrayBufferView).byteLength;
      if (len > 0xffffffff) throw new TfDataError("ResourceExhausted", `component ${t} has more than 4 GiB of data`);
      desc[p++] = len;
      for (const d of t.shape) {
        desc[p++] = d >>> 0;
        desc[p++] = Math.floor(d / 0x100000000);
      }
    }
    return this.#call((x) => {
      const dptr = this.#put(x, new Uint8Array(desc.buffer));
      const st = x.stageElement(dptr);
      x.free(dptr);
      if (st !== 0) throw this.#error(st);
      // The core answered [dataPtr, offsetsPtr] per component; fill the buffers it allocated.
      const buf = x.memory.buffer;
      const w = new Uint32Array(buf);
      const u8 = new Uint8Array(buf);
      let q = (x.descriptor() >>> 0) >>> 2;
      for (const t of tensors) {
        const dataPtr = w[q++];
        const offsPtr = w[q++];
        if (Array.isArray(t.data)) {
          let pos = 0;
          let o = offsPtr >>> 2;
          w[o++] = 0;
          for (const s of t.data as readonly Uint8Array[]) {
            u8.set(s, dataPtr + pos);
            pos += s.length;
            w[o++] = pos;
          }
        } else {
          const v = t.data as ArrayBufferView;
          u8.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), dataPtr);
        }
      }
      const st2 = x.encodeStaged(k);
      if (st2 !== 0) throw this.#error(st2);
      return this.#readWire(x).bytes;
    });
  }
}

/** Instantiates a new core from `source` (default: the embedded module). */
export async function loadCore(source?: CoreSource): Promise<Core> {
  return new Core(await instantiateCore(await compileCore(source)));
}

let shared: Promise<Core> | null = null;

/** The process-wide core, loaded on first use (and reloaded if a trap made it unusable). */
export async function getCore(): Promise<Core> {
  if (shared !== null) {
    const c = await shared.catch(() => null);
    if (c !== null && c.broken === null) return c;
  }
  shared = loadCore();
  return shared;
}

/** Bytes per element of a fixed-width dtype, re-exported for callers sizing buffers. */
export { dtypeSize, dtypeName };
