/**
 * The cross-trainer cache task runner (TF's `CachingTaskRunner`, spec §3.6): a first-come-first-
 * served runner feeds a {@link CrossTrainerCache} of `WorkerConfig.crossTrainerCacheSizeBytes`, and
 * each request is answered from the cache for its `trainer_id`. The input must be infinite: its
 * end is an INVALID_ARGUMENT error, as in TF.
 */
import { TfDataError } from "../../core/errors.js";
import { CrossTrainerCache } from "./cross-trainer-cache.js";
import { cancelled, type PulledElement, type PullSource } from "./runner-source.js";
import type { RunnerRequest, RunnerResult, TaskRunner } from "./task-runner.js";

/** TF's default cache budget (`WorkerConfig.cross_trainer_cache_size_bytes` unset): 10 GiB. */
export const DEFAULT_CROSS_TRAINER_CACHE_SIZE_BYTES = 10 * 1024 ** 3;

/**
 * Bookkeeping bytes counted per cached element on top of its serialized size. TF estimates an
 * element's memory from its in-memory tensors (`GetElementResult::EstimatedMemoryUsageBytes`, ~423
 * bytes for a compressed int64 scalar); we cache the serialized element, so we count its bytes
 * plus this overhead.
 */
export const CACHED_ELEMENT_OVERHEAD_BYTES = 64;

/** TF's message when the input of a cached task ends. */
export const CACHE_END_OF_SEQUENCE_MESSAGE =
  "Cross-trainer caching requires the input dataset to be infinite. However, it reached the end of sequence.";

/** Estimated memory of one cached element. */
export function cachedElementBytes(e: PulledElement): number {
  return e.element.bytes.length + CACHED_ELEMENT_OVERHEAD_BYTES;
}

/** See the module comment. */
export class CachingTaskRunner implements TaskRunner {
  private readonly cache: CrossTrainerCache<PulledElement>;

  /**
   * @param source the task's elements (through its FCFS runner).
   * @param maxCacheSizeBytes the cache budget (> 0).
   */
  constructor(private readonly source: PullSource, maxCacheSizeBytes: number) {
    this.cache = new CrossTrainerCache<PulledElement>(maxCacheSizeBytes, {
      async next() {
        const pulled = await source.next();
        if (pulled === null) throw new TfDataError("InvalidArgument", CACHE_END_OF_SEQUENCE_MESSAGE);
        return pulled;
      },
      sizeBytes: cachedElementBytes,
    });
  }

  async getNext(req: RunnerRequest): Promise<RunnerResult> {
    const pulled = await this.cache.get(req.trainerId ?? "");
    return { kind: "element", element: pulled.element, elementIndex: pulled.elementIndex };
  }

  cancel(): void {
    if (!this.cache.isCancelled) this.cache.cancel(cancelled("tf.data service cross-trainer cache task is cancelled."));
    this.source.close();
  }
}
