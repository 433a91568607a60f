/*
 * The Internet checksum's cost in software (in_cksum, in4_cksum): the bytes
 * summed at the profile's rate. A NIC with checksum offload (M_CSUM_*) saves
 * it; whether it does is the NIC description's and the kernel's choice.
 */

import { type KernelOp, work } from "@smpnet/sim";
import type { NetStack } from "./stack.js";

/** A plain function: its one operation needs no generator of its own. */
export function in_cksum(stack: NetStack, bytes: number): KernelOp<void> {
  return work(bytes / stack.costs.checksumBytesPerCycle);
}
