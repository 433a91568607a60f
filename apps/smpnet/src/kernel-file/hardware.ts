/*
 * The hardware a kernel file may name: each a core profile, its NIC and the
 * cycle costs of the network path on that core, all data from the hw
 * packages (each constant there says where it comes from).
 */
import { cn78xx, cn78xxNic, cnmipsNetCosts, er4, er4Nic } from "@smpnet/hw-octeon";
import { x86, x86NetCosts, x86Nic } from "@smpnet/hw-x86";
import type { NetCosts, Nic, Profile } from "@smpnet/sim";

export interface Hardware {
  profile: Profile;
  nic: Nic;
  netCosts: NetCosts;
  /** One line for `--help` and error messages. */
  about: string;
}

export const HARDWARE = {
  er4: {
    profile: er4,
    nic: er4Nic,
    netCosts: cnmipsNetCosts,
    about: "EdgeRouter-4: Cavium Octeon CN7130, 4 cnMIPS64 cores, 1 GbE",
  },
  cn78xx: {
    profile: cn78xx,
    nic: cn78xxNic,
    netCosts: cnmipsNetCosts,
    about: "a large Octeon III: CN78xx, 48 cores, 10 GbE",
  },
  x86: {
    profile: x86,
    nic: x86Nic,
    netCosts: x86NetCosts,
    about: "an x86-64 server: 16 cores (TSO), Intel 82599 10 GbE",
  },
} as const satisfies Record<string, Hardware>;

export type HardwareName = keyof typeof HARDWARE;
export const HARDWARE_NAMES = Object.keys(HARDWARE) as HardwareName[];
