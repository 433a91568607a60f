/*
 * Freeing pool items behind an epoch, as FreeBSD does with epoch_call and a
 * callback that hands the item back to its zone (in_pcbfree's
 * NET_EPOCH_CALL): each free defers the item, polls the epoch, and puts
 * back to the pool_cache every item whose grace period has passed.
 */
import type { KernelGen } from "@smpnet/sim";
import { epoch_call, epoch_poll, type epoch_t } from "./epoch.js";
import type { PoolItem } from "./pool.js";
import { pool_cache_put, type pool_cache_t } from "./pool-cache.js";

/** A free function for `pc`'s items that returns each to the pool once `ep`'s readers are past it. */
export function epoch_pool_free(ep: epoch_t, pc: pool_cache_t): (item: PoolItem) => KernelGen {
  const limbo: PoolItem[] = [];
  return function* free(item) {
    yield* epoch_call(ep, item);
    limbo.push(item);
    yield* epoch_poll(ep);
    for (let i = 0; i < limbo.length; ) {
      const p = limbo[i]!;
      if (p.freed) {
        limbo[i] = limbo[limbo.length - 1]!;
        limbo.pop();
        yield* pool_cache_put(pc, p);
      } else i++;
    }
  };
}
