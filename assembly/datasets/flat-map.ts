// FlatMapDataset and InterleaveDataset (ParallelInterleaveDatasetV4 runs as its deterministic
// order): each input element is mapped by a function to a dataset, whose elements are produced
// one dataset after the other (flat_map) or interleaved over a cycle of open datasets.
//
// Plan: inputs [input, template]; function `fn` maps an element to the template's params; attr
// `templateInput` = 1 (see template.ts); interleave adds `cycleLength` and `blockLength` (> 0).
import { addContext, END, errorCode, fail, failed, INVALID_ARGUMENT, OK } from "../core/status";
import { Tensor } from "../core/tensor";
import { CompiledFunction, compileFunction } from "../kernels/function";
import { DatasetNode } from "../plan/nodes";
import { Dataset, DatasetIterator } from "./dataset";
import { buildInput } from "./registry";
import { checkTemplate, instantiate, templateInputOf } from "./template";

/** Largest cycle length accepted (each slot holds an open iterator). */
export const MAX_CYCLE_LENGTH: i64 = 1 << 20;

/** Makes the dataset an input element maps to: runs the function, then builds the template. */
export class ElementDatasets {
  private params: Array<Tensor> = new Array<Tensor>();
  constructor(private fn: CompiledFunction, private template: DatasetNode, private what: string) {}

  /** A fresh iterator over the dataset of element `args`; null with an error recorded. */
  iterator(args: Array<Tensor>): DatasetIterator | null {
    const params = this.params;
    if (this.fn.run(args, params) != OK) {
      addContext(this.what + " function");
      return null;
    }
    const ds = instantiate(this.template, params);
    params.length = 0;
    if (ds == null) {
      addContext("the dataset returned by the " + this.what + " function");
      return null;
    }
    const it = ds.makeIterator();
    if (it == null) addContext("the dataset returned by the " + this.what + " function");
    return it;
  }
}

/** Reads function `fn` and the template input of a flat_map-like node; null with an error recorded. */
export function elementDatasets(node: DatasetNode, what: string): ElementDatasets | null {
  const f = node.fn("fn");
  if (f == null) {
    fail(INVALID_ARGUMENT, "needs a function \"fn\"");
    return null;
  }
  const t = templateInputOf(node);
  if (failed()) return null;
  if (t < 1 || t >= node.inputs.length) {
    fail(INVALID_ARGUMENT, "needs its dataset template as input #" + t.toString() + " (attr templateInput)");
    return null;
  }
  const template = unchecked(node.inputs[t]);
  if (!checkTemplate(template, f.outputs.length)) return null;
  const cf = compileFunction(f);
  if (cf == null) {
    addContext("fn");
    return null;
  }
  return new ElementDatasets(cf, template, what);
}

class FlatMapIterator extends DatasetIterator {
  private current: DatasetIterator | null = null;
  private args: Array<Tensor> = new Array<Tensor>();
  constructor(private maker: ElementDatasets, private input: DatasetIterator) {
    super();
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    while (true) {
      const cur = this.current;
      if (cur != null) {
        const st = cur.next(out);
        if (st != END) return st;
        this.current = null;
      }
      const st = this.input.next(this.args);
      if (st != OK) return st;
      const it = this.maker.iterator(this.args);
      this.args.length = 0;
      if (it == null) return errorCode();
      this.current = it;
    }
    return END;
  }
}

class InterleaveIterator extends DatasetIterator {
  private slots: Array<DatasetIterator | null>;
  private cycleIndex: i32 = 0;
  private blockIndex: i64 = 0;
  private open: i32 = 0;
  private inputDone: bool = false;
  private args: Array<Tensor> = new Array<Tensor>();

  constructor(private maker: ElementDatasets, private input: DatasetIterator, private cycleLength: i32, private blockLength: i64) {
    super();
    this.slots = new Array<DatasetIterator | null>(cycleLength);
  }

  private advance(): void {
    this.blockIndex = 0;
    this.cycleIndex = (this.cycleIndex + 1) % this.cycleLength;
  }

  next(out: Array<Tensor>): i32 {
    out.length = 0;
    while (!this.inputDone || this.open > 0) {
      const cur = unchecked(this.slots[this.cycleIndex]);
      if (cur != null) {
        const st = cur.next(out);
        if (st == OK) {
          this.blockIndex++;
          if (this.blockIndex == this.blockLength) this.advance();
          return OK;
        }
        if (st != END) return st;
        unchecked(this.slots[this.cycleIndex] = null);
        this.open--;
        this.advance();
      } else if (!this.inputDone) {
        const st = this.input.next(this.args);
        if (st == END) {
          this.inputDone = true;
          continue;
        }
        if (st != OK) return st;
        const it = this.maker.iterator(this.args);
        this.args.length = 0;
        if (it == null) return errorCode();
        unchecked(this.slots[this.cycleIndex] = it);
        this.open++;
      } else {
        this.advance();
      }
    }
    return END;
  }
}

export class FlatMapDataset extends Dataset {
  input: Dataset = new Dataset();
  maker: ElementDatasets | null = null;
  /** 0 for flat_map; the cycle length for interleave. */
  cycleLength: i64 = 0;
  blockLength: i64 = 1;

  makeIterator(): DatasetIterator | null {
    const it = this.input.makeIterator();
    if (it == null) return null;
    if (this.cycleLength == 0) return new FlatMapIterator(this.maker!, it);
    return new InterleaveIterator(this.maker!, it, <i32>this.cycleLength, this.blockLength);
  }
}

/** Plan `flatMap`: inputs [input, template]; function fn; attr templateInput. */
export function makeFlatMap(node: DatasetNode): Dataset | null {
  const maker = elementDatasets(node, "flat_map");
  if (maker == null) return null;
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new FlatMapDataset();
  ds.op = node.op;
  ds.input = input;
  ds.maker = maker;
  return ds;
}

/** Plan `interleave`: as flatMap plus attrs cycleLength (> 0) and blockLength (> 0). */
export function makeInterleave(node: DatasetNode): Dataset | null {
  const cycle = node.attrs.int("cycleLength");
  const block = node.attrs.int("blockLength");
  if (failed()) return null;
  if (cycle <= 0 || cycle > MAX_CYCLE_LENGTH) {
    fail(INVALID_ARGUMENT, "cycle_length must be greater than zero (and at most " + MAX_CYCLE_LENGTH.toString() + "), got " +
      cycle.toString());
    return null;
  }
  if (block <= 0) {
    fail(INVALID_ARGUMENT, "block_length must be greater than zero, got " + block.toString());
    return null;
  }
  const maker = elementDatasets(node, "interleave");
  if (maker == null) return null;
  const input = buildInput(node, 0);
  if (input == null) return null;
  const ds = new FlatMapDataset();
  ds.op = node.op;
  ds.input = input;
  ds.maker = maker;
  ds.cycleLength = cycle;
  ds.blockLength = block;
  return ds;
}
