/*
 * The run's seeded random generator. Every model draws from it (never from
 * Math.random), so one seed gives one result to the bit. Built on pure-rand's
 * xoroshiro128+, its 128-bit state filled from the whole seed by SplitMix64,
 * as the generator's authors advise (prng.di.unimi.it): seeding it directly
 * (pure-rand's xoroshiro128plus(seed)) keeps only the seed's low 32 bits and
 * makes the first draw 2^32 - 1 - seed, so neighbouring seeds would start
 * alike.
 */

import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { SimError } from "./errors.js";

type Generator = ReturnType<typeof xoroshiro128plusFromState>;

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea and Flood 2014): the state after `x`, and its output. */
function splitmix64(x: bigint): [bigint, bigint] {
  const next = (x + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** The four 32-bit words of pure-rand's state: high and low of two 64-bit words. */
function stateFromSeed(seed: number): number[] {
  let x = BigInt.asUintN(64, BigInt(seed));
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    const [next, z] = splitmix64(x);
    x = next;
    words.push(Number(BigInt.asIntN(32, z >> 32n)), Number(BigInt.asIntN(32, z)));
  }
  return words;
}

export class Rng {
  private g: Generator;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new SimError(`seed: expected an integer, got ${seed}`);
    }
    this.g = xoroshiro128plusFromState(stateFromSeed(seed));
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return uniformInt(this.g, lo, hi);
  }

  /** A float in [0, 1). */
  float(): number {
    return uniformFloat64(this.g);
  }

  /** An exponentially distributed value with the given mean (Poisson arrivals). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }
}
