// pnpm bench: datagrams per wall second through the whole modelled path,
// from a user thread on the peer through the wire, the ER-4's NIC, driver,
// ip_input, udp_input and soreceive into a user thread, under giant. When
// shared/bench/ref-heap.js is beside the repository, the reference heap's
// speed measured in the same run and each line's ratio to it (the floor is
// a ratio). `udp-path-probed` runs with a listener on every probe. `tcp-bulk`
// and `tcp-bulk-er4`: simulated seconds per wall second of one TCP stream,
// and that as a multiple of ns-3's pace on this machine (0.2-0.8 simulated
// s per wall s, issue 16; its floor is 10 times ns-3).
// Then the claims' experiments (policy-R, policy-P4, policy-crr; alone with
// `node bench/run.mjs claims`).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cnmipsNetCosts, er4, er4Nic } from "@smpnet/hw-octeon";
import {
  DUT_ADDR,
  PEER_ADDR,
  SOCK_DGRAM,
  SOCK_STREAM,
  sys_accept,
  sys_bind,
  sys_connect,
  sys_listen,
  sys_recvfrom,
  sys_sendto,
  sys_socket,
  uio,
} from "@smpnet/netinet";
import { PRI_USER, sleep } from "@smpnet/sim";
import { kernel } from "../dist/index.js";
import { crrRun, streamRun } from "./experiments.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const SIM_NS = 200_000_000; // 200 simulated ms: ~16,000 datagrams at line rate
const PAYLOAD = 1_472; // a full 1500-byte frame
const BURST = 8;
const PACE = Symbol("pace");

function udpPath(probed) {
  const k = kernel({
    seed: 1,
    profile: er4,
    nic: er4Nic,
    netCosts: cnmipsNetCosts,
    softint: { variant: "netbsd" },
    policy: "giant",
  });
  let events = 0;
  if (probed) k.sim.probes.subscribeAll(() => events++);
  let read = 0;
  k.dut.host.kthread_create({
    name: "receiver",
    pri: PRI_USER,
    user: true,
    cpu: 1,
    *body() {
      const so = yield* sys_socket(k.dut, SOCK_DGRAM);
      yield* sys_bind(so, 0, 5001);
      const u = new uio();
      for (;;) {
        u.uio_resid = 65_536;
        if ((yield* sys_recvfrom(so, u)) === 0) read++;
      }
    },
  });
  k.peer.host.kthread_create({
    name: "sender",
    pri: PRI_USER,
    user: true,
    *body() {
      const so = yield* sys_socket(k.peer, SOCK_DGRAM);
      const u = new uio();
      for (let id = 1; ; id++) {
        u.uio_resid = PAYLOAD;
        u.data_id = id;
        u.addr = DUT_ADDR;
        u.port = 5001;
        yield* sys_sendto(so, u);
        // a burst of frames, then the wire's time for them (12.304 us each)
        if (id % BURST === 0) yield* sleep(PACE, BURST * 12_304);
      }
    },
  });
  k.sim.run(SIM_NS);
  return { count: read, events };
}

function timed(fn) {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return { ...r, s: Number(process.hrtime.bigint() - t0) / 1e9 };
}

function measure(name, probed) {
  udpPath(probed); // warm up at full size
  let best = null;
  for (let i = 0; i < 5; i++) {
    const r = timed(() => udpPath(probed));
    const ops = r.count / r.s;
    if (!best || ops > best.opsPerSec) {
      best = { opsPerSec: Math.round(ops), count: r.count, seconds: +r.s.toFixed(3) };
      if (probed) best.probeEvents = r.events;
    }
  }
  return { name, ...best };
}

/**
 * One 1 GbE TCP stream sent by the system under test (iperf3 -R's
 * direction: 128 KiB writes, as iperf3's default block) to a reader on the
 * ideal peer, for TCP_SIM_NS: the ER-4 with giant, or with `ideal` both
 * hosts' CPUs cost nothing (the network alone, what ns-3 models).
 */
const TCP_SIM_NS = 500_000_000;
function tcpBulk(ideal) {
  const k = kernel({
    seed: 1,
    profile: er4,
    nic: er4Nic,
    netCosts: cnmipsNetCosts,
    softint: { variant: "netbsd" },
    policy: "giant",
    ideal,
  });
  let bytes = 0;
  k.peer.host.kthread_create({
    name: "iperf3-s",
    pri: PRI_USER,
    user: true,
    *body() {
      const ls = yield* sys_socket(k.peer, SOCK_STREAM);
      yield* sys_bind(ls, 0, 5201);
      yield* sys_listen(ls, 5);
      const so = yield* sys_accept(ls);
      const u = new uio();
      for (;;) {
        u.uio_resid = 131_072;
        if ((yield* sys_recvfrom(so, u)) !== 0) return;
        const n = 131_072 - u.uio_resid;
        if (n === 0) return;
        bytes += n;
      }
    },
  });
  k.dut.host.kthread_create({
    name: "iperf3-c",
    pri: PRI_USER,
    user: true,
    cpu: 1,
    *body() {
      const so = yield* sys_socket(k.dut, SOCK_STREAM);
      if ((yield* sys_connect(so, PEER_ADDR, 5201)) !== 0) return;
      const u = new uio();
      for (;;) {
        u.uio_resid = 131_072;
        if ((yield* sys_sendto(so, u)) !== 0) return;
      }
    },
  });
  k.sim.run(TCP_SIM_NS);
  return { bytes };
}

function measureSim(name, ideal) {
  tcpBulk(ideal); // warm up at full size
  let best = null;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = tcpBulk(ideal);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const rate = TCP_SIM_NS / 1e9 / s;
    if (!best || rate > best.simSecondsPerWallSecond) {
      best = {
        simSecondsPerWallSecond: +rate.toFixed(4),
        goodputMbps: +((r.bytes * 8) / (TCP_SIM_NS / 1e9) / 1e6).toFixed(1),
        seconds: +s.toFixed(3),
      };
    }
  }
  return { name, ...best };
}

/**
 * The experiments behind the seed's claims (fixture-driven, see
 * experiments.mjs), one JSON line each: policy-R for claims 1-3, policy-P4
 * for claim 4, policy-crr for claim 5, at the claims tests' settings.
 */
function claimLines() {
  const scheme = (r) => r ?? null;
  const round = (x, d) => +x.toFixed(d);
  const lines = [];
  for (const [policy, reclamation] of [
    ["giant"],
    ["net-mpsafe"],
    ["solock-v1", "pserialize"],
    ["split", "epoch"],
  ]) {
    const r = streamRun({ policy, reclamation, simMs: 60 });
    const rank = r.contentionRank.indexOf("softnet_lock");
    lines.push({
      name: "policy-R",
      policy,
      reclamation: scheme(reclamation),
      mbps: round(r.mbps, 1),
      cpuNsPerByte: round(r.cpuNsPerByte, 3),
      softintNetFraction: round(r.softintNetFraction, 4),
      spinFraction: round(r.spinFraction, 4),
      topSpinLock: r.topSpinLock,
      topSpinCallers: r.topSpinCallers,
      softnetLockRank: rank < 0 ? null : rank + 1,
    });
  }
  for (const [policy, reclamation] of [["giant"], ["split", "epoch"]]) {
    const P4 = { streams: 4, spread: true, nic: { speedMbps: 10_000 }, simMs: 20, warmMs: 15 };
    const r = streamRun({ ...P4, policy, reclamation });
    lines.push({
      name: "policy-P4",
      policy,
      reclamation: scheme(reclamation),
      mbps: round(r.mbps, 1),
    });
  }
  for (const reclamation of ["pserialize", "epoch", "smr", "smr-lazy"]) {
    const r = crrRun({ policy: "split", reclamation, simMs: 40 });
    lines.push({
      name: "policy-crr",
      policy: "split",
      reclamation,
      transactionsPerSecond: round(r.transactionsPerSecond, 1),
      crossCallsPerSecond: round(r.crossCallsPerSecond, 1),
      revalidationsPerSecond: round(r.revalidationsPerSecond, 1),
      readNsPerSection: round(r.readNsPerSection, 2),
    });
  }
  return lines;
}

// `node bench/run.mjs claims` prints the claims' lines alone
const claimsOnly = process.argv[2] === "claims";
const results = claimsOnly
  ? []
  : [
      measure("udp-path", false),
      measure("udp-path-probed", true),
      measureSim("tcp-bulk", true),
      measureSim("tcp-bulk-er4", false),
    ];
const refPath = resolve(here, "../../../../shared/bench/ref-heap.js");
let ref = null;
if (!claimsOnly && existsSync(refPath)) {
  ref = JSON.parse(execFileSync(process.execPath, [refPath], { encoding: "utf8" }).trim());
  console.log(JSON.stringify(ref));
}
const NS3_SIM_S_PER_WALL_S = [0.2, 0.8];
const UDP_FLOOR = 0.05; // issue 15: udp-path / ref-heap
for (const r of results) {
  if (ref && r.opsPerSec !== undefined) {
    r.ratioToRefHeap = +(r.opsPerSec / ref.opsPerSec).toFixed(4);
    if (r.name === "udp-path") r.floorRatio = UDP_FLOOR;
  }
  if (r.simSecondsPerWallSecond !== undefined) {
    const [lo, hi] = NS3_SIM_S_PER_WALL_S;
    r.timesNs3 = `${(r.simSecondsPerWallSecond / hi).toFixed(2)}-${(r.simSecondsPerWallSecond / lo).toFixed(2)}`;
  }
  console.log(JSON.stringify(r));
}
for (const line of claimLines()) console.log(JSON.stringify(line));
