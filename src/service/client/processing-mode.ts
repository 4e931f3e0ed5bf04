/**
 * The `processingMode` argument: TF's `ShardingPolicy` (here as its name or its enum number) or the
 * legacy strings `"parallel_epochs"` (= OFF) and `"distributed_epoch"` (= DYNAMIC).
 */
import { TfDataError } from "../../core/errors.js";
import { ProcessingModeDef_ShardingPolicy as ShardingPolicy } from "../../gen/tensorflow/core/protobuf/data_service_pb.js";

export { ShardingPolicy };

/** Names of `ShardingPolicy` values as accepted in `processingMode`. */
export type ShardingPolicyName = "OFF" | "DYNAMIC" | "FILE" | "DATA" | "FILE_OR_DATA" | "HINT";

/** What `processingMode` accepts. */
export type ProcessingMode = "parallel_epochs" | "distributed_epoch" | ShardingPolicyName | ShardingPolicy;

const BY_NAME: Readonly<Record<string, ShardingPolicy>> = {
  parallel_epochs: ShardingPolicy.OFF,
  distributed_epoch: ShardingPolicy.DYNAMIC,
  OFF: ShardingPolicy.OFF,
  DYNAMIC: ShardingPolicy.DYNAMIC,
  FILE: ShardingPolicy.FILE,
  DATA: ShardingPolicy.DATA,
  FILE_OR_DATA: ShardingPolicy.FILE_OR_DATA,
  HINT: ShardingPolicy.HINT,
};

/** Validates `processingMode` and converts it to a `ShardingPolicy` (TF's message on failure). */
export function parseProcessingMode(mode: ProcessingMode): ShardingPolicy {
  if (typeof mode === "number" && Number.isInteger(mode) && ShardingPolicy[mode] !== undefined) return mode;
  if (typeof mode === "string" && Object.hasOwn(BY_NAME, mode)) return BY_NAME[mode];
  throw new TfDataError("InvalidArgument",
    "tf.data service processing mode should be a `ShardingPolicy` (OFF, DYNAMIC, FILE, DATA, FILE_OR_DATA, " +
      `HINT), \`"parallel_epochs"\`, or \`"distributed_epoch"\`. Got ${JSON.stringify(mode) ?? String(mode)}.`);
}
