/**
 * TF's seed derivation for random dataset ops (`tf.random.set_seed` + `random_seed.get_seed`), so
 * a pipeline seeded like its Python twin gets the same seeds, hence the same shuffle order:
 *
 * - op seed given, no global seed: (87654321, op seed mod (2^31 - 1));
 * - global seed set: (global mod (2^31 - 1), op seed mod (2^31 - 1)), where a missing op seed is
 *   drawn, as TF eager does, from Python's `random.Random(global_seed).randint(0, 2^31 - 1)`
 *   (a Mersenne Twister, reproduced here) restarted by every `setRandomSeed`;
 * - neither: (null, null), which datasets pass to TF's ops as (0, 0): "pick random seeds";
 * - a (0, 0) result becomes (0, 2^31 - 1), since (0, 0) means random to the kernels.
 */
import { TfDataError } from "../core/errors.js";
import { describe } from "./arguments.js";

/** TF's `DEFAULT_GRAPH_SEED`. */
export const DEFAULT_GRAPH_SEED = 87654321n;

/** TF's `_MAXINT32` (2^31 - 1), the modulus seeds are truncated with. */
export const MAXINT32 = 2147483647n;

const N = 624;

/** CPython's `random.Random` core (MT19937 seeded with `init_by_array`), enough for `randint`. */
export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed: bigint) {
    let n = seed < 0n ? -seed : seed;
    const key: number[] = [];
    do {
      key.push(Number(n & 0xffffffffn));
      n >>= 32n;
    } while (n > 0n);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** The next 32 random bits (MT19937's `genrand_uint32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
        mt[k] = mt[(k + 397) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `randint(0, 2**31 - 1)`: rejection sampling over 32-bit draws, as CPython's `_randbelow`. */
  randint31(): bigint {
    for (;;) {
      const r = this.nextUint32();
      if (r < 0x80000000) return BigInt(r);
    }
  }
}

let globalSeed: bigint | null = null;
let opSeeds: PythonRandom | null = null;

/**
 * TF's `tf.random.set_seed(seed)`: the global seed random dataset ops derive their seeds from
 * (`null` clears it). Example: `setRandomSeed(1); Dataset.range(10).shuffle(4)` shuffles as
 * `tf.random.set_seed(1); tf.data.Dataset.range(10).shuffle(4)` does in a fresh TF process.
 */
export function setRandomSeed(seed: number | bigint | null): void {
  if (seed === null) {
    globalSeed = null;
    opSeeds = null;
    return;
  }
  if (typeof seed !== "bigint" && !(typeof seed === "number" && Number.isInteger(seed))) {
    throw new TfDataError("InvalidArgument", `the random seed must be an integer or null, got ${describe(seed)}`);
  }
  globalSeed = BigInt(seed);
  opSeeds = new PythonRandom(globalSeed);
}

/** Python's `%` (the result has the sign of the divisor). */
function pyMod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** TF's `random_seed.get_seed(op_seed)`: the (seed, seed2) pair of an op, nulls for "random". */
export function getSeed(opSeed?: number | bigint | null): [bigint | null, bigint | null] {
  let op: bigint | null = null;
  if (opSeed !== undefined && opSeed !== null) {
    if (typeof opSeed !== "bigint" && !(typeof opSeed === "number" && Number.isInteger(opSeed))) {
      throw new TfDataError("InvalidArgument", `seed must be an integer, got ${describe(opSeed)}`);
    }
    op = BigInt(opSeed);
  }
  let seeds: [bigint | null, bigint | null];
  if (globalSeed !== null) {
    if (op === null) op = opSeeds!.randint31();
    seeds = [pyMod(globalSeed, MAXINT32), pyMod(op, MAXINT32)];
  } else if (op !== null) {
    seeds = [DEFAULT_GRAPH_SEED, pyMod(op, MAXINT32)];
  } else {
    seeds = [null, null];
  }
  if (seeds[0] === 0n && seeds[1] === 0n) return [0n, MAXINT32];
  return seeds;
}

/**
 * The (seed, seed2) int64 inputs a random dataset op gets (tf.data's `random_seed.get_seed`):
 * nulls become 0, and a (0, 0) pair gets seed2 = 2^31 - 1.
 */
export function datasetSeeds(opSeed?: number | bigint | null): [bigint, bigint] {
  const [s, s2] = getSeed(opSeed);
  const seed = s ?? 0n;
  let seed2 = s2 ?? 0n;
  if (s2 !== null && seed === 0n && seed2 === 0n) seed2 = MAXINT32;
  return [seed, seed2];
}
