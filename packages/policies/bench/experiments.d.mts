import type { NetKernel } from "@smpnet/netinet";
import type { Nic } from "@smpnet/sim";
import type { KernelOptions, ReclamationScheme } from "../src/index.js";

export const IPERF3_BLOCK: number;

export interface ExperimentOptions {
  policy: KernelOptions["policy"];
  reclamation?: ReclamationScheme | undefined;
  seed?: number;
  /** Simulated ms measured, after `warmMs` of start-up. */
  simMs: number;
  warmMs?: number;
  nic?: Partial<Nic>;
  kernel?: Partial<KernelOptions>;
  /** Called with the assembled kernel before the run (probes, lockdebug). */
  before?: (k: NetKernel) => void;
}

export interface StreamOptions extends ExperimentOptions {
  streams?: number;
  /** Receive over 4 queues, one per CPU, ip_input on the CPU that took the interrupt. */
  spread?: boolean;
  /** SO_SNDBUF of the ER-4's sockets (default: netinet's). */
  sndbuf?: number;
  /** SO_RCVBUF of the peer's listening socket, which its connections inherit (default: netinet's). */
  rcvbuf?: number;
}

export interface StreamResult {
  k: NetKernel;
  bytes: number;
  /** Reads whose first byte was not the one after the previous read's last. */
  broken: number;
  mbps: number;
  cpuNsPerByte: number;
  softintNetFraction: number;
  spinFraction: number;
  time: Record<string, number>;
  spinNsByLock: Record<string, number>;
  contentionRank: string[];
  topSpinLock: string | null;
  topSpinCallers: string[];
}

export interface CrrResult {
  k: NetKernel;
  transactionsPerSecond: number;
  crossCallsPerSecond: number;
  revalidationsPerSecond: number;
  readNsPerSection: number;
}

export function streamRun(o: StreamOptions): StreamResult;
export function crrRun(o: ExperimentOptions): CrrResult;
