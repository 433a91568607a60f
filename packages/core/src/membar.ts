/*
 * membar_ops(3): membar_acquire, membar_release and membar_sync issue the
 * fences the profile's membarOps names (on Octeon membar_release is a
 * `syncw`, membar_sync a `sync`; on x86 acquire and release cost nothing and
 * membar_sync is a locked add or `mfence`).
 */

import { curcpu, type KernelGen, membar, SimError } from "@smpnet/sim";

type MembarOp = "acquire" | "release" | "sync";

function* issue(op: MembarOp): KernelGen {
  const p = curcpu().host.profile;
  const kinds = p.membarOps?.[op];
  if (kinds === undefined) {
    throw new SimError(
      `membar_${op}: profile ${p.name} has no membarOps; say which fences membar_acquire, membar_release and membar_sync issue (membarOps: { acquire: [], release: ["syncw"], sync: ["sync"] })`,
    );
  }
  for (const k of kinds) yield* membar(k);
}

export function membar_acquire(): KernelGen {
  return issue("acquire");
}

export function membar_release(): KernelGen {
  return issue("release");
}

export function membar_sync(): KernelGen {
  return issue("sync");
}
