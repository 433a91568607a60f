/*
 * A machine's network interface as plain data: ports and speed, the rings the
 * driver posts, how it takes interrupts, which offloads the hardware and
 * driver provide. The simulated machine (@smpnet/sim) has no NIC; the driver
 * model of @smpnet/netinet will read this. A user's own NIC is a plain object
 * that passes validateNic, with errors that name the field, as the machine's
 * validateProfile does for profiles.
 *
 * It lives here, beside the profile type, because the hardware packages that
 * describe NICs may depend only on @smpnet/sim.
 */

import * as v from "valibot";
import { checkSchema, sourceGaps } from "./schema-check.js";

const whole = (what: string, min: number) =>
  v.pipe(
    v.number(`expected ${what}`),
    v.integer(`expected a whole number (${what})`),
    v.minValue(min, `expected at least ${min} (${what})`),
  );

const flag = (what: string) => v.boolean(`expected true or false (${what})`);

export const NicSchema = v.strictObject({
  /** The hardware and the driver that runs it. */
  name: v.pipe(v.string("expected a name"), v.minLength(1, "expected a non-empty name")),
  ports: whole("a number of ports", 1),
  /** Link speed of each port. */
  speedMbps: whole("a link speed in Mbit/s, e.g. 1000", 1),
  mtuBytes: whole("an MTU in bytes, e.g. 1500", 68),
  /** Receive queues with an interrupt of their own, over all ports. */
  rxQueues: whole("a number of receive queues, each with its own interrupt", 1),
  /** Receive buffers the driver keeps posted to each receive queue. */
  rxRingSize: whole("a number of receive buffers per receive queue", 1),
  /** Packets each transmit queue can hold before the driver stops the interface queue. */
  txRingSize: whole("a number of transmit slots per transmit queue", 1),
  /** Packets the driver takes per interrupt before it defers the rest. */
  rxProcessLimit: v.union(
    [v.literal("unlimited"), whole("a number of packets per interrupt", 1)],
    'expected a number of packets per interrupt, or "unlimited" when the driver drains the queue',
  ),
  interruptModeration: v.strictObject({
    /** Longest a received packet waits for the interrupt that reports it. */
    holdoffUs: v.pipe(
      v.number("expected microseconds a packet may wait for its interrupt"),
      v.finite("expected a finite number of microseconds"),
      v.minValue(0, "expected a non-negative number of microseconds"),
    ),
    adaptive: flag("does the driver retune the hold-off with the load?"),
  }),
  /** What the hardware and its driver can do; whether it is used is the kernel's choice. */
  offloads: v.strictObject({
    rxChecksum: flag("does the NIC verify IPv4/TCP/UDP checksums on receive?"),
    txChecksum: flag("does the NIC compute IPv4/TCP/UDP checksums on transmit?"),
    tso: flag("does the NIC segment large TCP sends (TSO)?"),
    lro: flag("does the NIC or driver coalesce received TCP segments (LRO)?"),
  }),
});

export type Nic = v.InferOutput<typeof NicSchema>;

/**
 * Checks a NIC description and returns it typed; throws a SimError naming
 * every wrong, missing or unknown field (`nic.rxRingSize: expected ...`).
 */
export function validateNic(input: unknown, what = "nic"): Nic {
  return checkSchema(NicSchema, input, what, "Nic");
}

/** The dotted path of every constant of a NIC: each leaf but its name. */
export function nicConstants(nic: Nic): string[] {
  const out: string[] = [];
  const walk = (o: unknown, path: string) => {
    if (o !== null && typeof o === "object") {
      for (const [k, x] of Object.entries(o)) walk(x, path ? `${path}.${k}` : k);
    } else if (path !== "name") {
      out.push(path);
    }
  };
  walk(nic, "");
  return out;
}

/**
 * What a NIC's record of sources leaves out (`missing`: constants with no
 * source) or keeps for nothing (`stale`: sources of no constant), as
 * profileSourceGaps does for profiles.
 */
export function nicSourceGaps(
  nic: Nic,
  sources: Readonly<Record<string, string>>,
): { missing: string[]; stale: string[] } {
  return sourceGaps(nicConstants(nic), sources);
}
