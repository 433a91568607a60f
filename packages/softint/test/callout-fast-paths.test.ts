import { nanotime, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import {
  CALLOUT_MPSAFE,
  callout_init,
  callout_reset,
  callout_schedule,
  callout_stats,
  callout_stop,
} from "../src/index.js";
import { kthread, machine } from "./fixtures.js";

/**
 * Three CPUs setting, re-setting and stopping four MPSAFE callouts in
 * bursts while the ticks fire them: callout_lock (its retry when the
 * callout moved meanwhile), callout_schedule, callout_reset and
 * callout_stop's plain fast paths, the move to the calling CPU
 * (mutex_tryenter on its cc_lock) and their slow paths, entered at every
 * step when operations go through the loop.
 */
function run(inPlace: boolean) {
  const { sim, host } = machine(3, { variant: "netbsd" }, { inPlace });
  const out: string[] = [];
  const cs = [0, 1, 2, 3].map((i) => callout_init(host, CALLOUT_MPSAFE, `c${i}`));
  function* fire(i: number) {
    out.push(`fire c${i} on ${cs[i]!.c_cpu.cpu.index} ${nanotime()}`);
    yield* work(300);
  }
  let moves = 0;
  for (let cpu = 0; cpu < 3; cpu++) {
    kthread(host, `t${cpu}`, cpu, function* () {
      for (let i = 0; i < 90; i++) {
        for (let j = 0; j < 6; j++) {
          const k = (i + j + cpu) % 4;
          const c = cs[k]!;
          const from = c.c_cpu;
          if ((i + j) % 3 === 0) yield* callout_reset(c, 1 + ((i + cpu) % 3), fire, k);
          else if ((i + j) % 3 === 1 && c.c_func !== null) yield* callout_schedule(c, 1 + (j % 2));
          else out.push(`${cpu} stop c${k} ${yield* callout_stop(c)} ${nanotime()}`);
          if (c.c_cpu !== from) moves++;
          yield* work(40 + 17 * cpu + 5 * j);
        }
        // now and then long enough for what is set to fire
        yield* work(i % 5 === 4 ? 25_000_000 : 200_000 + 31_000 * cpu);
      }
    });
  }
  sim.run(600_000_000);
  const st = callout_stats(host);
  return {
    out,
    moves,
    fired: st.fired,
    late: st.late,
    lateness: st.latenessNs,
    splits: host.cpus.map((cpu) => cpu.timeSplit()),
  };
}

describe("the callouts' plain fast paths", () => {
  it("give the run that the loop gives, to the bit, with callouts moving between CPUs", () => {
    const looped = run(false);
    const inPlace = run(true);
    expect(looped.fired).toBeGreaterThan(20);
    expect(looped.moves).toBeGreaterThan(20);
    expect(
      looped.out.filter((l) => l.includes("stop") && l.includes("true")).length,
    ).toBeGreaterThan(0);
    expect(inPlace.out).toEqual(looped.out);
    expect(inPlace.moves).toBe(looped.moves);
    expect(inPlace.fired).toBe(looped.fired);
    expect(inPlace.late).toBe(looped.late);
    expect(inPlace.lateness).toEqual(looped.lateness);
    expect(inPlace.splits).toEqual(looped.splits);
  });
});
