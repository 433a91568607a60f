/*
 * Random small litmus tests for the property tests, written as .litmus text
 * so that they go through the reader like any test (and a failing one can be
 * fed to herd7 as printed). A program is a list of steps per thread in a
 * neutral vocabulary; each architecture spells them its own way.
 */
import fc from "fast-check";

export const LOCS = ["x", "y"] as const;
export type Loc = (typeof LOCS)[number];

export type Step =
  | { readonly k: "store"; readonly loc: Loc; readonly v: number }
  | { readonly k: "load"; readonly loc: Loc }
  | { readonly k: "fence" }
  /** MIPS ll/sc exchange, X86 XCHG. */
  | { readonly k: "swap"; readonly loc: Loc; readonly v: number }
  /** MIPS ll; addiu; sc, X86 LOCK INC. */
  | { readonly k: "inc"; readonly loc: Loc }
  /** X86 INC without LOCK: a read and a write that another thread may come between. */
  | { readonly k: "plainInc"; readonly loc: Loc }
  /** A store of (last value loaded ^ itself) + v: a data dependency. */
  | { readonly k: "dataStore"; readonly loc: Loc; readonly v: number }
  /** A load whose address is loc + (last value loaded ^ itself): an address dependency. */
  | { readonly k: "addrLoad"; readonly loc: Loc }
  /** Skip the next step when the last value loaded is not 0: a control dependency. */
  | { readonly k: "skipIfSet" };

export type Program = readonly (readonly Step[])[];

const loc = fc.constantFrom(...LOCS);
const value = fc.integer({ min: 1, max: 2 });

const plain: fc.Arbitrary<Step>[] = [
  fc.record({ k: fc.constant("store" as const), loc, v: value }),
  fc.record({ k: fc.constant("load" as const), loc }),
  fc.constant({ k: "fence" as const }),
];

/** Steps that every architecture spells alike: loads, stores, full fences. */
export const commonSteps = fc.oneof(...plain);

export const mipsSteps = fc.oneof(
  ...plain,
  fc.record({ k: fc.constant("swap" as const), loc, v: value }),
  fc.record({ k: fc.constant("inc" as const), loc }),
  fc.record({ k: fc.constant("dataStore" as const), loc, v: value }),
  fc.record({ k: fc.constant("addrLoad" as const), loc }),
  fc.constant({ k: "skipIfSet" as const }),
);

export const x86Steps = fc.oneof(
  ...plain,
  fc.record({ k: fc.constant("swap" as const), loc, v: value }),
  fc.record({ k: fc.constant("inc" as const), loc }),
  fc.record({ k: fc.constant("plainInc" as const), loc }),
);

export const programs = (
  steps: fc.Arbitrary<Step>,
  maxThreads = 3,
  maxSteps = 3,
): fc.Arbitrary<Program> =>
  fc.array(fc.array(steps, { minLength: 1, maxLength: maxSteps }), {
    minLength: 2,
    maxLength: maxThreads,
  });

/**
 * The constraints: every loaded register and location shown (in the same
 * order for both architectures: thread, then load), the condition a filler.
 */
function tail(shown: string[]): string {
  const locations = shown.length > 0 ? `locations [${shown.join("; ")};]\n` : "";
  return `${locations}exists (${LOCS.map((l) => `${l}=0`).join(" /\\ ")})\n`;
}

/** Lays out per-thread instruction lists as herd's program table. */
function table(threads: string[][]): string {
  const rows = Math.max(...threads.map((t) => t.length));
  const width = threads.map((t, i) => Math.max(`P${i}`.length, ...t.map((s) => s.length)));
  const line = (cells: string[]) => ` ${cells.map((c, i) => c.padEnd(width[i]!)).join(" | ")} ;`;
  const out = [line(threads.map((_, i) => `P${i}`))];
  for (let r = 0; r < rows; r++) out.push(line(threads.map((t) => t[r] ?? "")));
  return out.join("\n");
}

/** The program as a MIPS test: addresses in $16-$18, loads into $2 upwards, temporaries from $10. */
export function mipsLitmus(p: Program, name = "random"): string {
  const base = (l: Loc) => `$${16 + LOCS.indexOf(l)}`;
  let labels = 0;
  const shown: string[] = [];
  const threads = p.map((steps, t) => {
    const out: string[] = [];
    let loaded = 1; // $2 is the first load's register
    let tmp = 10;
    const last = () => `$${loaded}`;
    // A skipIfSet at step i jumps to a label placed before step i + 2.
    const pending = new Map<number, string>();
    steps.forEach((s, i) => {
      const here = pending.get(i);
      if (here) out.push(`${here}:`);
      switch (s.k) {
        case "store":
          out.push(`ori $${tmp},$0,${s.v}`, `sw $${tmp++},0(${base(s.loc)})`);
          break;
        case "load":
          out.push(`lw $${++loaded},0(${base(s.loc)})`);
          break;
        case "fence":
          out.push("sync");
          break;
        case "swap":
          out.push(
            `ori $${tmp},$0,${s.v}`,
            `ll $${++loaded},0(${base(s.loc)})`,
            `sc $${tmp++},0(${base(s.loc)})`,
          );
          break;
        case "inc":
          out.push(
            `ll $${++loaded},0(${base(s.loc)})`,
            `addiu $${tmp},${last()},1`,
            `sc $${tmp++},0(${base(s.loc)})`,
          );
          break;
        case "dataStore":
          out.push(
            `xor $${tmp},${last()},${last()}`,
            `addiu $${tmp},$${tmp},${s.v}`,
            `sw $${tmp++},0(${base(s.loc)})`,
          );
          break;
        case "addrLoad":
          out.push(
            `xor $${tmp},${last()},${last()}`,
            `addu $${tmp},$${tmp},${base(s.loc)}`,
            `lw $${++loaded},0($${tmp++})`,
          );
          break;
        case "skipIfSet": {
          const label = `LS${labels++}`;
          pending.set(i + 2, label);
          out.push(`bne ${last()},$0,${label}`);
          break;
        }
        case "plainInc":
          throw new Error("plainInc is an X86 step");
      }
    });
    for (const [i, label] of pending) if (i >= steps.length) out.push(`${label}:`);
    for (let r = 2; r <= loaded; r++) shown.push(`${t}:$${r}`);
    return out;
  });
  const init = p.map((_, t) => LOCS.map((l) => `${t}:${base(l)}=${l};`).join(" ")).join("\n");
  return `MIPS ${name}\n{\n${init}\n}\n${table(threads)}\n${tail(shown)}`;
}

const X86_REGS = ["EAX", "EBX", "ECX", "EDX", "ESI", "EDI"];

/** The program as an X86 test: each load or exchange gets the next of EAX, EBX, ... */
export function x86Litmus(p: Program, name = "random"): string {
  const shown: string[] = [];
  const threads = p.map((steps, t) => {
    const out: string[] = [];
    let r = 0;
    for (const s of steps) {
      switch (s.k) {
        case "store":
          out.push(`MOV [${s.loc}],$${s.v}`);
          break;
        case "load":
          out.push(`MOV ${X86_REGS[r++ % X86_REGS.length]},[${s.loc}]`);
          break;
        case "fence":
          out.push("MFENCE");
          break;
        case "swap": {
          const reg = X86_REGS[r++ % X86_REGS.length]!;
          out.push(`MOV ${reg},$${s.v}`, `XCHG [${s.loc}],${reg}`);
          break;
        }
        case "inc":
          out.push(`LOCK INC [${s.loc}]`);
          break;
        case "plainInc":
          out.push(`INC [${s.loc}]`);
          break;
        default:
          throw new Error(`${s.k} is a MIPS step`);
      }
    }
    for (let k = 0; k < Math.min(r, X86_REGS.length); k++) shown.push(`${t}:${X86_REGS[k]}`);
    return out;
  });
  return `X86 ${name}\n{\n${LOCS.map((l) => `${l}=0;`).join(" ")}\n}\n${table(threads)}\n${tail(shown)}`;
}
