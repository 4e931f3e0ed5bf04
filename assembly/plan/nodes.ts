// The decoded plan: the same tree as the host's `DatasetPlan`, generic over ops so new dataset
// ops and kernels need no change in the decoder.
import { Attrs } from "./attrs";

/** One instruction of a function: a kernel call over value slots. */
export class InstructionNode {
  kernel: string = "";
  inputs: StaticArray<i32> = new StaticArray<i32>(0);
  numOutputs: i32 = 0;
  attrs: Attrs = new Attrs();
}

/** A function: `numArgs` argument slots, straight-line instructions, output slots. */
export class FunctionNode {
  name: string = "";
  numArgs: i32 = 0;
  instructions: Array<InstructionNode> = new Array<InstructionNode>();
  outputs: StaticArray<i32> = new StaticArray<i32>(0);
}

/** A dataset op with its inputs, attributes and functions. */
export class DatasetNode {
  op: string = "";
  inputs: Array<DatasetNode> = new Array<DatasetNode>();
  attrs: Attrs = new Attrs();
  functions: Array<FunctionNode> = new Array<FunctionNode>();

  /** The function named `name` (the plan field it came from, e.g. `fn`), or null. */
  fn(name: string): FunctionNode | null {
    for (let i = 0; i < this.functions.length; i++) {
      const f = unchecked(this.functions[i]);
      if (f.name == name) return f;
    }
    return null;
  }
}
