/*
 * The congestion control modules by name, after NetBSD's tcp_congctl.c
 * list (tcp_congctl_register, tcp_congctl_select): `newreno`, NetBSD's
 * default, and `cubic`. A socket picks one with TCP_CONGESTION (FreeBSD's
 * setsockopt); a new tcpcb takes the host's selected one, by default its
 * preset's (a name, so not among tcp_sysctl.ts's numeric values).
 */

import { tcp_cubic_ctl } from "./tcp_cc_cubic.js";
import { type tcp_congctl, tcp_newreno_ctl } from "./tcp_congctl.js";
import type { SysctlPreset } from "./tcp_sysctl.js";

/** The registered modules (NetBSD's tcp_congctl_global_name list). */
export const tcp_congctls: ReadonlyMap<string, tcp_congctl> = new Map([
  [tcp_newreno_ctl.name, tcp_newreno_ctl],
  [tcp_cubic_ctl.name, tcp_cubic_ctl],
]);

/** The module called `name`, or null. */
export function tcp_congctl_lookup(name: string): tcp_congctl | null {
  return tcp_congctls.get(name) ?? null;
}

/** Each preset's default module: NetBSD's net.inet.tcp.congctl.selected, FreeBSD's net.inet.tcp.cc.algorithm. */
export const tcp_cc_default: Readonly<Record<SysctlPreset, string>> = {
  netbsd: "newreno", // tcp_congctl.c tcp_congctl_global_name = "newreno"
  freebsd: "cubic", // cc/cc.c CC_DEFAULT "cubic" (net.inet.tcp.cc.algorithm)
};
