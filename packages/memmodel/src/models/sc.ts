/*
 * Sequential consistency, following herd/libdir/sc.cat:
 *
 *   empty rmw & (fre;coe) as atom
 *   acyclic po | ((fr | rf | co);sm) as sc
 *
 * sm relates the accesses of one single-copy-atomic access; in a test that
 * does not mix access sizes it is the identity, so the second axiom is
 * acyclic (po | com).
 */
import type { Execution } from "../execution.js";
import { acyclic, empty, type Model } from "../model.js";

export const sc: Model = {
  name: "sc",
  follows: "herd/libdir/sc.cat",
  arch: undefined,
  axioms: (x: Execution) => [
    empty("atom", x.rmw.inter(x.fre.seq(x.coe))),
    acyclic("sc", x.po.union(x.com)),
  ],
};
