/*
 * The seed's claims 1-3 on the ER-4 under `iperf3 -R` (bench/experiments.mjs
 * drives the stream): one TCP stream of 128 KiB writes from the ER-4 to the
 * ideal peer, 60 simulated ms measured after 50 ms of start-up (the seed ran
 * 10 s; the stream is steady at line rate well before 50 ms, and these
 * numbers move by under 1% from 60 ms to 200 ms).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type StreamResult, streamRun } from "../bench/experiments.mjs";

const RUNS = {
  giant: { policy: "giant" },
  "net-mpsafe": { policy: "net-mpsafe" },
  "solock-v1": { policy: "solock-v1", reclamation: "pserialize" },
  split: { policy: "split", reclamation: "epoch" },
} as const;
type Name = keyof typeof RUNS;

const r = {} as Record<Name, StreamResult>;
const spinOf = (x: StreamResult, locks: string[]) =>
  locks.reduce((s, l) => s + (x.spinNsByLock[l] ?? 0), 0);
// the locks that guard a socket buffer in each design
const SOCKBUF_LOCKS = ["so_lock", "so_snd", "so_rcv", "softnet_lock"];

beforeAll(() => {
  for (const [name, o] of Object.entries(RUNS)) r[name as Name] = streamRun({ ...o, simMs: 60 });
  console.table(
    Object.fromEntries(
      Object.entries(r).map(([n, x]) => [
        n,
        {
          mbps: +x.mbps.toFixed(1),
          cpuNsPerByte: +x.cpuNsPerByte.toFixed(2),
          softintNet: +x.softintNetFraction.toFixed(4),
          spin: +x.spinFraction.toFixed(4),
          sockbufSpinMs: +(spinOf(x, SOCKBUF_LOCKS) / 1e6).toFixed(3),
          topSpinLock: x.topSpinLock,
          callers: x.topSpinCallers.join(" "),
          mostContended: x.contentionRank[0],
        },
      ]),
    ),
  );
}, 60_000);

describe("claim 1: net-mpsafe gains little over giant while softnet_lock serialises", () => {
  it("has throughput within 10% of giant's", () => {
    expect(Math.abs(r["net-mpsafe"].mbps - r.giant.mbps) / r.giant.mbps).toBeLessThan(0.1);
  });

  it("has softnet_lock as the most contended lock in both", () => {
    expect(r.giant.contentionRank[0]).toBe("softnet_lock");
    expect(r["net-mpsafe"].contentionRank[0]).toBe("softnet_lock");
  });
});

describe("claim 2: solock-v1's user copy and ACK processing spin on one socket mutex", () => {
  it("has so_lock at the top of lockstat's spin table, taken from sosend and tcp_input", () => {
    expect(r["solock-v1"].topSpinLock).toBe("so_lock");
    expect(r["solock-v1"].topSpinCallers).toEqual(expect.arrayContaining(["sosend", "tcp_input"]));
  });

  it("spends more of the machine in SOFTINT_NET, spin included, than split", () => {
    expect(r["solock-v1"].softintNetFraction).toBeGreaterThan(r.split.softintNetFraction);
  });

  // what the model shows against the seed's "severalfold" (README, claim 2): about 1.2 times,
  // as with autosizing the ACKs' tcp_input does most of the sending under every policy
  it("grows SOFTINT_NET less than threefold over split", () => {
    expect(r["solock-v1"].softintNetFraction / r.split.softintNetFraction).toBeLessThan(3);
  });
});

describe("claim 3: split removes the socket-buffer spin", () => {
  it("spins on its socket buffers less than a tenth of solock-v1's so_lock", () => {
    expect(spinOf(r.split, SOCKBUF_LOCKS)).toBeLessThan(spinOf(r["solock-v1"], ["so_lock"]) / 10);
  });

  it("delivers at least every other policy's throughput, within 2%", () => {
    for (const n of Object.keys(RUNS) as Name[]) {
      expect(r.split.mbps, n).toBeGreaterThanOrEqual(r[n].mbps * 0.98);
    }
  });

  it("delivers every stream whole and in order", () => {
    for (const n of Object.keys(RUNS) as Name[]) expect(r[n].broken, n).toBe(0);
  });

  // what the model shows against the seed's "least CPU per byte" (README, claim 3): the
  // contention moves to INP_WLOCK, where the writer spins while tcp_input sends
  it("spends more CPU per byte than giant, its writer spinning on INP_WLOCK", () => {
    expect(r.split.cpuNsPerByte).toBeGreaterThan(r.giant.cpuNsPerByte);
    expect(r.split.topSpinLock).toBe("inp_lock");
    expect(r.split.topSpinCallers[0]).toBe("sosend");
  });
});
