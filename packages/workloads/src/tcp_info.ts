/*
 * getsockopt(2) for what the tools read back from the kernel: TCP_INFO
 * (after FreeBSD sys/netinet/tcp_usrreq.c tcp_fill_info, the fields iperf3
 * reads: tcpi_snd_cwnd and tcpi_snd_wnd in bytes, tcpi_rtt and
 * tcpi_rttvar in microseconds, tcpi_snd_rexmitpack, tcpi_snd_mss),
 * SO_SNDBUF and SO_RCVBUF. netinet has no getsockopt of its own yet, so
 * the call is made here: the trap's cost, then the reads a kernel makes.
 */

import type { socket } from "@smpnet/netinet";
import { type KernelGen, syscall_enter, syscall_exit, work } from "@smpnet/sim";

export interface tcp_info {
  tcpi_snd_cwnd: number;
  tcpi_snd_wnd: number;
  tcpi_rtt: number;
  tcpi_rttvar: number;
  tcpi_snd_rexmitpack: number;
  tcpi_snd_mss: number;
}

function* getsockopt<T>(so: socket, read: () => T): KernelGen<T> {
  syscall_enter();
  yield* work(so.stack.costs.syscallCycles);
  const v = read();
  syscall_exit();
  return v;
}

/** getsockopt(IPPROTO_TCP, TCP_INFO); all zero for a connection already gone. */
export function sys_getsockopt_tcp_info(so: socket): KernelGen<tcp_info> {
  return getsockopt(so, () => {
    const tp = so.so_pcb?.inp_ppcb ?? null;
    return {
      tcpi_snd_cwnd: tp?.snd_cwnd ?? 0,
      tcpi_snd_wnd: tp?.snd_wnd ?? 0,
      tcpi_rtt: Math.trunc((tp?.t_srtt ?? 0) / 1_000),
      tcpi_rttvar: Math.trunc((tp?.t_rttvar ?? 0) / 1_000),
      tcpi_snd_rexmitpack: tp?.t_sndrexmitpack ?? 0,
      tcpi_snd_mss: tp?.t_segsz ?? 0,
    };
  });
}

/** getsockopt(SOL_SOCKET, SO_SNDBUF / SO_RCVBUF): the buffers' high-water marks. */
export function sys_getsockopt_bufsizes(so: socket): KernelGen<{ snd: number; rcv: number }> {
  return getsockopt(so, () => ({ snd: so.so_snd.sb_hiwat, rcv: so.so_rcv.sb_hiwat }));
}
