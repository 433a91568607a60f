import { callpath, PRI_KTHREAD, roundProfile, Simulation, work } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { Collector, flameGraphSvg, foldedPerCpu } from "../src/index.js";
import { fixtureRun } from "./fixture.js";

describe("folded stacks", () => {
  const { result } = fixtureRun(1, 5);

  it("sum, per CPU, to that CPU's busy time in the accounting", () => {
    const sums = foldedPerCpu(result.folded);
    for (const c of result.cpus) expect(sums.get(`cpu${c.cpu}`)).toBe(Math.round(c.busyNs));
  });

  it("name each CPU's time by context and kernel function", () => {
    const stacks = result.folded.map((l) => l.slice(0, l.lastIndexOf(" ")));
    expect(stacks).toContain("cpu0;softint_net;ip_input;tcp_input;mutex_enter");
    expect(stacks).toContain("cpu0;intr_cnmac0");
    expect(stacks).toContain("cpu1;iperf3;soreceive");
    expect(stacks).toContain("cpu1;iperf3;user");
  });

  it("give user time to the user frame and the switch into a thread to the kernel, as the accounting does", () => {
    const user = new Map<string, number>();
    for (const l of result.folded) {
      const [stack, ns] = [l.slice(0, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))];
      const cpu = stack.slice(0, stack.indexOf(";"));
      if (stack.endsWith(";user")) user.set(cpu, (user.get(cpu) ?? 0) + ns);
    }
    for (const c of result.cpus) expect(user.get(`cpu${c.cpu}`) ?? 0).toBe(c.split.user);
  });

  it("give each nanosecond to the function that spent it, with no probe inside the loop", () => {
    const sim = new Simulation({ seed: 1 });
    const host = sim.addHost({ name: "dut", profile: roundProfile(1) });
    const lwp = host.kthread_create({
      name: "netd",
      pri: PRI_KTHREAD,
      *body() {
        for (;;) {
          callpath().push("ip_input");
          yield* work(3_000);
          callpath().pop();
          yield* work(1_000);
        }
      },
    });
    const collector = new Collector(sim);
    sim.run(1_000_000);
    const { folded } = collector.finish({
      kernel: { name: "k" },
      workload: { name: "w", args: [] },
      seed: 1,
      output: {},
      lockstat: [],
      reclamation: { scheme: "none" },
      integrity: { ok: true },
      stats: { tcpstat: {}, udpstat: {}, ipstat: {} },
    });
    expect(folded).toEqual(["cpu0;netd 250000", "cpu0;netd;ip_input 750000"]);
    // the call path's own push and pop are back once the collector is done
    expect(Object.hasOwn(lwp.ctx.callPath, "push")).toBe(false);
  });

  it("make an SVG flame graph whose frames carry their share", () => {
    const svg = flameGraphSvg(result.folded, "fixture");
    expect(svg.startsWith("<svg")).toBe(true);
    const total = result.cpus.reduce((s, c) => s + Math.round(c.busyNs), 0);
    expect(svg).toContain(`<title>all (${total} ns, 100.00%)</title>`);
    expect(svg).toMatch(/<title>tcp_input \(\d+ ns, \d+\.\d\d%\)<\/title>/);
  });
});
