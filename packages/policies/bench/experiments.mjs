// The experiments behind the seed's claims, driven by fixtures until the
// workloads package's iperf3 and netperf can be used here (policies cannot
// depend on it): `streamRun` is `iperf3 -R [-P n]` as the seed runs it, the
// ER-4 sending n TCP streams of 128 KiB writes to readers on the ideal peer;
// `crrRun` is `netperf -t TCP_CRR`, the peer connecting to a server on the
// ER-4, one 1-byte request and response, close, again. Both report what the
// claims compare, measured after a warm-up.
import { lockstat_enable, xc_broadcasts } from "@smpnet/core";
import { cnmipsNetCosts, er4, er4Nic } from "@smpnet/hw-octeon";
import {
  DUT_ADDR,
  PEER_ADDR,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_STREAM,
  SOL_SOCKET,
  sys_accept,
  sys_bind,
  sys_close,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_setsockopt,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import { PRI_USER } from "@smpnet/sim";
import { kernel, pcbReader } from "../dist/index.js";

const NS_PER_MS = 1_000_000;
const SPIN_EVENTS = ["Adaptive mutex spin", "Spin mutex spin", "RW lock spin", "Kernel lock spin"];
/** iperf3's default block for TCP. */
export const IPERF3_BLOCK = 131_072;

function er4Kernel(o, nic) {
  return kernel({
    seed: o.seed ?? 1,
    profile: er4,
    nic: { ...er4Nic, ...nic, ...o.nic },
    netCosts: cnmipsNetCosts,
    softint: { variant: "netbsd" },
    policy: o.policy,
    ...(o.reclamation === undefined ? {} : { reclamation: o.reclamation }),
    ...(o.kernel ?? {}),
  });
}

/** Every DUT CPU's time split, summed by class. */
function cpuTime(k) {
  const sum = {};
  for (const c of k.dut.host.cpus) {
    for (const [name, ns] of Object.entries(c.timeSplit())) sum[name] = (sum[name] ?? 0) + ns;
  }
  return sum;
}

function diff(a, b) {
  const d = {};
  for (const key of Object.keys(b)) d[key] = b[key] - (a[key] ?? 0);
  return d;
}

/** lockstat's records summarised: per lock, spin time and all contention; the top spinner's callers. */
function lockSummary(records) {
  const spin = new Map();
  const all = new Map();
  const callers = new Map();
  for (const r of records) {
    all.set(r.lock, (all.get(r.lock) ?? 0) + r.timeNs);
    if (!SPIN_EVENTS.includes(r.event)) continue;
    spin.set(r.lock, (spin.get(r.lock) ?? 0) + r.timeNs);
    const c = callers.get(r.lock) ?? new Map();
    c.set(r.caller, (c.get(r.caller) ?? 0) + r.timeNs);
    callers.set(r.lock, c);
  }
  const bySpin = [...spin].sort((a, b) => b[1] - a[1]);
  const byAll = [...all].sort((a, b) => b[1] - a[1]);
  const top = bySpin[0]?.[0] ?? null;
  return {
    spinNsByLock: Object.fromEntries(bySpin),
    contentionRank: byAll.map(([lock]) => lock),
    topSpinLock: top,
    topSpinCallers:
      top === null ? [] : [...callers.get(top)].sort((a, b) => b[1] - a[1]).map(([c]) => c),
  };
}

/**
 * iperf3 -R -P `streams`: the ER-4 writes; the peer reads and checks each
 * stream arrives whole and in order. `warmMs` of start-up, then `simMs`
 * measured.
 */
export function streamRun(o) {
  const streams = o.streams ?? 1;
  const spread = o.spread ?? false;
  const k = er4Kernel(
    {
      ...o,
      kernel: spread ? { rxCpus: [0, 1, 2, 3], rpsHash: "curcpu", ...o.kernel } : o.kernel,
    },
    spread ? { rxQueues: 4 } : {},
  );
  o.before?.(k);
  const cpus = k.dut.host.cpus.length;
  let bytes = 0;
  let broken = 0;
  k.peer.host.kthread_create({
    name: "iperf3-s",
    pri: PRI_USER,
    user: true,
    *body() {
      const ls = yield* sys_socket(k.peer, SOCK_STREAM);
      if (o.rcvbuf !== undefined) yield* sys_setsockopt(ls, SOL_SOCKET, SO_RCVBUF, o.rcvbuf);
      yield* sys_bind(ls, 0, 5201);
      yield* sys_listen(ls, streams);
      for (let i = 0; i < streams; i++) {
        const so = yield* sys_accept(ls);
        if (typeof so === "number") return;
        k.peer.host.kthread_create({
          name: `iperf3-s/${i}`,
          pri: PRI_USER,
          user: true,
          *body() {
            const u = new uio();
            let next = -1;
            for (;;) {
              u.uio_resid = IPERF3_BLOCK;
              if ((yield* sys_recvfrom(so, u)) !== 0 || u.data_len === 0) return;
              if (next >= 0 && u.data_id !== next) broken++;
              next = (u.data_id + u.data_len) >>> 0;
              bytes += u.data_len;
            }
          },
        });
      }
    },
  });
  for (let i = 0; i < streams; i++) {
    k.dut.host.kthread_create({
      name: `iperf3-c/${i}`,
      pri: PRI_USER,
      user: true,
      cpu: streams === 1 ? 1 % cpus : i % cpus,
      *body() {
        const so = yield* sys_socket(k.dut, SOCK_STREAM);
        if (o.sndbuf !== undefined) yield* sys_setsockopt(so, SOL_SOCKET, SO_SNDBUF, o.sndbuf);
        if ((yield* sys_connect(so, PEER_ADDR, 5201)) !== 0) return;
        const u = new uio();
        for (;;) {
          u.uio_resid = IPERF3_BLOCK;
          if ((yield* sys_sendto(so, u)) !== 0) return;
        }
      },
    });
  }
  // spin by the network softint threads: SOFTINT_NET's time includes it
  let softnetSpinNs = 0;
  k.sim.probe.spin_end.subscribe((_t, cpu, _tag, ns) => {
    if (cpu.curlwp.name.startsWith("softnet")) softnetSpinNs += ns;
  });
  const warmNs = (o.warmMs ?? 50) * NS_PER_MS;
  k.sim.run(warmNs);
  const stat = lockstat_enable(k.dut.host);
  const t0 = cpuTime(k);
  const b0 = bytes;
  const s0 = softnetSpinNs;
  const endNs = warmNs + o.simMs * NS_PER_MS;
  k.sim.run(endNs);
  const t = diff(t0, cpuTime(k));
  const delivered = bytes - b0;
  const totalNs = Object.values(t).reduce((a, b) => a + b, 0);
  const busyNs = totalNs - t.idle;
  const locks = lockSummary(stat.records());
  return {
    k,
    bytes: delivered,
    broken,
    mbps: ((delivered * 8) / (o.simMs * NS_PER_MS)) * 1e3,
    cpuNsPerByte: busyNs / delivered,
    softintNetFraction: (t.softnet + softnetSpinNs - s0) / totalNs,
    spinFraction: t.spin / totalNs,
    time: t,
    ...locks,
  };
}

/**
 * netperf -t TCP_CRR: the peer connects to the ER-4's server, sends a
 * 1-byte request, reads the 1-byte response and closes, over and over;
 * the server accepts, answers, and closes after the peer does, so every
 * transaction allocates and frees one pcb on the ER-4.
 */
export function crrRun(o) {
  const k = er4Kernel(o, {});
  o.before?.(k);
  let transactions = 0;
  k.dut.host.kthread_create({
    name: "netserver",
    pri: PRI_USER,
    user: true,
    cpu: 1,
    *body() {
      const ls = yield* sys_socket(k.dut, SOCK_STREAM);
      yield* sys_bind(ls, 0, 12865);
      yield* sys_listen(ls, 128);
      const u = new uio();
      for (;;) {
        const so = yield* sys_accept(ls);
        if (typeof so === "number") return;
        u.uio_resid = 1;
        yield* sys_recvfrom(so, u);
        u.uio_resid = 1;
        yield* sys_sendto(so, u);
        // the client closes first: wait for its FIN
        u.uio_resid = 1;
        yield* sys_recvfrom(so, u);
        yield* sys_close(so);
      }
    },
  });
  k.peer.host.kthread_create({
    name: "netperf",
    pri: PRI_USER,
    user: true,
    *body() {
      const u = new uio();
      for (;;) {
        const so = yield* sys_socket(k.peer, SOCK_STREAM);
        if ((yield* sys_connect(so, DUT_ADDR, 12865)) !== 0) return;
        u.uio_resid = 1;
        yield* sys_sendto(so, u);
        u.uio_resid = 1;
        yield* sys_recvfrom(so, u);
        yield* sys_close(so);
        transactions++;
      }
    },
  });
  const warmNs = (o.warmMs ?? 20) * NS_PER_MS;
  k.sim.run(warmNs);
  const reader = pcbReader(k.dut);
  const x0 = xc_broadcasts(k.dut.host);
  const r0 = reader === null ? 0 : reader.stats.revalidations;
  const sec0 = reader === null ? { sections: 0, sectionNs: 0 } : { ...reader.rc.stats };
  const n0 = transactions;
  k.sim.run(warmNs + o.simMs * NS_PER_MS);
  const perSecond = (n) => n / (o.simMs / 1e3);
  const sections = reader === null ? 0 : reader.rc.stats.sections - sec0.sections;
  const sectionNs = reader === null ? 0 : reader.rc.stats.sectionNs - sec0.sectionNs;
  return {
    k,
    transactionsPerSecond: perSecond(transactions - n0),
    crossCallsPerSecond: perSecond(xc_broadcasts(k.dut.host) - x0),
    revalidationsPerSecond: perSecond(reader === null ? 0 : reader.stats.revalidations - r0),
    readNsPerSection: sections === 0 ? 0 : sectionNs / sections,
  };
}
