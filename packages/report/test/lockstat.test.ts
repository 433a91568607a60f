import { describe, expect, it } from "vitest";
import { formatLockstat } from "../src/index.js";

describe("formatLockstat", () => {
  it("prints lockstat(8)'s sections, columns, <all> rows and ordering", () => {
    const text = formatLockstat(
      [
        {
          event: "Adaptive mutex spin",
          lock: "so_lock",
          caller: "sosend",
          count: 20235,
          timeNs: 253.74e6,
        },
        {
          event: "Adaptive mutex spin",
          lock: "so_lock",
          caller: "tcp_input",
          count: 160998,
          timeNs: 2617.66e6,
        },
        {
          event: "Adaptive mutex spin",
          lock: "softnet_lock",
          caller: "ipintr",
          count: 4410,
          timeNs: 85.76e6,
        },
        {
          event: "Kernel lock spin",
          lock: "kernel_lock",
          caller: "tcp_output",
          count: 3,
          timeNs: 0.5e6,
        },
      ],
      { elapsedNs: 10e9 },
    );
    expect(text).toBe(
      [
        "Elapsed time: 10.00 seconds.",
        "",
        "-- Adaptive mutex spin",
        "",
        "Total%  Count   Time/ms          Lock                     Caller",
        "------ ------- --------- ---------------------- ------------------------------",
        " 97.10  181233   2871.40 so_lock                <all>",
        " 88.52  160998   2617.66 so_lock                tcp_input",
        "  8.58   20235    253.74 so_lock                sosend",
        "  2.90    4410     85.76 softnet_lock           ipintr",
        "",
        "-- Kernel lock spin",
        "",
        "Total%  Count   Time/ms          Lock                     Caller",
        "------ ------- --------- ---------------------- ------------------------------",
        "100.00       3      0.50 kernel_lock            tcp_output",
        "",
      ].join("\n"),
    );
  });

  it("ranks by count with -c and says when nothing was recorded", () => {
    const rows = [
      { event: "Spin mutex spin", lock: "a", caller: "f", count: 1, timeNs: 9e6 },
      { event: "Spin mutex spin", lock: "b", caller: "g", count: 3, timeNs: 1e6 },
    ];
    const text = formatLockstat(rows, { elapsedNs: 1e9, byCount: true });
    expect(text.indexOf(" b ")).toBeLessThan(text.indexOf(" a "));
    expect(text).toContain(" 75.00       3      1.00 b");
    expect(formatLockstat([], { elapsedNs: 1e9 })).toBe(
      "Elapsed time: 1.00 seconds.\nNone of the selected events were recorded.\n",
    );
  });
});

describe("formatLockstat's flags", () => {
  const rows = [
    { event: "Adaptive mutex spin", lock: "so_lock", caller: "tcp_input", count: 400, timeNs: 8e6 },
    { event: "Adaptive mutex spin", lock: "so_lock", caller: "sosend", count: 100, timeNs: 2e6 },
    { event: "Adaptive mutex sleep", lock: "so_lock", caller: "sosend", count: 10, timeNs: 40e6 },
    { event: "RW lock spin", lock: "inp_lock", caller: "in_pcblookup", count: 50, timeNs: 1e6 },
    {
      event: "Kernel lock spin",
      lock: "kernel_lock",
      caller: "tcp_output",
      count: 20,
      timeNs: 3e6,
    },
  ];
  const sections = (text: string) => text.split("\n").filter((l) => l.startsWith("-- "));

  it("-s and -p divide counts and times by the seconds and the CPUs, and say so", () => {
    const text = formatLockstat(rows, {
      elapsedNs: 2e9,
      perSecond: true,
      perCpu: 4,
      event: "spin",
      type: "kernel_lock",
    });
    expect(text.split("\n")[0]).toBe(
      "Elapsed time: 2.00 seconds. Displaying per-CPU per-second averages.",
    );
    expect(text).toContain("100.00       3      0.38 kernel_lock            tcp_output");
  });

  it("-l prints one row per lock and no callers", () => {
    const text = formatLockstat(rows, {
      elapsedNs: 1e9,
      locksOnly: true,
      type: "adaptive_mutex",
      event: "spin",
    });
    expect(text.split("\n").slice(-2)).toEqual(["100.00     500     10.00 so_lock", ""]);
  });

  it("-E and -T keep one event kind and one lock type", () => {
    expect(sections(formatLockstat(rows, { elapsedNs: 1e9, event: "sleep" }))).toEqual([
      "-- Adaptive mutex sleep",
    ]);
    expect(sections(formatLockstat(rows, { elapsedNs: 1e9, event: "spin" }))).toEqual([
      "-- Adaptive mutex spin",
      "-- RW lock spin",
      "-- Kernel lock spin",
    ]);
    expect(sections(formatLockstat(rows, { elapsedNs: 1e9, type: "rwlock" }))).toEqual([
      "-- RW lock spin",
    ]);
  });

  it("-L and -F keep one lock and one calling function", () => {
    const byFunc = formatLockstat(rows, { elapsedNs: 1e9, func: "sosend" });
    expect(sections(byFunc)).toEqual(["-- Adaptive mutex spin", "-- Adaptive mutex sleep"]);
    expect(byFunc).not.toContain("tcp_input");
    expect(byFunc).toContain("100.00     100      2.00 so_lock                sosend");
    expect(sections(formatLockstat(rows, { elapsedNs: 1e9, lock: "inp_lock" }))).toEqual([
      "-- RW lock spin",
    ]);
    expect(formatLockstat(rows, { elapsedNs: 1e9, lock: "nope" })).toContain(
      "None of the selected events were recorded.",
    );
  });
});
