/*
 * What every published package says about itself in its manifest: the
 * licence, the Node it needs (>= 20.19, which can require() ES modules), where
 * its source lives, and an exports map whose one file serves both import and
 * require (a single module instance, no dual-package hazard). Changesets
 * publishes the scoped packages as public ones.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../../..");
const published = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group))
    .map((d) => join(group, d))
    .filter((dir) => existsSync(join(root, dir, "package.json"))),
);
const manifest = (dir: string) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));

describe("published manifests", () => {
  it("finds the packages and the CLI", () => {
    expect(published).toContain("packages/sim");
    expect(published).toContain("apps/smpnet");
  });

  for (const dir of published) {
    it(`${dir} is public, BSD-2-Clause, for Node >= 20.19, and names its folder`, () => {
      const m = manifest(dir);
      expect(m.private).toBeUndefined();
      expect(m.license).toBe("BSD-2-Clause");
      expect(m.engines).toEqual({ node: ">=20.19" });
      expect(m.repository).toEqual({ type: "git", directory: dir });
      expect(m.files).toContain("dist");
    });
  }

  for (const dir of published.filter((d) => manifest(d).exports !== undefined)) {
    it(`${dir} exports one file to import and require`, () => {
      expect(manifest(dir).exports).toEqual({
        ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      });
    });
  }

  it("the CLI installs its command", () => {
    expect(manifest("apps/smpnet").bin).toEqual({ smpnet: "./dist/cli.js" });
  });

  it("changesets publishes with public access", () => {
    const config = JSON.parse(readFileSync(join(root, ".changeset/config.json"), "utf8"));
    expect(config.access).toBe("public");
  });
});
