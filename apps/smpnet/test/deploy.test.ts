/*
 * The shipped batch files do what they say: the Slurm array job, submitted
 * to a real one-node Slurm (deploy/slurm/local-cluster.sh starts one from
 * Debian's packages), gives shards whose merge equals one unsharded sweep;
 * the Kubernetes Indexed Job is a valid batch/v1 Job that shards as the
 * Slurm script does.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Job } from "kubernetes-models/batch/v1/Job";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { smpnet } from "./cli.js";

const deploy = join(import.meta.dirname, "../deploy");
const cli = join(import.meta.dirname, "../dist/cli.js");

const MATRIX = `kernels:
  - { policy: giant, cpus: 1 }
  - { policy: giant, cpus: 2 }
workloads:
  - iperf3 -c dut -n 512K
seeds: [1, 2]
`;

function cluster(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync(join(deploy, "slurm/local-cluster.sh"), { encoding: "utf8" });
  if (r.status === 0) return { ok: true };
  if (r.status === 3) return { ok: false, why: r.stderr.trim() };
  throw new Error(`local-cluster.sh failed (${r.status}): ${r.stderr}`);
}

describe("the Slurm array job", () => {
  const c = cluster();
  it.skipIf(!c.ok)(
    `shards a sweep over array tasks; the merge equals the unsharded sweep${c.ok ? "" : ` (skipped: ${c.why})`}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), "smpnet-slurm-"));
      const matrix = join(dir, "matrix.yaml");
      writeFileSync(matrix, MATRIX);
      const sub = spawnSync(
        "sbatch",
        [
          "--wait",
          "--array=0-2",
          `--output=${dir}/task-%a.log`,
          join(deploy, "slurm/sweep.sbatch"),
          matrix,
          join(dir, "out"),
        ],
        {
          encoding: "utf8",
          cwd: dir,
          env: { ...process.env, SMPNET: `${process.execPath} ${cli}` },
        },
      );
      expect(sub.status, `${sub.stdout}${sub.stderr}`).toBe(0);
      const shards = readdirSync(join(dir, "out")).sort();
      expect(shards).toEqual(["shard-0.jsonl", "shard-1.jsonl", "shard-2.jsonl"]);
      const merged = smpnet("merge", ...shards.map((s) => join(dir, "out", s)));
      expect(merged.stderr).toBe("");
      const whole = smpnet("sweep", matrix, "--workers", "2");
      expect(whole.code, whole.stderr).toBe(0);
      expect(merged.stdout).toBe(whole.stdout);
      expect(whole.stdout.trim().split("\n")).toHaveLength(4);
    },
  );
});

describe("the Kubernetes Indexed Job", () => {
  const manifest = () => parse(readFileSync(join(deploy, "kubernetes/sweep-job.yaml"), "utf8"));

  it("is a valid batch/v1 Job", () => {
    expect(() => new Job(manifest()).validate()).not.toThrow();
  });

  it("would be refused with a wrong field type (the check can fail)", () => {
    const m = manifest();
    m.spec.completions = "eight";
    expect(() => new Job(m).validate()).toThrow(/completions/);
  });

  it("runs one shard per index, as many shards as completions", () => {
    const m = manifest();
    expect(m.spec.completionMode).toBe("Indexed");
    const script: string = m.spec.template.spec.containers[0].args.join(" ");
    const shard = /--shard "\$JOB_COMPLETION_INDEX\/(\d+)"/.exec(script);
    expect(shard?.[1]).toBe(String(m.spec.completions));
  });
});
