// The softclock starvation experiment (issue 7): one CPU of the ER-4, a
// network load above what the CPU can do, TCP-like callouts and a watchdog,
// 10 simulated seconds, once per softint variant. One JSON line each.
// hw-octeon is a devDependency: the profile is data, used here only.

import { er4 } from "@smpnet/hw-octeon";
import { SOFTINT_VARIANTS, softclockStarvation } from "../dist/index.js";

const seconds = Number(process.env.SECONDS_SIMULATED ?? 10);
for (const variant of SOFTINT_VARIANTS) {
  const r = softclockStarvation({ profile: er4, variant, seconds, seed: 1 });
  console.log(JSON.stringify(r.line));
  if (process.env.DETAIL)
    console.error(
      JSON.stringify({ variant, offered: r.offered, dropped: r.dropped, timeSplit: r.timeSplit }),
    );
}
