/*
 * A datagram sender that meets a full interface queue (ENOBUFS) tries
 * again at once, in iperf3 and in netperf alike. On the ideal peer that
 * loop would take no simulated time at all, so the sender waits for the
 * wire to carry one frame first: what the loop's own cost hides on a real
 * machine.
 */

import {
  ETHER_CRC_LEN,
  ETHER_HDR_LEN,
  ETHER_IFG_BYTES,
  ETHER_PREAMBLE_BYTES,
  type NetStack,
} from "@smpnet/netinet";
import { type KernelGen, sleep } from "@smpnet/sim";

const PAUSE = Symbol("enobufs");

export function* enobufs_pause(stack: NetStack, payloadBytes: number): KernelGen {
  const frame =
    ETHER_PREAMBLE_BYTES + ETHER_HDR_LEN + 28 + payloadBytes + ETHER_CRC_LEN + ETHER_IFG_BYTES;
  yield* sleep(PAUSE, (frame * 8 * 1_000) / stack.ifp.nic.speedMbps);
}
