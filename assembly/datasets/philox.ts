// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) as TF's
// `random::PhiloxRandom` lays it out, plus TF's `SingleSampleAdapter` that hands out the four
// 32-bit words of each block one at a time. Shuffle orders depend on every detail here:
// - key = the 64-bit seed (low word first); counter words 2..3 = the 64-bit seed2, words 0..1 = 0;
// - one block = 10 rounds, the key bumped by the Weyl constants between rounds;
// - the 128-bit counter is incremented (word 0 first, with carry) after each block.

/** Round multipliers and Weyl key increments of Philox4x32. */
const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

/** TF's `SingleSampleAdapter<PhiloxRandom>`: a stream of u32 drawn from consecutive blocks. */
export class PhiloxStream {
  private k0: u32;
  private k1: u32;
  private c0: u32 = 0;
  private c1: u32 = 0;
  private c2: u32;
  private c3: u32;
  private r0: u32 = 0;
  private r1: u32 = 0;
  private r2: u32 = 0;
  private r3: u32 = 0;
  /** Index of the next unused word of the current block (4 = none left). */
  private used: i32 = 4;

  constructor(seed: u64, seed2: u64) {
    this.k0 = <u32>seed;
    this.k1 = <u32>(seed >> 32);
    this.c2 = <u32>seed2;
    this.c3 = <u32>(seed2 >> 32);
  }

  /** Computes the block of the current counter into r0..r3 and advances the counter. */
  private block(): void {
    let x0 = this.c0, x1 = this.c1, x2 = this.c2, x3 = this.c3;
    let k0 = this.k0, k1 = this.k1;
    for (let round = 0; round < 10; round++) {
      const p0 = M0 * <u64>x0;
      const p1 = M1 * <u64>x2;
      const hi0 = <u32>(p0 >> 32), lo0 = <u32>p0;
      const hi1 = <u32>(p1 >> 32), lo1 = <u32>p1;
      x0 = hi1 ^ x1 ^ k0;
      x1 = lo1;
      x2 = hi0 ^ x3 ^ k1;
      x3 = lo0;
      k0 += W0;
      k1 += W1;
    }
    this.r0 = x0;
    this.r1 = x1;
    this.r2 = x2;
    this.r3 = x3;
    this.c0++;
    if (this.c0 == 0) {
      this.c1++;
      if (this.c1 == 0) {
        this.c2++;
        if (this.c2 == 0) this.c3++;
      }
    }
  }

  /** The next 32-bit sample. */
  next(): u32 {
    if (this.used == 4) {
      this.block();
      this.used = 0;
    }
    const i = this.used++;
    return i == 0 ? this.r0 : i == 1 ? this.r1 : i == 2 ? this.r2 : this.r3;
  }
}
