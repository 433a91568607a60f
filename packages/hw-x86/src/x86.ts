/*
 * An x86-64 server for contrast with the Octeon: 16 cores at 3 GHz, 64-byte
 * lines, TSO, and a dual-port 10 GbE Intel 82599 driven by NetBSD's ixg(4).
 * The core is a Zen 4 built like the Ryzen 9 7950X whose core-to-core
 * latencies AnandTech measured (two 8-core CCDs; AMD's EPYC 4004 server parts
 * use the same silicon), run at the 3 GHz octeon.md §6 chose.
 *
 * References "octeon.md §N" are to ../shared/reference/octeon.md (from the
 * repository root), whose sections 5 and 6 collect the x86 figures beside
 * the Octeon's. Every entry of x86Sources says where a number comes from or
 * why it is the estimate it is.
 *
 * Left out, because the machine has no field for them: topology (a transfer
 * inside a CCX is 3-5 times cheaper than across CCDs; the profile prices the
 * mean), the store buffer, SMT, frequency boost.
 */

import type { Nic, Profile } from "@smpnet/sim";

export const x86: Profile = {
  name: "x86",
  cpus: 16, // chosen: a 16-core server, the minimum (octeon.md §6)
  clockGHz: 3, // chosen: 3 GHz (octeon.md §6)
  cacheLineBytes: 64, // source: architectural (octeon.md §5)
  costs: {
    cacheHitCycles: 4, // estimate: L1 ~1.3 ns (octeon.md §6)
    lineTransferCycles: 150, // estimate: 17 ns in a CCX, 80 ns across CCDs, measured; the mean
    invalidatePerSharerCycles: 30, // estimate: invalidations go out in parallel; ~10 ns per ack
    atomicRmwCycles: 20, // unverified: LOCK RMW on an L1 line 18-25 cycles (octeon.md §5)
    llscPairCycles: 20, // estimate: no LL/SC on x86; LOCK CMPXCHG, priced as the locked RMW
    fenceCycles: {
      mfence: 33, // unverified: MFENCE ~30-40 cycles (octeon.md §5)
      "lock-add": 20, // unverified: membar_sync's lock addq, priced as the locked RMW
    },
    intrEntryCycles: 1_050, // estimate: entry + exit 700 ns with mitigations (octeon.md §6)
    intrExitCycles: 1_050, // estimate: entry + exit 700 ns with mitigations (octeon.md §6)
    contextSwitchCycles: 6_000, // estimate: ~2 us (octeon.md §5, §6)
    ipiSendCycles: 300, // estimate: an x2APIC ICR write, ~100 ns
    ipiDeliveryCycles: 3_150, // estimate: 1.5 us end to end (octeon.md §5) less send and entry
    memcpyBytesPerCycle: 16, // estimate: 16-32 B/cycle from L1/L2 (octeon.md §5), the low end
  },
  membarOps: {
    acquire: [], // source: TSO; NetBSD's membar_enter is a plain store (x86_64 atomic.S)
    release: [], // source: TSO; NetBSD's membar_exit is a plain store (x86_64 atomic.S)
    sync: ["lock-add"], // source: membar_sync is lock addq $0,-8(%rsp) (x86_64 atomic.S)
  },
  // source: NetBSD sys/arch/x86/include/intrdefs.h v1.26: every IPL its own
  // level (IPL_PREEMPT, 1, has no name in the machine)
  iplLevels: {
    IPL_NONE: 0,
    IPL_SOFTCLOCK: 2,
    IPL_SOFTBIO: 3,
    IPL_SOFTNET: 4,
    IPL_SOFTSERIAL: 5,
    IPL_VM: 6,
    IPL_SCHED: 7,
    IPL_HIGH: 8,
  },
};

const agner =
  "Agner Fog's instruction tables, Skylake/Zen class (quoted in octeon.md §5, not re-read)";
const atomicS =
  "NetBSD common/lib/libc/arch/x86_64/atomic/atomic.S (the copy in the index, with membar_enter/exit)";
const intrdefs =
  "source: NetBSD sys/arch/x86/include/intrdefs.h v1.26 (2022-09-07): IPL_NONE 0, IPL_PREEMPT 1, " +
  "IPL_SOFTCLOCK 2, IPL_SOFTBIO 3, IPL_SOFTNET 4, IPL_SOFTSERIAL 5, IPL_VM 6, IPL_SCHED 7, IPL_HIGH 8: " +
  "no two names share a level, unlike evbmips";

/** Where each constant of `x86` comes from, by its dotted path. */
export const x86Sources: Readonly<Record<string, string>> = {
  cpus: "chosen: 16 cores, the issue's 'x86-64 server, 16 cores or more' (octeon.md §6)",
  clockGHz: "chosen: 3 GHz (octeon.md §6)",
  cacheLineBytes: "source: 64-byte lines, architectural on x86-64 (octeon.md §5)",
  "costs.cacheHitCycles": "estimate: an L1 hit ~1.3 ns (octeon.md §6), 4 cycles at 3 GHz",
  "costs.lineTransferCycles":
    "estimate from measurements: AnandTech's Ryzen 9 7950X review measured 15-19 ns core to core " +
    "within a CCX and up to 79.5 ns across CCDs (octeon.md §5); with two 8-core CCDs another core is " +
    "in the same CCX 7 times in 15, so a transfer between random cores averages " +
    "(7 x 17 + 8 x 80) / 15 = 50 ns = 150 cycles; a Sapphire Rapids mesh gives 50-100 ns on die " +
    "(Chips and Cheese, octeon.md §5)",
  "costs.invalidatePerSharerCycles":
    "estimate: the snoop filter sends invalidations to all sharers in parallel; each further sharer " +
    "adds its acknowledgement, taken as 10 ns (30 cycles); not measured",
  "costs.atomicRmwCycles": `unverified: a LOCK-prefixed RMW on a line in L1 costs 18-25 cycles, ${agner}`,
  "costs.llscPairCycles":
    "estimate: x86 has no LL/SC; a LOCK CMPXCHG does the same job and is priced as the locked RMW " +
    "(octeon.md §5)",
  "costs.fenceCycles.mfence": `unverified: MFENCE ~30-40 cycles, ${agner}`,
  "costs.fenceCycles.lock-add":
    `unverified: NetBSD's membar_sync is 'lock addq $0,-8(%rsp)' (${atomicS}), a locked RMW on a ` +
    `stack line in L1, 18-25 cycles (${agner}); 20 as for costs.atomicRmwCycles`,
  "costs.intrEntryCycles":
    "estimate: entry + exit ~0.5-1 us with speculation mitigations (octeon.md §5); 700 ns (octeon.md §6), " +
    "split evenly, 1050 cycles each at 3 GHz",
  "costs.intrExitCycles": "estimate: the other half of octeon.md §6's 700 ns for entry + exit",
  "costs.contextSwitchCycles":
    "estimate: ~1-3 us, 2 us taken (octeon.md §5, §6), 6000 cycles at 3 GHz",
  "costs.ipiSendCycles":
    "estimate: the sender writes the x2APIC ICR (a WRMSR), ~100 ns, 300 cycles; not measured",
  "costs.ipiDeliveryCycles":
    "estimate: ~1-2 us from send to handler (octeon.md §5), 1.5 us = 4500 cycles, less what the " +
    "machine charges apart: the sender's 300 and the target's 1050 of interrupt entry",
  "costs.memcpyBytesPerCycle":
    "estimate: 16-32 B/cycle with the data in L1/L2 (octeon.md §5); the low end, because a received " +
    "packet's payload comes from L2/LLC rather than L1",
  "membarOps.acquire":
    "source: TSO keeps loads ordered with later loads and stores (herdtools7 x86tso.cat, octeon.md §5), " +
    `so an acquire needs no fence; NetBSD's membar_enter is a plain store, 'A store is enough' (${atomicS})`,
  "membarOps.release": `source: TSO orders stores in program order; NetBSD's membar_exit is a plain store, 'A store is enough' (${atomicS})`,
  "membarOps.sync": `source: NetBSD's membar_sync is 'lock addq $0,-8(%rsp)' (${atomicS}), not MFENCE`,
  "iplLevels.IPL_NONE": intrdefs,
  "iplLevels.IPL_SOFTCLOCK": intrdefs,
  "iplLevels.IPL_SOFTBIO": intrdefs,
  "iplLevels.IPL_SOFTNET": intrdefs,
  "iplLevels.IPL_SOFTSERIAL": intrdefs,
  "iplLevels.IPL_VM": intrdefs,
  "iplLevels.IPL_SCHED": intrdefs,
  "iplLevels.IPL_HIGH": intrdefs,
};

/** A dual-port Intel 82599 as NetBSD's ixg(4) sets it up. */
export const x86Nic: Nic = {
  name: "ixg(4) on an Intel 82599ES: 2 x 10 GbE SFP+",
  ports: 2, // chosen: the dual-port 82599ES card
  speedMbps: 10_000, // source: the 82599 is a 10 GbE controller (ixgbe.c)
  mtuBytes: 1_500, // source: Ethernet's ETHERMTU, the default
  rxQueues: 16, // source: 8 queue pairs per port when autoconfigured (ixgbe.c, older copies)
  rxRingSize: 2_048, // source: ixgbe_rxd = PERFORM_RXD (ixgbe.c v1.313, ixgbe.h)
  txRingSize: 2_048, // source: ixgbe_txd = PERFORM_TXD (ixgbe.c v1.313, ixgbe.h)
  rxProcessLimit: 256, // source: ixgbe_rx_process_limit (ixgbe.c v1.313)
  interruptModeration: {
    holdoffUs: 32, // source: at most 4000000 / IXGBE_LOW_LATENCY = 31250 interrupts/s per vector
    adaptive: true, // source: ixgbe_enable_aim = true (ixgbe.c v1.313)
  },
  offloads: {
    rxChecksum: true, // source: IFCAP_HWCSUM (ixgbe.c)
    txChecksum: true, // source: IFCAP_HWCSUM (ixgbe.c)
    tso: true, // source: IFCAP_TSOv4 | IFCAP_TSOv6 (ixgbe.c)
    lro: false, // estimate: IFCAP_LRO is advertised but NetBSD has no LRO behind it
  },
};

const ixgbeC = "NetBSD sys/dev/pci/ixgbe/ixgbe.c v1.313 (2022-04-25)";

/** Where each constant of `x86Nic` comes from, by its dotted path. */
export const x86NicSources: Readonly<Record<string, string>> = {
  ports: "chosen: a dual-port 82599ES SFP+ card, the common 10 GbE server NIC that ixg(4) drives",
  speedMbps: `source: the 82599 is a 10 GbE controller (${ixgbeC}: 'Intel(R) PRO/10GbE PCI-Express Network Driver', 82599 SFP device IDs)`,
  mtuBytes: "source: ETHERMTU 1500, the default Ethernet MTU",
  rxQueues:
    "source: ixgbe autoconfigures min(ncpu, MSI-X vectors - 1) queue pairs, each with its own MSI-X " +
    "vector, and caps autoconfiguration at 8 ('Set max queues to 8 when autoconfiguring' in the " +
    "NetBSD/FreeBSD ixgbe.c copies read; the 2022 copy's function lies beyond the text searched): " +
    "8 per port on 16 CPUs, 16 in all",
  rxRingSize: `source: ${ixgbeC}: ixgbe_rxd = PERFORM_RXD, 2048 in ixgbe.h (DEFAULT_RXD is 1024)`,
  txRingSize: `source: ${ixgbeC}: ixgbe_txd = PERFORM_TXD, 2048 in ixgbe.h (DEFAULT_TXD is 1024)`,
  rxProcessLimit: `source: ${ixgbeC}: ixgbe_rx_process_limit = 256 packets per pass, the rest deferred to the queue's softint`,
  "interruptModeration.holdoffUs":
    `source: ${ixgbeC}: ixgbe_max_interrupt_rate = 4000000 / IXGBE_LOW_LATENCY (128 in ixgbe.h) = ` +
    "31250 interrupts/s per vector, programmed into EITR: a packet waits at most 32 us",
  "interruptModeration.adaptive": `source: ${ixgbeC}: ixgbe_enable_aim = true (adaptive interrupt moderation)`,
  "offloads.rxChecksum":
    "source: ixgbe.c setup_interface: if_capabilities |= IFCAP_HWCSUM (copies read)",
  "offloads.txChecksum":
    "source: ixgbe.c setup_interface: if_capabilities |= IFCAP_HWCSUM (copies read)",
  "offloads.tso": "source: ixgbe.c setup_interface: IFCAP_TSOv4 | IFCAP_TSOv6 (copies read)",
  "offloads.lro":
    "estimate: ixgbe.c advertises IFCAP_LRO ('Don't enable LRO by default') but its LRO code is under " +
    "#ifdef LRO, FreeBSD's tcp_lro, which NetBSD does not have (unverified)",
};
