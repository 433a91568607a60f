import { describe, expect, it } from "vitest";
import {
  IPL_HIGH,
  ipi_broadcast,
  ipi_send,
  nanotime,
  PRI_KERNEL,
  Simulation,
  sleep,
  work,
} from "../src/index.js";
import { testProfile } from "./fixtures.js";

describe("hosts", () => {
  it("interleaves the events of two hosts on one clock in time order", () => {
    const sim = new Simulation({ seed: 7 });
    const a = sim.addHost({ name: "sut", profile: testProfile(2) });
    const b = sim.addHost({ name: "peer", profile: { ...testProfile(1), clockGHz: 2 } });
    const log: [number, string][] = [];
    for (const [host, period] of [
      [a, 7_000],
      [b, 5_000],
    ] as const) {
      host.kthread_create({
        name: "ticker",
        pri: PRI_KERNEL,
        *body() {
          for (let i = 0; i < 20; i++) {
            yield* sleep("never", period);
            log.push([nanotime(), host.name]);
          }
        },
      });
    }
    sim.run();
    const times = log.map(([t]) => t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(new Set(log.map(([, h]) => h))).toEqual(new Set(["sut", "peer"]));
    // hosts alternate rather than one running ahead of the other
    expect(log.slice(0, 6).map(([, h]) => h)).toContain("peer");
    expect(log.slice(0, 6).map(([, h]) => h)).toContain("sut");
  });

  it("runs an ideal host's work in no simulated time", () => {
    const sim = new Simulation({ seed: 7 });
    const peer = sim.addHost({ name: "peer", profile: testProfile(1), ideal: true });
    let end = -1;
    peer.kthread_create({
      name: "t",
      pri: PRI_KERNEL,
      *body() {
        for (let i = 0; i < 1000; i++) yield* work(1e6);
        end = nanotime();
      },
    });
    sim.run();
    expect(end).toBe(0);
    expect(peer.cpus[0]!.timeSplit().kernel).toBe(0);
  });

  it("delivers an IPI after the profile's delivery time and a broadcast to every other CPU", () => {
    const sim = new Simulation({ seed: 7 });
    const host = sim.addHost({ name: "sut", profile: testProfile(4) });
    const got: [number, number][] = [];
    host.kthread_create({
      name: "sender",
      pri: PRI_KERNEL,
      cpu: 0,
      bound: true,
      *body() {
        yield* ipi_send(
          2,
          function* (cpu) {
            got.push([cpu.index, nanotime()]);
          },
          IPL_HIGH,
        );
        yield* ipi_broadcast(function* (cpu) {
          got.push([cpu.index, nanotime()]);
        }, IPL_HIGH);
      },
    });
    sim.run();
    // switch-in 1000; send 10 + delivery 500; handler after entry 100
    expect(got[0]).toEqual([2, 1000 + 10 + 500 + 100]);
    expect(
      got
        .slice(1)
        .map(([c]) => c)
        .sort(),
    ).toEqual([1, 2, 3]);
  });
});
