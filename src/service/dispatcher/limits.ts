/**
 * Limits on what the dispatcher accepts from the network. Every request field is untrusted; these
 * bound the memory one request can pin in the dispatcher's state (TF has none of them, and keeps
 * everything for the dispatcher's lifetime).
 */

/** Largest serialized dataset graph (`DatasetDef`) accepted by `GetOrRegisterDataset`. */
export const MAX_DATASET_DEF_BYTES = 512 * 1024 * 1024;
/** Largest serialized `element_spec` in `DataServiceMetadata` (a `StructuredValue`; normally < 1 KiB). */
export const MAX_ELEMENT_SPEC_BYTES = 16 * 1024 * 1024;
/** Longest dataset id (ids later become file names under `workDir/datasets/`). */
export const MAX_DATASET_ID_LENGTH = 256;
/** Longest job name (TF's `from_dataset_id` names are `dataset_id=<id>/<name>`). */
export const MAX_JOB_NAME_LENGTH = 4096;
/** Longest worker address (`host:port`). */
export const MAX_WORKER_ADDRESS_LENGTH = 1024;
/** Most tags one worker may report. */
export const MAX_WORKER_TAGS = 64;
/** Longest worker tag. */
export const MAX_WORKER_TAG_LENGTH = 256;
/** Most data-transfer servers one worker may advertise (TF advertises one or two). */
export const MAX_TRANSFER_SERVERS = 16;
/** Most task ids one worker heartbeat may list in `current_tasks`. */
export const MAX_HEARTBEAT_TASKS = 1_000_000;
/** How long the dispatcher waits for a worker to accept a pushed task before relying on heartbeats. */
export const PROCESS_TASK_TIMEOUT_MS = 10_000;
