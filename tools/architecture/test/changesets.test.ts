/*
 * What a release of @smpnet/sim does to the packages that take it as a peer,
 * under this repository's .changeset/config.json. `changeset version` runs on
 * a copy of the workspace's manifests with one changeset, and the test reads
 * the versions and ranges it wrote.
 *
 * Changesets by default gives every peer dependant of a minor release a major
 * one (a 0.x core would jump to 1.0.0) and rewrites its range to the new
 * minor (`^0.1.0`, which on 0.x admits no later minor). With
 * onlyUpdatePeerDependentsWhenOutOfRange it touches a dependant only when the
 * new version leaves the range: `^0` holds every 0.x, so a minor of sim
 * leaves core alone; sim 1.0.0 leaves it, so core is released with `^1.0.0`.
 *
 * Then the repository's own changesets: `changeset status` is clean (every
 * package changed since main has one), its plan gives each package the bump
 * its own changesets name (no fixed or linked groups), and `changeset
 * version` on a copy writes those versions, package by package.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const changeset = join(root, "node_modules/@changesets/cli/bin.js");
const groups = ["packages", "apps", "tools"];

interface Manifest {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
}

/** The workspace manifests under `dir`, by path and by package name. */
function manifests(dir: string): Map<string, { path: string; m: Manifest }> {
  const out = new Map<string, { path: string; m: Manifest }>();
  for (const group of groups) {
    for (const d of readdirSync(join(dir, group))) {
      const path = join(group, d, "package.json");
      if (!existsSync(join(dir, path))) continue;
      const m: Manifest = JSON.parse(readFileSync(join(dir, path), "utf8"));
      out.set(m.name, { path, m });
    }
  }
  return out;
}

/** `version` after a `kind` release, as semver counts (0.x included). */
function next(version: string, kind: "patch" | "minor" | "major"): string {
  const [major, minor, patch] = version.split(".").map(Number) as [number, number, number];
  if (kind === "major") return `${major + 1}.0.0`;
  return kind === "minor" ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
}

/** The workspace's manifests after `changeset version` on a copy with `changesets` (file: text). */
function versionWith(changesets: Record<string, string>): Map<string, Manifest> {
  const work = mkdtempSync(join(tmpdir(), "smpnet-changesets-"));
  try {
    for (const f of ["package.json", "pnpm-workspace.yaml", ".changeset/config.json"]) {
      cpSync(join(root, f), join(work, f));
    }
    for (const { path } of manifests(root).values()) cpSync(join(root, path), join(work, path));
    // the changelog writer that config.json names is resolved from the copy
    symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
    for (const [file, text] of Object.entries(changesets)) {
      writeFileSync(join(work, ".changeset", file), text);
    }
    execFileSync(process.execPath, [changeset, "version"], { cwd: work, stdio: "pipe" });
    return new Map([...manifests(work)].map(([name, { m }]) => [name, m]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The workspace's manifests after `changeset version` with one changeset for sim. */
function versionAfter(kind: "minor" | "major"): Map<string, Manifest> {
  return versionWith({ "sim.md": `---\n"@smpnet/sim": ${kind}\n---\n\nA ${kind} change.\n` });
}

const now = new Map([...manifests(root)].map(([name, { m }]) => [name, m]));
const sim = now.get("@smpnet/sim")!;
const peerDependants = [...now.values()].filter((m) => m.peerDependencies?.["@smpnet/sim"]);

describe("releases of @smpnet/sim under .changeset/config.json", () => {
  it("finds the packages that take sim as a peer", () => {
    expect(peerDependants.map((m) => m.name)).toContain("@smpnet/core");
  });

  it("a minor release leaves its peer dependants' versions and ranges alone; the CLI that pins it gets a patch", () => {
    const after = versionAfter("minor");
    expect(after.get("@smpnet/sim")!.version).toBe(next(sim.version, "minor"));
    for (const m of peerDependants) {
      expect(after.get(m.name)!.version).toBe(m.version);
      expect(after.get(m.name)!.peerDependencies).toEqual(m.peerDependencies);
    }
    expect(after.get("smpnet")!.version).toBe(next(now.get("smpnet")!.version, "patch"));
  });

  it("a major release, which leaves the range, releases its peer dependants as majors with the new range", () => {
    const after = versionAfter("major");
    const simMajor = next(sim.version, "major");
    expect(after.get("@smpnet/sim")!.version).toBe(simMajor);
    for (const m of peerDependants) {
      expect(after.get(m.name)!.version).toBe(next(m.version, "major"));
      expect(after.get(m.name)!.peerDependencies!["@smpnet/sim"]).toBe(`^${simMajor}`);
    }
  });
});

interface ReleasePlan {
  changesets: { id: string; releases: { name: string; type: Kind }[] }[];
  releases: { name: string; type: Kind | "none"; oldVersion: string; newVersion: string }[];
}
type Kind = "patch" | "minor" | "major";
const KINDS: Kind[] = ["patch", "minor", "major"];

// `changeset status` compares with the base branch; a checkout without it cannot say
const hasBase =
  spawnSync("git", ["rev-parse", "--verify", "--quiet", "main"], { cwd: root }).status === 0;
if (!hasBase)
  console.warn("changesets.test.ts: no main branch here; the release plan is not checked");

describe.runIf(hasBase)("the repository's changesets", () => {
  const out = join(mkdtempSync(join(tmpdir(), "smpnet-status-")), "plan.json");
  // --output writes the plan and nothing else; the tree is left as it is
  const status = spawnSync(process.execPath, [changeset, "status", "--output", out], {
    cwd: root,
    encoding: "utf8",
  });
  const plan: ReleasePlan =
    status.status === 0 ? JSON.parse(readFileSync(out, "utf8")) : { changesets: [], releases: [] };
  rmSync(dirname(out), { recursive: true, force: true });

  it("`changeset status` is clean: every changed package has a changeset", () => {
    expect(status.status, status.stderr + status.stdout).toBe(0);
    expect(plan.releases.length).toBeGreaterThan(0);
  });

  it("the plan gives each package the bump its own changesets ask for, a patch when only its dependencies changed", () => {
    // "none": a private package, never published
    for (const r of plan.releases.filter((x) => x.type !== "none")) {
      const asked = plan.changesets.flatMap((c) => c.releases.filter((x) => x.name === r.name));
      const own = asked.reduce<Kind>(
        (k, x) => (KINDS.indexOf(x.type) > KINDS.indexOf(k) ? x.type : k),
        "patch",
      );
      expect([r.name, r.type]).toEqual([r.name, own]);
      expect([r.name, r.newVersion]).toEqual([r.name, next(r.oldVersion, own)]);
    }
  });

  it("a release dry run on a copy writes each package's own version into its manifest", () => {
    const dir = join(root, ".changeset");
    const files = readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md");
    const after = versionWith(
      Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), "utf8")])),
    );
    for (const r of plan.releases) {
      expect([r.name, after.get(r.name)?.version]).toEqual([r.name, r.newVersion]);
    }
    const untouched = [...now.values()].filter(
      (m) => !plan.releases.some((r) => r.name === m.name),
    );
    for (const m of untouched)
      expect([m.name, after.get(m.name)!.version]).toEqual([m.name, m.version]);
  });
});
