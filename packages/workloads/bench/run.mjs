// pnpm bench: simulated seconds per wall second of the workloads on the
// EdgeRouter-4 with giant (the default kernel of `smpnet iperf3` and
// `smpnet netperf`): `iperf3 -c dut -R -t 10` (the system under test
// sends one TCP stream) and `netperf -t TCP_CRR -l 10` (a connection per
// transaction: the pcb table's inserts and removals). One JSON line each.
import { cnmipsNetCosts, er4, er4Nic } from "@smpnet/hw-octeon";
import { kernel } from "@smpnet/policies";
import { iperf3, netperf } from "../dist/index.js";

function er4Giant() {
  return kernel({
    seed: 1,
    profile: er4,
    nic: er4Nic,
    netCosts: cnmipsNetCosts,
    softint: { variant: "netbsd" },
    policy: "giant",
  });
}

function measure(name, tool, argv) {
  const k = er4Giant();
  const t0 = performance.now();
  const r = tool(k, argv);
  const wallS = (performance.now() - t0) / 1e3;
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr || r.stdout}`);
  const simS = k.sim.now / 1e9;
  console.log(
    JSON.stringify({
      name,
      simSecondsPerWallSecond: Number((simS / wallS).toFixed(4)),
      simS: Number(simS.toFixed(3)),
      wallS: Number(wallS.toFixed(1)),
    }),
  );
}

measure("iperf3-R-er4-giant", iperf3, ["-c", "dut", "-R", "-t", "10"]);
measure("netperf-crr-er4-giant", netperf, ["-H", "dut", "-t", "TCP_CRR", "-l", "10"]);
