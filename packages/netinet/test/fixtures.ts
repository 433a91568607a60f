import { type Host, type KernelGen, roundProfile, Simulation } from "@smpnet/sim";

/**
 * Runs `body` as a kernel thread on a fresh round machine until it returns;
 * `inPlace: false` sends every operation through the event loop.
 */
export function runKernel<T>(
  body: (host: Host) => KernelGen<T>,
  inPlace = true,
): { result: T; host: Host } {
  const sim = new Simulation({ seed: 1, inPlace });
  const host = sim.addHost({ name: "t", profile: roundProfile(1) });
  let result: T | undefined;
  let done = false;
  host.kthread_create({
    name: "test",
    pri: 96,
    *body() {
      result = yield* body(host);
      done = true;
    },
  });
  sim.run(1e9);
  if (!done) throw new Error("the kernel thread did not finish");
  return { result: result as T, host };
}
