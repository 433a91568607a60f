/*
 * The Ubiquiti EdgeRouter-4: a Cavium Octeon III CN7130 (four cnMIPS III
 * cores at 1 GHz, write-through L1D with a merging write buffer, one L2 shared
 * by all cores at core clock) and four gigabit ports driven by NetBSD's
 * cnmac(4).
 *
 * References "octeon.md §N", "calibration.md §N" and "kernel.md §N" are to
 * the files of ../shared/reference/ (from the repository root). No
 * per-operation timing of any Octeon II/III core is published (calibration.md
 * §3, "Not found"), so the cycle costs are the reasoned estimates of
 * octeon.md §4 and §6; each entry of er4Sources says which and why. At 1 GHz a
 * cycle is a nanosecond.
 *
 * Left out, because the machine has no field for them: the store buffer's
 * residency (a store can stay invisible until the next syncw; see the README),
 * cache capacity, DRAM latency, the crypto unit.
 */

import type { Nic, Profile } from "@smpnet/sim";

export const er4: Profile = {
  name: "er4",
  cpus: 4, // vendor: 4 x cnMIPS III (octeon.md §1)
  clockGHz: 1, // vendor: 1 GHz; "CN7030p1.2-1000" in /proc/cpuinfo (calibration.md §3)
  cacheLineBytes: 128, // source: Linux CPU_CAVIUM_OCTEON selects MIPS_L1_CACHE_SHIFT_7 (octeon.md §2)
  costs: {
    cacheHitCycles: 4, // estimate: L1D hit 3-4 cycles, short in-order pipeline (octeon.md §4)
    lineTransferCycles: 50, // estimate: refill from the shared L2, 40-60 cycles (octeon.md §4)
    invalidatePerSharerCycles: 10, // estimate: the L2 invalidates an L1 copy, a few bus cycles
    atomicRmwCycles: 40, // estimate: atomics are LL/SC loops, the SC reaches L2 (octeon.md §3, §4)
    llscPairCycles: 40, // estimate: uncontended LL/SC pair ~40 cycles (octeon.md §4)
    fenceCycles: {
      sync: 100, // estimate: drains the write buffer to L2 and waits, 50-150 (octeon.md §4)
      syncw: 10, // estimate: orders stores without waiting, 5-20 (octeon.md §4)
    },
    intrEntryCycles: 150, // estimate: entry + exit 300 ns (octeon.md §6), half each
    intrExitCycles: 150, // estimate: entry + exit 300 ns (octeon.md §6), half each
    contextSwitchCycles: 2_000, // estimate: 1-3 us, nothing measured (octeon.md §4, calibration.md §4)
    ipiSendCycles: 20, // estimate: one posted CSR store to CIU_MBOX_SETX (octeon.md §4)
    ipiDeliveryCycles: 1_330, // estimate: 1.5 us end to end (octeon.md §6) less send and entry
    memcpyBytesPerCycle: 1.5, // estimate: 1-2 B/cycle with the data in L2 (octeon.md §4)
  },
  membarOps: {
    acquire: ["sync"], // source: membar_acquire is membar_sync (NetBSD membar_ops.S v1.12)
    release: ["syncw"], // source: Octeon's membar_release is one syncw (membar_ops.S v1.12)
    sync: ["sync"], // source: membar_sync is sync (membar_ops.S v1.12)
  },
  // source: NetBSD sys/arch/mips/include/intr.h, which evbmips includes: the
  // soft levels share two software interrupts, and IPL_DDB (5) sits between
  // IPL_SCHED and IPL_HIGH
  iplLevels: {
    IPL_NONE: 0,
    IPL_SOFTCLOCK: 1,
    IPL_SOFTBIO: 1,
    IPL_SOFTNET: 2,
    IPL_SOFTSERIAL: 2,
    IPL_VM: 3,
    IPL_SCHED: 4,
    IPL_HIGH: 6,
  },
};

const mipsIntrH =
  "source: NetBSD sys/arch/mips/include/intr.h (v1.7.2.1, 2014; evbmips/include/intr.h v1.19 includes it): " +
  "IPL_NONE 0, IPL_SOFTCLOCK = IPL_SOFTBIO = 1 (one software interrupt), IPL_SOFTNET = IPL_SOFTSERIAL = 2 " +
  "(the other), IPL_VM 3, IPL_SCHED 4, IPL_DDB 5, IPL_HIGH 6. kernel.md §1 quotes an older evbmips intr.h " +
  "(v1.12.10.2, 2008) with IPL_SCHED = IPL_HIGH = 4; the Octeon port (2015 on) uses the newer file";

/** Where each constant of `er4` comes from, by its dotted path. */
export const er4Sources: Readonly<Record<string, string>> = {
  cpus: "vendor: Ubiquiti ER-4 datasheet, 4 x cnMIPS III (octeon.md §1)",
  clockGHz:
    "vendor: 1 GHz (octeon.md §1; the OpenWrt PA-220 port, same SoC, says 4 x MIPS64 at 1 GHz); " +
    'an ER-4\'s /proc/cpuinfo names "CN7030p1.2-1000-AAP" (calibration.md §3)',
  cacheLineBytes:
    "source: Linux arch/mips/Kconfig, CPU_CAVIUM_OCTEON selects MIPS_L1_CACHE_SHIFT_7 (octeon.md §2, verified); " +
    "NetBSD octeon_fpavar.h OCTEON_CACHE_LINE_SIZE 128",
  "costs.cacheHitCycles":
    "estimate: L1D hit 3-4 cycles for a short in-order pipeline (octeon.md §4)",
  "costs.lineTransferCycles":
    "estimate: 40-60 cycles (octeon.md §4, §6): the L1D is write-through, so there is no dirty L1 line to " +
    "snoop; a core whose copy was invalidated refills from the shared L2, which runs at core clock " +
    "(calibration.md §3); the middle of the range",
  "costs.invalidatePerSharerCycles":
    "estimate: every store reaches the L2 (write-through L1D), which invalidates the other cores' L1 copies " +
    "over the on-chip bus; a few bus cycles each; no figure published (calibration.md §3)",
  "costs.atomicRmwCycles":
    "estimate: NetBSD's atomic_* on MIPS are LL/SC loops (octeon.md §3), so an atomic costs an LL/SC pair, " +
    "~40 cycles because the SC must reach L2 (octeon.md §4, §6)",
  "costs.llscPairCycles":
    "estimate: uncontended LL/SC pair ~40 cycles, the SC must reach L2 (octeon.md §4)",
  "costs.fenceCycles.sync":
    "estimate: a full sync drains the write buffer to L2 and waits for completion, 50-150 cycles growing " +
    "with the buffered stores (octeon.md §4); 100, the middle",
  "costs.fenceCycles.syncw":
    "estimate: syncw orders earlier stores before later ones without waiting for them, 5-20 cycles " +
    "(octeon.md §4); NetBSD issues one per membar_release, Linux two (octeon.md §3)",
  "costs.intrEntryCycles":
    "estimate: entry + exit 200-400 cycles (octeon.md §4: exception vector, ~32 GPRs and CP0 state saved, " +
    "CIU read and ack in IO space); 300 ns in octeon.md §6, split evenly",
  "costs.intrExitCycles": "estimate: the other half of octeon.md §6's 300 ns for entry + exit",
  "costs.contextSwitchCycles":
    "estimate: 1-3 us for register save and restore, ASID/TLB work and run-queue locks (octeon.md §4); " +
    "2 us (octeon.md §6); no measurement exists (calibration.md §4)",
  "costs.ipiSendCycles":
    "estimate: the sender does one CSR store to CIU_MBOX_SETX(core) (Linux cavium-octeon/smp.c, " +
    "octeon.md §4), an IO-space store the core posts and does not wait for",
  "costs.ipiDeliveryCycles":
    "estimate: 1.5 us from send to handler (octeon.md §6, mechanism from Linux smp.c) less what the " +
    "machine charges apart: the sender's 20 cycles and the target's 150 of interrupt entry; the rest " +
    "stands for the CIU's signalling and the handler's read and clear of CIU_MBOX_CLRX",
  "costs.memcpyBytesPerCycle":
    "estimate: 1-2 B/cycle with the data in L2: 64-bit loads and stores, dual issue, stores through the " +
    "merging write buffer (octeon.md §4); no Octeon memcpy measured (calibration.md §2)",
  "membarOps.acquire":
    "source: NetBSD common/lib/libc/arch/mips/atomic/membar_ops.S v1.12 (2022-04-09): membar_acquire " +
    "(and membar_enter, membar_consumer) is an alias of membar_sync, a sync. calibration.md §3 reports " +
    "rev 1.13 relying on Octeon's load-before-load/store ordering (text not read): if it dropped the " +
    "sync, this is []. The mutex stubs issue nothing after their LL/SC (SYNC_ACQ, octeon.md §3)",
  "membarOps.release":
    "source: membar_ops.S v1.12: on __OCTEON__ membar_release (and membar_exit, membar_producer) is one " +
    "syncw, relying on loads not passing later stores (the file's comment cites the CN78XX HRM for syncw)",
  "membarOps.sync": "source: membar_ops.S v1.12: membar_sync is a sync (BDSYNC) on every MIPS",
  "iplLevels.IPL_NONE": mipsIntrH,
  "iplLevels.IPL_SOFTCLOCK": mipsIntrH,
  "iplLevels.IPL_SOFTBIO": mipsIntrH,
  "iplLevels.IPL_SOFTNET": mipsIntrH,
  "iplLevels.IPL_SOFTSERIAL": mipsIntrH,
  "iplLevels.IPL_VM": mipsIntrH,
  "iplLevels.IPL_SCHED": mipsIntrH,
  "iplLevels.IPL_HIGH": mipsIntrH,
};

/** The ER-4's four gigabit ports as NetBSD's cnmac(4) drives them. */
export const er4Nic: Nic = {
  name: "cnmac(4) on the CN7130's GMX/PIP/IPD/PKO/POW blocks: 3 x RJ45 + 1 x SFP",
  ports: 4, // vendor: 3 x GbE RJ45 + 1 x SFP (octeon.md §1)
  speedMbps: 1_000, // vendor: gigabit ports (octeon.md §1)
  mtuBytes: 1_500, // source: Ethernet's ETHERMTU, the default
  rxQueues: 1, // source: every port delivers to one POW group, one interrupt (if_cnmac.c)
  rxRingSize: 4_096, // source: the FPA packet pool, OCTEON_POOL_NELEMS_PKT (octeonvar.h v1.18)
  txRingSize: 1_024, // source: GATHER_QUEUE_SIZE per port (if_cnmacvar.h v1.3)
  rxProcessLimit: "unlimited", // source: octeon_pow.c drains the group (INT_MAX)
  interruptModeration: {
    holdoffUs: 94, // estimate: 15 POW periods of ~6.25 us as cnmac programs them
    adaptive: false, // source: the feedback ring is a kernel option (OCTEON_ETH_INTR_FEEDBACK_RING)
  },
  offloads: {
    rxChecksum: true, // source: IFCAP_CSUM_{IPv4,TCPv4,UDPv4,TCPv6,UDPv6}_Rx (if_cnmac.c)
    txChecksum: false, // source: "XXX: not yet tx checksum" (if_cnmac.c)
    tso: false, // source: not in if_capabilities (if_cnmac.c; calibration.md §2)
    lro: false, // source: not in if_capabilities (if_cnmac.c; calibration.md §2)
  },
};

/** Where each constant of `er4Nic` comes from, by its dotted path. */
export const er4NicSources: Readonly<Record<string, string>> = {
  ports: "vendor: Ubiquiti ER-4 datasheet, 3 x GbE RJ45 + 1 x SFP (octeon.md §1)",
  speedMbps:
    "vendor: all four ports are 1 GbE (octeon.md §1); SGMII on the CN70XX (calibration.md §3)",
  mtuBytes:
    "source: ETHERMTU 1500, the default MTU of every Ethernet interface in NetBSD (net/if_ether.h)",
  rxQueues:
    "source: NetBSD sys/arch/mips/cavium/dev/if_cnmac.c: every port's PIP sends its work to one POW group " +
    "(OCTEON_POW_GROUP_PIP) and the driver establishes one interrupt for it at IPL_NET " +
    "(octeon_pow_intr_establish, once for all ports); octeon.md §1",
  rxRingSize:
    "source: NetBSD sys/arch/mips/cavium/octeonvar.h v1.18 (2022): the receive buffers are the FPA " +
    "packet pool, OCTEON_POOL_NELEMS_PKT 4096 buffers of 2048 bytes, shared by all ports",
  txRingSize:
    "source: NetBSD sys/arch/mips/cavium/dev/if_cnmacvar.h v1.3 (2020): GATHER_QUEUE_SIZE 1024 per port; " +
    "if_cnmac.c sets if_snd's limit to max(GATHER_QUEUE_SIZE, IFQ_MAXLEN)",
  rxProcessLimit:
    "source: NetBSD sys/arch/mips/cavium/dev/octeon_pow.c: the POW interrupt asks for work until the " +
    "group is empty (recv limit INT_MAX unless OCTEON_ETH_INTR_FEEDBACK_RING), then acks POW_WQ_INT " +
    "(octeon.md §1)",
  "interruptModeration.holdoffUs":
    "estimate from driver settings: octeon_pow.c programs POW_WQ_INT_THR with TC = 15 (time counter), " +
    "DS = IQ = 0 (no count threshold), and octeon_powvar.h sets the periodic counter to " +
    "clock / (10000 * 16 * 256), i.e. a period of ~256 * that = 1/160000 s = 6.25 us at any clock " +
    "(the counter semantics are the driver's comment quoting the HRM, not checked against the HRM); " +
    "15 periods = 94 us from the first queued packet to the interrupt",
  "interruptModeration.adaptive":
    "source: octeon_pow.c halves and doubles the interrupt rate only under the kernel option " +
    "OCTEON_ETH_INTR_FEEDBACK_RING (octeon.md §1); GENERIC kernels are assumed not to set it (unverified)",
  "offloads.rxChecksum":
    "source: if_cnmac.c if_capabilities = IFCAP_CSUM_IPv4_Rx | TCPv4_Rx | UDPv4_Rx | TCPv6_Rx | UDPv6_Rx " +
    "(calibration.md §2)",
  "offloads.txChecksum": 'source: if_cnmac.c, "XXX: not yet tx checksum" (calibration.md §2)',
  "offloads.tso":
    "source: if_cnmac.c advertises no TSO (calibration.md §2: no TSO/LRO in any version)",
  "offloads.lro":
    "source: if_cnmac.c advertises no LRO (calibration.md §2: no TSO/LRO in any version)",
};
