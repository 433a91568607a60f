import { NOTHING, validatePolicy } from "@smpnet/netinet";
import { roundNetCosts, roundNic, roundProfile } from "@smpnet/sim";
import { describe, expect, it } from "vitest";
import { giant, type KernelOptions, kernel } from "../src/index.js";

const base: KernelOptions = {
  seed: 1,
  profile: roundProfile(2),
  nic: roundNic(),
  netCosts: roundNetCosts(),
  softint: { variant: "netbsd" },
  policy: "giant",
};

describe("bad kernel descriptions are refused, naming the field and the fix", () => {
  it.each([
    [{ policy: "giants" }, /policy: no policy named "giants"; choose one of giant/],
    [
      { reclamation: "rcu" },
      /reclamation: "rcu" is not a scheme; choose one of pserialize, epoch, smr, smr-lazy/,
    ],
    [{ reclamation: "smr" }, /reclamation: policy giant takes no reclamation scheme/],
    [
      { policy: "net-mpsafe", reclamation: "epoch" },
      /reclamation: policy net-mpsafe takes no reclamation scheme/,
    ],
    [{ policy: "split", reclamation: "rcu" }, /reclamation: "rcu" is not a scheme/],
    [
      { policy: giant, reclamation: "smr" },
      /reclamation: policy giant is an object; it chooses its own read sections/,
    ],
    [
      { policy: "toString" },
      /policy: no policy named "toString"; choose one of giant, net-mpsafe, solock-v1, split/,
    ],
    [{ cpus: 0 }, /cpus: expected a whole number from 1 to 2/],
    [{ cpus: 3 }, /cpus: expected a whole number from 1 to 2 \(the round has 2\)/],
    [{ wire: { mtuBytes: 40 } }, /wire\.mtuBytes: expected an MTU of at least 68 bytes/],
    [{ wire: { delayNs: -5 } }, /wire\.delayNs: expected a non-negative number of nanoseconds/],
    [{ wire: { lossRate: 1.5 } }, /wire\.lossRate: expected a probability from 0 to 1/],
    [{ wire: { mtuBytes: 9_000 } }, /wire\.mtuBytes: 9000 is above the NIC's MTU \(1500\)/],
    [{ wire: { colour: "blue" } }, /wire\.colour: unknown field/],
    [{ nic: { ...roundNic(), rxRingSize: 0 } }, /nic\.rxRingSize: expected at least 1/],
    [
      { netCosts: { ...roundNetCosts(), ipInputCycles: -1 } },
      /netCosts\.ipInputCycles: expected a non-negative number of cycles/,
    ],
    [{ netCosts: { ...roundNetCosts(), tcp_input: 5 } }, /netCosts\.tcp_input: unknown field/],
    [{ nmbclusters: 0 }, /nmbclusters must be a positive integer/],
    [{ ideal: "yes" as never }, /ideal: expected true or false; got yes/],
    [{ kernelPreemption: 1 as never }, /kernelPreemption: expected true or false; got 1/],
    [{ defaults: "linux" as never }, /defaults: "linux" is not a preset; choose netbsd or freebsd/],
    [
      { sysctl: { "net.inet.tcp.delacktime": 0 } },
      /sysctl\.net\.inet\.tcp\.delacktime: net\.inet\.tcp\.delacktime takes a whole number from 1 to 1000; got 0/,
    ],
    [
      { sysctl: { "net.inet.tcp.nodelay": 1 } },
      /sysctl\.net\.inet\.tcp\.nodelay: no sysctl net\.inet\.tcp\.nodelay in the model/,
    ],
  ] as [Partial<KernelOptions>, RegExp][])("%o", (bad, message) => {
    expect(() => kernel({ ...base, ...bad } as KernelOptions)).toThrow(message);
  });

  it("refuses a policy object missing a lock point, with an unknown one, without attach or with an unknown sosend", () => {
    const missing = {
      name: "half",
      attach(stack: Parameters<typeof giant.attach>[0]) {
        const { so_input: _, ...rest } = giant.attach(stack);
        return rest as never;
      },
    };
    expect(() => kernel({ ...base, policy: missing })).toThrow(
      /policy half: attach returned no lock point so_input; give it \{ enter, exit \}/,
    );
    const extra = {
      name: "extra",
      attach: (stack: Parameters<typeof giant.attach>[0]) => ({
        ...giant.attach(stack),
        rtalloc: NOTHING,
      }),
    };
    expect(() => kernel({ ...base, policy: extra })).toThrow(
      /policy extra: attach returned an unknown lock point rtalloc; the points are input, pcb_lookup/,
    );
    expect(() => validatePolicy({ name: "x" })).toThrow(/policy\.attach: expected a function/);
    expect(() => validatePolicy({ attach() {} })).toThrow(
      /policy\.name: expected a non-empty string/,
    );
    expect(() => validatePolicy({ name: "x", attach() {}, locks: 1 })).toThrow(
      /policy\.locks: unknown field/,
    );
    expect(() =>
      kernel({ ...base, policy: { ...giant, name: "g", sosend: "pages" } as never }),
    ).toThrow(
      /policy\.sosend: expected "cluster" \(NetBSD's sosend\) or "space" \(FreeBSD's sosend_generic\), got pages/,
    );
  });
});

describe("checksum offloads as the kernel enables them", () => {
  it("are off unless enabled, as NetBSD's drivers leave if_capenable 0", () => {
    const nic = { ...roundNic(), offloads: { ...roundNic().offloads, rxChecksum: true } };
    const k = kernel({ ...base, nic });
    expect(k.dut.ifp.if_capenable).toEqual({ rxChecksum: false, txChecksum: false });
    const on = kernel({ ...base, nic, offloads: { rxChecksum: true } });
    expect(on.dut.ifp.if_capenable.rxChecksum).toBe(true);
  });

  it("refuses one the NIC cannot do, or an unknown one, naming the field", () => {
    expect(() => kernel({ ...base, offloads: { txChecksum: true } })).toThrow(
      /offloads\.txChecksum: the NIC \(round\) cannot do it/,
    );
    expect(() => kernel({ ...base, offloads: { tso: true } as never })).toThrow(
      /offloads\.tso: unknown field/,
    );
  });
});
