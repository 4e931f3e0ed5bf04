/**
 * Validation of untrusted request fields, before anything touches the dispatcher's state. Each
 * check throws `TfDataError("InvalidArgument")` with a message that names the field, says what was
 * wrong and what would be right.
 */
import { TfDataError } from "../../core/errors.js";
import {
  MAX_DATASET_ID_LENGTH,
  MAX_JOB_NAME_LENGTH,
  MAX_TRANSFER_SERVERS,
  MAX_WORKER_ADDRESS_LENGTH,
  MAX_WORKER_TAG_LENGTH,
  MAX_WORKER_TAGS,
} from "./limits.js";
import type { DataTransferServerInfo } from "../../gen/tensorflow/core/data/service/common_pb.js";

/** Largest value an int64 id may take on the wire. */
const INT64_MAX = 2n ** 63n - 1n;

function invalid(message: string): TfDataError {
  return new TfDataError("InvalidArgument", message);
}

/** True if `s` contains control characters (never useful in ids, names or addresses). */
function hasControlChars(s: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(s);
}

/**
 * A dataset id requested by a client. Ids later name files under `workDir/datasets/`, so path
 * separators and dot names are refused.
 */
export function checkRequestedDatasetId(id: string): void {
  if (id.length === 0) {
    throw invalid("GetOrRegisterDatasetRequest.dataset_id is set but empty; leave it unset to get a generated id " +
      "or pass a non-empty id.");
  }
  if (id.length > MAX_DATASET_ID_LENGTH) {
    throw invalid(`GetOrRegisterDatasetRequest.dataset_id is ${id.length} characters long; the limit is ` +
      `${MAX_DATASET_ID_LENGTH}.`);
  }
  if (hasControlChars(id) || id.includes("/") || id.includes("\\") || id === "." || id === "..") {
    throw invalid(`GetOrRegisterDatasetRequest.dataset_id ${JSON.stringify(id)} is not a valid id: use letters, ` +
      "digits and punctuation other than '/' and '\\' (no control characters, not '.' or '..').");
  }
}

/** A dataset id used to look a dataset up: only emptiness is worth a specific message. */
export function checkDatasetIdField(rpc: string, id: string): void {
  if (id.length === 0) throw invalid(`${rpc}.dataset_id is empty; pass the id returned by GetOrRegisterDataset.`);
}

/** A job name requested by a client (TF's Python client already refuses empty names). */
export function checkJobName(name: string): void {
  if (name.length === 0) {
    throw invalid("GetOrCreateJobRequest.job_name is set but empty; leave it unset for an anonymous job or pass " +
      "a non-empty name.");
  }
  if (name.length > MAX_JOB_NAME_LENGTH) {
    throw invalid(`GetOrCreateJobRequest.job_name is ${name.length} characters long; the limit is ` +
      `${MAX_JOB_NAME_LENGTH}.`);
  }
  if (hasControlChars(name)) {
    throw invalid(`GetOrCreateJobRequest.job_name ${JSON.stringify(name)} contains control characters.`);
  }
}

/** An int64 that must be >= 0 (repetitions, rounds). */
export function checkNonNegative(field: string, value: bigint): void {
  if (value < 0n) throw invalid(`${field} must be >= 0, got ${value}.`);
}

/** An id field that must be positive (ids are allocated from 1000..5000 upwards). */
export function checkIdField(field: string, value: bigint): void {
  if (value <= 0n || value > INT64_MAX) {
    throw invalid(`${field} must be a positive id returned by the dispatcher, got ${value}.`);
  }
}

/**
 * A worker's advertised address: `host:port` (IPv6 as `[addr]:port`), which the dispatcher dials
 * to push tasks and clients dial to read elements.
 */
export function checkWorkerAddress(field: string, address: string): void {
  if (address.length === 0) {
    throw invalid(`${field} is empty; a worker must report the host:port it serves on (e.g. "localhost:5051").`);
  }
  if (address.length > MAX_WORKER_ADDRESS_LENGTH || hasControlChars(address)) {
    throw invalid(`${field} is not a valid host:port address (at most ${MAX_WORKER_ADDRESS_LENGTH} characters, ` +
      "no control characters).");
  }
  const m = /^(\[[^\]]+\]|[^:\s/[\]]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : 0;
  if (!m || port <= 0 || port > 65535) {
    throw invalid(`${field} ${JSON.stringify(address)} is not of the form host:port with a port in 1..65535 ` +
      '(e.g. "localhost:5051").');
  }
}

/** Worker tags: a bounded list of non-empty strings (TF's WorkerConfig rejects empty tags too). */
export function checkWorkerTags(tags: readonly string[]): void {
  if (tags.length > MAX_WORKER_TAGS) {
    throw invalid(`WorkerHeartbeatRequest.worker_tags has ${tags.length} tags; the limit is ${MAX_WORKER_TAGS}.`);
  }
  for (const tag of tags) {
    if (tag.length === 0 || tag.length > MAX_WORKER_TAG_LENGTH || hasControlChars(tag)) {
      throw invalid(`WorkerHeartbeatRequest.worker_tags contains an invalid tag ${JSON.stringify(tag)}: tags are ` +
        `non-empty strings of at most ${MAX_WORKER_TAG_LENGTH} characters.`);
    }
  }
}

/** Data-transfer servers a worker advertises. */
export function checkTransferServers(servers: readonly DataTransferServerInfo[]): void {
  if (servers.length > MAX_TRANSFER_SERVERS) {
    throw invalid(`WorkerHeartbeatRequest.transfer_servers has ${servers.length} entries; the limit is ` +
      `${MAX_TRANSFER_SERVERS}.`);
  }
  for (const s of servers) {
    if (s.protocol.length > MAX_WORKER_TAG_LENGTH || s.address.length > MAX_WORKER_ADDRESS_LENGTH ||
      s.compatibilityInfo.length > MAX_WORKER_ADDRESS_LENGTH) {
      throw invalid("WorkerHeartbeatRequest.transfer_servers has an entry with an oversized protocol, address or " +
        "compatibility_info.");
    }
  }
}
