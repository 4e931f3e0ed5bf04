// `channel`: a dataset whose elements are put in from outside the plan, one chunk at a time. The
// parallel runner (src/core/parallel) splits a pipeline at a parallel map: the map (and the
// stateless ops above it) run over a channel, fed either from another iterator of this instance
// (`pumpChannel`, no copy) or from the host (`pushChannel`, elements staged by `stageElement`).
// A channel ends with END, or with the error its producer failed with, so the ops above it see
// exactly what they would have seen from the producer itself.
import { DT_VARIANT, dtypeName } from "../core/dtype";
import { END, fail, INVALID_ARGUMENT, OK, UNIMPLEMENTED, failed, errorCode, errorMessage } from "../core/status";
import { Tensor } from "../core/tensor";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";

/** Most channels open at once in one instance (each parallel pipeline uses one). */
export const MAX_CHANNELS: i32 = 1 << 16;

class Channel {
  elems: Array<Array<Tensor>> = new Array<Array<Tensor>>();
  read: i32 = 0;
  /** OK while open-ended; else the terminal error code the reader gets after the elements. */
  termCode: i32 = OK;
  termMessage: string = "";
}

const channels = new Map<i32, Channel>();
let nextId: i32 = 1;

function lookup(id: i32): Channel | null {
  if (!channels.has(id)) {
    fail(INVALID_ARGUMENT, "channel " + id.toString() + " is not open");
    return null;
  }
  return channels.get(id);
}

/** Opens an empty channel; returns its id (> 0), or 0 with an error when too many are open. */
export function channelOpen(): i32 {
  if (channels.size >= MAX_CHANNELS) {
    fail(INVALID_ARGUMENT, "more than " + MAX_CHANNELS.toString() + " channels are open");
    return 0;
  }
  while (channels.has(nextId) || nextId <= 0) nextId = nextId <= 0 ? 1 : nextId + 1;
  const id = nextId++;
  channels.set(id, new Channel());
  return id;
}

/** Empties channel `id` for the next chunk (elements and terminal error). */
export function channelReset(id: i32): i32 {
  const c = lookup(id);
  if (c == null) return errorCode();
  c.elems.length = 0;
  c.read = 0;
  c.termCode = OK;
  c.termMessage = "";
  return OK;
}

/** Closes channel `id`, dropping its elements. */
export function channelRelease(id: i32): void {
  channels.delete(id);
}

/** Number of elements channel `id` holds that were not read yet (-1 when it is not open). */
export function channelLength(id: i32): i32 {
  if (!channels.has(id)) return -1;
  const c = channels.get(id);
  return c.elems.length - c.read;
}

/** Makes the reader of channel `id` fail with (code, message) after its elements. */
export function channelFail(id: i32, code: i32, messagePtr: usize, messageLen: usize): i32 {
  const c = lookup(id);
  if (c == null) return errorCode();
  if (code <= 0) return fail(INVALID_ARGUMENT, "channel error code must be a positive gRPC code, got " + code.toString());
  c.termCode = code;
  c.termMessage = String.UTF8.decodeUnsafe(messagePtr, messageLen);
  return OK;
}

/** Appends a copy of `elem` (the array; tensors are shared) to channel `id`. */
export function pushChannel(id: i32, elem: Array<Tensor>): i32 {
  const c = lookup(id);
  if (c == null) return errorCode();
  const copy = new Array<Tensor>(elem.length);
  for (let i = 0; i < elem.length; i++) {
    const t = unchecked(elem[i]);
    if (t.dtype == DT_VARIANT) {
      return fail(UNIMPLEMENTED, "a " + dtypeName(t.dtype) + " component cannot be passed between threads; " +
        "run this pipeline without numParallelCalls");
    }
    unchecked(copy[i] = t);
  }
  c.elems.push(copy);
  return OK;
}

/**
 * Moves up to `count` elements from `it` into channel `id`. Returns OK when `count` were moved,
 * END when `it` ended first, or the error `it` failed with; in the last two cases the channel
 * ends the same way after the moved elements. `channelLength` tells how many were moved.
 */
export function pumpChannel(id: i32, it: DatasetIterator, count: i32): i32 {
  const c = lookup(id);
  if (c == null) return errorCode();
  for (let i = 0; i < count; i++) {
    const e = new Array<Tensor>();
    const st = it.next(e);
    if (st == END) return END;
    if (st != OK || failed()) {
      c.termCode = st != OK ? st : errorCode();
      c.termMessage = errorMessage();
      return c.termCode;
    }
    c.elems.push(e);
  }
  return OK;
}

class ChannelIterator extends DatasetIterator {
  constructor(private c: Channel) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    const c = this.c;
    if (c.read < c.elems.length) {
      const e = unchecked(c.elems[c.read]);
      // Drop the channel's reference so the element can be collected once consumed.
      unchecked(c.elems[c.read] = new Array<Tensor>(0));
      c.read++;
      for (let i = 0; i < e.length; i++) out.push(unchecked(e[i]));
      return OK;
    }
    if (c.termCode != OK) return fail(c.termCode, c.termMessage);
    return END;
  }
}

class ChannelDataset extends Dataset {
  id: i32 = 0;

  makeIterator(): DatasetIterator | null {
    const c = lookup(this.id);
    if (c == null) return null;
    return new ChannelIterator(c);
  }
}

/** Plan: no inputs; attr id (an open channel of this instance). */
export function makeChannel(node: DatasetNode): Dataset | null {
  const ds = new ChannelDataset();
  ds.op = node.op;
  ds.id = <i32>node.attrs.int("id");
  if (failed()) return null;
  if (lookup(ds.id) == null) return null;
  return ds;
}
