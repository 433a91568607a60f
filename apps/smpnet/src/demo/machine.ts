/*
 * The default experiment until netinet lands: a small demonstration of the
 * machine. Four CPUs; a NIC interrupting CPU 0 at IPL_VM; the handler wakes a
 * kernel thread that drains the "ring" and wakes the user threads waiting for
 * data; the user threads make system calls that bump a shared counter (the
 * cache line moves between CPUs) and compute in user mode.
 */

import { er4 } from "@smpnet/hw-octeon";
import {
  atomic_add,
  IPL_VM,
  PRI_KTHREAD,
  PRI_USER,
  type Profile,
  Simulation,
  sleep,
  syscall_enter,
  syscall_exit,
  type TimeSplit,
  wakeup,
  wakeup_one,
  work,
} from "@smpnet/sim";

export interface DemoOptions {
  seed: number;
  simulatedMs: number;
}

export interface DemoResult {
  profile: string;
  elapsedNs: number;
  interrupts: number;
  packets: number;
  counter: number;
  cpus: TimeSplit[];
}

/** Packets per NIC interrupt and the interrupt rate: estimates for a demo, not a model. */
const NIC_INTERVAL_NS = 50_000; // 20 kHz
const RX_HANDLER_CYCLES = 1_500;
const PER_PACKET_CYCLES = 4_000;
const USER_THREADS = 3;

export function runDemo(opts: DemoOptions, profile: Profile = er4): DemoResult {
  const sim = new Simulation({ seed: opts.seed });
  const host = sim.addHost({ name: "er4", profile });
  const rng = sim.rng;
  const counter = host.cacheline("so_counter", 0);
  let ring = 0;
  let packets = 0;
  let interrupts = 0;
  let ready = 0;

  host.kthread_create({
    name: "rxthread",
    pri: PRI_KTHREAD,
    cpu: 1,
    *body() {
      for (;;) {
        while (ring === 0) yield* sleep("ring");
        while (ring > 0) {
          ring--;
          packets++;
          yield* work(PER_PACKET_CYCLES);
          ready++;
          yield* wakeup_one("data");
        }
      }
    },
  });

  for (let i = 0; i < USER_THREADS; i++) {
    host.kthread_create({
      name: `iperf3.${i}`,
      pri: PRI_USER,
      user: true,
      cpu: 1 + i,
      *body() {
        for (;;) {
          syscall_enter();
          while (ready === 0) yield* sleep("data");
          ready--;
          yield* atomic_add(counter, 1);
          yield* work(2_000);
          syscall_exit();
          yield* work(rng.int(5_000, 40_000));
        }
      },
    });
  }

  const nic = host.intr_establish({
    name: "cnmac0",
    ipl: IPL_VM,
    cpu: 0,
    *handler() {
      interrupts++;
      yield* work(RX_HANDLER_CYCLES);
      ring += rng.int(1, 8);
      yield* wakeup("ring");
    },
  });
  const tick = () => {
    nic.raise();
    sim.after(rng.int(NIC_INTERVAL_NS / 2, (NIC_INTERVAL_NS * 3) / 2), tick);
  };
  sim.after(NIC_INTERVAL_NS, tick);

  const elapsedNs = sim.run(opts.simulatedMs * 1e6);
  return {
    profile: profile.name,
    elapsedNs,
    interrupts,
    packets,
    counter: counter.value as number,
    cpus: host.cpus.map((c) => c.timeSplit()),
  };
}
