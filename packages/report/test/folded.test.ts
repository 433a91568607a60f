import { describe, expect, it } from "vitest";
import { flameGraphSvg, foldedPerCpu } from "../src/index.js";
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

  it("make an SVG flame graph whose frames carry their share", () => {
    const svg = flameGraphSvg(result.folded, "fixture");
    expect(svg.startsWith("<svg")).toBe(true);
    const total = result.cpus.reduce((s, c) => s + Math.round(c.busyNs), 0);
    expect(svg).toContain(`<title>all (${total} ns, 100.00%)</title>`);
    expect(svg).toMatch(/<title>tcp_input \(\d+ ns, \d+\.\d\d%\)<\/title>/);
  });
});
