// Our split providers against TensorFlow 2.21's own, graph by graph: every TF-built graph of the
// golden corpus and of the graph fixtures, plus graphs our TS Dataset builder emits, is
// registered with a TF dispatcher as a DYNAMIC job and every provider drained with raw GetSplit
// calls (tf_peer.py `tf_splits`); our makeSplitProviders must give the same number of providers
// and the same split values, or TF's error.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TfDataError } from "../../../src/core/errors.js";
import { Dataset } from "../../../src/dataset/index.js";
import { GraphDefSchema } from "../../../src/gen/tensorflow/core/framework/graph_pb.js";
import { makeSplitProviders } from "../../../src/service/dispatcher/split-providers.js";
import { TF_GRAPH_FIXTURES } from "../../fixtures/graphs/tf-graphs.js";
import { REPO_ROOT, tfPython } from "../../helpers/tf.js";
import { startTfPeer, type TfPeer, type TfSplits } from "./tf-peer.js";

/** Splits asked per provider: enough for every corpus pipeline; infinite sources are cut here. */
const MAX_SPLITS = 300;

const oracle = suite("split providers: ours vs TensorFlow 2.21's");
const python = tfPython();

/** Our providers as TF's answer format: split values then "EOS", cut at MAX_SPLITS. */
function ours(graphB64: string): TfSplits {
  let providers;
  try {
    providers = makeSplitProviders(fromBinary(GraphDefSchema, Buffer.from(graphB64, "base64")));
  } catch (err) {
    if (err instanceof TfDataError) return { error: [err.code, err.message] };
    throw err;
  }
  return {
    providers: providers.map((p) => {
      const out: (number | "EOS")[] = [];
      for (let i = 0n; out.length < MAX_SPLITS; i++) {
        const v = p.at(i);
        if (v === undefined) {
          out.push("EOS");
          break;
        }
        out.push(Number(v));
      }
      return out;
    }),
  };
}

/** Every TF-built graph we have: the golden corpus and the graph fixtures. */
function tfGraphs(): { name: string; graph: string }[] {
  const dir = join(REPO_ROOT, "test", "fixtures", "golden");
  const golden = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "index.json").map((f) => {
    const j = JSON.parse(readFileSync(join(dir, f), "utf8")) as { name: string; graph?: string };
    return { name: `golden/${j.name}`, graph: j.graph ?? "" };
  }).filter((g) => g.graph !== "");
  return [...golden, ...TF_GRAPH_FIXTURES.map((f) => ({ name: `graphs/${f.name}`, graph: f.graph }))];
}

/** Graphs our own Dataset builder emits. */
function tsGraphs(): { name: string; graph: string }[] {
  const b64 = (d: Dataset) => Buffer.from(toBinary(GraphDefSchema, d.toGraphDef())).toString("base64");
  return [
    { name: "ts/range(7)", graph: b64(Dataset.range(7)) },
    { name: "ts/range(3, 20, 4)", graph: b64(Dataset.range(3, 20, 4)) },
    { name: "ts/fromTensorSlices", graph: b64(Dataset.fromTensorSlices([4, 5, 6, 7])) },
    { name: "ts/zip", graph: b64(Dataset.zip([Dataset.range(3), Dataset.fromTensorSlices([1, 2])])) },
    { name: "ts/concatenate", graph: b64(Dataset.range(2).concatenate(Dataset.range(5, 8))) },
    { name: "ts/range.repeat.batch", graph: b64(Dataset.range(5).repeat(2).batch(2)) },
  ];
}

if (!python) {
  oracle.skip("TF unavailable", () => {});
} else {
  let peer: TfPeer;
  oracle.before(async () => {
    peer = await startTfPeer();
  });
  oracle.after(async () => {
    await peer?.stop();
  });

  oracle("every TF-built corpus graph and every TS-built graph: same providers, same splits as TF", async () => {
    const graphs = [...tfGraphs(), ...tsGraphs()];
    assert.ok(graphs.length > 100, `only ${graphs.length} graphs found`);
    const theirs = await peer.tfSplits(graphs.map((g) => g.graph), MAX_SPLITS);
    let multi = 0;
    for (let i = 0; i < graphs.length; i++) {
      const t = theirs[i];
      const o = ours(graphs[i].graph);
      if ("error" in t) {
        // TF's code names are upper snake case (UNIMPLEMENTED), ours camel case.
        assert.ok("error" in o, `${graphs[i].name}: TF fails (${t.error[1]}), we do not`);
        assert.is(o.error[0].toLowerCase(), t.error[0].replace(/_/g, "").toLowerCase(), graphs[i].name);
        assert.is(o.error[1], t.error[1], graphs[i].name);
        continue;
      }
      if ("error" in o) assert.unreachable(`${graphs[i].name}: we fail (${o.error[1]}), TF does not`);
      else assert.equal(o.providers, t.providers, graphs[i].name);
      if (t.providers.length > 1) multi++;
    }
    assert.ok(multi >= 3, `expected zip/concatenate/enumerate graphs with several providers, found ${multi}`);
  });
}

oracle.run();
