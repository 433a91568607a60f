/*
 * A large Octeon III part: the CN78xx class (up to 48 cnMIPS III cores,
 * 10 GbE and faster ports), as a contrast to the ER-4 at many cores. Nothing
 * in shared/reference/ measures it; the core is the ER-4's cnMIPS III, so
 * per-core costs are the ER-4's, and what grows with the die (a line's trip
 * to a larger, banked L2 over a wider interconnect) is estimated larger.
 */

import type { Profile } from "@smpnet/sim";
import { er4, er4Sources } from "./er4.js";

export const cn78xx: Profile = {
  ...er4,
  name: "cn78xx",
  cpus: 48,
  clockGHz: 2,
  costs: {
    ...er4.costs,
    lineTransferCycles: 80,
    intrEntryCycles: 300,
    intrExitCycles: 300,
    contextSwitchCycles: 4_000,
    ipiDeliveryCycles: 3_000,
  },
};

export const cn78xxSources: Record<string, string> = {
  ...er4Sources,
  cpus: "unverified: Cavium's CN78xx (Octeon III) product brief, up to 48 cores; not in shared/reference",
  clockGHz:
    "estimate: CN78xx parts are sold in clock bins around 1.5-2.5 GHz (unverified); 2 GHz chosen",
  "costs.lineTransferCycles":
    "estimate: the ER-4's 50 cycles at 1 GHz, longer on a 48-core die with a banked L2 at twice the clock",
  "costs.intrEntryCycles": "estimate: the ER-4's 150 ns, at 2 GHz",
  "costs.intrExitCycles": "estimate: the ER-4's 150 ns, at 2 GHz",
  "costs.contextSwitchCycles": "estimate: the ER-4's 2 us, at 2 GHz",
  "costs.ipiDeliveryCycles": "estimate: the ER-4's 1.5 us through the CIU mailbox, at 2 GHz",
};
