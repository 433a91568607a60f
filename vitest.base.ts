import { defineConfig } from "vitest/config";

/**
 * How every package runs its tests: the files under test/. Property tests
 * run whole simulations; turbo runs packages side by side on CI's 2 cores, so
 * a test is given a minute rather than vitest's 5 s (no test here measures
 * time: speed is measured by the benchmarks).
 */
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 60_000 },
});
