import { Dataset, tuple } from "./src/dataset/index.js";
import { Tensor } from "./src/core/tensor.js";
const show = async (name: string, ds: Dataset) => {
  try {
    const els = await ds.take(12).toArray();
    console.log(name, String(ds.elementSpec), ds.cardinality(), JSON.stringify(els, (k, v) => typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? new TextDecoder().decode(v) : (v instanceof Tensor ? { t: v.toString(), v: v.toJS() } : v)));
  } catch (e) { console.log(name, "ERR", (e as Error).message); }
};
await show("ft", Dataset.fromTensors(tuple(1, 2.5, "a", true)));
await show("fts", Dataset.fromTensorSlices({ label: [0, 1, 0], feat: [[1.5, 2.0], [3.0, 4.5], [5.0, 6.0]] }));
await show("repeat", Dataset.range(3).repeat(2));
await show("repeatinf", Dataset.range(3).repeat());
await show("skip", Dataset.range(5).skip(2));
await show("shard", Dataset.range(10).shard(3, 1));
await show("prefetch", Dataset.range(3).prefetch(-1));
await show("cache", Dataset.range(3).cache().repeat(2));
await show("concat", Dataset.range(3).concatenate(Dataset.range(10, 12)));
await show("zip", Dataset.zip({ y: Dataset.range(3, 6), x: Dataset.range(3) }));
await show("enum", Dataset.fromTensorSlices(["a", "b"]).enumerate(5));
await show("pbatch", Dataset.range(7).batch(3, { numParallelCalls: 2 }));
await show("unbatch", Dataset.fromTensors([[1, 2], [3, 4], [5, 6]]).unbatch());
await show("rebatch", Dataset.range(10).batch(4).rebatch(3));
await show("padded", Dataset.fromTensorSlices(tuple([[1, 2], [3, 4]], ["a", "b"])).paddedBatch(2, tuple([3], []), tuple(-1, "z")));
