// TF's seed derivation for random dataset ops, and the Python Mersenne Twister TF eager uses to
// draw op seeds under a global seed (values from CPython's `random.Random(s).randint(0, 2**31-1)`).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { datasetSeeds, getSeed, PythonRandom, setRandomSeed } from "../../../src/dataset/random-seed.js";

test("PythonRandom reproduces CPython's randint(0, 2**31 - 1)", () => {
  const cases: [bigint, bigint[]][] = [
    [0n, [1654615998n, 1806341205n, 173879092n]],
    [1n, [577090037n, 271041745n, 1095513148n]],
    [42n, [478163327n, 107420369n, 1181241943n]],
    [2n ** 40n + 7n, [2044078442n, 1077368710n, 544390359n]],
  ];
  for (const [seed, want] of cases) {
    const r = new PythonRandom(seed);
    assert.equal([r.randint31(), r.randint31(), r.randint31()], want, `seed ${seed}`);
  }
});

test("op seed alone: (DEFAULT_GRAPH_SEED, seed mod 2^31-1)", () => {
  assert.equal(getSeed(42), [87654321n, 42n]);
  assert.equal(getSeed(2n ** 40n + 123n), [87654321n, 635n]);
  assert.equal(getSeed(-1), [87654321n, 2147483646n]);
});

test("no seed at all: random (0, 0) inputs", () => {
  assert.equal(getSeed(), [null, null]);
  assert.equal(datasetSeeds(), [0n, 0n]);
});

test("global seed: op seeds drawn from the restarted Python RNG; (0, 0) avoided", () => {
  setRandomSeed(1234);
  try {
    assert.equal(datasetSeeds(), [1234n, 1892932127n]);
    setRandomSeed(99);
    assert.equal(datasetSeeds(5), [99n, 5n]);
    setRandomSeed(0);
    assert.equal(getSeed(0), [0n, 2147483647n]);
  } finally {
    setRandomSeed(null);
  }
  assert.equal(getSeed(), [null, null]);
});

test("bad seeds are rejected", () => {
  assert.throws(() => setRandomSeed(1.5), /integer/);
  assert.throws(() => getSeed(0.5), /integer/);
});

test.run();
