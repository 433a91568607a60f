/*
 * Spells a pattern as herd .litmus text for MIPS or X86, as the kernel has
 * it or weakened by one variant, so that it goes through the reader like any
 * published test (and can be handed to herd7 as printed).
 */
import { MemmodelError } from "../errors.js";
import type { Arch } from "../program.js";
import { FENCE_SPELLING, fenceNames, type Pattern, type Step, type Variant } from "./pattern.js";

/** MIPS registers for loaded values, in the order a thread's loads take them. */
const MIPS_VALUE_REGS = ["$2", "$3", "$5", "$6", "$7"];
/** The constant a store writes. */
const MIPS_TEMP = "$8";
/** An rmw's loaded value, then its new value and the `sc`'s success flag. */
const MIPS_RMW_OLD = "$9";
const MIPS_RMW_NEW = "$10";
const X86_REGS = ["EAX", "EBX", "ECX", "EDX", "ESI"];

function registers(arch: Arch, thread: readonly Step[]): Map<string, string> {
  const pool = arch === "MIPS" ? MIPS_VALUE_REGS : X86_REGS;
  const regs = new Map<string, string>();
  for (const s of thread) {
    if (s.k === "ld" && !regs.has(s.reg)) {
      const r = pool[regs.size];
      if (r === undefined)
        throw new MemmodelError(`pattern thread has more than ${pool.length} loaded registers`);
      regs.set(s.reg, r);
    }
  }
  return regs;
}

function locations(p: Pattern): string[] {
  const locs = new Set(Object.keys(p.init));
  for (const t of p.threads) for (const s of t) if (s.k !== "fence") locs.add(s.loc);
  return [...locs];
}

function dropped(variant: Variant | undefined, kind: Variant["kind"], name: string): boolean {
  return variant?.kind === kind && variant.drop.includes(name);
}

/** The steps of `thread` that `variant` keeps (an rmw it makes plain is kept). */
function kept(thread: readonly Step[], variant: Variant | undefined): Step[] {
  return thread.filter(
    (s) =>
      !(s.k === "fence" && dropped(variant, "fence", s.name)) &&
      !(s.k === "ld" && s.label !== undefined && dropped(variant, "synchronisation", s.label)),
  );
}

/** Whether `thread`, as `variant` leaves it, has an ll/sc on MIPS. */
function hasLlsc(thread: readonly Step[], variant: Variant | undefined): boolean {
  return thread.some((s) => s.k === "rmw" && !dropped(variant, "atomic", s.label));
}

function mipsRmw(s: Extract<Step, { k: "rmw" }>, tid: number, atomic: boolean): string[] {
  const addr = `0(%${s.loc}${tid})`;
  return [
    `${atomic ? "ll" : "lw"} ${MIPS_RMW_OLD},${addr}`,
    `addiu ${MIPS_RMW_NEW},${MIPS_RMW_OLD},${s.add}`,
    `${atomic ? "sc" : "sw"} ${MIPS_RMW_NEW},${addr}`,
  ];
}

function instructions(
  arch: Arch,
  thread: readonly Step[],
  tid: number,
  variant: Variant | undefined,
): string[] {
  const regs = registers(arch, thread);
  const out: string[] = [];
  for (const s of kept(thread, variant)) {
    if (s.k === "fence") {
      const spelled = FENCE_SPELLING[arch][s.barrier];
      if (spelled !== null) out.push(spelled);
    } else if (s.k === "rmw") {
      const atomic = !dropped(variant, "atomic", s.label);
      if (arch === "MIPS") out.push(...mipsRmw(s, tid, atomic));
      else out.push(`${atomic ? "LOCK " : ""}ADD [${s.loc}],$${s.add}`);
    } else if (arch === "MIPS") {
      const addr = `0(%${s.loc}${tid})`;
      if (s.k === "ld") out.push(`lw ${regs.get(s.reg)},${addr}`);
      else if (s.k === "st-reg") out.push(`sw ${regs.get(s.reg)},${addr}`);
      else out.push(`ori ${MIPS_TEMP},$0,${s.v}`, `sw ${MIPS_TEMP},${addr}`);
    } else if (s.k === "ld") {
      out.push(`MOV ${regs.get(s.reg)},[${s.loc}]`);
    } else if (s.k === "st-reg") {
      out.push(`MOV [${s.loc}],${regs.get(s.reg)}`);
    } else {
      out.push(`MOV [${s.loc}],$${s.v}`);
    }
  }
  return out;
}

/**
 * The bad outcome as herd's proposition. Atoms on registers a variant no
 * longer loads are left out; on MIPS each thread's ll/sc must have
 * succeeded (the kernel's loop retries until it does; herd has no loops).
 */
function proposition(p: Pattern, arch: Arch, variant: Variant | undefined): string {
  const regsOf = p.threads.map((t) => registers(arch, t));
  const loaded = p.threads.map(
    (t) => new Set(kept(t, variant).flatMap((s) => (s.k === "ld" ? [s.reg] : []))),
  );
  const llsc =
    arch === "MIPS"
      ? p.threads.flatMap((t, tid) => (hasLlsc(t, variant) ? [`${tid}:${MIPS_RMW_NEW}=1`] : []))
      : [];
  return p.bad
    .map((conj) => {
      const atoms = conj
        .filter(([tid, reg]) => loaded[tid]?.has(reg))
        .map(([tid, reg, v]) => `${tid}:${regsOf[tid]?.get(reg)}=${v}`);
      if (atoms.length === 0)
        throw new MemmodelError(`${p.name}: a variant leaves a bad outcome with no condition`);
      return `(${[...atoms, ...llsc].join(" /\\ ")})`;
    })
    .join(" \\/ ");
}

/** The names a variant of `kind` may drop in `p`: fence sites, rmw labels or load labels. */
function droppable(p: Pattern, kind: Variant["kind"]): Set<string> {
  if (kind === "fence") return new Set(fenceNames(p));
  const steps = p.threads.flat();
  return new Set(
    steps.flatMap((s) => {
      if (kind === "atomic") return s.k === "rmw" ? [s.label] : [];
      return s.k === "ld" && s.label !== undefined ? [s.label] : [];
    }),
  );
}

/** The variants of `p` that change its spelling on `arch`. */
export function variantsOf(p: Pattern, arch: Arch): Variant[] {
  for (const v of p.variants ?? []) {
    const known = droppable(p, v.kind);
    const unknown = v.drop.filter((name) => !known.has(name));
    if (unknown.length > 0)
      throw new MemmodelError(
        `${p.name}: variant ${v.name} drops ${unknown.join(", ")}, which is no ${v.kind} of the pattern (it has ${[...known].join(", ") || "none"})`,
      );
  }
  const sites: Variant[] = fenceNames(p).map((name) => ({ kind: "fence", name, drop: [name] }));
  const emitted = (name: string) =>
    p.threads.some((t) =>
      t.some((s) => s.k === "fence" && s.name === name && FENCE_SPELLING[arch][s.barrier] !== null),
    );
  return [...sites, ...(p.variants ?? [])].filter(
    (v) => v.kind !== "fence" || v.drop.some(emitted),
  );
}

/** The variant's part of a test name: `without-<name>`, or `plain-<rmw>` for an atomic one. */
export function variantSlug(variant: Variant | undefined): string {
  if (variant === undefined) return "as-kernel";
  return `${variant.kind === "atomic" ? "plain" : "without"}-${variant.name}`;
}

/** The test's name: the pattern, and the variant if any. */
export function testName(p: Pattern, variant?: Variant): string {
  return variant === undefined ? p.name : `${p.name}+${variantSlug(variant)}`;
}

/** `p` as a .litmus test for `arch`, weakened by `variant` if given. */
export function spellLitmus(p: Pattern, arch: Arch, variant?: Variant): string {
  const code = p.threads.map((t, tid) => instructions(arch, t, tid, variant));
  const rows = Math.max(...code.map((c) => c.length));
  const width = Math.max(...code.flat().map((i) => i.length), 2) + 1;
  const cell = (s: string) => ` ${s.padEnd(width)}`;
  const header = p.threads.map((_, tid) => cell(`P${tid}`)).join("|");
  const lines = [];
  for (let r = 0; r < rows; r++) lines.push(`${code.map((c) => cell(c[r] ?? "")).join("|")};`);

  const init = Object.entries(p.init).map(([loc, v]) => `${loc}=${v};`);
  if (arch === "MIPS") {
    const locs = locations(p);
    p.threads.forEach((t, tid) => {
      // herd rejects a symbolic register that no instruction uses
      const steps = kept(t, variant);
      const used = locs.filter((l) => steps.some((s) => s.k !== "fence" && s.loc === l));
      init.push(...used.map((l) => `%${l}${tid}=${l};`));
    });
  }
  return [
    `${arch} ${testName(p, variant)}`,
    `"${p.about}"`,
    `{ ${init.join(" ")} }`,
    `${header};`,
    ...lines,
    `exists (${proposition(p, arch, variant)})`,
    "",
  ].join("\n");
}
