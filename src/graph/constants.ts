/**
 * Numbers and names TensorFlow 2.21 puts in dataset GraphDefs, and the limits of our lowering.
 */

/** `versions.producer` of every GraphDef TF 2.21 serializes (TF_GRAPH_DEF_VERSION). */
export const GRAPH_DEF_PRODUCER = 2474;

/** The op that marks a dataset graph's output: its single input is the dataset node. */
export const RETVAL_OP = "_Retval";

/** The name TF gives the `_Retval` node of a serialized dataset graph. */
export const DATASET_RETVAL_NAME = "dataset";

/** `num_parallel_calls` / `buffer_size` value meaning "let tf.data tune it" (tf.data.AUTOTUNE). */
export const AUTOTUNE = -1n;

/** `cardinality()` of an infinite dataset (tf.data.INFINITE_CARDINALITY). */
export const INFINITE_CARDINALITY = -1;

/** `cardinality()` when it cannot be known without iterating (tf.data.UNKNOWN_CARDINALITY). */
export const UNKNOWN_CARDINALITY = -2;

/** Deepest chain of dataset nodes the lowering follows (matches the core's plan depth limit). */
export const MAX_DATASET_DEPTH = 256;

/** Most nodes accepted in one GraphDef (a graph is untrusted input from the network). */
export const MAX_GRAPH_NODES = 100_000;

/** Most nodes accepted in one FunctionDef body. */
export const MAX_FUNCTION_NODES = 100_000;
