/// <reference lib="dom" />
/*
 * The HTML report in a real browser: Debian's chromium driven by
 * playwright-core, offline. Every plot must draw marks and the page must log
 * no error. The screenshot is left in test-artifacts/ (not committed).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { htmlReport, PLOTS } from "../src/index.js";
import { fixtureRun } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const artifacts = join(import.meta.dirname, "../test-artifacts");

if (!existsSync(CHROMIUM)) {
  console.warn(
    `html.test: skipped, ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`,
  );
}

describe.skipIf(!existsSync(CHROMIUM))("the HTML report in headless Chromium", () => {
  it("draws every plot with marks, two runs side by side, and logs no console error", async () => {
    const html = htmlReport([fixtureRun(1, 5).result, fixtureRun(2, 5).result]);
    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, "report.html");
    writeFileSync(file, html);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push(String(e)));
      page.on("request", (r) => {
        if (!r.url().startsWith("file:"))
          problems.push(`fetched ${r.url()} (the report must work offline)`);
      });
      await page.goto(`file://${file}`);
      await page.waitForFunction(
        (n) => document.querySelectorAll("figure[data-plot] svg").length >= n,
        PLOTS.length,
      );
      const marks = await page.$$eval("figure[data-plot]", (figs) =>
        figs.map((f) => ({
          id: (f as HTMLElement).dataset.plot,
          // Plot draws each mark as a <g aria-label="bar|line|text|..."> of shapes
          shapes: f.querySelectorAll(
            'svg g[aria-label="bar"] rect, svg g[aria-label="line"] path, svg g[aria-label="rule"] line',
          ).length,
          empty: f.textContent?.includes("none recorded") ?? false,
        })),
      );
      expect(marks.map((m) => m.id)).toEqual(PLOTS.map(([id]) => id));
      for (const m of marks) {
        expect(m.empty, `${m.id} drew nothing`).toBe(false);
        expect(m.shapes, `${m.id} has no marks`).toBeGreaterThan(1);
      }
      const runs = await page.$$eval("table tr", (rows) => rows.length - 1);
      expect(runs).toBe(2);
      await page.screenshot({ path: join(artifacts, "report.png"), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
