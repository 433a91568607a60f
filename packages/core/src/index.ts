export {
  CHURN_VARIANTS,
  type ChurnOptions,
  type ChurnResult,
  type ChurnVariant,
  PCB_BYTES,
  pcbChurn,
  READER_WORK_CYCLES,
} from "./churn.js";
export {
  BACKOFF_HOOK_CYCLES,
  MUTEX_FASTPATH_CYCLES,
  RW_FASTPATH_CYCLES,
  SLEEPLOCK_FASTPATH_CYCLES,
  SPINLOCK_BACKOFF_MAX,
  SPINLOCK_BACKOFF_MIN,
} from "./constants.js";
export {
  CK_EPOCH_LENGTH,
  type EpochDriver,
  epoch_alloc,
  epoch_call,
  epoch_call_task,
  epoch_cb_count,
  epoch_enter,
  epoch_enter_preempt,
  epoch_exit,
  epoch_exit_preempt,
  epoch_poll,
  epoch_set_driver,
  epoch_t,
  epoch_wait,
} from "./epoch.js";
export { epoch_pool_free } from "./epoch-pool-free.js";
export {
  KERNEL_LOCK,
  KERNEL_UNLOCK_ALL,
  KERNEL_UNLOCK_ONE,
  kernel_lock,
  kernel_lock_held,
  ksleep,
} from "./kernel-lock.js";
export { caller, kfn, kfnOp } from "./kfn.js";
export { Lock, type LockKind } from "./lock.js";
export {
  LockDebug,
  type LockDebugKind,
  type LockDebugReport,
  lockdebug_enable,
} from "./lockdebug.js";
export {
  LOCKSTAT_EVENTS,
  LockStat,
  type LockStatEvent,
  type LockStatRecord,
  lockstat_disable,
  lockstat_enable,
} from "./lockstat.js";
export { membar_acquire, membar_release, membar_sync } from "./membar.js";
export {
  kmutex_t,
  MUTEX_DEFAULT,
  MUTEX_SPIN,
  type MutexType,
  mutex_destroy,
  mutex_enter,
  mutex_exit,
  mutex_init,
  mutex_owned,
  mutex_spin_enter,
  mutex_spin_exit,
  mutex_tryenter,
} from "./mutex.js";
export { PCG_NOBJECTS, pcg_chain, pcg_dummy, type pcg_t } from "./pcg.js";
export {
  POOL_INACTIVE_TIME_NS,
  POOL_PAGE_SIZE,
  PoolItem,
  PoolPage,
  PR_PSERIALIZE,
  pool_get,
  pool_init,
  pool_item_use,
  pool_put,
  pool_reclaim_pages,
  pool_sethardlimit,
  pool_t,
} from "./pool.js";
export {
  type PoolCacheOptions,
  PoolCacheStats,
  pool_cache_destruct_object,
  pool_cache_get,
  pool_cache_init,
  pool_cache_invalidate,
  pool_cache_put,
  pool_cache_reclaim,
  pool_cache_t,
} from "./pool-cache.js";
export {
  pool_cache_defer_pserialize,
  pool_cache_set_smr,
  pool_cache_smr_fifo,
} from "./pool-cache-defer.js";
export {
  pserialize_create,
  pserialize_ev_excl,
  pserialize_in_read_section,
  pserialize_perform,
  pserialize_read_enter,
  pserialize_read_exit,
  pserialize_t,
} from "./pserialize.js";
export { pserialize_perform_batched } from "./pserialize-batched.js";
export { quantile } from "./quantile.js";
export {
  PendingBytes,
  Reclaimable,
  type Reclaimer,
  ReclaimStats,
  reclaim_use,
} from "./reclaim.js";
export {
  type krw_t,
  krwlock_t,
  RW_READER,
  RW_WRITER,
  rw_destroy,
  rw_enter,
  rw_exit,
  rw_init,
  rw_lock_held,
} from "./rwlock.js";
export { sleeplock_enter, sleeplock_exit, sleeplock_init, sleeplock_t } from "./sleeplock.js";
export {
  SMR_LAZY,
  SMR_LAZY_GRACE,
  SMR_LAZY_INCR,
  SMR_SEQ_INCR,
  SMR_SEQ_INIT,
  SMR_SEQ_INVALID,
  smr_advance,
  smr_create,
  smr_current,
  smr_enter,
  smr_exit,
  smr_lazy_enter,
  smr_lazy_exit,
  smr_poll,
  smr_t,
  smr_wait,
} from "./smr.js";
export { PRI_XCALL, xc_barrier, xc_broadcast, xc_broadcasts, xc_init, xc_wait } from "./xcall.js";
