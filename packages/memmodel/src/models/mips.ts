/*
 * MIPS, following herd/libdir/mips.cat ("choosing pso at the moment"):
 *
 *   let com = rf | fr | co
 *   acyclic po-loc | com as uniproc
 *   empty rmw & (fre;coe) as atomic
 *   let sync = try fencerel(SYNC) with 0     (mipsfences.cat)
 *   let ppo = po & (R * M) | sync
 *   let ghb = ppo | rfe | fr | co
 *   acyclic ghb as pso
 *
 * A read is ordered before everything after it; writes are ordered only by
 * sync; rfe in ghb makes writes multi-copy atomic. Dependencies are shown by
 * mipsfences.cat but order nothing beyond po & (R * M).
 */
import type { Execution } from "../execution.js";
import { acyclic, empty, type Model } from "../model.js";

export const mips: Model = {
  name: "mips",
  follows: "herd/libdir/mips.cat",
  arch: "MIPS",
  axioms(x: Execution) {
    const com = x.com;
    const sync = x.fencerel("SYNC");
    const ppo = x.po.inter(x.R.cross(x.M)).union(sync);
    const ghb = ppo.union(x.rfe, x.fr, x.co);
    return [
      acyclic("uniproc", x.poLoc.union(com)),
      empty("atomic", x.rmw.inter(x.fre.seq(x.coe))),
      acyclic("pso", ghb),
    ];
  },
};
