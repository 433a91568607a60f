/*
 * Dependencies between packages point one way (DESIGN.md, "Layout"). This
 * test reads every workspace manifest (dependencies, devDependencies and
 * peerDependencies) and every import in its sources and fails on an edge the
 * design does not allow, or on an import of a package the manifest does not
 * declare. It also checks how a library takes another: as a peer (below).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");

/** Who may depend on whom: DESIGN.md's arrows, closed over nothing (direct edges only). */
const ALLOWED: Record<string, string[]> = {
  "@smpnet/sim": [],
  "@smpnet/memmodel": [],
  "@smpnet/hw-octeon": ["@smpnet/sim", "@smpnet/memmodel"],
  "@smpnet/hw-x86": ["@smpnet/sim", "@smpnet/memmodel"],
  "@smpnet/core": ["@smpnet/sim"],
  "@smpnet/softint": ["@smpnet/core", "@smpnet/sim"],
  "@smpnet/netinet": ["@smpnet/softint", "@smpnet/core", "@smpnet/sim"],
  "@smpnet/policies": ["@smpnet/netinet", "@smpnet/softint", "@smpnet/core", "@smpnet/sim"],
  "@smpnet/workloads": ["@smpnet/netinet", "@smpnet/softint", "@smpnet/core", "@smpnet/sim"],
  "@smpnet/report": ["@smpnet/sim"],
};

/**
 * Benchmarks may run on the hardware profiles, which are data: a
 * devDependency used only under bench/, never by the package's sources.
 */
const BENCH_ONLY: Record<string, string[]> = {
  "@smpnet/core": ["@smpnet/hw-octeon", "@smpnet/hw-x86"],
  "@smpnet/softint": ["@smpnet/hw-octeon", "@smpnet/hw-x86"],
  "@smpnet/policies": ["@smpnet/hw-octeon"],
};

/**
 * A workload's tests and benchmarks need a whole kernel, which only the
 * policies package assembles (and a hardware profile to run it on), while
 * the workload itself must not depend on any policy: devDependencies used
 * only under test/ and bench/, never by the package's sources.
 */
const TEST_ONLY: Record<string, string[]> = {
  "@smpnet/workloads": ["@smpnet/policies", "@smpnet/hw-octeon"],
};

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Pkg {
  dir: string;
  name: string;
  deps: string[];
  benchDeps: string[];
  testDeps: string[];
  manifest: Manifest;
}

function workspacePackages(): Pkg[] {
  const out: Pkg[] = [];
  for (const group of ["packages", "apps", "tools"]) {
    const base = join(root, group);
    for (const d of readdirSync(base)) {
      const manifest = join(base, d, "package.json");
      try {
        statSync(manifest);
      } catch {
        continue;
      }
      const m: Manifest = JSON.parse(readFileSync(manifest, "utf8"));
      const deps = Object.keys({ ...m.dependencies, ...m.devDependencies, ...m.peerDependencies });
      out.push({
        dir: join(base, d),
        name: m.name,
        deps: deps.filter((x) => x.startsWith("@smpnet/")),
        benchDeps: Object.keys(m.devDependencies ?? {}).filter((x) =>
          BENCH_ONLY[m.name]?.includes(x),
        ),
        testDeps: Object.keys(m.devDependencies ?? {}).filter((x) =>
          TEST_ONLY[m.name]?.includes(x),
        ),
        manifest: m,
      });
    }
  }
  return out;
}

function sourceImports(dir: string, subs = ["src", "test", "bench"]): string[] {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name === "dist") continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|js|mjs)$/.test(e.name)) {
        for (const m of readFileSync(p, "utf8").matchAll(/from\s+["'](@smpnet\/[^/"']+)/g)) {
          found.add(m[1]!);
        }
      }
    }
  };
  for (const sub of subs) {
    try {
      walk(join(dir, sub));
    } catch {
      // a package need not have every folder
    }
  }
  return [...found];
}

const pkgs = workspacePackages();

describe("package dependencies", () => {
  it("finds the workspace packages", () => {
    expect(pkgs.map((p) => p.name)).toContain("@smpnet/sim");
    expect(pkgs.map((p) => p.name)).toContain("smpnet");
  });

  for (const pkg of pkgs.filter((p) => p.name.startsWith("@smpnet/") && p.name in ALLOWED)) {
    it(`${pkg.name} depends only on what DESIGN.md allows`, () => {
      const allowed = ALLOWED[pkg.name]!;
      const outside = (d: string) => !allowed.includes(d) && d !== pkg.name;
      const devOnly = (d: string) => pkg.benchDeps.includes(d) || pkg.testDeps.includes(d);
      expect(pkg.deps.filter((d) => outside(d) && !devOnly(d))).toEqual([]);
      expect(sourceImports(pkg.dir, ["src"]).filter(outside)).toEqual([]);
      expect(
        sourceImports(pkg.dir, ["test"]).filter((d) => outside(d) && !pkg.testDeps.includes(d)),
      ).toEqual([]);
      expect(sourceImports(pkg.dir, ["bench"]).filter((d) => outside(d) && !devOnly(d))).toEqual(
        [],
      );
    });
  }

  it("knows every @smpnet package (a new one must be placed in the graph)", () => {
    const unknown = pkgs
      .filter((p) => p.name.startsWith("@smpnet/") && !p.dir.includes("/tools/"))
      .filter((p) => !(p.name in ALLOWED));
    expect(unknown.map((p) => p.name)).toEqual([]);
  });

  for (const pkg of pkgs) {
    it(`${pkg.name} declares every @smpnet package it imports`, () => {
      const missing = sourceImports(pkg.dir).filter((d) => d !== pkg.name && !pkg.deps.includes(d));
      expect(missing).toEqual([]);
    });
  }

  /*
   * The libraries keep module state (the running CPU, the current LWP) that
   * must exist once per program, so a library takes the @smpnet packages its
   * sources import as peer dependencies with a range: the user's one copy
   * serves every package, whatever versions were released. The workspace
   * links that copy as a devDependency. Only the CLI, installed on its own,
   * has them as dependencies.
   */
  for (const pkg of pkgs.filter((p) => p.dir.includes("/packages/"))) {
    it(`${pkg.name} takes the @smpnet packages it imports as peers, never as dependencies`, () => {
      const { dependencies = {}, devDependencies = {}, peerDependencies = {} } = pkg.manifest;
      expect(Object.keys(dependencies).filter((d) => d.startsWith("@smpnet/"))).toEqual([]);
      const imported = sourceImports(pkg.dir, ["src"]).filter((d) => d !== pkg.name);
      expect(imported.filter((d) => !(d in peerDependencies))).toEqual([]);
      expect(
        Object.keys(peerDependencies).filter((d) => devDependencies[d] !== "workspace:*"),
      ).toEqual([]);
    });
  }
});
