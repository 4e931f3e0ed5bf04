/**
 * A DYNAMIC (`distributed_epoch`) task: the task's sources read the splits the dispatcher hands
 * out (spec §2.2 `GetSplit`, §3.2). Each of the task's `num_split_providers` sources, in TF's
 * order, is wrapped in a `splitSource` over a core split provider (src/graph/split-sources.ts);
 * the core iterator is polled, and when it asks for a split the host takes it from that source's
 * {@link RemoteSplitProvider} (fetched ahead from the dispatcher) and polls again.
 *
 * Guarantees (as TF's): every split goes to one worker, so with no failure each element is
 * produced exactly once per repetition; a worker that stops loses the splits it held
 * (at-most-once). Repetitions: a `repeat` before `distribute` restarts the source over the next
 * repetition; the dispatcher answers `end_of_splits` to a worker still in an older one.
 */
import { getCore, type Core } from "../../core/core.js";
import { TfDataError } from "../../core/errors.js";
import type { DatasetPlan } from "../../core/plan.js";
import { isSplitRequest, type PollingIterator } from "../../core/splits.js";
import type { TaskDef } from "../../gen/tensorflow/core/data/service/common_pb.js";
import { bindSplitSources } from "../../graph/split-sources.js";
import { retry } from "../client/retry.js";
import { AsyncFirstComeFirstServedTaskRunner, type AsyncElementSource } from "./async-fcfs-task-runner.js";
import { RemoteSplitProvider, splitValue, type SplitFetch } from "./split-provider.js";
import type { TaskInitContext } from "./task-pipeline.js";
import type { TaskRunner, WireElement } from "./task-runner.js";

/** Most split providers (sources) one DYNAMIC task may have. */
export const MAX_TASK_SPLIT_PROVIDERS = 1024;

/** The polled core iterator of a DYNAMIC task and the providers feeding it. */
class SplitFedSource implements AsyncElementSource {
  private closed = false;

  constructor(
    private readonly core: Core,
    private readonly iterator: PollingIterator,
    private readonly providers: ReadonlyMap<number, RemoteSplitProvider>,
    private readonly onClose: () => void,
  ) {}

  async next(): Promise<WireElement | null> {
    for (;;) {
      this.checkOpen();
      const r = this.iterator.pollWire();
      if (!isSplitRequest(r)) return r;
      const provider = this.providers.get(r.provider);
      if (!provider) throw new TfDataError("Internal", `the pipeline asked for split provider ${r.provider}, which is not this task's`);
      let split = provider.tryNext(r.repetition);
      if (split === undefined) {
        split = await provider.next(r.repetition);
        this.checkOpen();
      }
      this.core.provideSplit(r.provider, r.repetition, split);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    this.iterator.close();
    for (const [id, provider] of this.providers) {
      provider.close();
      this.core.closeSplitProvider(id);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new TfDataError("Canceled", "The task's pipeline was closed while it waited for a split.");
  }
}

/** Fetches splits of provider `index` of the task's iteration from the dispatcher, with TF's retries. */
function dispatcherFetch(def: TaskDef, index: number, ctx: TaskInitContext): SplitFetch {
  const where = `split provider ${index} of iteration ${def.iterationId}`;
  return async (repetition, signal) => {
    const res = await retry(
      () => ctx.dispatcher.rpc.getSplit(
        { iterationId: def.iterationId, repetition, splitProviderIndex: BigInt(index) }, { signal }),
      { description: `get a split of ${where} from the dispatcher`, deadlineMs: ctx.dispatcherTimeoutMs, signal },
    );
    return res.endOfSplits ? null : splitValue(res.split, where);
  };
}

/** Starts a DYNAMIC task over `plan` (lowered, not yet bound to splits); see the module comment. */
export async function startDynamicTask(def: TaskDef, plan: DatasetPlan, ctx: TaskInitContext): Promise<TaskRunner> {
  const n = def.numSplitProviders;
  if (n < 0n || n > BigInt(MAX_TASK_SPLIT_PROVIDERS)) {
    throw new TfDataError("InvalidArgument", `Task ${def.taskId} has num_split_providers = ${n}; a DYNAMIC task has ` +
      `0 to ${MAX_TASK_SPLIT_PROVIDERS}.`);
  }
  const core = await getCore();
  const ids: number[] = [];
  try {
    for (let i = 0n; i < n; i++) ids.push(core.openSplitProvider());
    const iterator = core.createPollingIterator(bindSplitSources(plan, ids));
    const providers = new Map(ids.map((id, k) => [id, new RemoteSplitProvider(dispatcherFetch(def, k, ctx))]));
    // The worker stopping ends the fetches (the task itself is cancelled by the worker too).
    const stop = () => {
      for (const p of providers.values()) p.close();
    };
    if (ctx.signal.aborted) stop();
    else ctx.signal.addEventListener("abort", stop, { once: true });
    const source = new SplitFedSource(core, iterator, providers, () => ctx.signal.removeEventListener("abort", stop));
    return new AsyncFirstComeFirstServedTaskRunner(source);
  } catch (err) {
    for (const id of ids) core.closeSplitProvider(id);
    throw err;
  }
}
