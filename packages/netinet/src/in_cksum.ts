/*
 * The Internet checksum's cost in software (in_cksum, in4_cksum): the bytes
 * summed at the profile's rate. A NIC with checksum offload (M_CSUM_*) saves
 * it; whether it does is the NIC description's and the kernel's choice.
 */

import { type KernelGen, work } from "@smpnet/sim";
import type { NetStack } from "./stack.js";

export function* in_cksum(stack: NetStack, bytes: number): KernelGen {
  yield* work(bytes / stack.costs.checksumBytesPerCycle);
}
