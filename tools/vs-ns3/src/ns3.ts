/*
 * ns-3's side: the peer in ../shared/peers/ns3 (bulk.cc over Debian's
 * ns-3.37), built once into the temporary folder, run with the scenario's
 * link and impairments. Its cwnd trace is ns-3's CongestionWindow trace
 * source, which follows m_cWnd only: classic recovery keeps the inflated
 * window apart (m_cWndInfl), so m_cWnd falls to ssthresh on the third
 * duplicate ACK, stays there until recovery ends and then grows again; a
 * timeout sets it to one segment. The episodes are read off that trace.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Episode, LINK, type Run, type Scenario } from "./scenario.js";

/** The project's shared folder sits beside the repository (tools/vs-ns3/{src,dist} -> ../../../../shared). */
export const PEER_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../shared/peers/ns3",
);
/** build.sh failed: Debian's ns-3 could not be installed, or the peer did not compile. */
export class Ns3BuildError extends Error {}

/**
 * Builds the peer unless this version of bulk.cc is built already (named by
 * its hash in the temporary folder); build.sh installs Debian's libns3-dev
 * as root. Throws with build.sh's last words.
 */
export function buildNs3(): string {
  const script = join(PEER_DIR, "build.sh");
  const source = join(PEER_DIR, "bulk.cc");
  if (!existsSync(script) || !existsSync(source)) {
    throw new Error(
      `${PEER_DIR}: no build.sh and bulk.cc; the ns-3 peer lives in shared/ beside the repository`,
    );
  }
  const hash = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
  const bin = join(tmpdir(), `smpnet-ns3-bulk-${hash}`);
  if (!existsSync(bin)) {
    // built under a name of its own, then renamed: a run beside this one never sees half a file
    const part = `${bin}.${process.pid}`;
    try {
      execFileSync("sh", [script, part], { stdio: ["ignore", "ignore", "pipe"] });
      renameSync(part, bin);
    } catch (e) {
      const why = String((e as { stderr?: unknown }).stderr ?? e).trim();
      throw new Ns3BuildError(
        `building the ns-3 peer failed (${script}): ${why.split("\n").at(-1)}`,
      );
    }
  }
  return bin;
}

interface Ns3Line {
  goodputMbps: number;
  simSecondsPerWallSecond: number;
  wallSeconds: number;
}

/** Runs ns-3 for `seconds` (building it first if need be); its speed is its own measure of Simulator::Run. */
export function runNs3(s: Scenario, seconds: number): Run {
  const dir = mkdtempSync(join(tmpdir(), "vs-ns3-"));
  const file = join(dir, "cwnd");
  try {
    const args = [
      `--time=${seconds}`,
      `--rate=${LINK.ns3Rate}`,
      `--delay=${LINK.delayUs}us`,
      "--cc=TcpNewReno",
      "--recovery=TcpClassicRecovery",
      // NewReno with classic recovery on both sides: the lab runs with tcp: { sack: false }
      "--sack=false",
      "--timestamps=true",
      `--seed=${s.seed}`,
      `--cwnd=${file}`,
    ];
    if (s.drop.length > 0) args.push(`--drop=${s.drop.join(",")}`);
    if (s.loss > 0) args.push(`--loss=${s.loss}`);
    const out = execFileSync(buildNs3(), args, { encoding: "utf8" });
    const line = JSON.parse(out.trim().split("\n").at(-1)!) as Ns3Line;
    const cwnd = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(" ").map(Number) as [number, number]);
    return {
      goodputMbps: line.goodputMbps,
      cwnd,
      ...ns3Episodes(cwnd),
      // its own figure has two decimals: the wall time it prints has three
      simSecondsPerWallSecond: seconds / line.wallSeconds,
      note: "",
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Episodes from an ns-3 classic-recovery cwnd trace: a fall to one segment
 * is a timeout; any other fall opens a fast recovery whose ssthresh is the
 * new window, and the next rise closes it.
 */
export function ns3Episodes(cwnd: readonly [number, number][]): {
  episodes: Episode[];
  timeouts: number;
} {
  const episodes: Episode[] = [];
  let timeouts = 0;
  let open: Episode | null = null;
  for (let i = 1; i < cwnd.length; i++) {
    const [t, w] = cwnd[i]!;
    const before = cwnd[i - 1]![1];
    if (w < before) {
      if (w <= LINK.mss) {
        timeouts++;
        if (open !== null) open.endS = t;
        open = null;
      } else if (open === null) {
        open = { startS: t, endS: -1, ssthresh: w };
        episodes.push(open);
      }
    } else if (w > before && open !== null) {
      open.endS = t;
      open = null;
    }
  }
  return { episodes, timeouts };
}

/** Debian's ns-3 is installed (what build.sh installs when it is not). */
export function ns3Installed(): boolean {
  try {
    execFileSync("pkg-config", ["--exists", "ns3-core"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
