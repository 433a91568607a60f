// pnpm bench (issue 19, "Speed"):
// sweep-scaling: a 16-run sweep of short runs through the CLI on 2 worker
// threads, its wall time as a fraction of the same sweep on 1 (the floor is
// 0.55); the two outputs must be the same to the byte.
// long-run-heap: `iperf3 -c dut -R` on the ER-4 (giant, the app's default
// kernel) through the app's run path (collector, lockstat, trace), the heap
// sampled after a full GC every simulated 0.1 s; the least-squares slope of
// the samples after the first quarter, in bytes per simulated second. The
// issue asks for 600 simulated seconds (`node --expose-gc bench/run.mjs heap
// 600`, about 20 wall minutes on an idle core); `pnpm bench` runs 2 (-t takes
// whole seconds).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runOne } from "../dist/run/run-one.js";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "../dist/cli.js");

// 2 kernels x 2 workloads x 4 seeds; each run one to three wall seconds, so
// the pool's fixed costs (worker start, the results' transfer) are small
const MATRIX = {
  kernels: [
    { policy: "giant", cpus: 2 },
    { policy: "split", reclamation: "smr", cpus: 2 },
  ],
  workloads: ["iperf3 -c dut -n 64M", "netperf -H dut -t TCP_RR -l -16000"],
  seeds: [1, 2, 3, 4],
};

function sweepScaling() {
  const dir = mkdtempSync(join(tmpdir(), "smpnet-bench-"));
  try {
    const matrix = join(dir, "matrix.json");
    writeFileSync(matrix, JSON.stringify(MATRIX));
    const sweep = (workers) => {
      const t = performance.now();
      const out = execFileSync(process.execPath, [cli, "sweep", matrix, "--workers", workers], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 1 << 30,
      });
      return { out, ms: performance.now() - t };
    };
    const one = sweep("1");
    const two = sweep("2");
    if (one.out !== two.out)
      throw new Error("sweep-scaling: 2 workers printed another sweep than 1");
    const runs = one.out.trim().split("\n").length;
    console.log(
      JSON.stringify({
        name: "sweep-scaling",
        ratio: +(two.ms / one.ms).toFixed(3),
        runs,
        oneWorkerS: +(one.ms / 1e3).toFixed(1),
        twoWorkersS: +(two.ms / 1e3).toFixed(1),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SAMPLE_NS = 100_000_000;

/** Least-squares slope of y over x. */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
}

function longRunHeap(seconds) {
  if (typeof globalThis.gc !== "function")
    throw new Error("long-run-heap: run node with --expose-gc");
  const t = performance.now();
  const samples = [];
  const sample = (sim) => {
    globalThis.gc();
    samples.push([sim.now / 1e9, process.memoryUsage().heapUsed]);
    if (sim.now < seconds * 1e9) sim.after(SAMPLE_NS, sample, sim);
  };
  const spec = { hw: "er4", policy: "giant", softint: "netbsd" };
  const result = runOne(spec, ["iperf3", "-c", "dut", "-R", "-t", String(seconds)], 1, (k) =>
    k.sim.after(SAMPLE_NS, sample, k.sim),
  );
  if (result.output.status !== 0)
    throw new Error(`long-run-heap: iperf3 failed: ${result.output.stderr}`);
  const kept = samples.slice(Math.floor(samples.length / 4));
  const heap = kept.map(([, h]) => h);
  console.log(
    JSON.stringify({
      name: "long-run-heap",
      growthBytesPerSimSecond: Math.round(
        slope(
          kept.map(([s]) => s),
          heap,
        ),
      ),
      simulatedSeconds: seconds,
      samples: kept.length,
      heapMinMB: +(Math.min(...heap) / 2 ** 20).toFixed(1),
      heapMaxMB: +(Math.max(...heap) / 2 ** 20).toFixed(1),
      wallS: +((performance.now() - t) / 1e3).toFixed(1),
    }),
  );
}

const [which, arg] = process.argv.slice(2);
if (which === undefined || which === "sweep") sweepScaling();
if (which === undefined || which === "heap") longRunHeap(Number(arg ?? 2));
