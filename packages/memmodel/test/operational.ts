/*
 * Operational machines, the independent side of the property tests. They run
 * a test's instructions one step at a time with concrete values and explore
 * every schedule (memoising states), collecting the final states:
 *
 * - "sc": an interleaving machine. Each instruction is one step on a single
 *   memory, except an X86 read-modify-write without LOCK, which reads in one
 *   step and writes in another. MIPS ll reserves its address; an sc may always
 *   fail, and succeeds only if no other thread wrote the address since the ll
 *   (herd's `empty rmw & (fre;coe)`).
 * - "tso": the x86-TSO abstract machine (Owens, Sarkar, Sewell 2009): each
 *   thread has a FIFO store buffer; a load takes the newest buffered store to
 *   its location, else memory; a buffered store reaches memory at any time;
 *   MFENCE and locked instructions wait for an empty buffer, and a locked
 *   instruction reads and writes memory in one step.
 *
 * Both compute instruction results with the same operations as herd (value.ts)
 * but nothing else of the checker: no events, no relations.
 */
import type { Address, Instr, LitmusTest, Location, Operand } from "../src/index.js";
import { applyOp, type Value } from "../src/value.js";

interface ThreadState {
  pc: number;
  regs: Map<string, Value>;
  /** The address an ll reserved, if no other thread has written it since. */
  reserved: string | undefined;
  /** The value read by the first step of an unlocked read-modify-write. */
  halfway: Value | undefined;
  buffer: [string, Value][];
}

interface State {
  threads: ThreadState[];
  mem: Map<string, Value>;
}

const clone = (s: State): State => ({
  threads: s.threads.map((t) => ({ ...t, regs: new Map(t.regs), buffer: [...t.buffer] })),
  mem: new Map(s.mem),
});

/** A state as a string, registers and locations listed in one fixed order. */
function key(s: State, regs: readonly string[][], locs: readonly string[]): string {
  const threads = s.threads.map(
    (t, i) =>
      `${t.pc},${t.reserved},${t.halfway},${regs[i]!.map((r) => t.regs.get(r)).join(",")},${t.buffer.join(",")}`,
  );
  return `${threads.join("|")}|${locs.map((l) => s.mem.get(l)).join(",")}`;
}

function must<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`operational machine: ${what}`);
  return v;
}

/** The registers an instruction writes or reads. */
function namedRegisters(i: Instr): string[] {
  const ops: Operand[] = [];
  if ("a" in i) ops.push(i.a, i.b);
  if ("value" in i) ops.push(i.value);
  if ("operand" in i) ops.push(i.operand);
  if ("addr" in i) ops.push(i.addr.base);
  const named = ops.flatMap((o) => ("reg" in o ? [o.reg] : []));
  if ("dst" in i) named.push(i.dst);
  if (i.kind === "sc") named.push(i.reg);
  return named;
}

export function operationalOutcomes(
  test: LitmusTest,
  mode: "sc" | "tso",
  observed: readonly Location[],
): Set<string> {
  const init: State = {
    threads: test.threads.map((t) => ({
      pc: 0,
      regs: new Map(
        test.init.flatMap((e) =>
          e.loc.kind === "reg" && e.loc.tid === t.id ? [[e.loc.reg, e.value]] : [],
        ),
      ),
      reserved: undefined,
      halfway: undefined,
      buffer: [],
    })),
    mem: new Map(test.locations.map((l) => [l, 0])),
  };
  for (const e of test.init) if (e.loc.kind === "mem") init.mem.set(e.loc.name, e.value);

  const read = (t: ThreadState, o: Operand): Value =>
    "imm" in o ? o.imm : o.reg === "$0" ? 0 : (t.regs.get(o.reg) ?? 0);
  const write = (t: ThreadState, r: string, v: Value) => {
    if (r !== "$0") t.regs.set(r, v);
  };
  const address = (t: ThreadState, a: Address): string => {
    const v = must(applyOp("add", read(t, a.base), a.offset), "address arithmetic");
    if (typeof v !== "string") throw new Error(`operational machine: address ${v}`);
    return v;
  };
  const load = (s: State, t: ThreadState, loc: string): Value => {
    for (let i = t.buffer.length - 1; i >= 0; i--)
      if (t.buffer[i]![0] === loc) return t.buffer[i]![1];
    return s.mem.get(loc) ?? 0;
  };
  /** A write reaching memory breaks other threads' reservations of its address. */
  const commit = (s: State, tid: number, loc: string, v: Value) => {
    s.mem.set(loc, v);
    s.threads.forEach((u, i) => {
      if (i !== tid && u.reserved === loc) u.reserved = undefined;
    });
  };
  const store = (s: State, tid: number, loc: string, v: Value) => {
    if (mode === "tso") s.threads[tid]!.buffer.push([loc, v]);
    else commit(s, tid, loc, v);
  };
  const flags = (t: ThreadState, a: Value, b: Value) => {
    write(t, "ZF", must(applyOp("eq", a, b), "ZF"));
    write(t, "SF", must(applyOp("gt", a, b), "SF"));
    write(t, "CF", 0);
  };

  /** The states after thread `tid` executes its next step; [] when it must wait. */
  function step(s0: State, tid: number): State[] {
    const i: Instr = test.threads[tid]!.code[s0.threads[tid]!.pc]!;
    const s = clone(s0);
    const t = s.threads[tid]!;
    const next = () => {
      t.pc++;
      return [s];
    };
    switch (i.kind) {
      case "op":
        write(t, i.dst, must(applyOp(i.op, read(t, i.a), read(t, i.b)), i.src.text));
        return next();
      case "flags":
        flags(t, read(t, i.a), read(t, i.b));
        return next();
      case "load": {
        const loc = address(t, i.addr);
        write(t, i.dst, load(s, t, loc));
        if (i.reserve) t.reserved = loc;
        return next();
      }
      case "store":
        store(s, tid, address(t, i.addr), read(t, i.value));
        return next();
      case "sc": {
        const loc = address(t, i.addr);
        const fail = clone(s);
        const f = fail.threads[tid]!;
        write(f, i.reg, 0);
        f.reserved = undefined;
        f.pc++;
        if (t.reserved !== loc) return [fail];
        commit(s, tid, loc, read(t, { reg: i.reg }));
        write(t, i.reg, 1);
        t.reserved = undefined;
        return [fail, ...next()];
      }
      case "rmw": {
        const loc = address(t, i.addr);
        if (i.locked && mode === "tso" && t.buffer.length > 0) return [];
        if (!i.locked && t.halfway === undefined) {
          t.halfway = load(s, t, loc);
          return [s];
        }
        const old = i.locked ? load(s, t, loc) : t.halfway!;
        t.halfway = undefined;
        const operand = read(t, i.operand);
        const value = i.op === "xchg" ? operand : must(applyOp(i.op, old, operand), i.src.text);
        if (i.locked) commit(s, tid, loc, value);
        else store(s, tid, loc, value);
        if (i.op === "xchg" && "reg" in i.operand) write(t, i.operand.reg, old);
        else flags(t, value, 0);
        return next();
      }
      case "fence":
        if (mode === "tso" && i.fence === "MFENCE" && t.buffer.length > 0) return [];
        return next();
      case "branch": {
        const a = read(t, i.a);
        const taken = {
          always: true,
          eq: a === read(t, i.b),
          ne: a !== read(t, i.b),
          lez: (a as number) <= 0,
          gtz: (a as number) > 0,
          ltz: (a as number) < 0,
          gez: (a as number) >= 0,
        }[i.test];
        if (!taken) return next();
        t.pc = i.target;
        return [s];
      }
      case "cmovc":
        if (read(t, { reg: "CF" }) !== 0) {
          write(t, i.dst, "reg" in i.from ? read(t, i.from) : load(s, t, address(t, i.from.addr)));
        }
        return next();
    }
  }

  const regs = init.threads.map((_, i) => [
    ...new Set([
      ...init.threads[i]!.regs.keys(),
      ...test.threads[i]!.code.flatMap(namedRegisters),
      "ZF",
      "SF",
      "CF",
    ]),
  ]);
  const locs = [...init.mem.keys()];
  const outcomes = new Set<string>();
  const seen = new Set<string>();
  const explore = (s: State) => {
    const k = key(s, regs, locs);
    if (seen.has(k)) return;
    seen.add(k);
    let moved = false;
    s.threads.forEach((t, tid) => {
      if (t.buffer.length > 0) {
        const u = clone(s);
        const [loc, v] = u.threads[tid]!.buffer.shift()!;
        commit(u, tid, loc, v);
        moved = true;
        explore(u);
      }
      if (t.pc < test.threads[tid]!.code.length) {
        for (const u of step(s, tid)) {
          moved = true;
          explore(u);
        }
      }
    });
    if (!moved) {
      outcomes.add(
        observed
          .map((l) =>
            l.kind === "mem"
              ? s.mem.get(l.name)
              : l.reg === "$0"
                ? 0
                : (s.threads[l.tid]!.regs.get(l.reg) ?? 0),
          )
          .join(";"),
      );
    }
  };
  explore(init);
  return outcomes;
}
