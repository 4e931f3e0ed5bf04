/**
 * Lowers a library `FunctionDef` (a traced map function, TF's compression function, ...) to a
 * `FunctionPlan`: straight-line kernel calls over numbered value slots, in dependency order.
 * Kernel ops are looked up in the registry; types are checked along the way so that a function
 * that cannot run fails here, naming the function, the node and the caller.
 */
import type { FunctionDef } from "../gen/tensorflow/core/framework/function_pb.js";
import type { NodeDef } from "../gen/tensorflow/core/framework/node_def_pb.js";
import type { OpDef_ArgDef } from "../gen/tensorflow/core/framework/op_def_pb.js";
import { dtypeName, type DType } from "../core/dtype.js";
import { TfDataError, type ErrorCode } from "../core/errors.js";
import type { Instruction } from "../core/plan.js";
import { formatSpec, isKnownDType, type ComponentSpec } from "./component-spec.js";
import { MAX_FUNCTION_NODES } from "./constants.js";
import { parseFunctionInput } from "./input-ref.js";
import { NodeAttrs } from "./node-attrs.js";
import { kernelOp, supportedKernelOps, type KernelLowerContext, type LoweredFunction } from "./ops/registry.js";

/** Where a lowered node's outputs live: output arg name -> first slot and dtypes. */
type OutputLayout = Map<string, { first: number; dtypes: readonly DType[] }>;

/**
 * Lowers `fdef` for a call with arguments of `args` (one per element component). `user` names the
 * calling node, for messages.
 */
export function lowerFunction(fdef: FunctionDef, args: readonly ComponentSpec[], user: string): LoweredFunction {
  return new FunctionLowering(fdef, user).run(args);
}

class FunctionLowering {
  private readonly name: string;
  private readonly body = new Map<string, NodeDef>();
  private readonly argSlots = new Map<string, { slot: number; dtype: DType }>();
  private readonly lowered = new Map<string, OutputLayout>();
  private readonly visiting = new Set<string>();
  private readonly instructions: Instruction[] = [];
  private nextSlot = 0;

  constructor(private readonly fdef: FunctionDef, private readonly user: string) {
    this.name = fdef.signature?.name ?? "";
  }

  private error(code: ErrorCode, message: string): TfDataError {
    return new TfDataError(code, `function '${this.name}' (called by ${this.user}): ${message}`);
  }

  private argType(arg: OpDef_ArgDef, what: string): DType {
    if (arg.typeAttr || arg.numberAttr || arg.typeListAttr) {
      throw this.error("Unimplemented", `${what} '${arg.name}' is polymorphic (type_attr/number_attr); ` +
        "only functions with concrete argument types (as tf.data traces them) are supported");
    }
    if (!isKnownDType(arg.type)) {
      throw this.error("Unimplemented", `${what} '${arg.name}' has dtype ${dtypeName(arg.type)}, which is not supported`);
    }
    return arg.type;
  }

  run(args: readonly ComponentSpec[]): LoweredFunction {
    const sig = this.fdef.signature;
    if (!sig) throw this.error("InvalidArgument", "has no signature");
    if (this.fdef.nodeDef.length > MAX_FUNCTION_NODES) {
      throw this.error("InvalidArgument", `has ${this.fdef.nodeDef.length} nodes; at most ${MAX_FUNCTION_NODES} are accepted`);
    }
    const inputTypes = sig.inputArg.map((a) => this.argType(a, "argument"));
    if (inputTypes.length !== args.length || inputTypes.some((t, i) => t !== args[i].dtype)) {
      throw this.error("InvalidArgument", `takes arguments [${inputTypes.map(dtypeName).join(", ")}] but is called ` +
        `with elements ${formatSpec(args)}`);
    }
    sig.inputArg.forEach((a, i) => this.argSlots.set(a.name, { slot: i, dtype: inputTypes[i] }));
    this.nextSlot = inputTypes.length;
    for (const n of this.fdef.nodeDef) {
      if (this.body.has(n.name) || this.argSlots.has(n.name)) throw this.error("InvalidArgument", `defines '${n.name}' twice`);
      this.body.set(n.name, n);
    }

    const outputTypes = sig.outputArg.map((a) => this.argType(a, "output"));
    const outputs = sig.outputArg.map((a, i) => {
      const ref = this.fdef.ret[a.name];
      if (ref === undefined) throw this.error("InvalidArgument", `output '${a.name}' has no entry in 'ret'`);
      const { slot, dtype } = this.resolve(ref, `output '${a.name}'`);
      if (dtype !== outputTypes[i]) {
        throw this.error("InvalidArgument", `output '${a.name}' is declared ${dtypeName(outputTypes[i])} ` +
          `but '${ref}' is ${dtypeName(dtype)}`);
      }
      return slot;
    });
    // Nodes kept only for their side effects still run, as in TF.
    for (const [name, node] of Object.entries(this.fdef.controlRet)) this.lowerNode(node, `control output '${name}'`);

    return { plan: { numArgs: args.length, instructions: this.instructions, outputs }, outputTypes };
  }

  /** The slot and dtype a FunctionDef input string refers to, lowering its node if needed. */
  private resolve(input: string, from: string): { slot: number; dtype: DType } {
    const ref = parseFunctionInput(input);
    if (ref === null || ref.kind === "control") {
      throw this.error("InvalidArgument", `${from} has malformed reference '${input}'`);
    }
    if (ref.kind === "arg") {
      const a = this.argSlots.get(ref.name);
      if (!a) throw this.error("InvalidArgument", `${from} refers to '${ref.name}', which is neither an argument nor a node output`);
      return a;
    }
    const layout = this.lowerNode(ref.node, from);
    const out = layout.get(ref.output);
    if (!out) {
      const node = this.body.get(ref.node)!;
      throw this.error("InvalidArgument", `${from} reads output '${ref.output}' of node '${ref.node}' (${node.op}), ` +
        `which has outputs [${[...layout.keys()].join(", ")}]`);
    }
    if (ref.index >= out.dtypes.length) {
      throw this.error("InvalidArgument", `${from} reads '${input}', but that output has ${out.dtypes.length} values`);
    }
    return { slot: out.first + ref.index, dtype: out.dtypes[ref.index] };
  }

  private lowerNode(name: string, from: string): OutputLayout {
    const done = this.lowered.get(name);
    if (done) return done;
    const node = this.body.get(name);
    if (!node) throw this.error("InvalidArgument", `${from} refers to node '${name}', which is not in the function`);
    if (this.visiting.has(name)) throw this.error("InvalidArgument", `has a cycle through node '${name}'`);
    this.visiting.add(name);
    const where = `node '${node.name}' (${node.op}) of function '${this.name}'`;
    const def = kernelOp(node.op);
    if (!def) {
      throw new TfDataError("Unimplemented", `Unsupported op '${node.op}' in node '${node.name}' of function ` +
        `'${this.name}' (called by ${this.user}): this implementation cannot run it yet. ` +
        `Supported function ops: ${supportedKernelOps().join(", ")}`);
    }
    const inputSlots: number[] = [];
    const inputTypes: DType[] = [];
    for (const input of node.input) {
      if (input.startsWith("^")) {
        this.lowerNode(input.slice(1), `control input of node '${node.name}'`);
        continue;
      }
      const r = this.resolve(input, `input '${input}' of node '${node.name}'`);
      inputSlots.push(r.slot);
      inputTypes.push(r.dtype);
    }
    const ctx: KernelLowerContext = {
      node,
      where,
      attrs: new NodeAttrs(node.attr, where),
      inputCount: inputSlots.length,
      inputTypes,
      error: (code, message) => this.error(code, `node '${node.name}' (${node.op}): ${message}`),
    };
    const k = def.lower(ctx);
    if (k.inputTypes) {
      if (k.inputTypes.length !== inputTypes.length || k.inputTypes.some((t, i) => t !== inputTypes[i])) {
        throw ctx.error("InvalidArgument", `inputs are [${inputTypes.map(dtypeName).join(", ")}] but the op ` +
          `expects [${k.inputTypes.map(dtypeName).join(", ")}]`);
      }
    }
    const layout: OutputLayout = new Map();
    let first = this.nextSlot;
    let numOutputs = 0;
    for (const out of k.outputs) {
      layout.set(out.name, { first, dtypes: out.dtypes });
      first += out.dtypes.length;
      numOutputs += out.dtypes.length;
    }
    this.instructions.push({ kernel: k.kernel, inputs: inputSlots, numOutputs, ...(k.attrs ? { attrs: k.attrs } : {}) });
    this.nextSlot += numOutputs;
    this.visiting.delete(name);
    this.lowered.set(name, layout);
    return layout;
  }
}
