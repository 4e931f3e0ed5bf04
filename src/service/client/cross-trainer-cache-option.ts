/**
 * The `crossTrainerCache` read option (TF's `tf.data.experimental.service.CrossTrainerCache`):
 * trainers that read one named job with different trainer ids share the elements its workers
 * produce, through a sliding-window cache on each worker (spec §3.6).
 *
 * @example
 * ds.apply(distribute({ processingMode: "parallel_epochs", service, jobName: "job",
 *   crossTrainerCache: new CrossTrainerCache("trainer 1") }))
 */
import { TfDataError } from "../../core/errors.js";

/** TF's message for a missing trainer id. */
const EMPTY_TRAINER_ID = "tf.data service cross-trainer cache requires a non-empty trainer ID.";

/** Options of the cross-trainer cache (TF's `CrossTrainerCacheOptions`). */
export class CrossTrainerCache {
  /** Identifies the trainer; each trainer id reads each cached element once. */
  readonly trainerId: string;

  /** @param trainerId a non-empty string (TF: `ValueError` otherwise; here INVALID_ARGUMENT). */
  constructor(trainerId: string) {
    if (typeof trainerId !== "string" || trainerId === "") throw new TfDataError("InvalidArgument", EMPTY_TRAINER_ID);
    this.trainerId = trainerId;
  }
}

/** What callers may pass: a {@link CrossTrainerCache} or a plain `{ trainerId }`. */
export type CrossTrainerCacheLike = CrossTrainerCache | { readonly trainerId: string };

/** Validates the `crossTrainerCache` option; `undefined` when unset. */
export function parseCrossTrainerCache(value: unknown): CrossTrainerCache | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof CrossTrainerCache) return value;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TfDataError("InvalidArgument",
      `crossTrainerCache must be a CrossTrainerCache or { trainerId: string }, got ${typeof value}.`);
  }
  return new CrossTrainerCache((value as { trainerId?: unknown }).trainerId as string);
}
