/*
 * membar_ops(3): membar_acquire, membar_release and membar_sync issue the
 * fences the profile's membarOps names (on Octeon membar_release is a
 * `syncw`, membar_sync a `sync`; on x86 acquire and release cost nothing and
 * membar_sync is a locked add or `mfence`).
 */

import { curcpu, done, type KernelGen, type KernelOp, membar, SimError } from "@smpnet/sim";

type MembarOp = "acquire" | "release" | "sync";

// A plain function: one fence is handed to the caller's yield* as it stands
// (every profile issues at most one today), none is an operation already done.
function issue(op: MembarOp): KernelOp<void> {
  const p = curcpu().host.profile;
  const kinds = p.membarOps?.[op];
  if (kinds === undefined) {
    throw new SimError(
      `membar_${op}: profile ${p.name} has no membarOps; say which fences membar_acquire, membar_release and membar_sync issue (membarOps: { acquire: [], release: ["syncw"], sync: ["sync"] })`,
    );
  }
  if (kinds.length === 1) return membar(kinds[0]!);
  if (kinds.length === 0) return done(undefined);
  return fences(kinds);
}

function* fences(kinds: readonly string[]): KernelGen {
  for (const k of kinds) yield* membar(k);
}

export function membar_acquire(): KernelOp<void> {
  return issue("acquire");
}

export function membar_release(): KernelOp<void> {
  return issue("release");
}

export function membar_sync(): KernelOp<void> {
  return issue("sync");
}
