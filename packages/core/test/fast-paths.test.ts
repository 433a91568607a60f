import { IPL_NONE, IPL_VM, nanotime, PRI_KERNEL, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  KERNEL_LOCK,
  KERNEL_UNLOCK_ONE,
  MUTEX_DEFAULT,
  mutex_enter,
  mutex_exit,
  mutex_init,
} from "../src/index.js";
import { machine } from "./fixtures.js";

/**
 * Three CPUs contending for an adaptive mutex, the kernel lock nested in
 * it, and a spin mutex: the plain fast paths (mutex_enter, mutex_exit,
 * mutex_spin_enter, mutex_spin_exit, _kernel_unlock) and their generator
 * slow paths, entered at every step when operations go through the loop.
 */
function run(inPlace: boolean) {
  const { sim, host } = machine(3, {}, 3, inPlace);
  const adaptive = mutex_init(host, "so_lock", MUTEX_DEFAULT, IPL_NONE);
  const spin = mutex_init(host, "ifq_lock", MUTEX_DEFAULT, IPL_VM);
  const out: string[] = [];
  let inside = 0;
  let overlaps = 0;
  for (let c = 0; c < 3; c++) {
    host.kthread_create({
      name: `t${c}`,
      pri: PRI_KERNEL,
      cpu: c,
      bound: true,
      *body() {
        for (let i = 0; i < 150; i++) {
          yield* mutex_enter(adaptive);
          if (inside++ !== 0) overlaps++;
          yield* KERNEL_LOCK(1);
          yield* KERNEL_LOCK(1);
          yield* work(40 + 13 * c);
          yield* KERNEL_UNLOCK_ONE();
          yield* KERNEL_UNLOCK_ONE();
          inside--;
          yield* mutex_exit(adaptive);
          yield* mutex_enter(spin);
          yield* work(25);
          yield* mutex_exit(spin);
          out.push(`${c} ${nanotime()}`);
          yield* work(c * 90);
        }
      },
    });
  }
  sim.run();
  return { out, overlaps, splits: host.cpus.map((cpu) => cpu.timeSplit()) };
}

describe("the locks' plain fast paths", () => {
  it("give the run that the loop gives, to the bit, with mutual exclusion", () => {
    const looped = run(false);
    const inPlace = run(true);
    expect(looped.out.length).toBe(450);
    expect(looped.overlaps).toBe(0);
    expect(inPlace.overlaps).toBe(0);
    expect(inPlace.out).toEqual(looped.out);
    expect(inPlace.splits).toEqual(looped.splits);
  });
});
