/**
 * The names the golden corpus uses for our API (short, so each pipeline reads like its Python
 * twin): `D` is `Dataset`, `T` a symbolic tensor inside a traced function.
 */
import { Dataset } from "../../src/dataset/index.js";
import type { SymbolicTensor } from "../../src/graph/trace/index.js";

/** `Dataset` (Python's `tf.data.Dataset`, written `D` in the generator too). */
export const D = Dataset;

/** A dataset of the corpus. */
export type GoldenDataset = Dataset;

/** A symbolic tensor inside a traced function. */
export type T = SymbolicTensor;

/** A TF tuple in a source value (`(a, b)` in Python): a plain JS array is a tensor there. */
export { tuple } from "../../src/dataset/index.js";
