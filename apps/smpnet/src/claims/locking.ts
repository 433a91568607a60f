/*
 * The seed's locking claims (DESIGN.md questions 1-3) and flow-level
 * parallelism (the seed's reason for per-socket locks): the ER-4 sending
 * iperf3 -R under the four policies, and four streams over four cores.
 */

import type { ReclamationScheme } from "@smpnet/policies";
import type { RunResult } from "@smpnet/report";
import type { KernelSpec } from "../kernel-file/spec.js";
import { type Claim, type ClaimRun, verdict } from "./claim.js";
import { cpuNsPerByte, mbps, mostContended, softnetShare, spinByLock } from "./measure.js";

/**
 * iperf3 -R for 8 MB, about 70 ms at line rate: the stream is at line rate
 * within 50 ms, and policies' README found 200 ms moved no figure by 1%.
 */
export const STREAM = ["iperf3", "-c", "dut", "-R", "-n", "8M"];
const stream = (policy: string, reclamation?: ReclamationScheme): ClaimRun => ({
  kernel: { policy, ...(reclamation === undefined ? {} : { reclamation }) },
  workload: STREAM,
});
const SEED_RUNS = {
  giant: stream("giant"),
  "net-mpsafe": stream("net-mpsafe"),
  "solock-v1": stream("solock-v1", "pserialize"),
  split: stream("split", "epoch"),
};
const ratio = (a: number, b: number) => (b === 0 ? Number.POSITIVE_INFINITY : a / b);
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));

/** Spin on the socket-buffer locks: so_lock (solock-v1), softnet_lock (giant's so_lock), so_snd and so_rcv. */
function sockbufSpinNs(r: RunResult): number {
  let ns = 0;
  for (const [lock, s] of spinByLock(r))
    if (/^(so_lock|so_snd|so_rcv|softnet_lock)/.test(lock)) ns += s.ns;
  return ns;
}

export const netMpsafe: Claim = {
  id: "1",
  title: "NET_MPSAFE alone changes little while softnet_lock serialises the stack",
  seed: "Dropping KERNEL_LOCK around tcp_output (KERNEL_LOCK_UNLESS_NET_MPSAFE) changes little while softnet_lock serialises the stack. (DESIGN.md, question 1)",
  runs: { giant: SEED_RUNS.giant, "net-mpsafe": SEED_RUNS["net-mpsafe"] },
  estimates: ["netCosts.tcpOutputCycles"],
  judge(runs) {
    const g = mbps(runs.giant!);
    const m = mbps(runs["net-mpsafe"]!);
    const top = { giant: mostContended(runs.giant!), mpsafe: mostContended(runs["net-mpsafe"]!) };
    const within = Math.abs(m - g) / g <= 0.1;
    const softnet = top.giant === "softnet_lock" && top.mpsafe === "softnet_lock";
    return verdict(
      {
        giantMbps: round(g, 4),
        netMpsafeMbps: round(m, 4),
        mostContendedGiant: top.giant,
        mostContendedNetMpsafe: top.mpsafe,
      },
      [
        [within, "net-mpsafe's throughput differs from giant's by more than 10%"],
        [softnet, "softnet_lock is not the most contended lock in both"],
      ],
    );
  },
};

export const solockSpin: Claim = {
  id: "2",
  title: "one mutex per socket: user copy and tcp_input spin on it, softint time explodes",
  seed: "One adaptive mutex per socket (solock v1, lookups under pserialize) degenerates on one TCP stream under iperf3 -R: the user thread copies data into so_snd while holding the socket lock, another CPU runs ip_input -> tcp_input for the ACKs and needs the same lock, they spin on each other, and softint time explodes. (DESIGN.md, question 2; kernel.md section 9)",
  runs: { "solock-v1": SEED_RUNS["solock-v1"], split: SEED_RUNS.split },
  estimates: ["costs.memcpyBytesPerCycle"],
  judge(runs) {
    const spin = spinByLock(runs["solock-v1"]!);
    const [top, s] = [...spin][0] ?? [null, { ns: 0, callers: [] }];
    const callers = s.callers.slice(0, 3);
    // SOFTINT_NET's time with its own spin, not the writer's
    const soft = softnetShare(runs["solock-v1"]!);
    const softSplit = softnetShare(runs.split!);
    const grows = ratio(soft, softSplit);
    const spins = top === "so_lock" && callers.includes("sosend") && callers.includes("tcp_input");
    return verdict(
      {
        topSpinLock: top,
        topSpinCallers: callers,
        soLockSpinMs: round(s.ns / 1e6),
        softnetWithSpinShare: round(soft),
        splitSoftnetWithSpinShare: round(softSplit),
        growthOverSplit: round(grows),
      },
      [
        [spins, "so_lock is not the top spin lock with sosend and tcp_input as callers"],
        [
          grows >= 3,
          "the spin is there, but SOFTINT_NET time grows less than threefold over split",
        ],
      ],
    );
  },
  limits:
    "The spin on so_lock between sosend and tcp_input shows; the explosion does not at the ER-4 profile's copy speed (costs.memcpyBytesPerCycle 1.5, an estimate): with socket-buffer autosizing (on by default in both kernels) so_snd outgrows the peer's window, each ACK's tcp_input sends the waiting data from the softint under every policy, and split's SOFTINT_NET grows as much as solock-v1's. With copies of 0.15 B/cycle (a kernel file with scale costs.memcpyBytesPerCycle: 0.1) SOFTINT_NET, its spin included, grows 3.25-fold over split's and the claim holds; at 0.3 B/cycle 1.8-fold (EXPERIMENTS.md, claim 2).",
};

export const splitLocks: Claim = {
  id: "3",
  title: "split locks remove the spin",
  seed: "Split locks in the FreeBSD style (so_snd and so_rcv locks, a pcb lock, a sleepable sblock that serialises senders, the user copy done outside the sockbuf mutex) remove that spinning. (DESIGN.md, question 3)",
  runs: SEED_RUNS,
  estimates: ["costs.memcpyBytesPerCycle"],
  judge(runs) {
    const names = Object.keys(SEED_RUNS);
    const rate = Object.fromEntries(names.map((n) => [n, mbps(runs[n]!)]));
    const perByte = Object.fromEntries(names.map((n) => [n, cpuNsPerByte(runs[n]!)]));
    const splitSpin = sockbufSpinNs(runs.split!);
    const solockSpin = sockbufSpinNs(runs["solock-v1"]!);
    const noSpin = splitSpin < solockSpin / 10;
    const fastest = names.every((n) => rate.split! >= rate[n]! * 0.98);
    const leanest = names.every((n) => perByte.split! <= perByte[n]!);
    return verdict(
      {
        splitSockbufSpinMs: round(splitSpin / 1e6),
        solockSockbufSpinMs: round(solockSpin / 1e6),
        ...Object.fromEntries(names.map((n) => [`${n}Mbps`, round(rate[n]!, 4)])),
        ...Object.fromEntries(names.map((n) => [`${n}CpuNsPerByte`, round(perByte[n]!)])),
      },
      [
        [noSpin, "split's socket-buffer spin is not below a tenth of solock-v1's"],
        [fastest, "split's throughput is more than 2% below another policy's"],
        [leanest, "split does not spend the least CPU per byte"],
      ],
    );
  },
  limits:
    "The socket-buffer spin goes, but the writer meets INP_WLOCK, which tcp_usr_send and tcp_input both hold across tcp_output (as FreeBSD does), while tcp_input sends what autosizing let wait in so_snd, so split spends as much CPU per byte as giant on one stream at the profile's copy speed, and solock-v1 the least. With copies of 0.45 or 0.3 B/cycle (scale costs.memcpyBytesPerCycle: 0.3 or 0.2) split is the leanest and the claim holds (EXPERIMENTS.md, claim 3).",
};

/**
 * Four streams, 16 MB in all, on the ER-4's cores with policies' claim 4
 * set-up: a 10 Gb/s wire (the ER-4's 1 GbE ports are full with one stream)
 * and four receive queues, one interrupting each core, input staying on the
 * core that took it (rps_hash curcpu). The ER-4's cnmac has one queue: this
 * is the larger Octeon's receive path on the ER-4's cores.
 */
const P4 = ["iperf3", "-c", "dut", "-R", "-P", "4", "-n", "16M"];
const spread = {
  wire: { speedMbps: 10_000 },
  rxQueues: 4,
  rxCpus: [0, 1, 2, 3],
  rpsHash: "curcpu",
} satisfies KernelSpec;

export const flows: Claim = {
  id: "flows",
  title: "flow-level parallelism: split scales over cores, giant does not",
  seed: "Per-socket locks let flows run in parallel: with iperf3 -P 4 and receive work spread over the 4 cores, split scales the aggregate throughput well beyond giant, which serialises on softnet_lock. (issue 18, claim 4; the seed's reason for per-socket locks, kernel.md section 9)",
  runs: {
    giant: { kernel: { ...spread, policy: "giant" }, workload: P4 },
    split: { kernel: { ...spread, policy: "split", reclamation: "epoch" }, workload: P4 },
  },
  estimates: ["netCosts.tcpInputCycles"],
  judge(runs) {
    const g = mbps(runs.giant!);
    const s = mbps(runs.split!);
    return verdict(
      { giantMbps: round(g, 4), splitMbps: round(s, 4), speedup: round(ratio(s, g)) },
      [[s >= 1.5 * g, "split carries less than 1.5 times giant's aggregate"]],
    );
  },
  limits:
    "iperf3 3.12 runs every stream from one thread, so one CPU does all four streams' sosend copies and tcp_output calls; policies' fixture, one writer thread per core, shows 2.2 times. Showing it with the tools needs iperf3 3.16's thread per stream or several iperf3 processes.",
};
