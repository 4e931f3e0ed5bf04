/** The public Dataset API. */
export { AUTOTUNE, Dataset, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY } from "./dataset.js";
export type { RangeOptions, TakeOptions, BatchOptions, IteratorFactory } from "./dataset.js";
export { TensorSpec, type DTypeLike } from "./tensor-spec.js";
export { flattenSpec, packElement, formatElementSpec } from "./structure.js";
export type { ElementSpec, Element, ComponentValue } from "./structure.js";
export type { IntLike } from "./arguments.js";
export { tuple, isTuple, type Tuple } from "./source-values.js";
export { DatasetSpec } from "./dataset-spec.js";
export { setRandomSeed } from "./random-seed.js";
export type { MapOptions, MapFunction } from "./transformations/map.js";
export type { FilterOptions } from "./transformations/filter.js";
export type { FlatMapOptions, InterleaveOptions } from "./transformations/flat-map.js";
export type { ScanOptions } from "./transformations/scan.js";
export type { ShuffleOptions } from "./transformations/shuffle.js";
export type { IntArg } from "./transformations/in-function.js";
