/*
 * What a user program wrote into a stream, for the bytes that mean
 * something to the other end (iperf3's cookie, its state bytes and JSON,
 * netperf's requests). netinet counts bytes and carries no payload, so the
 * content of each connection's direction is kept here, in order, and the
 * reader takes as many bytes as its read returned: TCP delivers the stream
 * whole and in order, so the n-th byte read is the n-th byte written. Bulk
 * data (iperf3's blocks) has no content worth keeping and is not recorded:
 * a writer records only what it writes before any bulk data.
 */

import { type socket, sys_recvfrom, sys_sendto, uio } from "@smpnet/netinet";
import type { KernelGen } from "@smpnet/sim";

function key(laddr: number, lport: number, faddr: number, fport: number): string {
  return `${laddr}:${lport}>${faddr}:${fport}`;
}

export class StreamContent {
  private readonly pending = new Map<string, number[]>();

  /** Records bytes `so` is about to write. */
  wrote(so: socket, bytes: readonly number[]): void {
    const inp = so.so_pcb!;
    const k = key(so.stack.addr, inp.inp_lport, inp.inp_faddr, inp.inp_fport);
    const q = this.pending.get(k);
    if (q === undefined) this.pending.set(k, [...bytes]);
    else for (const b of bytes) q.push(b);
  }

  /** The `n` bytes `so` has just read, from what its peer wrote. */
  read(so: socket, n: number): number[] {
    const inp = so.so_pcb!;
    const q = this.pending.get(key(inp.inp_faddr, inp.inp_fport, so.stack.addr, inp.inp_lport));
    return q === undefined ? [] : q.splice(0, n);
  }
}

export function asciiBytes(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

export function bytesAscii(b: readonly number[]): string {
  return String.fromCharCode(...b);
}

/** A connected stream socket whose bytes mean something: whole writes, exact reads. */
export class StreamIO {
  private readonly u = new uio();
  constructor(
    readonly so: socket,
    private readonly content: StreamContent,
  ) {}

  /** write(2) of these bytes: 0 or the errno. */
  *write(bytes: readonly number[]): KernelGen<number> {
    this.content.wrote(this.so, bytes);
    this.u.uio_resid = bytes.length;
    return yield* sys_sendto(this.so, this.u);
  }

  /** read(2) until exactly `n` bytes came; null at end of file or on an error. */
  *read(n: number): KernelGen<number[] | null> {
    const got: number[] = [];
    while (got.length < n) {
      this.u.uio_resid = n - got.length;
      const e = yield* sys_recvfrom(this.so, this.u);
      if (e !== 0 || this.u.data_len === 0) return null;
      got.push(...this.content.read(this.so, this.u.data_len));
    }
    return got;
  }
}
