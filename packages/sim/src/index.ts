export {
  ACCT_IDLE,
  ACCT_INTR,
  ACCT_KERNEL,
  ACCT_NAMES,
  ACCT_SOFTINT,
  ACCT_SPIN,
  ACCT_USER,
  NACCT,
  type TimeSplit,
} from "./accounting.js";
export { CacheLine } from "./cacheline.js";
export { Cpu } from "./cpu.js";
export {
  callpath,
  curcpu,
  curlwp,
  kpreempt_disable,
  nanotime,
  syscall_enter,
  syscall_exit,
} from "./current.js";
export { SimError } from "./errors.js";
export { type EventFn, type EventHandle, EventQueue } from "./event-queue.js";
export { Host, type HostOptions, type IntrOptions, type KthreadOptions } from "./host.js";
export { HostSlot } from "./host-slot.js";
export { type IntrHandler, IntrSource } from "./intr.js";
export {
  IPL_HIGH,
  IPL_NAMES,
  IPL_NONE,
  IPL_SCHED,
  IPL_SOFTBIO,
  IPL_SOFTCLOCK,
  IPL_SOFTNET,
  IPL_SOFTSERIAL,
  IPL_VM,
  type Ipl,
  type IplName,
  iplName,
  isIpl,
} from "./ipl.js";
export { LSIDLE, LSONPROC, LSRUN, LSSLEEP, LSZOMB, Lwp, type LwpOptions } from "./lwp.js";
export {
  type NetCosts,
  NetCostsSchema,
  netCostsSourceGaps,
  validateNetCosts,
} from "./netcosts.js";
export { type Nic, NicSchema, nicConstants, nicSourceGaps, validateNic } from "./nic.js";
export {
  after,
  atomic_add,
  atomic_cas,
  atomic_swap,
  delay,
  done,
  type IpiHandler,
  ipi_broadcast,
  ipi_send,
  type KernelGen,
  type KernelOp,
  kpreempt_enable,
  load,
  membar,
  paid,
  paidValue,
  preempt,
  type SpinCond,
  type SpinOptions,
  sleep,
  softint_return,
  spin_until,
  splraise,
  splx,
  store,
  wakeup,
  wakeup_one,
  work,
  yield_cpu,
} from "./ops.js";
export * from "./priority.js";
export { Probe, ProbeBus, type ProbeFn } from "./probes.js";
export {
  type Profile,
  type ProfileCosts,
  ProfileSchema,
  profileConstants,
  profileSourceGaps,
  validateProfile,
} from "./profile.js";
export { fenceNs, ipiNs, nsPerSharedAdd, preempts } from "./profile-probes.js";
export { Rng } from "./rng.js";
export { roundNetCosts, roundNic, roundProfile } from "./round-profile.js";
export { checkSchema, sourceGaps } from "./schema-check.js";
export { Simulation, type SimulationOptions } from "./simulation.js";
export { NS_PER_MS, NS_PER_SEC, NS_PER_US, quantizeNs } from "./time.js";
