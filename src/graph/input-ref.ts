/**
 * Parsing of `NodeDef.input` strings. In a GraphDef: `node`, `node:1` or `^node` (control). In a
 * FunctionDef body: `arg_name`, `node:output_arg:index` or `^node`.
 */

/** One input of a GraphDef node. */
export interface GraphInputRef {
  readonly node: string;
  readonly index: number;
  readonly control: boolean;
}

/** Parses a GraphDef input (`name`, `name:1`, `^name`). */
export function parseGraphInput(input: string): GraphInputRef {
  if (input.startsWith("^")) return { node: input.slice(1), index: 0, control: true };
  const m = /^(.*):(\d+)$/.exec(input);
  if (m) return { node: m[1], index: Number(m[2]), control: false };
  return { node: input, index: 0, control: false };
}

/** One input of a FunctionDef body node. */
export type FunctionInputRef =
  | { readonly kind: "arg"; readonly name: string }
  | { readonly kind: "output"; readonly node: string; readonly output: string; readonly index: number }
  | { readonly kind: "control"; readonly node: string };

/** Parses a FunctionDef input (`arg`, `node:out:0`, `^node`); null when malformed. */
export function parseFunctionInput(input: string): FunctionInputRef | null {
  if (input.startsWith("^")) return input.length > 1 ? { kind: "control", node: input.slice(1) } : null;
  const parts = input.split(":");
  if (parts.length === 1 && input.length > 0) return { kind: "arg", name: input };
  if (parts.length === 3 && parts[0] && parts[1] && /^\d+$/.test(parts[2])) {
    return { kind: "output", node: parts[0], output: parts[1], index: Number(parts[2]) };
  }
  return null;
}
