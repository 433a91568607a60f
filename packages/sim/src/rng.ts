/*
 * The run's seeded random generator. Every model draws from it (never from
 * Math.random), so one seed gives one result to the bit. Built on pure-rand's
 * xoroshiro128+.
 */

import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { SimError } from "./errors.js";

type Generator = ReturnType<typeof xoroshiro128plus>;

export class Rng {
  private g: Generator;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new SimError(`seed: expected an integer, got ${seed}`);
    }
    this.g = xoroshiro128plus(seed);
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
