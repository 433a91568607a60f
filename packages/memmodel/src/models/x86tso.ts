/*
 * x86-TSO, following herd/libdir/x86tso.cat (its first two checks are unnamed
 * there; they get the names herd's other models use):
 *
 *   let com = rf | fr | co
 *   acyclic po-loc | com
 *   empty rmw & (fre;coe)
 *   let po_ghb = WW(po) | RM(po)
 *   let mfence = fencerel(MFENCE)            (x86fences.cat)
 *   let poWR = WR(po)
 *   let i1 = MA(poWR)
 *   let i2 = AM(poWR)
 *   let implied = i1 | i2
 *   let ghb = mfence | implied | po_ghb | rfe | fr | co
 *   acyclic ghb as tso
 *
 * Only a write followed by a read may be reordered, unless an MFENCE or a
 * locked access (A) sits at either end.
 */
import type { Execution } from "../execution.js";
import { acyclic, empty, type Model } from "../model.js";
import type { Relation } from "../relation.js";

export const x86tso: Model = {
  name: "x86tso",
  follows: "herd/libdir/x86tso.cat",
  arch: "X86",
  axioms(x: Execution) {
    // filters.cat
    const WW = (r: Relation) => r.inter(x.W.cross(x.W));
    const WR = (r: Relation) => r.inter(x.W.cross(x.R));
    const RM = (r: Relation) => r.inter(x.R.cross(x.M));
    const MA = (r: Relation) => r.inter(x.M.cross(x.A));
    const AM = (r: Relation) => r.inter(x.A.cross(x.M));

    const com = x.com;
    const po_ghb = WW(x.po).union(RM(x.po));
    const mfence = x.fencerel("MFENCE");
    const poWR = WR(x.po);
    const i1 = MA(poWR);
    const i2 = AM(poWR);
    const implied = i1.union(i2);
    const ghb = mfence.union(implied, po_ghb, x.rfe, x.fr, x.co);
    return [
      acyclic("uniproc", x.poLoc.union(com)),
      empty("atomic", x.rmw.inter(x.fre.seq(x.coe))),
      acyclic("tso", ghb),
    ];
  },
};
