/*
 * Internet protocol control blocks, after NetBSD sys/netinet/in_pcb.c: one
 * inpcb per socket with its local and foreign address and port, in a table
 * per protocol with two hashes, one by local port (bound and listening
 * pcbs) and one by the whole 4-tuple (connected pcbs). Lookups on the input
 * path try the 4-tuple first, then the local port (in_pcblookup_connect,
 * in_pcblookup_bind). Every pcb compared costs a load of its line.
 *
 * Port sharing is in_pcbbind's: a socket without SO_REUSEADDR or
 * SO_REUSEPORT may not bind a port any pcb has; with either, only a pcb
 * bound to the same address and not connected conflicts, and not even
 * that one if both sockets set SO_REUSEPORT. So a UDP server can connect
 * its socket to one client and bind a fresh one to the same port for the
 * next, and the input path finds each client's socket by the 4-tuple
 * first. A connect whose 4-tuple a connected pcb already has (one in
 * TIME_WAIT too: NetBSD keeps the whole pcb for 2MSL) gets EADDRINUSE, as
 * in_pcbconnect's in_pcblookup_connect (FreeBSD's in_pcbconnect_setup has
 * the same rule).
 *
 * As NetBSD's, an accepted connection's pcb is not in the port hash under
 * its port: in_pcballoc puts it in the chain of port 0, and syn_cache_get
 * sets inp_lport and moves it only between the bind and connect hashes
 * (in_pcbstate), so a listener's port may be bound again, without
 * SO_REUSEADDR, while its connections live (FreeBSD's in_pcbinshash would
 * refuse it). Left out: multicast addresses (where SO_REUSEADDR counts as
 * SO_REUSEPORT) and the check between different users' sockets.
 *
 * pcbs come from a pool_cache (NetBSD's inpcb_pool is a plain pool; the
 * policies that read the table without a lock choose one of the kinds
 * @smpnet/core offers, and how a detached pcb goes back to it: its
 * `pool` and `pcb_free`, set by the policy's attach). The lock points
 * pcb_lookup and pcb_change protect the table; which lock that is, is the
 * policy's choice.
 */

import { type PoolItem, pool_cache_get, pool_cache_put, type pool_cache_t } from "@smpnet/core";
import { after, done, type KernelGen, type KernelOp, load, paid, work } from "@smpnet/sim";
import { INPCBHASH_SIZE, IPPORT_ANONMIN } from "./constants.js";
import { EADDRINUSE, SO_REUSEADDR, SO_REUSEPORT, type socket } from "./socketvar.js";
import type { NetStack } from "./stack.js";
import type { tcpcb } from "./tcp_var.js";

export class inpcb {
  inp_laddr = 0;
  inp_lport = 0;
  inp_faddr = 0;
  inp_fport = 0;
  /** In the 4-tuple hash (connected) or only in the port hash. */
  connected = false;
  /** The protocol's control block (inp_ppcb): TCP's tcpcb. */
  inp_ppcb: tcpcb | null = null;

  constructor(
    readonly inp_socket: socket,
    readonly table: inpcbtable,
    /** The pcb's memory, from the table's pool_cache. */
    readonly item: PoolItem,
  ) {}
}

const mask = INPCBHASH_SIZE - 1;

function connectHash(faddr: number, fport: number, lport: number): number {
  return ((faddr >>> 0) ^ (faddr >>> 16) ^ fport ^ (lport * 31)) & mask;
}

export class inpcbtable {
  readonly byPort: inpcb[][] = Array.from({ length: INPCBHASH_SIZE }, () => []);
  readonly byConnect: inpcb[][] = Array.from({ length: INPCBHASH_SIZE }, () => []);
  /** The next anonymous port to try (in_pcbsetport). */
  private lastport = IPPORT_ANONMIN - 1;
  count = 0;
  /** in_pcbfree: gives a detached pcb's memory back (default: straight to `pool`). */
  pcb_free: (item: PoolItem) => KernelOp<void> = (item) => pool_cache_put(this.pool, item);

  constructor(
    readonly stack: NetStack,
    readonly name: string,
    /** Where pcbs come from; a policy whose readers take no lock may give the table another. */
    public pool: pool_cache_t,
  ) {}

  portInUse(lport: number): boolean {
    return this.byPort[lport & mask]!.some((p) => p.inp_lport === lport);
  }

  /** in_pcbsetport: an unused anonymous port. */
  anonport(): number {
    for (let i = 0; i < 65_536 - IPPORT_ANONMIN; i++) {
      this.lastport = this.lastport >= 65_535 ? IPPORT_ANONMIN : this.lastport + 1;
      if (!this.portInUse(this.lastport)) return this.lastport;
    }
    return 0;
  }
}

/** in_pcballoc: a pcb for `so`, unbound, not yet in any hash. */
export function* in_pcballoc(table: inpcbtable, so: socket): KernelGen<inpcb> {
  const item = yield* pool_cache_get(table.pool);
  const inp = new inpcb(so, table, item);
  so.so_pcb = inp;
  return inp;
}

/**
 * in_pcblookup_port: the pcb on `lport` that matches `laddr` best, counting
 * a foreign address and a wildcard local address as one mismatch each;
 * without `wildcard`, only an exact match (unconnected, same address).
 */
function in_pcblookup_port(
  t: inpcbtable,
  laddr: number,
  lport: number,
  wildcard: boolean,
): inpcb | null {
  let match: inpcb | null = null;
  let matchwild = 3;
  for (const inp of t.byPort[lport & mask]!) {
    if (inp.inp_lport !== lport) continue;
    let wild = inp.connected ? 1 : 0;
    if (inp.inp_laddr === 0 ? laddr !== 0 : laddr === 0) wild++;
    else if (inp.inp_laddr !== laddr) continue;
    if (wild > 0 && !wildcard) continue;
    if (wild < matchwild) {
      match = inp;
      matchwild = wild;
      if (wild === 0) break;
    }
  }
  return match;
}

/** Whether `inp`'s socket may bind `laddr`:`lport` (in_pcbbind's check of a given port). */
function bind_allowed(inp: inpcb, laddr: number, lport: number): boolean {
  const opts = inp.inp_socket.so_options;
  const reuseport = opts & SO_REUSEPORT;
  const wild = (opts & (SO_REUSEADDR | SO_REUSEPORT)) === 0;
  const t = in_pcblookup_port(inp.table, laddr, lport, wild);
  return t === null || (reuseport & t.inp_socket.so_options) !== 0;
}

/** in_pcbbind: the local address and port (0: an anonymous one); false if taken. */
export function* in_pcbbind(inp: inpcb, laddr: number, lport: number): KernelGen<boolean> {
  const t = inp.table;
  const locks = t.stack.locks;
  yield* locks.pcb_change.enter(t);
  const port = lport === 0 ? t.anonport() : lport;
  const ok = port !== 0 && (lport === 0 || bind_allowed(inp, laddr, port));
  if (ok) {
    inp.inp_laddr = laddr;
    inp.inp_lport = port;
    t.byPort[port & mask]!.push(inp);
    t.count++;
    yield* work(t.stack.costs.pcbLookupCycles);
  }
  yield* locks.pcb_change.exit(t);
  return ok;
}

/**
 * in_pcbconnect: the foreign address and port; moves the pcb into the
 * 4-tuple hash. EADDRINUSE when a connected pcb, one in TIME_WAIT
 * included, already has the 4-tuple (in_pcblookup_connect finds it).
 */
export function* in_pcbconnect(inp: inpcb, faddr: number, fport: number): KernelGen<number> {
  const t = inp.table;
  const locks = t.stack.locks;
  yield* locks.pcb_change.enter(t);
  const chain = t.byConnect[connectHash(faddr, fport, inp.inp_lport)]!;
  // an unbound local address is the host's, the one in_selectsrc would give
  const laddr = inp.inp_laddr || t.stack.addr;
  for (const p of chain) {
    yield* load(p.item.line);
    if (
      p.inp_faddr === faddr &&
      p.inp_fport === fport &&
      p.inp_lport === inp.inp_lport &&
      (p.inp_laddr || t.stack.addr) === laddr
    ) {
      yield* locks.pcb_change.exit(t);
      return EADDRINUSE;
    }
  }
  inp.inp_faddr = faddr;
  inp.inp_fport = fport;
  inp.connected = true;
  chain.push(inp);
  yield* work(t.stack.costs.pcbLookupCycles);
  yield* locks.pcb_change.exit(t);
  return 0;
}

/** in_pcbdetach: out of the hashes, and its memory back to the pool_cache. */
export function* in_pcbdetach(inp: inpcb): KernelGen {
  const t = inp.table;
  const locks = t.stack.locks;
  yield* locks.pcb_change.enter(t);
  const remove = (chain: inpcb[]) => {
    const i = chain.indexOf(inp);
    if (i >= 0) chain.splice(i, 1);
    return i >= 0;
  };
  if (remove(t.byPort[inp.inp_lport & mask]!)) t.count--;
  if (inp.connected) remove(t.byConnect[connectHash(inp.inp_faddr, inp.inp_fport, inp.inp_lport)]!);
  yield* locks.pcb_change.exit(t);
  inp.inp_socket.so_pcb = null;
  yield* t.pcb_free(inp.item);
}

/**
 * in_pcblookup: the connected pcb of the 4-tuple, else the pcb bound to the
 * local port with no foreign address; null if none. Call inside the
 * pcb_lookup lock point.
 */
export function in_pcblookup(
  t: inpcbtable,
  faddr: number,
  fport: number,
  laddr: number,
  lport: number,
): KernelOp<inpcb | null> {
  const o = work(t.stack.costs.pcbLookupCycles);
  return paid(o)
    ? in_pcblookup_chains(t, faddr, fport, laddr, lport, 0, 0)
    : after(o, in_pcblookup_chains, t, faddr, fport, laddr, lport, 0, 0);
}

/*
 * in_pcblookup's search, a plain function while each pcb's line loads in
 * place: from entry `i` of the connected chain (`chain` 0) or of the port's
 * (1). A load that must go through the loop hands the rest to `after`,
 * which tests that pcb and goes on from the next entry of the chain as it
 * is then (as the array iterator of a loop would).
 */
function in_pcblookup_chains(
  t: inpcbtable,
  faddr: number,
  fport: number,
  laddr: number,
  lport: number,
  chain: number,
  i: number,
): KernelOp<inpcb | null> {
  if (chain === 0) {
    const bucket = t.byConnect[connectHash(faddr, fport, lport)]!;
    for (; i < bucket.length; i++) {
      const inp = bucket[i]!;
      const o = load(inp.item.line);
      if (!paid(o)) return after(o, in_pcblookup_tested, t, faddr, fport, laddr, lport, 0, i, inp);
      if (connectedMatch(inp, faddr, fport, laddr, lport)) return done(inp);
    }
    i = 0;
  }
  const bucket = t.byPort[lport & mask]!;
  for (; i < bucket.length; i++) {
    const inp = bucket[i]!;
    const o = load(inp.item.line);
    if (!paid(o)) return after(o, in_pcblookup_tested, t, faddr, fport, laddr, lport, 1, i, inp);
    if (boundMatch(inp, laddr, lport)) return done(inp);
  }
  return done(null);
}

/** After the load of `inp`, entry `i` of `chain`, went through the loop: test it, then go on. */
function in_pcblookup_tested(
  t: inpcbtable,
  faddr: number,
  fport: number,
  laddr: number,
  lport: number,
  chain: number,
  i: number,
  inp: inpcb,
): KernelOp<inpcb | null> {
  if (
    chain === 0 ? connectedMatch(inp, faddr, fport, laddr, lport) : boundMatch(inp, laddr, lport)
  ) {
    return done(inp);
  }
  return in_pcblookup_chains(t, faddr, fport, laddr, lport, chain, i + 1);
}

function connectedMatch(
  inp: inpcb,
  faddr: number,
  fport: number,
  laddr: number,
  lport: number,
): boolean {
  return (
    inp.inp_faddr === faddr &&
    inp.inp_fport === fport &&
    inp.inp_lport === lport &&
    (inp.inp_laddr === 0 || inp.inp_laddr === laddr)
  );
}

function boundMatch(inp: inpcb, laddr: number, lport: number): boolean {
  return (
    inp.inp_lport === lport && !inp.connected && (inp.inp_laddr === 0 || inp.inp_laddr === laddr)
  );
}
