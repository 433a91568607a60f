/*
 * The packages as a user installs them: each packed with `pnpm pack`, its
 * tarball installed with npm into an empty project outside the workspace.
 *
 * The libraries share the machine's module state (the running CPU, the
 * current LWP), so they must load one copy of @smpnet/sim: core, softint and
 * the profiles take sim as a peer dependency. The test installs packages of
 * different versions side by side, as after independent releases (sim 0.2.0
 * beside a core and softint 0.1.0 released against an older sim), and runs
 * the core and softint README examples there. It also checks that
 * `require()` loads the very module `import` does (Node >= 20.19 requires ES
 * modules; no second instance), that every tarball carries the LICENSE, and
 * that the installed CLI prints what the workspace's build prints.
 *
 * npm fetches the tarballs' own dependencies (valibot, pure-rand, commander,
 * ...) from the registry; without one the test is skipped, and says why.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readmeExample } from "./readme-example.js";

const root = join(import.meta.dirname, "../../..");
const exec = promisify(execFile);

// Can npm fetch from its registry? Asked of a package the tarballs need.
const probe = spawnSync(
  "npm",
  ["view", "valibot", "version", "--prefer-online", "--fetch-retries=1"],
  {
    encoding: "utf8",
    timeout: 30_000,
  },
);
const offline = probe.status !== 0;
if (offline) {
  const lines = (probe.stderr ?? "").split("\n");
  const why =
    lines.find((l) => l.includes("FetchError")) ?? lines.find((l) => l.startsWith("npm error"));
  console.warn(
    `pack.test.ts skipped: npm cannot reach its registry (${why ?? String(probe.error)}); the packed packages' own dependencies come from there`,
  );
}

/** Runs a command; its stdout, or an error carrying its stderr. */
async function sh(cmd: string, args: string[], cwd: string): Promise<string> {
  return (await exec(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 26 })).stdout;
}

/** `pnpm pack` of a workspace package into `dest`; the tarball's path. */
async function pack(dir: string, dest: string): Promise<string> {
  const out = JSON.parse(await sh("pnpm", ["pack", "--json", "--pack-destination", dest], dir));
  return out.filename;
}

/** The tarball as it would be published at `version`: unpacked, renumbered, packed again. */
async function renumber(tgz: string, version: string, work: string): Promise<string> {
  const dir = mkdtempSync(join(work, "renumber-"));
  await sh("tar", ["-xzf", tgz, "-C", dir], work);
  const manifest = join(dir, "package", "package.json");
  writeFileSync(manifest, JSON.stringify({ ...readJson(manifest), version }, null, 2));
  const out = join(work, `${basename(tgz, ".tgz")}-as-${version}.tgz`);
  await sh("tar", ["-czf", out, "-C", dir, "package"], work);
  return out;
}

/** An empty project with the tarballs installed, as a user's `npm install` would. */
async function project(work: string, name: string, tarballs: string[]): Promise<string> {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true }));
  await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...tarballs], dir);
  return dir;
}

/** Every installed copy of @smpnet/sim, as `npm ls` finds them. */
async function simCopies(dir: string): Promise<string[]> {
  const out = await sh("npm", ["ls", "--all", "--parseable", "@smpnet/sim"], dir);
  return out.split("\n").filter((l) => l.includes("node_modules"));
}

/** Promise.all that, on a failure, still waits for the others (afterAll removes their folder). */
async function all<T extends unknown[]>(work: [...T]): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const done = await Promise.allSettled(work);
  const failed = done.find((d): d is PromiseRejectedResult => d.status === "rejected");
  if (failed) throw failed.reason;
  return done.map((d) => (d as PromiseFulfilledResult<unknown>).value) as {
    [K in keyof T]: Awaited<T[K]>;
  };
}

function readJson(file: string) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function node(args: string[], cwd: string) {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
}

describe.skipIf(offline)("packed packages installed alone", () => {
  let work = "";
  let libs = ""; // sim 0.2.0 beside core 0.1.0 and softint 0.1.0
  let cli = ""; // the smpnet CLI with the libraries it pins

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "smpnet-pack-"));
    const packs = join(work, "packs");
    mkdirSync(packs);
    const [sim, core, softint, hwOcteon, memmodel, netinet, policies, report, workloads, smpnet] =
      await all(
        [
          "packages/sim",
          "packages/core",
          "packages/softint",
          "packages/hw-octeon",
          "packages/memmodel",
          "packages/netinet",
          "packages/policies",
          "packages/report",
          "packages/workloads",
          "apps/smpnet",
        ].map((d) => pack(join(root, d), packs)),
      );
    const released = await all([
      renumber(sim!, "0.2.0", work),
      renumber(core!, "0.1.0", work),
      renumber(softint!, "0.1.0", work),
    ]);
    [libs, cli] = await all([
      project(work, "libs", released),
      // the CLI's libraries and the peers they take (core, softint, netinet)
      project(work, "cli", [
        smpnet!,
        sim!,
        hwOcteon!,
        memmodel!,
        core!,
        softint!,
        netinet!,
        policies!,
        report!,
        workloads!,
      ]),
    ]);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("installs one copy of @smpnet/sim beside core and softint released against an older one", async () => {
    expect(await simCopies(libs)).toEqual([join(libs, "node_modules/@smpnet/sim")]);
    expect(readJson(join(libs, "node_modules/@smpnet/sim/package.json")).version).toBe("0.2.0");
    expect(readJson(join(libs, "node_modules/@smpnet/core/package.json")).version).toBe("0.1.0");
  });

  for (const pkg of ["core", "softint"]) {
    it(`runs the ${pkg} README example there and it prints what the README says`, () => {
      const example = readmeExample(join(root, "packages", pkg, "README.md"));
      expect(example?.promised.length).toBeGreaterThan(0);
      const file = join(libs, `${pkg}-example.mjs`);
      writeFileSync(file, example!.code);
      const r = node([file], libs);
      expect(r.stderr).toBe("");
      expect(r.stdout.trim().split("\n")).toEqual(example!.promised);
    });
  }

  it("require() gives the module that import gives, with no warning", () => {
    const r = node(
      [
        "-e",
        `const sim = require("@smpnet/sim"), core = require("@smpnet/core");
         import("@smpnet/sim").then((m) =>
           console.log(m === sim, typeof sim.Simulation, typeof core.mutex_enter));`,
      ],
      libs,
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("true function function");
  });

  it("every tarball carries the LICENSE", () => {
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    const installed = [
      ...["sim", "core", "softint"].map((p) => join(libs, "node_modules/@smpnet", p)),
      ...["hw-octeon", "memmodel", "netinet", "policies", "report", "workloads"].map((p) =>
        join(cli, "node_modules/@smpnet", p),
      ),
      join(cli, "node_modules/smpnet"),
    ];
    for (const dir of installed) expect(readFileSync(join(dir, "LICENSE"), "utf8")).toBe(license);
  });

  it("the installed smpnet command prints what the workspace's build prints", async () => {
    const args = ["--ms", "5", "--json"];
    const installed = await sh(join(cli, "node_modules/.bin/smpnet"), args, cli);
    const workspace = node([join(root, "apps/smpnet/dist/cli.js"), ...args], root);
    expect(JSON.parse(installed).profile).toBe("er4");
    expect(installed).toBe(workspace.stdout);
    expect(await simCopies(cli)).toEqual([join(cli, "node_modules/@smpnet/sim")]);
  });
});
