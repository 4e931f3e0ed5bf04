// A compiled FunctionPlan: straight-line kernel calls over numbered value slots.
import { errorCode, fail, INVALID_ARGUMENT, OK, addContext } from "../core/status";
import { Tensor } from "../core/tensor";
import { FunctionNode } from "../plan/nodes";
import { Kernel } from "./kernel";
import { makeKernel } from "./registry";
import { BAIL, compileScalarProgram, ScalarProgram } from "./scalar-program";

/** Most instructions in one function. */
export const MAX_INSTRUCTIONS: i32 = 100000;

class Step {
  constructor(public kernel: Kernel, public inputs: StaticArray<i32>, public numOutputs: i32) {}
}

export class CompiledFunction {
  numArgs: i32 = 0;
  numSlots: i32 = 0;
  steps: Array<Step> = new Array<Step>();
  outputs: StaticArray<i32> = new StaticArray<i32>(0);
  slots: Array<Tensor> = new Array<Tensor>();
  ins: Array<Tensor> = new Array<Tensor>();
  outs: Array<Tensor> = new Array<Tensor>();
  /** Register-based fast path when every instruction is a scalar-capable op (scalar-program.ts). */
  scalar: ScalarProgram | null = null;

  /** Runs the function on `args`, filling `result` (cleared) with the output slots. */
  run(args: Array<Tensor>, result: Array<Tensor>): i32 {
    result.length = 0;
    if (args.length != this.numArgs) {
      return fail(INVALID_ARGUMENT, "function expects " + this.numArgs.toString() + " arguments (element components), got " +
        args.length.toString());
    }
    const scalar = this.scalar;
    if (scalar != null) {
      const st = scalar.run(args, result);
      if (st != BAIL) return st;
      result.length = 0;
    }
    const slots = this.slots;
    slots.length = 0;
    for (let i = 0; i < args.length; i++) slots.push(unchecked(args[i]));
    const ins = this.ins, outs = this.outs;
    for (let s = 0; s < this.steps.length; s++) {
      const step = unchecked(this.steps[s]);
      ins.length = 0;
      outs.length = 0;
      for (let i = 0; i < step.inputs.length; i++) ins.push(unchecked(slots[unchecked(step.inputs[i])]));
      const st = step.kernel.run(ins, outs);
      if (st != OK) {
        addContext(step.kernel.name);
        slots.length = 0;
        return st;
      }
      if (outs.length != step.numOutputs) {
        slots.length = 0;
        return fail(INVALID_ARGUMENT, step.kernel.name + " produced " + outs.length.toString() + " outputs, the plan expects " +
          step.numOutputs.toString());
      }
      for (let i = 0; i < outs.length; i++) slots.push(unchecked(outs[i]));
    }
    for (let i = 0; i < this.outputs.length; i++) result.push(unchecked(slots[unchecked(this.outputs[i])]));
    slots.length = 0;
    ins.length = 0;
    outs.length = 0;
    return OK;
  }
}

/** Validates slot references and makes every kernel. */
export function compileFunction(fn: FunctionNode): CompiledFunction | null {
  const cf = new CompiledFunction();
  if (fn.numArgs < 0) {
    fail(INVALID_ARGUMENT, "function has a negative number of arguments");
    return null;
  }
  if (fn.instructions.length > MAX_INSTRUCTIONS) {
    fail(INVALID_ARGUMENT, "function has more than " + MAX_INSTRUCTIONS.toString() + " instructions");
    return null;
  }
  cf.numArgs = fn.numArgs;
  let slots = fn.numArgs;
  for (let i = 0; i < fn.instructions.length; i++) {
    const ins = unchecked(fn.instructions[i]);
    const where = "instruction " + i.toString() + " (" + ins.kernel + ")";
    for (let j = 0; j < ins.inputs.length; j++) {
      const s = unchecked(ins.inputs[j]);
      if (s < 0 || s >= slots) {
        fail(INVALID_ARGUMENT, where + ": input " + j.toString() + " refers to slot " + s.toString() +
          ", but only slots 0.." + (slots - 1).toString() + " are defined before it");
        return null;
      }
    }
    if (ins.numOutputs < 0 || ins.numOutputs > 65536) {
      fail(INVALID_ARGUMENT, where + ": bad number of outputs " + ins.numOutputs.toString());
      return null;
    }
    const k = makeKernel(ins);
    if (k == null) {
      addContext(where);
      return null;
    }
    cf.steps.push(new Step(k, ins.inputs, ins.numOutputs));
    slots += ins.numOutputs;
  }
  for (let j = 0; j < fn.outputs.length; j++) {
    const s = unchecked(fn.outputs[j]);
    if (s < 0 || s >= slots) {
      fail(INVALID_ARGUMENT, "function output " + j.toString() + " refers to slot " + s.toString() + ", but only slots 0.." +
        (slots - 1).toString() + " exist");
      return null;
    }
  }
  cf.numSlots = slots;
  cf.outputs = fn.outputs;
  cf.scalar = compileScalarProgram(fn);
  return cf;
}
