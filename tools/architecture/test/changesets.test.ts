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
 */
import { execFileSync } from "node:child_process";
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
import { join } from "node:path";
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

/** The workspace's manifests after `changeset version` with one changeset for sim. */
function versionAfter(kind: "minor" | "major"): Map<string, Manifest> {
  const work = mkdtempSync(join(tmpdir(), "smpnet-changesets-"));
  try {
    for (const f of ["package.json", "pnpm-workspace.yaml", ".changeset/config.json"]) {
      cpSync(join(root, f), join(work, f));
    }
    for (const { path } of manifests(root).values()) cpSync(join(root, path), join(work, path));
    // the changelog writer that config.json names is resolved from the copy
    symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
    writeFileSync(
      join(work, ".changeset/sim.md"),
      `---\n"@smpnet/sim": ${kind}\n---\n\nA ${kind} change.\n`,
    );
    execFileSync(process.execPath, [changeset, "version"], { cwd: work, stdio: "pipe" });
    return new Map([...manifests(work)].map(([name, { m }]) => [name, m]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
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
