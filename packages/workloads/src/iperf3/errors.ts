/*
 * iperf3's errors as it prints them (src/iperf_error.c iperf_strerror,
 * iperf_errexit): "iperf3: error - <what>: <strerror(errno)>" on stderr
 * and exit status 1; with -J a JSON document whose "error" says the same.
 * strerror's texts are glibc's, as the reference outputs were made on
 * Linux.
 */

import {
  EADDRINUSE,
  ECONNREFUSED,
  ECONNRESET,
  EINVAL,
  ENOBUFS,
  ENOPROTOOPT,
  EPIPE,
  ETIMEDOUT,
} from "@smpnet/netinet";

const STRERROR: Record<number, string> = {
  [ECONNREFUSED]: "Connection refused",
  [EADDRINUSE]: "Address already in use",
  [ENOBUFS]: "No buffer space available",
  [EINVAL]: "Invalid argument",
  [ENOPROTOOPT]: "Protocol not available",
  [ECONNRESET]: "Connection reset by peer",
  [EPIPE]: "Broken pipe",
  [ETIMEDOUT]: "Connection timed out",
};

export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** An error that ends the test: iperf3's text for it, with the errno's when there is one. */
export class Iperf3Error extends Error {
  constructor(what: string, errno = 0) {
    super(errno === 0 ? what : `${what}: ${strerror(errno)}`);
  }
}
