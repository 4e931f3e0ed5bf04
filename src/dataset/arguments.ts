/**
 * Validation of the arguments of dataset constructors and transformations, with TF's rules and
 * messages that say what was wrong.
 */
import { TfDataError } from "../core/errors.js";

/** An integer argument: a JS integer number or a bigint. */
export type IntLike = number | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `value` as an int64 bigint; `what` names the argument in the error. */
export function toInt64(value: unknown, what: string): bigint {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isInteger(value)) v = BigInt(value);
  else {
    throw new TfDataError("InvalidArgument", `${what} must be an integer (number or bigint), got ${describe(value)}`);
  }
  if (v < INT64_MIN || v > INT64_MAX) throw new TfDataError("InvalidArgument", `${what} ${v} does not fit in int64`);
  return v;
}

/** A dataset `name` (TF: a valid Python identifier); becomes the node's metadata name. */
export function checkName(name: unknown): string | undefined {
  if (name === undefined || name === null) return undefined;
  if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new TfDataError("InvalidArgument", "Invalid `name`: it must be a valid identifier (letters, digits and " +
      `underscores, not starting with a digit), got ${describe(name)}`);
  }
  return name;
}

/** Short description of a value for messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}
