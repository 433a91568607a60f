/*
 * DESIGN.md question 5 from @smpnet/softint's starvation experiment: one
 * ER-4 core whose network softint is offered more TCP input than it can
 * run, with TCP's retransmit and delayed-ACK callouts and a watchdog
 * tickled from a callout, under NetBSD's softints and the two cures
 * (a budget with a hand-off thread, network work in threads).
 */

import type { NetCosts, Profile } from "@smpnet/sim";
import {
  RX_BATCH,
  RX_INTERVAL_NS,
  RX_INTR_CYCLES_PER_PACKET,
  softclockStarvation,
  TCP_INPUT_CYCLES,
} from "@smpnet/softint";
import { type Claim, type Figures, verdict } from "./claim.js";

/** 2 simulated seconds: two watchdog periods and ten retransmit timeouts. */
const SECONDS = 2;

function starve(profile: Profile): Figures {
  const out: Figures = {};
  for (const variant of ["netbsd", "budget", "threaded"] as const) {
    const r = softclockStarvation({ profile, variant, seconds: SECONDS }).line;
    out[`${variant}.calloutLatenessP99Ms`] = r.calloutLatenessP99Ns / 1e6;
    out[`${variant}.calloutsFired`] = r.calloutsFired;
    out[`${variant}.calloutsDue`] = r.calloutsDue;
    out[`${variant}.watchdogMisses`] = r.watchdogMisses;
    out[`${variant}.netItemsPerSecond`] = r.netItemsPerSimSecond;
  }
  return out;
}

/**
 * Where the claim flips: the softint is starved only while the offered
 * packets need more than the core, so below the TCP path's cycles at which
 * offered load equals capacity the callouts run on time under any variant.
 */
function flipCycles(profile: Profile): number {
  const packetsPerNs = RX_BATCH / RX_INTERVAL_NS;
  return Math.floor(profile.clockGHz / packetsPerNs - RX_INTR_CYCLES_PER_PACKET);
}

export const softclock: Claim = {
  id: "5",
  title: "a fast TCP path on one core starves SOFTINT_CLOCK; threads or a budget cure it",
  seed: "A fast enough TCP path on one core starves SOFTINT_CLOCK: callouts (TCP timers) run late or not at all and a watchdog is not tickled in time. Lowering softint priority or moving network work to a thread that the scheduler rotates cures it. (DESIGN.md, question 5; kernel.md section 9: SOFTINT_NET (222) outranks SOFTINT_CLOCK (220), softints are not preempted)",
  runs: {},
  estimates: ["costs.contextSwitchCycles", "costs.intrEntryCycles"],
  local: (hw: { profile: Profile; netCosts: NetCosts }) => ({
    ...starve(hw.profile),
    tcpInputCycles: TCP_INPUT_CYCLES,
    hingesOn: `TCP_INPUT_CYCLES (@smpnet/softint starvation.ts, estimate ${TCP_INPUT_CYCLES}): below ${flipCycles(hw.profile)} cycles the offered load fits the core and nothing starves`,
  }),
  judge(_runs, f) {
    const n = (k: string) => f[k] as number;
    const starved =
      n("netbsd.watchdogMisses") > 0 && n("netbsd.calloutsFired") < n("netbsd.calloutsDue");
    const cured = ["budget", "threaded"].every(
      (v) =>
        n(`${v}.watchdogMisses`) === 0 &&
        n(`${v}.calloutsFired`) === n(`${v}.calloutsDue`) &&
        n(`${v}.calloutLatenessP99Ms`) < 10,
    );
    return verdict(f, [
      [starved, "under netbsd's softints every callout ran and the watchdog was fed"],
      [cured, "budget or threaded still misses callouts or the watchdog"],
    ]);
  },
  limits:
    "The overload is the softint package's experiment (a modelled TCP input path at a fixed packet rate), not the netinet stack: in the assembled kernel TCP's own flow control stops input when the reader is starved, and no watchdog is registered.",
};
