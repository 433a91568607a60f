/*
 * The packages as a user installs them: each packed with `pnpm pack`, its
 * tarball installed with npm into an empty project outside the workspace.
 * Every package under packages/ is installed alone, in a project of its own
 * with only the @smpnet tarballs it needs (its dependencies and peers, and
 * the packages its README example imports, followed to the end), and its
 * README example runs there and prints what the README says. policies'
 * example assembles a kernel with a policy object of its own.
 *
 * The libraries share the machine's module state (the running CPU, the
 * current LWP), so they must load one copy of @smpnet/sim: core, softint and
 * the profiles take sim as a peer dependency. The test installs packages of
 * different versions side by side, as after independent releases (sim 0.2.0
 * beside a core and softint 0.1.0 released against an older sim), and runs
 * the core and softint README examples there too. It also checks that
 * `require()` loads the very module `import` does (Node >= 20.19 requires ES
 * modules; no second instance), that every tarball carries the LICENSE, and
 * that the installed CLI prints what the workspace's build prints.
 *
 * npm fetches the tarballs' own dependencies (valibot, pure-rand, commander,
 * ...) from the registry; without one the test is skipped, and says why.
 */
import { execFile, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
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

/** Runs concurrently at most `n` at a time: npm installs share two cores and one cache. */
async function limited<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const lane = async () => {
    for (let k = next++; k < jobs.length; k = next++) out[k] = await jobs[k]!();
  };
  await all(Array.from({ length: n }, lane));
  return out;
}

function readJson(file: string) {
  return JSON.parse(readFileSync(file, "utf8"));
}

function node(args: string[], cwd: string) {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
}

/** The workspace's package folders by package name: packages/*, and the CLI. */
const folders = new Map<string, string>(
  [...readdirSync(join(root, "packages")).map((d) => join("packages", d)), "apps/smpnet"]
    .filter((d) => existsSync(join(root, d, "package.json")))
    .map((d) => [readJson(join(root, d, "package.json")).name as string, d]),
);
const libraries = [...folders].filter(([, d]) => d.startsWith("packages/")).map(([n]) => n);

/** The @smpnet packages a package needs installed: dependencies and peers. */
function needs(name: string): string[] {
  const m = readJson(join(root, folders.get(name)!, "package.json"));
  return Object.keys({ ...m.dependencies, ...m.peerDependencies }).filter((d) => folders.has(d));
}

/** `names` and everything they need, followed to the end. */
function closure(names: string[]): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of needs(n)) visit(d);
  };
  for (const n of names) visit(n);
  return [...seen].sort();
}

/** The package's README example, and the @smpnet packages it imports. */
function example(name: string) {
  const found = readmeExample(join(root, folders.get(name)!, "README.md"));
  const imports = [...(found?.code ?? "").matchAll(/from "(@smpnet\/[a-z0-9-]+)"/g)].map(
    (m) => m[1]!,
  );
  return { found, imports };
}

describe.skipIf(offline)("packed packages installed alone", () => {
  let work = "";
  let libs = ""; // sim 0.2.0 beside core 0.1.0 and softint 0.1.0
  let cli = ""; // the smpnet CLI with the libraries it pins
  const alone = new Map<string, string>(); // each library's own project

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "smpnet-pack-"));
    const packs = join(work, "packs");
    mkdirSync(packs);
    const names = [...folders.keys()];
    const tgz = new Map(
      (await all(names.map((n) => pack(join(root, folders.get(n)!), packs)))).map((t, i) => [
        names[i]!,
        t,
      ]),
    );
    const tarballs = (of: string[]) => closure(of).map((n) => tgz.get(n)!);
    const released = await all([
      renumber(tgz.get("@smpnet/sim")!, "0.2.0", work),
      renumber(tgz.get("@smpnet/core")!, "0.1.0", work),
      renumber(tgz.get("@smpnet/softint")!, "0.1.0", work),
    ]);
    const projects = await limited(4, [
      () => project(work, "libs", released),
      () => project(work, "cli", tarballs(["smpnet"])),
      ...libraries.map(
        (n) => () => project(work, basename(n), tarballs([n, ...example(n).imports])),
      ),
    ]);
    [libs, cli] = projects as [string, string];
    for (const [i, n] of libraries.entries()) alone.set(n, projects[i + 2]!);
  }, 420_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("finds every package, each with a README example", () => {
    expect(libraries.length).toBe(readdirSync(join(root, "packages")).length);
    expect(libraries.filter((n) => example(n).found === undefined)).toEqual([]);
  });

  it("installs one copy of @smpnet/sim beside core and softint released against an older one", async () => {
    expect(await simCopies(libs)).toEqual([join(libs, "node_modules/@smpnet/sim")]);
    expect(readJson(join(libs, "node_modules/@smpnet/sim/package.json")).version).toBe("0.2.0");
    expect(readJson(join(libs, "node_modules/@smpnet/core/package.json")).version).toBe("0.1.0");
  });

  /** Runs `name`'s README example in `dir`; what it printed, line by line. */
  function runExample(name: string, dir: string) {
    const { found } = example(name);
    expect(found?.promised.length).toBeGreaterThan(0);
    const file = join(dir, `${basename(name)}-example.mjs`);
    writeFileSync(file, found!.code);
    const r = node([file], dir);
    expect(r.stderr).toBe("");
    return { printed: r.stdout.trim().split("\n"), promised: found!.promised };
  }

  for (const name of libraries) {
    it(`${name}, installed alone: its README example prints what the README says`, () => {
      const dir = alone.get(name)!;
      const installed = readdirSync(join(dir, "node_modules/@smpnet")).map((d) => `@smpnet/${d}`);
      expect(installed.sort()).toEqual(closure([name, ...example(name).imports]));
      const { printed, promised } = runExample(name, dir);
      expect(printed).toEqual(promised);
    });
  }

  it("policies' example assembles a kernel with a policy object of its own", () => {
    const { found } = example("@smpnet/policies");
    expect(found!.code).toMatch(/attach\(stack\)/);
    expect(found!.code).toMatch(/console\.log\(run\(perSocket\)\)/);
  });

  for (const name of ["@smpnet/core", "@smpnet/softint"]) {
    it(`${name}'s example also runs beside sim 0.2.0, released later`, () => {
      const { printed, promised } = runExample(name, libs);
      expect(printed).toEqual(promised);
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
      ...libraries.map((n) => join(alone.get(n)!, "node_modules", n)),
      join(cli, "node_modules/smpnet"),
    ];
    for (const dir of installed) expect(readFileSync(join(dir, "LICENSE"), "utf8")).toBe(license);
  });

  it("the installed smpnet command prints what the workspace's build prints", async () => {
    // a run's reports go to a results folder (--out), kept out of the repository
    const args = (out: string) => [
      ...["run", "--json", "--cpus", "2", "--out", join(work, out)],
      ...["--", "iperf3", "-c", "dut", "-n", "64K"],
    ];
    const installed = await sh(join(cli, "node_modules/.bin/smpnet"), args("out-cli"), cli);
    const workspace = node([join(root, "apps/smpnet/dist/cli.js"), ...args("out-workspace")], work);
    expect(JSON.parse(installed).kernel.hw).toBe("er4");
    expect(installed).toBe(workspace.stdout);
    expect(await simCopies(cli)).toEqual([join(cli, "node_modules/@smpnet/sim")]);
  });
});
