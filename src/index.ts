/**
 * tfdata-service: TensorFlow's tf.data service in TypeScript + WebAssembly.
 *
 * This is the whole public surface. Import it through the package name so the runtime entry
 * (`node`, `deno` or `browser` condition) installs the right platform first:
 *
 * ```ts
 * import { Dataset, DispatchServer, WorkerServer, WorkerConfig, distribute } from "tfdata-service";
 * ```
 */

// ---- For users ------------------------------------------------------------------------------

// Datasets, run in-process by the WebAssembly core.
export { AUTOTUNE, Dataset, TensorSpec, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, setRandomSeed, tuple, isTuple } from "./dataset/index.js";
export type {
  ElementSpec,
  Element,
  ComponentValue,
  RangeOptions,
  TakeOptions,
  BatchOptions,
  DTypeLike,
  IntLike,
  Tuple,
  MapOptions,
  MapFunction,
  FilterOptions,
  FlatMapOptions,
  InterleaveOptions,
  ScanOptions,
  ShuffleOptions,
  IntArg,
} from "./dataset/index.js";

// Tensors and dtypes.
export { Tensor } from "./core/tensor.js";
export { DType, dtypeName } from "./core/dtype.js";

// The service: servers, their configs, and the client.
export { DispatchServer } from "./service/dispatch-server.js";
export { WorkerServer } from "./service/worker/worker-server.js";
export { DispatcherConfig, WorkerConfig } from "./service/config.js";
export type { DispatcherConfigInit, WorkerConfigInit } from "./service/config.js";
export { distribute, registerDataset, fromDatasetId, CrossTrainerCache } from "./service/client/distribute.js";
export type { DistributeOptions, RegisterOptions, ReadOptions, CompressionOption } from "./service/client/distribute.js";

// Errors.
export { TfDataError, isTfDataError } from "./core/errors.js";
export type { TfDataErrorCode } from "./core/errors.js";

// ---- For integrators (runtimes, custom transports, wasm hosting) -----------------------------

export { loadCore, getCore } from "./core/core.js";
export type { Core, CoreIterator } from "./core/core.js";
export { setPlatform } from "./service/platform.js";
export type { Platform, RpcProtocol, ListeningServer } from "./service/platform.js";
