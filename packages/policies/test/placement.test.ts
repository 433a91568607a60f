import { netProbes } from "@smpnet/netinet";
import { IPL_VM } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { udpRun } from "./fixtures.js";

const threadOf = { netbsd: /^softnet\//, budget: /^(softnet|ksoftnet)\//, threaded: /^netisr\// };

describe("where the receive path runs", () => {
  for (const variant of ["netbsd", "budget", "threaded"] as const) {
    it(`${variant}: the driver at IPL_NET, ip_input in the network ${variant === "threaded" ? "thread" : "softint"}, the copy in the reader`, () => {
      const seen = { rx: 0, ip: 0, read: 0, wrong: [] as string[] };
      const r = udpRun({
        variant,
        sizes: Array(200).fill(800),
        gapNs: 3_000,
        before(k) {
          const p = netProbes(k.sim);
          p.nic_rx.subscribe((_t, cpu) => {
            if (cpu.host !== k.dut.host) return;
            seen.rx++;
            if (cpu.ipl !== IPL_VM) seen.wrong.push(`nic_rx at IPL ${cpu.ipl}`);
          });
          p.ip_input.subscribe((_t, cpu) => {
            if (cpu.host !== k.dut.host) return;
            seen.ip++;
            if (!threadOf[variant].test(cpu.curlwp.name))
              seen.wrong.push(`ip_input in ${cpu.curlwp.name}`);
          });
          p.user_read.subscribe((_t, cpu) => {
            if (cpu.host !== k.dut.host) return;
            seen.read++;
            if (cpu.curlwp.name !== "receiver") seen.wrong.push(`user_read in ${cpu.curlwp.name}`);
          });
        },
      });
      expect(seen.wrong).toEqual([]);
      expect([seen.rx, seen.ip, seen.read]).toEqual([200, 200, 200]);
      const cpus = r.k.dut.host.cpus.map((c) => c.timeSplit());
      // the interrupt and the network work are on CPU 0, the reader's copy on its own CPU
      expect(cpus[0]!["intr:vm"]).toBeGreaterThan(0);
      if (variant === "threaded") expect(cpus[0]!.kernel).toBeGreaterThan(0);
      else expect(cpus[0]!.softnet).toBeGreaterThan(0);
      expect(cpus[3]!.kernel).toBeGreaterThan(0);
      expect(cpus[3]!.softnet).toBe(0);
    });
  }
});

describe("which CPU runs ip_input (pktq_rps_hash, net.ether.rps_hash)", () => {
  function ipInputCpus(rpsHash: "zero" | "curcpu") {
    const cpus = new Set<number>();
    let ipis = 0;
    udpRun({
      sizes: Array(50).fill(500),
      gapNs: 5_000,
      rxCpus: [2],
      rpsHash,
      before(k) {
        netProbes(k.sim).ip_input.subscribe((_t, cpu) => {
          if (cpu.host === k.dut.host) cpus.add(cpu.index);
        });
        k.sim.probe.ipi_send.subscribe((_t, from) => {
          if (from.host === k.dut.host) ipis++;
        });
      },
    });
    return { cpus: [...cpus], ipis };
  }

  it("a GENERIC kernel (zero) runs every packet on CPU 0, an IPI away from the interrupt's CPU", () => {
    const r = ipInputCpus("zero");
    expect(r.cpus).toEqual([0]);
    expect(r.ipis).toBeGreaterThan(0);
  });

  it("NET_MPSAFE's curcpu keeps it on the CPU the NIC interrupts", () => {
    expect(ipInputCpus("curcpu").cpus).toEqual([2]);
  });
});
