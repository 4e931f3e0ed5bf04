/** The public Dataset API. */
export { Dataset, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY } from "./dataset.js";
export type { RangeOptions, TakeOptions, BatchOptions, IteratorFactory } from "./dataset.js";
export { TensorSpec, type DTypeLike } from "./tensor-spec.js";
export { flattenSpec, packElement, formatElementSpec } from "./structure.js";
export type { ElementSpec, Element, ComponentValue } from "./structure.js";
export type { IntLike } from "./arguments.js";
