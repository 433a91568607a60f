/*
 * The seed's claim 5: under `netperf -t TCP_CRR` (bench/experiments.mjs:
 * connect, a 1-byte request and response, close, again), every transaction
 * allocates and frees a pcb on the ER-4. split with pserialize and a
 * PR_PSERIALIZE pool pays for it on the read side, a revalidation per
 * lookup (the pool reuses a pcb at once), and in cross-calls when a batch
 * leaves the cache; split with smr-lazy and pool_cache_set_smr pays
 * neither. 40 simulated ms after 20 ms of start-up.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type CrrResult, crrRun } from "../bench/experiments.mjs";

let pser: CrrResult;
let lazy: CrrResult;

beforeAll(() => {
  pser = crrRun({ policy: "split", reclamation: "pserialize", simMs: 40 });
  lazy = crrRun({ policy: "split", reclamation: "smr-lazy", simMs: 40 });
  const line = (n: string, x: CrrResult) =>
    `${n}: ${x.transactionsPerSecond} transactions/s, ${x.crossCallsPerSecond} cross-calls/s, ` +
    `${x.revalidationsPerSecond} revalidations/s, ${x.readNsPerSection.toFixed(1)} ns per read section`;
  console.log(
    `${line("split+pserialize+PR_PSERIALIZE", pser)}\n${line("split+smr-lazy+set_smr", lazy)}`,
  );
}, 60_000);

describe("claim 5: pcb churn costs pserialize what it does not cost smr-lazy", () => {
  it("runs transactions under both", () => {
    expect(pser.transactionsPerSecond).toBeGreaterThan(1_000);
    expect(lazy.transactionsPerSecond).toBeGreaterThan(1_000);
  });

  it("has pserialize pay at least one cross-call or revalidation per transaction", () => {
    expect(pser.crossCallsPerSecond + pser.revalidationsPerSecond).toBeGreaterThanOrEqual(
      pser.transactionsPerSecond,
    );
  });

  it("has smr-lazy pay neither", () => {
    expect(lazy.crossCallsPerSecond + lazy.revalidationsPerSecond).toBe(0);
  });
});
