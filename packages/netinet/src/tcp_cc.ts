/*
 * The congestion control modules by name, after NetBSD's tcp_congctl.c
 * list (tcp_congctl_register, tcp_congctl_select): `newreno`, NetBSD's
 * default, and `cubic`. A socket picks one with TCP_CONGESTION (FreeBSD's
 * setsockopt); a new tcpcb takes the host's selected one.
 */

import { tcp_cubic_ctl } from "./tcp_cc_cubic.js";
import { type tcp_congctl, tcp_newreno_ctl } from "./tcp_congctl.js";

/** The registered modules (NetBSD's tcp_congctl_global_name list). */
export const tcp_congctls: ReadonlyMap<string, tcp_congctl> = new Map([
  [tcp_newreno_ctl.name, tcp_newreno_ctl],
  [tcp_cubic_ctl.name, tcp_cubic_ctl],
]);

/** The module called `name`, or null. */
export function tcp_congctl_lookup(name: string): tcp_congctl | null {
  return tcp_congctls.get(name) ?? null;
}
