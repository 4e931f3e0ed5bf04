/**
 * The graph a traced function is recorded into: its nodes in creation order, its arguments, and
 * TF's node naming (`Graph.unique_name` and name scopes), so node names come out exactly as
 * TensorFlow names them (`mul`, `mul_1`, `mul/y`, `clip_by_value/Minimum/y`, ...).
 *
 * TF's naming rules, reproduced here:
 * - names are unique case-insensitively; a taken name gets `_1`, `_2`, ... (skipping suffixed
 *   names already taken);
 * - a name scope `s` is itself a unique name; ops created inside are named `s/<name>`;
 * - a scope name ending in `/` re-enters that exact scope (how TF names an op after its scope).
 */
import { create } from "@bufbuild/protobuf";
import type { AttrValue } from "../../gen/tensorflow/core/framework/attr_value_pb.js";
import type { FullTypeDef } from "../../gen/tensorflow/core/framework/full_type_pb.js";
import { NodeDefSchema, type NodeDef } from "../../gen/tensorflow/core/framework/node_def_pb.js";
import type { DType } from "../../core/dtype.js";
import { TfDataError } from "../../core/errors.js";
import type { PlanShape } from "../../core/plan.js";
import { sortedAttrs } from "../attr-value.js";
import type { HostValue } from "./host-value.js";
import { SymbolicTensor } from "./symbolic-tensor.js";

/** Most nodes one traced function may create (a runaway loop in user code fails cleanly). */
export const MAX_TRACED_NODES = 100_000;

/** A node of the traced graph as the tracer sees it (the NodeDef plus the tensors it consumed). */
export interface TracedOp {
  /** TF op name, e.g. `AddV2`. */
  readonly type: string;
  /** Node name, e.g. `add_1`. */
  readonly name: string;
  /** The input tensors, in the op's input order (list inputs flattened). */
  readonly inputs: readonly SymbolicTensor[];
  /** The node's attrs. */
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

/** One output of a new node. */
export interface OutputInit {
  readonly dtype: DType;
  readonly shape: PlanShape;
  /** The output arg name in the op's signature (`z` for AddV2, `output` for Const). */
  readonly argName: string;
  /** Index within that output arg (list outputs). */
  readonly argIndex: number;
  /** The constant value, when known at trace time. */
  readonly value?: HostValue;
}

let current: FuncGraph | null = null;

/** The graph being traced, for free functions whose arguments are all JS values (`range(5)`). */
export function currentGraph(): FuncGraph {
  if (!current) {
    throw new TfDataError("FailedPrecondition",
      "no function is being traced: tensor ops can only be used inside a function passed to map/filter");
  }
  return current;
}

/** Runs `body` with `g` as the current graph. */
export function withGraph<T>(g: FuncGraph, body: () => T): T {
  const saved = current;
  current = g;
  try {
    return body();
  } finally {
    current = saved;
  }
}

/** A function body under construction. */
export class FuncGraph {
  /** The nodes in creation order (what the FunctionDef's `node_def` lists). */
  readonly nodes: NodeDef[] = [];
  /** The function's arguments (placeholders `args_0`, `args_1`, ...). */
  readonly args: SymbolicTensor[] = [];
  private readonly used = new Map<string, number>();
  private stack = "";

  /** TF's `Graph.unique_name`: `name` inside the current scope, made unique. */
  uniqueName(name: string, markAsUsed = true): string {
    let full = this.stack ? `${this.stack}/${name}` : name;
    let key = full.toLowerCase();
    let i = this.used.get(key) ?? 0;
    if (markAsUsed) this.used.set(key, i + 1);
    if (i > 0) {
      const base = key;
      while (this.used.has(key)) {
        key = `${base}_${i}`;
        i++;
      }
      if (markAsUsed) this.used.set(key, 1);
      full = `${full}_${i - 1}`;
    }
    return full;
  }

  /**
   * TF's `name_scope(name, default_name)`: runs `body` inside the scope and passes it the scope
   * string (ending in `/`, usable as an op name that reuses the scope). `name` ending in `/`
   * re-enters that scope; an empty name resets to the root.
   */
  nameScope<T>(name: string | undefined, defaultName: string | undefined, body: (scope: string) => T): T {
    const n = name ?? defaultName ?? "";
    const saved = this.stack;
    let scope: string;
    if (n === "") {
      this.stack = "";
      scope = "";
    } else if (n.endsWith("/")) {
      this.stack = n.slice(0, -1);
      scope = n;
    } else {
      this.stack = this.uniqueName(n);
      scope = `${this.stack}/`;
    }
    try {
      return body(scope);
    } finally {
      this.stack = saved;
    }
  }

  /** The name a new op gets: a scope (`x/`) names it `x`; anything else is made unique. */
  opName(name: string): string {
    return name.endsWith("/") ? name.slice(0, -1) : this.uniqueName(name);
  }

  /** Adds a function argument (`args_<i>`). */
  addArg(dtype: DType, shape: PlanShape): SymbolicTensor {
    const name = this.uniqueName(`args_${this.args.length}`);
    const t = new SymbolicTensor(this, null, { dtype, shape, argName: "", argIndex: 0 }, name);
    this.args.push(t);
    return t;
  }

  /**
   * Adds a node (`name` already final, see `opName`) and returns its outputs.
   * Input strings follow FunctionDef rules: `args_0` for arguments, `node:arg:index` otherwise.
   */
  addNode(type: string, name: string, inputs: readonly SymbolicTensor[], attrs: Record<string, AttrValue>,
    outputs: readonly OutputInit[], experimentalType?: FullTypeDef): SymbolicTensor[] {
    if (this.nodes.length >= MAX_TRACED_NODES) {
      throw new TfDataError("ResourceExhausted", `traced function has more than ${MAX_TRACED_NODES} nodes`);
    }
    for (const t of inputs) {
      if (t.graph !== this) {
        throw new TfDataError("InvalidArgument",
          `tensor '${t.name}' belongs to another traced function; tensors cannot be shared between functions`);
      }
    }
    this.nodes.push(create(NodeDefSchema, {
      name, op: type, input: inputs.map((t) => t.ref), attr: sortedAttrs(attrs), experimentalType,
    }));
    const op: TracedOp = { type, name, inputs: [...inputs], attrs };
    return outputs.map((o) => new SymbolicTensor(this, op, o, `${name}:${o.argName}:${o.argIndex}`));
  }
}
