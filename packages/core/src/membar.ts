/*
 * membar_ops(3): membar_acquire, membar_release and membar_sync issue the
 * fences the profile's membarOps names (on Octeon membar_release is a
 * `syncw`, membar_sync a `sync`; on x86 acquire and release cost nothing and
 * membar_sync is a locked add or `mfence`).
 */

import { curcpu, done, type KernelGen, type KernelOp, membar, SimError } from "@smpnet/sim";

type MembarOp = "acquire" | "release" | "sync";

/** The profile's membarOps, which code that orders memory requires. */
function profileOps(op: MembarOp) {
  const p = curcpu().host.profile;
  const ops = p.membarOps;
  if (ops === undefined) {
    throw new SimError(
      `membar_${op}: profile ${p.name} has no membarOps; say which fences membar_acquire, membar_release and membar_sync issue (membarOps: { acquire: [], release: ["syncw"], sync: ["sync"] })`,
    );
  }
  return ops;
}

// A plain function: one fence is handed to the caller's yield* as it stands
// (every profile issues at most one today), none is an operation already done.
function issue(kinds: readonly string[]): KernelOp<void> {
  if (kinds.length === 1) return membar(kinds[0]!);
  if (kinds.length === 0) return done(undefined);
  return fences(kinds);
}

function* fences(kinds: readonly string[]): KernelGen {
  for (const k of kinds) yield* membar(k);
}

// each reads its own field by name, which V8 caches at the site: one site
// reading membarOps[op] for three names ran at 1.6 % of er4-split's profile
export function membar_acquire(): KernelOp<void> {
  return issue(profileOps("acquire").acquire);
}

export function membar_release(): KernelOp<void> {
  return issue(profileOps("release").release);
}

export function membar_sync(): KernelOp<void> {
  return issue(profileOps("sync").sync);
}
