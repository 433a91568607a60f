/*
 * strerror(3) for the errnos the modelled kernel returns to the tools.
 * The texts are glibc's, as the reference outputs were made on Linux.
 */

import {
  EADDRINUSE,
  ECONNREFUSED,
  ECONNRESET,
  EINVAL,
  EMSGSIZE,
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
  [EMSGSIZE]: "Message too long",
  [ENOPROTOOPT]: "Protocol not available",
  [ECONNRESET]: "Connection reset by peer",
  [EPIPE]: "Broken pipe",
  [ETIMEDOUT]: "Connection timed out",
};

export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}
