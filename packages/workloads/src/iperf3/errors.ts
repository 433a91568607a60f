/*
 * iperf3's errors as it prints them (src/iperf_error.c iperf_strerror,
 * iperf_errexit): "iperf3: error - <what>: <strerror(errno)>" on stderr
 * and exit status 1; with -J a JSON document whose "error" says the same.
 */

import { strerror } from "../strerror.js";

/** An error that ends the test: iperf3's text for it, with the errno's when there is one. */
export class Iperf3Error extends Error {
  constructor(what: string, errno = 0) {
    super(errno === 0 ? what : `${what}: ${strerror(errno)}`);
  }
}
