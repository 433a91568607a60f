/*
 * Per-host and per-CPU state of the lock code: the host's kernel_lock, the
 * lockstat collector and lockdebug (null while off: every check is a single
 * test), and each CPU's spin-mutex nesting (ci_mtx_count / ci_mtx_oldspl)
 * and big-lock state (ci_biglock_count / ci_biglock_wanted).
 */

import { type CacheLine, type Cpu, curcpu, type Host, HostSlot, type Ipl } from "@smpnet/sim";
import type { LockDebug } from "./lockdebug.js";
import type { LockStat } from "./lockstat.js";

export interface CpuLockState {
  /** Spin mutexes held on this CPU (ci_mtx_count). */
  spinHeld: number;
  /** The IPL before the first of them (ci_mtx_oldspl). */
  oldspl: Ipl;
  /** ci_biglock_count: KERNEL_LOCK holds of the LWPs stacked on this CPU. */
  biglockCount: number;
  /** ci_biglock_wanted: the LWP here spinning for KERNEL_LOCK, or null. */
  readonly biglockWanted: CacheLine;
}

export interface CoreState {
  stat: LockStat | null;
  debug: LockDebug | null;
  readonly cpus: CpuLockState[];
}

const states = new HostSlot<CoreState>();

export function coreState(host: Host): CoreState {
  let s = states.get(host);
  if (s === undefined) {
    s = {
      stat: null,
      debug: null,
      cpus: host.cpus.map((c) => ({
        spinHeld: 0,
        oldspl: 0,
        biglockCount: 0,
        biglockWanted: host.cacheline(`cpu${c.index}.ci_biglock_wanted`, null),
      })),
    };
    states.set(host, s);
  }
  return s;
}

export function cpuLockState(cpu: Cpu): CpuLockState {
  return coreState(cpu.host).cpus[cpu.index]!;
}

/** The running CPU's lock state, from a lock's host state (no host lookup: a lock path's case). */
export function curcpuLockState(st: CoreState): CpuLockState {
  return st.cpus[curcpu().index]!;
}
