export {
  callout_ack,
  callout_active,
  callout_destroy,
  callout_expired,
  callout_halt,
  callout_hardclock,
  callout_init,
  callout_invoking,
  callout_pending,
  callout_reset,
  callout_schedule,
  callout_setfunc,
  callout_softclock,
  callout_stop,
} from "./callout.js";
export {
  CALLOUT_MPSAFE,
  type CalloutFunc,
  callout_t,
} from "./callout-wheel.js";
export {
  type BudgetConfig,
  type ResolvedConfig,
  SOFTINT_VARIANTS,
  type SoftintConfig,
  type SoftintVariant,
  validateSoftintConfig,
} from "./config.js";
export {
  HARDCLOCK_CYCLES,
  HZ_DEFAULT,
  IFQ_MAXLEN,
  MAX_SOFTIRQ_RESTART,
  MAX_SOFTIRQ_TIME_NS,
  NETDEV_BUDGET,
  NETDEV_BUDGET_NS,
  rrticks,
} from "./constants.js";
export { hardclock } from "./hardclock.js";
export { softint_init } from "./init.js";
export {
  SOFTINT_BIO,
  SOFTINT_CLOCK,
  SOFTINT_MPSAFE,
  SOFTINT_NAMES,
  SOFTINT_NET,
  SOFTINT_RCPU,
  SOFTINT_SERIAL,
  type SoftintLevel,
} from "./levels.js";
export {
  hash_mod,
  type PktqDrain,
  type PktqInput,
  type PktqRpsHashFunc,
  type PktqStats,
  pktq_create,
  pktq_enqueue,
  pktq_rps_hash,
  pktq_rps_hash_curcpu,
  pktq_rps_hash_default,
  pktq_rps_hash_zero,
  pktqueue_t,
} from "./pktqueue.js";
export { type SoftintProbes, softintProbes } from "./probes.js";
export {
  type SoftintFunc,
  SoftintHandle,
  softint_disestablish,
  softint_establish,
  softint_schedule,
  softint_schedule_cpu,
} from "./softint.js";
export {
  RX_BATCH,
  RX_INTERVAL_NS,
  RX_INTR_CYCLES_PER_PACKET,
  type StarvationLine,
  type StarvationOptions,
  type StarvationResult,
  softclockStarvation,
  TCP_INPUT_CYCLES,
  TCP_TIMER_OUTPUT_CYCLES,
} from "./starvation.js";
export { type CalloutStats, callout_stats, log2Histogram } from "./stats.js";
export type { SoftintSystem } from "./system.js";
export {
  sysmon_wdog,
  sysmon_wdog_ktickle,
  sysmon_wdog_register,
  sysmon_wdog_setmode,
  WDOG_MODE_DISARMED,
  WDOG_MODE_ETICKLE,
  WDOG_MODE_KTICKLE,
  WDOG_MODE_UTICKLE,
  type WdogOptions,
} from "./wdog.js";
