/*
 * The softclock starvation experiment of the seed thread ("TCP becomes fast
 * enough that I can starve out SOFTINT_CLOCK on a single core ... TCP timers
 * stop working, or if you are running a watchdog it won't get poked in
 * time"), with a synthetic load standing in for the network until netinet
 * exists:
 *
 * - one CPU; a device interrupt (IPL_VM) delivers batches of packets into
 *   ip_pktq at a rate that needs more than the whole CPU when each costs
 *   what a TCP input path costs;
 * - TCP-like callouts: the segment each batch clocks out starts the
 *   retransmit timer if it is not running (tcp_output's rule for
 *   TCPT_REXMT), and a delayed-ACK timer is armed when a batch ends and
 *   none is pending. tcp_input's restart of TCPT_REXMT on every ACK of new
 *   data is left out, so the timer comes due every 200 ms as it does for a
 *   connection whose ACKs stopped, and calloutsDue counts TCP's timers;
 * - a watchdog in kernel-tickle mode, tickled by its callout every half
 *   period.
 *
 * The result is the JSON line `pnpm bench` prints per variant. Callouts
 * still waiting past their due time at the end count in the lateness
 * distribution with their wait so far.
 */

import { quantile } from "@smpnet/core";
import {
  type Host,
  IPL_VM,
  type KernelGen,
  NS_PER_SEC,
  PRI_KTHREAD,
  Simulation,
  work,
} from "@smpnet/sim";
import { callout_init, callout_pending, callout_reset } from "./callout.js";
import { CALLOUT_MPSAFE, type callout_t } from "./callout-wheel.js";
import type { SoftintVariant } from "./config.js";
import { softint_init } from "./init.js";
import { pktq_create, pktq_enqueue, pktq_rps_hash, pktq_rps_hash_default } from "./pktqueue.js";
import { callout_stats } from "./stats.js";
import { sysmon_wdog_register, sysmon_wdog_setmode, WDOG_MODE_KTICKLE } from "./wdog.js";

/**
 * Cycles of one work item: ip_input, tcp_input and the segment it clocks
 * out. Estimate: calibration.md §2 puts a lean Linux forwarding path on
 * Octeon at ~2,300 cycles per packet, EdgeOS's fast path at 3,100-5,300 and
 * OpenWrt's NAT path at ~8,200; a NetBSD TCP path (softint hand-off, TCP
 * state, a checksummed segment out) sits above the fast paths and below NAT.
 */
export const TCP_INPUT_CYCLES = 6_000;

/** Driver cycles per packet in the receive interrupt (pull the work entry, wrap it in an mbuf). Estimate. */
export const RX_INTR_CYCLES_PER_PACKET = 300;

/** Packets per interrupt. Estimate: cnmac drains its POW group per interrupt; 16 keeps batches short. */
export const RX_BATCH = 16;

/**
 * Mean time between receive interrupts: 16 packets every 80 us is 200 k
 * packets/s, about 1.3 times what the CPU can run at TCP_INPUT_CYCLES on 1
 * GHz once the interrupts are paid. Uniform jitter of +-50% from the run's
 * generator.
 */
export const RX_INTERVAL_NS = 80_000;

/** tcp_output of a retransmission or of a delayed ACK, from the timer. Estimate. */
export const TCP_TIMER_OUTPUT_CYCLES = 3_000;

export interface StarvationOptions {
  /** A hardware profile (the bench uses the ER-4's); the run uses its first CPU only. */
  profile: Record<string, unknown>;
  variant: SoftintVariant;
  seconds: number;
  seed?: number;
}

export interface StarvationLine {
  name: "softclock-starvation";
  variant: SoftintVariant;
  cpus: 1;
  calloutLatenessP99Ns: number;
  calloutsFired: number;
  calloutsDue: number;
  watchdogMisses: number;
  netItemsPerSimSecond: number;
}

export interface StarvationResult {
  line: StarvationLine;
  /** Items offered, dropped at the full queue, and the CPU's time split (ns). */
  offered: number;
  dropped: number;
  timeSplit: Record<string, number>;
  /** Calls of the TCP timers: retransmit and delayed ACK. */
  tcpTimers: { rexmt: number; delack: number };
}

interface Segment {
  seq: number;
  last: boolean;
}

interface Tcpcb {
  rexmt: callout_t;
  delack: callout_t;
  rexmits: number;
  delacks: number;
}

function* tcp_timer_rexmt(tp: Tcpcb): KernelGen {
  tp.rexmits++;
  yield* work(TCP_TIMER_OUTPUT_CYCLES);
}

function* tcp_delack(tp: Tcpcb): KernelGen {
  tp.delacks++;
  yield* work(TCP_TIMER_OUTPUT_CYCLES);
}

export function softclockStarvation(opts: StarvationOptions): StarvationResult {
  const { variant, seconds } = opts;
  if (!(seconds > 0 && seconds <= 3600)) {
    throw new Error(`softclockStarvation: seconds must be in (0, 3600], got ${seconds}`);
  }
  const sim = new Simulation({ seed: opts.seed ?? 1 });
  const host: Host = sim.addHost({
    name: "er4",
    profile: { ...opts.profile, cpus: 1 },
    hardclockSlices: true,
  });
  const sys = softint_init(host, { variant });
  const hz = sys.config.hz;
  const tp: Tcpcb = {
    rexmt: callout_init(host, CALLOUT_MPSAFE, "tcp rexmt"),
    delack: callout_init(host, CALLOUT_MPSAFE, "tcp delack"),
    rexmits: 0,
    delacks: 0,
  };
  const rexmtTicks = Math.round(0.2 * hz); // the 200 ms retransmit timer of the issue
  const delackTicks = Math.max(1, Math.floor(hz / 5)); // tcp_delack_ticks = hz / PR_FASTHZ (kernel.md §8)

  const ip_pktq = pktq_create<Segment>(host, "ip_pktq", function* tcp_input(m): KernelGen {
    yield* work(TCP_INPUT_CYCLES);
    if (m.last) {
      if (!callout_pending(tp.rexmt)) {
        yield* callout_reset(tp.rexmt, rexmtTicks, tcp_timer_rexmt, tp);
      }
      if (!callout_pending(tp.delack)) {
        yield* callout_reset(tp.delack, delackTicks, tcp_delack, tp);
      }
    }
  });

  let seq = 0;
  let offered = 0;
  const nic = host.intr_establish({
    name: "cnmac0",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      for (let i = 0; i < RX_BATCH; i++) {
        yield* work(RX_INTR_CYCLES_PER_PACKET);
        offered++;
        const m = { seq: seq++, last: i === RX_BATCH - 1 };
        yield* pktq_enqueue(ip_pktq, m, pktq_rps_hash(pktq_rps_hash_default, m));
      }
    },
  });
  const arrive = () => {
    sim.after(RX_INTERVAL_NS * (0.5 + sim.rng.float()), arrive);
    nic.raise();
  };
  sim.after(RX_INTERVAL_NS * sim.rng.float(), arrive);

  // wdogctl -k: a 1 s watchdog, tickled every half period (500 ms) as sysmon_wdog does
  const smw = sysmon_wdog_register(host, { name: "octwdog0" });
  host.kthread_create({
    name: "wdogctl",
    pri: PRI_KTHREAD,
    cpu: 0,
    *body() {
      yield* sysmon_wdog_setmode(smw, WDOG_MODE_KTICKLE, 1);
    },
  });

  sim.run(seconds * NS_PER_SEC);
  const st = callout_stats(host);
  const q = ip_pktq.stats();
  return {
    line: {
      name: "softclock-starvation",
      variant,
      cpus: 1,
      calloutLatenessP99Ns: Math.round(quantile(st.latenessNs, 0.99) ?? 0),
      calloutsFired: st.fired,
      calloutsDue: st.due,
      watchdogMisses: smw.missesNs.length,
      netItemsPerSimSecond: Math.round(q.processed / seconds),
    },
    offered,
    dropped: q.dropped,
    timeSplit: host.cpus[0]!.timeSplit(),
    tcpTimers: { rexmt: tp.rexmits, delack: tp.delacks },
  };
}
